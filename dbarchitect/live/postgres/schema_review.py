"""review_schema against a server: a live database, or DDL text loaded into a scratch database.

- `review_database(conn)`: snapshot the connected database and review it (`source="live"`).
- `review_ddl(ddl, admin_dsn=... | cluster=...)`: create a scratch database, run the DDL in it
  statement by statement, snapshot, review (`source="scratch"`), and drop the database, also when
  anything fails. With no server given or reachable, it falls back to the pure parser
  (`source="parsed"`) and says which rules that leaves out.
- `verify_design(design, admin_dsn=... | cluster=...)`: run a design_schema result on a scratch
  database, review it through the catalog, run its down DDL and check nothing is left.
- `scratch_database(admin_dsn)`: the scratch database itself, for other callers.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import psycopg

from dbarchitect.core.design import SchemaDesign
from dbarchitect.core.models import Severity
from dbarchitect.core.schema_parse import review_ddl_offline
from dbarchitect.core.sql.statements import scan
from dbarchitect.core.schema_review import SchemaReview, review
from dbarchitect.live.errors import DDLRejected
from dbarchitect.live.offload import cpu
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.compat import flush_stats
from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.shadow import SHADOW_PREFIX, ScratchHost, create_shadow_db, drop_shadow_db, new_shadow_name

ENGINE = "postgresql"  # rules that do not apply to PostgreSQL are not run here
SCRATCH_PREFIX = SHADOW_PREFIX  # scratch databases are shadows by name (see scratch_database)

Q_TRIGGER_FUNCTIONS = """
SELECT DISTINCT p.oid::regproc::text AS name, p.prosrc AS body
  FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
 WHERE NOT tg.tgisinternal
"""


class DDLLoadError(DDLRejected):
    """The DDL does not run on PostgreSQL; says which statement, on which line, and the server's message."""

    def __init__(self, message: str, *, statement: int, line: int, sqlstate: str | None, text: str):
        super().__init__(f"statement {statement} (line {line}) failed: {message}")
        self.statement = statement
        self.line = line
        self.sqlstate = sqlstate
        self.text = text
        self.server_message = message


class ScratchUnavailable(Exception):
    """No scratch database could be created (server unreachable, or no CREATEDB privilege)."""


async def fetch_function_sources(conn: psycopg.AsyncConnection) -> dict[str, str]:
    """Bodies of the functions that triggers call, keyed as `Trigger.function` names them."""
    cur = await conn.execute(Q_TRIGGER_FUNCTIONS)
    return {name: body for name, body in await cur.fetchall()}


async def review_database(conn: psycopg.AsyncConnection, *, schema: str | None = None) -> SchemaReview:
    """Review the connected database's schema (all user schemas, or one)."""
    # In a SQL_ASCII database psycopg hands text back as bytes, which the snapshot cannot read;
    # catalog names are read as UTF-8 for the review and the session setting restored afterwards.
    sql_ascii = conn.info.parameter_status("client_encoding") == "SQL_ASCII"
    if sql_ascii:
        await conn.execute("SET client_encoding TO 'UTF8'")
    try:
        snapshot = await take_snapshot(conn)
        sources = await fetch_function_sources(conn)
    finally:
        if sql_ascii:
            await conn.execute("SET client_encoding TO 'SQL_ASCII'")
    return await cpu(review, snapshot, schema=schema, source="live", function_sources=sources, engine=ENGINE)


def _admin_dsn(admin_dsn: str | None, cluster: LocalCluster | None) -> str | None:
    if admin_dsn:
        return admin_dsn
    if cluster is not None:
        return cluster.start().dsn()
    return None


@asynccontextmanager
async def scratch_database(admin_dsn: str) -> AsyncIterator[str]:
    """A fresh empty database (from template0) for the duration of the block; dropped afterwards, also
    on errors and cancellation. Created and named by the dry run's shadow helpers, so a crashed process's
    leftovers are found and dropped by `shadow.drop_stale_shadows` like any shadow."""
    host = ScratchHost(kind="scratch_server", conninfo=admin_dsn)
    name = new_shadow_name()
    try:  # the drop covers a create that was cancelled after the server had done it
        try:
            await create_shadow_db(host, name)
        except psycopg.OperationalError as exc:
            raise ScratchUnavailable(f"cannot reach the server for a scratch database: {exc}") from exc
        except psycopg.Error as exc:
            raise ScratchUnavailable(f"cannot create a scratch database: {exc}") from exc
        yield host.dsn(name)
    finally:
        with anyio.CancelScope(shield=True), anyio.move_on_after(60):
            try:
                await drop_shadow_db(host, name)
            except psycopg.Error:
                pass  # unreachable now: the owner record lets the next sweep drop it


