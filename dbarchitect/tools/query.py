"""Query tools: run_query (read-only, every layer applied), review_query (also N+1 in a statement log), rewrite_query."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.mongo import api as mongo
from dbarchitect.core.mongo.workload import is_mongo_text
from dbarchitect.core.query_review import QueryParseError, QueryReview
from dbarchitect.core.query_review import review_query as build_review
from dbarchitect.core.results import QueryResult
from dbarchitect.core.rewrites import RewriteReport
from dbarchitect.core.rewrites import rewrite_query as build_rewrites
from dbarchitect.live.engine import Engine, EngineUnsupported
from dbarchitect.live.offload import cpu
from dbarchitect.tools.migration import _progress

#: the `dialect` value of review_query that is each engine's SQL
DIALECT_OF = {Engine.postgresql: "postgres", Engine.mysql: "mysql"}


async def run_query(
    app: App,
    sql: Annotated[str, Field(description="One SELECT / WITH … SELECT / VALUES / TABLE / EXPLAIN / SHOW statement.")],
    max_rows: Annotated[int | None, Field(ge=1, description="Fewer rows than the server's max_rows cap.")] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> QueryResult:
    """Run one read-only statement (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW) in a READ ONLY
    transaction with a timeout; anything that could write is refused.

    Use it for facts no other tool gives (NULL ratios, distributions, counts), with aggregates and
    LIMIT; for judgement call the review tools, for a plan explain_query.

    Returns typed columns and rows, capped at max_rows, with `truncated`."""
    return await app.db(connection, tool="run_query").run_query(sql, max_rows=max_rows)


async def review_query(
    app: App,
    sql: Annotated[str, Field(description="One query, or a statement log (checked for N+1).")],
    dialect: Annotated[Literal["postgres", "mysql", "mongodb"], Field(description="SQL dialect of the text.")] = "postgres",
    offline: Annotated[bool, Field(description="Do not read the catalog; rules only.")] = False,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> QueryReview:
    """Find anti-patterns in SQL text (rules QR001…): NOT IN over nullable columns, OFFSET paging,
    non-sargable predicates, leading-wildcard LIKE, correlated subqueries; N+1 loops in a statement
    log. The catalog settles nullability, keys, indexes and sizes.

    Use it on a query being written; rewrite_query for the fixed text, explain_query for its plan.

    Returns findings with evidence and the fix (dialect=mongodb: find/aggregate JSON)."""
    if dialect == "mongodb" or (is_mongo_text(sql) and app.engine(connection) is Engine.mongodb):
        return await _review_mongo(app, sql, offline, connection)
    snapshot, engine = None, None
    if not offline:
        live = app.engine(connection)
        if live is not Engine.postgresql:
            db = app.db(connection, tool="review_query")  # an engine this build cannot serve says so here
            if dialect == DIALECT_OF.get(live):
                snapshot, engine = await db.snapshot(), live.value
        elif dialect == "postgres":
            snapshot = await app.snapshot_if_reachable(connection, tool="review_query")
            engine = live.value if snapshot is not None else None
    try:
        return await cpu(build_review, sql, dialect=dialect, snapshot=snapshot, engine=engine, check_tables=True,
                         weight=len(sql))  # fmt: skip
    except QueryParseError as exc:
        raise UserInputError(str(exc)) from None


async def _review_mongo(app: App, sql: str, offline: bool, connection: str | None) -> QueryReview:
    """MongoDB commands reviewed by the document rules; connected, with the server's indexes and counts."""
    if offline or app.engine(connection) is not Engine.mongodb:
        try:
            return mongo.review_queries(mongo.parse_bundle(sql))
        except mongo.DocumentParseError as exc:
            raise UserInputError(f"The MongoDB input could not be read: {exc}.") from None
    reviewer = app.feature("schema_review", tool="review_query", connection=connection)
    return await reviewer.review_queries(sql)


async def rewrite_query(
    app: App,
    sql: Annotated[str, Field(description="One SELECT statement to rewrite.")],
    verify: Annotated[
        bool, Field(description="Run both read-only; compare rows and costs.")
    ] = True,
    dialect: Annotated[Literal["postgres", "mysql"], Field(description="SQL dialect of the text.")] = "postgres",
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> RewriteReport:
    """Rewrite a SELECT with targeted transforms (NOT IN→NOT EXISTS, correlated subquery→join,
    OFFSET→keyset, function-on-column→range…), each labelled proven (a catalog fact), verified (both
    ran read-only with the same rows), advisory or refuted.

    Use it once review_query flags a query; explain_query when the problem is the plan.

    Returns each rewrite with its proof and costs before/after."""
    try:
        if app.engine(connection) is not Engine.postgresql:
            return await _rewrite_elsewhere(app, sql, verify, dialect, connection)
        if dialect != "postgres":
            return await cpu(build_rewrites, sql, snapshot=None, dialect=dialect, weight=len(sql))
        snapshot = await app.snapshot_if_reachable(connection, tool="rewrite_query")
        if snapshot is None:
            return await cpu(build_rewrites, sql, snapshot=None, dialect=dialect, weight=len(sql))
        verifier = app.feature("query_verify", tool="rewrite_query", connection=connection)
        return await verifier.rewrite_and_verify(sql, snapshot=snapshot, verify=verify, progress=_progress(ctx))
    except QueryParseError as exc:
        raise UserInputError(str(exc)) from None


async def _rewrite_elsewhere(app: App, sql: str, verify: bool, dialect: str, connection: str | None) -> RewriteReport:
    """rewrite_query on a connection of another engine: its verifier when it has one and the text is
    its dialect, else the rewrites from the rules alone."""
    db = app.db(connection, tool="rewrite_query")  # an engine this build cannot serve says so here
    if dialect == DIALECT_OF.get(db.engine):
        try:
            verifier = db.feature("query_verify", tool="rewrite_query")
        except EngineUnsupported:
            verifier = None
        if verifier is not None:
            return await verifier.rewrite_and_verify(sql, snapshot=await db.snapshot(), verify=verify)
    return await cpu(build_rewrites, sql, snapshot=None, dialect=dialect, weight=len(sql))

