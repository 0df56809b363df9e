"""Plan tools: explain_query (runs EXPLAIN safely) and explain_plan (diagnoses pasted output)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.plan.analyze import explain_plan as diagnose
from dbarchitect.core.plan.parse import PlanParseError
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.core.mongo.explain import is_explain_text as is_mongo_explain
from dbarchitect.live.engine import Engine
from dbarchitect.live.offload import cpu
from dbarchitect.tools.migration import tracked


async def explain_query(
    app: App,
    sql: Annotated[str, Field(description="The statement to explain; $1, $2… placeholders allowed.")],
    analyze: Annotated[
        bool, Field(description="EXPLAIN ANALYZE; writes only when allowed, rolled back.")
    ] = False,
    buffers: Annotated[bool, Field(description="Include buffer counts (with analyze).")] = True,
    params: Annotated[
        list[Any] | None, Field(description="Values for $1, $2…; else typical values from pg_stats.")
    ] = None,
    hypothetical_indexes: Annotated[
        list[str], Field(description="CREATE INDEX statements to try with HypoPG (never built).")
    ] = [],  # noqa: B006 - pydantic copies defaults
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> PlanReport:
    """Run EXPLAIN on a statement (ANALYZE optional, writes always rolled back) and diagnose the plan:
    mis-estimates, disk sorts, wasteful seq scans, huge nested loops… (PL001–PL026);
    `hypothetical_indexes` tries indexes with HypoPG.

    Use it when you have the query and a connection; explain_plan for EXPLAIN output already at hand.

    Returns a summary, a compact tree and insights ranked by time saved, with proof and remedy."""
    explainer = app.feature("explain", tool="explain_query", connection=connection)
    return await tracked(ctx, "EXPLAIN ANALYZE" if analyze else "EXPLAIN", lambda: explainer.explain_query(
        sql,
        analyze=analyze,
        buffers=buffers,
        params=params,
        hypothetical_indexes=hypothetical_indexes,
        allow_writes=app.settings.allow_writes,
    ))


async def explain_plan(
    app: App,
    plan: Annotated[
        str | dict | list, Field(description="EXPLAIN output: JSON (FORMAT JSON) or the text format, as pasted.")
    ],
    sql: Annotated[str | None, Field(description="The query, when known: sharpens some remedies.")] = None,
    use_catalog: Annotated[
        bool, Field(description="Use the connected database's catalog when reachable.")
    ] = True,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> PlanReport:
    """Diagnose EXPLAIN output someone already has (JSON or pasted text, PostgreSQL 12–18) without
    running anything; also MongoDB explain() output.

    Use it for a plan from a log, a ticket or another environment; explain_query to run EXPLAIN here.

    Returns explain_query's analysis: per-node times, ranked insights with proof and remedies, a tree."""
    try:
        if is_mongo_explain(plan) or app.engine(connection) is Engine.mongodb:
            explainer = app.feature("explain", tool="explain_plan", connection=connection, engine=Engine.mongodb)
            return explainer.diagnose(plan, sql=sql, catalog=None)
        if app.engine(connection) is not Engine.postgresql:
            db = app.db(connection, tool="explain_plan")
            explainer = db.feature("explain", tool="explain_plan")  # the engine's plan formats
            catalog = await db.snapshot() if use_catalog else None
            return await cpu(explainer.diagnose, plan, sql=sql, catalog=catalog)
        catalog = await app.snapshot_if_reachable(connection, tool="explain_plan") if use_catalog else None
        return await cpu(diagnose, plan, sql=sql, catalog=catalog)
    except PlanParseError as exc:
        raise UserInputError(f"The plan could not be read: {exc}") from None
