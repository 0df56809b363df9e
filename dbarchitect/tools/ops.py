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
    """Check a live database's operational health: wraparound, sequences near exhaustion, vacuum and
    statistics, bloat, invalid indexes, stuck sessions and lock waits, connections, replication,
    cache, temp files, checkpoints, settings.

    Use it for a checkup or an incident; review_security for access, top_queries for slow statements.

    Returns findings with numbers, fix SQL and its cost (lock, reload, restart); what the role could
    not read, with the GRANT."""
    try:
        reviewer = app.feature("health", tool="review_health", connection=connection)
        return await reviewer.review(list(checks) if checks else None)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None


async def review_security(
    app: App,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> SecurityReview:
    """Audit a live database's security: row-level security gaps (tenant policies drafted and verified
    on a scratch copy), views bypassing RLS, SECURITY DEFINER functions, grants to PUBLIC, superusers,
    BYPASSRLS, MD5 passwords, plain-text secret columns.

    Use it before exposing data or adding tenants; review_schema for design, review_health for operations.

    Returns findings with their proof and fix SQL."""
    return await app.feature("security", tool="review_security", connection=connection).review()


async def top_queries(
    app: App,
    order_by: Annotated[
        Literal["total", "mean", "calls", "io", "temp", "n_plus_one"], Field(description="n_plus_one: only N+1 statements.")
    ] = "total",
    limit: Annotated[int, Field(ge=1, le=100)] = 10,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> TopQueries:
    """The heaviest statements in pg_stat_statements by total or mean time, calls, I/O or temp files,
    plus N+1 loops (a lookup repeated per parent row) with the batched query.

    Use it to find what to fix first, then explain_query or recommend_indexes; review_query for a
    pasted statement log.

    Returns each statement's calls, times, rows, share and I/O with a next step (or how to enable
    the extension)."""
    return await app.feature("top_queries", tool="top_queries", connection=connection).top_queries(order_by, limit)