async def load_ddl(conn: psycopg.AsyncConnection, ddl: str) -> int:
    """Run DDL statement by statement (so CONCURRENTLY works and an error names its statement).

    Statements may come in any order: one naming an object defined further down is run after it.
    Returns the number of statements run; raises DDLLoadError on the first failure."""
    from dbarchitect.live.postgres.draft import run_in_any_order

    statements = scan(ddl)
    failed = await run_in_any_order(conn, [st.sql for st in statements])
    if failed is not None:
        n, _, exc = failed
        st, diag = statements[n - 1], exc.diag
        raise DDLLoadError(
            (diag.message_primary or str(exc)).strip(),
            statement=st.index,
            line=st.line,
            sqlstate=diag.sqlstate,
            text=st.sql,
        ) from exc
    return len(statements)


async def _settle_statistics(conn: psycopg.AsyncConnection) -> None:
    """Make this session's table counters visible to the snapshot, and gather column statistics."""
    await flush_stats(conn)
    await conn.execute("ANALYZE")



async def review_ddl_on_server(ddl: str, admin_dsn: str, *, schema: str | None = None) -> SchemaReview:
    """Load the DDL into a scratch database on this server and review it through the catalog."""
    async with scratch_database(admin_dsn) as dsn:
        async with await Connection.connect(dsn, autocommit=True) as conn:
            count = await load_ddl(conn, ddl)
            await _settle_statistics(conn)
            snapshot = await take_snapshot(conn)
            sources = await fetch_function_sources(conn)
    snapshot.database = ""
    return await cpu(
        review,
        snapshot,
        schema=schema,
        source="scratch",
        ddl=ddl,
        function_sources=sources,
        notes=[f"{count} statement(s) loaded into a scratch database and reviewed through its catalog."],
        engine=ENGINE,
    )


async def review_ddl(
    ddl: str,
    *,
    admin_dsn: str | None = None,
    cluster: LocalCluster | None = None,
    schema: str | None = None,
) -> SchemaReview:
    """Review DDL text: through a scratch database when a server is given and reachable, else parsed.

    A server that is reachable but rejects the DDL raises DDLLoadError: the DDL is wrong, and
    reviewing a parse of it would pretend otherwise."""
    dsn = _admin_dsn(admin_dsn, cluster)
    if dsn is None:
        return review_ddl_offline(ddl, schema=schema, why="no PostgreSQL server was given")
    try:
        return await review_ddl_on_server(ddl, dsn, schema=schema)
    except ScratchUnavailable as exc:
        reason = re.sub(r"\s+", " ", str(exc)).strip()
        return review_ddl_offline(ddl, schema=schema, why=reason)


Q_LEFTOVERS = """
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'i')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%') AS relations,
       (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) AS functions
"""


async def verify_design(
    design: SchemaDesign,
    *,
    admin_dsn: str | None = None,
    cluster: LocalCluster | None = None,
) -> SchemaDesign:
    """Run a design on a scratch database: the up DDL, the catalog review of the result, then the
    down DDL and a check that it leaves nothing behind. Returns the design with the scratch review
    and `verified=True`; raises DDLLoadError if either script fails, ScratchUnavailable without a server."""
    dsn = _admin_dsn(admin_dsn, cluster)
    if dsn is None:
        raise ScratchUnavailable("verify_design needs a PostgreSQL server (admin_dsn or cluster)")
    async with scratch_database(dsn) as scratch:
        async with await Connection.connect(scratch, autocommit=True) as conn:
            up = await load_ddl(conn, design.up_sql)
            snapshot = await take_snapshot(conn)
            sources = await fetch_function_sources(conn)
            down = await load_ddl(conn, design.down_sql)
            cur = await conn.execute(Q_LEFTOVERS)
            relations, functions = await cur.fetchone()
    report = await cpu(review, snapshot, source="scratch", ddl=design.up_sql, function_sources=sources, engine=ENGINE,
                    notes=[f"The design's {up} statement(s) ran on a scratch database and were reviewed through its catalog."])  # fmt: skip
    verification = [
        f"up: {up} statement(s) ran on PostgreSQL {snapshot.server_version}, creating {len(snapshot.tables)} tables",
        f"review: {len(report.findings)} finding(s), {len(report.at_least(Severity.warning))} of warning severity or worse",
        f"down: {down} statement(s) ran and left {relations} relation(s) and {functions} function(s) behind",
    ]
    return design.model_copy(
        update={"review": report, "verified": relations == 0 and functions == 0, "verification": verification}
    )
