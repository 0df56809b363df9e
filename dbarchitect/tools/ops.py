"""Operations tools: review_health, review_security, top_queries."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.health.review import HealthReview
from dbarchitect.core.security.review import SecurityReview
from dbarchitect.core.top_queries import TopQueries

Check = Literal["wraparound", "sequences", "vacuum", "indexes", "connections", "replication", "cache", "config"]


async def review_health(
    app: App,
    checks: Annotated[list[Check] | None, Field(description="Only these areas.")] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> HealthReview:
    """Operational health of a live database: XID wraparound, sequences near exhaustion, dead rows,
    autovacuum off, stale statistics, bloat, index review, idle-in-transaction sessions, long queries,
    lock waits, connections, replication slots/lag, cache, temp files, checkpoints, settings. Each
    finding: numbers, fix SQL, its cost (lock/reload/restart); `unchecked`: what was not readable, and the GRANT."""
    try:
        reviewer = app.feature("health", tool="review_health", connection=connection)
        return await reviewer.review(list(checks) if checks else None)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None


async def review_security(
    app: App,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> SecurityReview:
    """Security audit of a live database: RLS without policies or policies without RLS, unforced RLS,
    tenant tables lacking RLS (policy drafted, verified on a scratch copy), views bypassing RLS,
    SECURITY DEFINER without search_path or run by PUBLIC, grants to PUBLIC, broad/default privileges,
    superusers, BYPASSRLS, MD5 passwords, plain-text secret columns. Findings: proof and fix SQL."""
    return await app.feature("security", tool="review_security", connection=connection).review()


async def top_queries(
    app: App,
    order_by: Annotated[
        Literal["total", "mean", "calls", "io", "temp", "n_plus_one"], Field(description="n_plus_one: only N+1 statements.")
    ] = "total",
    limit: Annotated[int, Field(ge=1, le=100)] = 10,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> TopQueries:
    """Heaviest statements in pg_stat_statements: calls, times, rows, share, buffer/temp I/O, a next
    step; plus N+1 patterns (a lookup per parent row) with the batched query. For a statement log use
    review_query. Without the extension: how to enable it."""
    return await app.feature("top_queries", tool="top_queries", connection=connection).top_queries(order_by, limit)
