"""Plan tools: explain_query (runs EXPLAIN safely) and explain_plan (diagnoses pasted output)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.plan.analyze import explain_plan as diagnose
from dbarchitect.core.plan.parse import PlanParseError
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.live.engine import Engine
from dbarchitect.live.offload import cpu


async def explain_query(
    app: App,
    sql: Annotated[str, Field(description="The statement to explain; $1, $2… placeholders allowed.")],
    analyze: Annotated[
        bool, Field(description="Run it (EXPLAIN ANALYZE): read-only statements, or writes rolled back when allowed.")
    ] = False,
    buffers: Annotated[bool, Field(description="Include buffer counts (with analyze).")] = True,
    params: Annotated[
        list[Any] | None, Field(description="Values for $1, $2…; representative values from pg_stats otherwise.")
    ] = None,
    hypothetical_indexes: Annotated[
        list[str], Field(description="CREATE INDEX statements to try with HypoPG (never built).")
    ] = [],  # noqa: B006 - pydantic copies defaults
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> PlanReport:
    """Explain a query and diagnose its plan: a summary (total time, hottest nodes), a compact tree,
    and insights ranked by the time a fix would save (mis-estimates, disk sorts, hash batches, seq scans
    discarding most rows, nested loops with huge inner loops, large OFFSET, slow FK checks, … PL001–PL026),
    each with the plan fields that prove it, the remedy, a catalog cross-check, and for index remedies a
    HypoPG re-plan with the cost before and after. ANALYZE never changes data: writes run only when the
    server allows writes, and are always rolled back."""
    explainer = app.feature("explain", tool="explain_query", connection=connection)
    return await explainer.explain_query(
        sql,
        analyze=analyze,
        buffers=buffers,
        params=params,
        hypothetical_indexes=hypothetical_indexes,
        allow_writes=app.settings.allow_writes,
    )


async def explain_plan(
    app: App,
    plan: Annotated[
        str | dict | list, Field(description="EXPLAIN output: JSON (FORMAT JSON) or the text format, as pasted.")
    ],
    sql: Annotated[str | None, Field(description="The query, when known: sharpens some remedies.")] = None,
    use_catalog: Annotated[
        bool, Field(description="Cross-check with the connected database's catalog when reachable.")
    ] = True,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> PlanReport:
    """Diagnose EXPLAIN output someone already has — JSON or the text format people paste, from
    PostgreSQL 12–18; both formats give the same analysis: normalised per-node times, ranked
    insights with their proof and remedies, and a compact tree."""
    try:
        if app.engine(connection) is not Engine.postgresql:
            db = app.db(connection, tool="explain_plan")
            explainer = db.feature("explain", tool="explain_plan")  # the engine's plan formats
            catalog = await db.snapshot() if use_catalog else None
            return await cpu(explainer.diagnose, plan, sql=sql, catalog=catalog)
        catalog = await app.snapshot_if_reachable(connection, tool="explain_plan") if use_catalog else None
        return await cpu(diagnose, plan, sql=sql, catalog=catalog)
    except PlanParseError as exc:
        raise UserInputError(f"The plan could not be read: {exc}") from None
