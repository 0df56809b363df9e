"""Query tools: run_query (read-only, every layer applied), review_query, rewrite_query, detect_n_plus_one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.n_plus_one import NPlusOneReport, detect_from_statements
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
    """Run one read-only SQL statement and return typed columns and JSON-safe rows (capped at
    max_rows, with `truncated`). Statements that could write are refused before they run; the
    statement then runs with the extended protocol inside a READ ONLY transaction with a timeout."""
    return await app.db(connection, tool="run_query").run_query(sql, max_rows=max_rows)


async def review_query(
    app: App,
    sql: Annotated[str, Field(description="One or more queries; several statements are also checked for N+1.")],
    dialect: Annotated[Literal["postgres", "mysql"], Field(description="SQL dialect of the text.")] = "postgres",
    offline: Annotated[bool, Field(description="Do not read the catalog; rules only.")] = False,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> QueryReview:
    """Find query anti-patterns (rules QR001…): NOT IN over nullable columns, OFFSET pagination,
    non-sargable predicates, leading-wildcard LIKE, OR across columns, BETWEEN on timestamps, = NULL,
    SELECT *, ORDER BY random(), implicit casts, correlated subqueries, DISTINCT hiding a 1:N join,
    optional-filter "smart logic", N+1 sequences, and more. Connected, the catalog decides:
    nullability, keys, column types, existing indexes and table sizes (a scan of 200 rows is not a finding)."""
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
        return await cpu(build_review, sql, dialect=dialect, snapshot=snapshot, engine=engine, weight=len(sql))
    except QueryParseError as exc:
        raise UserInputError(str(exc)) from None


async def rewrite_query(
    app: App,
    sql: Annotated[str, Field(description="One SELECT statement to rewrite.")],
    verify: Annotated[
        bool, Field(description="Run original and rewrite read-only and compare their rows and costs.")
    ] = True,
    dialect: Annotated[Literal["postgres", "mysql"], Field(description="SQL dialect of the text.")] = "postgres",
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> RewriteReport:
    """Rewrite a query with targeted, labelled transforms: `proven` (the safety condition is a catalog
    fact, cited), `verified` (both ran read-only and returned the same rows; costs before/after),
    `advisory` (changes semantics or the API, and says what), `refuted` (verification found different
    rows — shown, never offered as safe). NOT IN→NOT EXISTS, IN→JOIN/EXISTS, correlated subquery→
    LATERAL/grouped join, OFFSET→keyset with its index, function-on-column→range, and more."""
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


async def detect_n_plus_one(
    app: App,
    statements: Annotated[
        list[str] | None,
        Field(description="An application's statements in order (a query log); omit to read pg_stat_statements."),
    ] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> NPlusOneReport:
    """Find N+1 query patterns — a single-row lookup by a foreign key repeated once per parent row —
    from a statement log, or from pg_stat_statements (lookups called far more often than their parent
    query), and propose the batched replacement: one JOIN, `= ANY($1)`, or a json_agg shape."""
    if statements:
        snapshot = await app.snapshot_if_reachable(connection, tool="detect_n_plus_one")
        try:
            return await cpu(detect_from_statements, statements, snapshot=snapshot)
        except QueryParseError as exc:
            raise UserInputError(str(exc)) from None
    detector = app.feature("n_plus_one", tool="detect_n_plus_one", connection=connection)
    snapshot = await app.db(connection, tool="detect_n_plus_one").snapshot()
    return await detector.detect(snapshot)
