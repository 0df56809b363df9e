"""lint_migration on a MySQL/MariaDB connection: the catalog facts, session defaults and open
transactions the MySQL migration lint needs, and the read-only row probes (core/mysql_migration/probes.py)
run in a READ ONLY transaction, each under a short statement time limit."""

from __future__ import annotations

import time

import pymysql

from dbarchitect.core.describe import UserInputError
from dbarchitect.core.mysql_migration.analyze import analyze
from dbarchitect.core.mysql_migration.context import MyLintContext, MyProbe, OpenTransaction
from dbarchitect.core.mysql_migration.lint import MySQLLintInputError, lint_mysql
from dbarchitect.core.mysql_migration.models import MySQLMigrationReport
from dbarchitect.core.mysql_migration.online import Server
from dbarchitect.core.mysql_migration.parse import MySQLMigrationParseError, RawStatement, parse_migration
from dbarchitect.core.mysql_migration.probes import PROBE_CAP, requests
from dbarchitect.live.errors import DatabaseError

#: seconds each probe may run (MariaDB max_statement_time / MySQL max_execution_time)
PROBE_TIMEOUT_S = 5.0
#: open transactions younger than this are not worth mentioning
OPEN_TRX_MIN_S = 5


def parse(sql: str) -> list[RawStatement]:
    try:
        return parse_migration(sql)
    except MySQLMigrationParseError as exc:
        raise UserInputError(f"The migration could not be read as MySQL/MariaDB: {exc}") from None


def _session(conn) -> dict:
    cur = conn.cursor()
    cur.execute("SELECT @@GLOBAL.sql_mode, @@GLOBAL.foreign_key_checks, @@GLOBAL.lock_wait_timeout")
    mode, fkc, lwt = cur.fetchone()
    out = {"sql_mode": str(mode or ""), "foreign_key_checks": bool(int(fkc)), "lock_wait_timeout_s": int(lwt)}
    try:
        cur.execute(
            "SELECT trx_id, TIMESTAMPDIFF(SECOND, trx_started, NOW()), trx_state, trx_tables_locked "
            "FROM information_schema.innodb_trx WHERE trx_started < NOW() - INTERVAL %s SECOND "
            "AND trx_mysql_thread_id <> CONNECTION_ID() ORDER BY trx_started LIMIT 10",
            (OPEN_TRX_MIN_S,),
        )
        out["open_transactions"] = [
            OpenTransaction(id=str(r[0]), seconds=int(r[1] or 0), state=str(r[2] or ""), tables_locked=int(r[3] or 0))
            for r in cur.fetchall()
        ]
    except pymysql.err.MySQLError:
        out["open_transactions"] = []  # no PROCESS privilege: the open transactions stay unknown
    return out


def run_probes(conn, reqs, flavor: str) -> list[MyProbe]:
    """Each probe in a READ ONLY transaction under a short time limit; a timeout is 'cut_short', never an error."""
    cur = conn.cursor()
    if flavor == "MariaDB":
        cur.execute(f"SET SESSION max_statement_time = {PROBE_TIMEOUT_S:.1f}")
    else:
        cur.execute(f"SET SESSION max_execution_time = {int(PROBE_TIMEOUT_S * 1000)}")
    out = []
    try:
        for r in reqs:
            started = time.perf_counter()
            cur.execute("START TRANSACTION READ ONLY")
            try:
                cur.execute(r.sql)
                count, sample = cur.fetchone()
                status = "violations" if count else "clean"
                out.append(MyProbe(statement=r.statement, table=r.table, kind=r.kind, column=r.column,
                                   what=r.what + (f" (counted up to {PROBE_CAP})" if count and count >= PROBE_CAP else ""),
                                   status=status, violations=int(count), sample=None if sample is None else str(sample)[:80],
                                   detail=r.sql, elapsed_ms=round((time.perf_counter() - started) * 1000, 1)))  # fmt: skip
            except pymysql.err.MySQLError as exc:
                code = exc.args[0] if exc.args else None
                cut = code in (1969, 3024, 1317)
                out.append(MyProbe(statement=r.statement, table=r.table, kind=r.kind, column=r.column, what=r.what,
                                   status="cut_short" if cut else "error",
                                   detail=(f"stopped after {PROBE_TIMEOUT_S:g} s" if cut else str(exc.args[-1])[:200]),
                                   elapsed_ms=round((time.perf_counter() - started) * 1000, 1)))  # fmt: skip
            finally:
                conn.rollback()
    finally:
        try:
            cur.execute("SET SESSION max_statement_time = 0" if flavor == "MariaDB" else "SET SESSION max_execution_time = 0")
        except pymysql.err.MySQLError:
            pass
    return out


class MySQLMigrationLinter:
    """The `lint_context` feature on MySQL/MariaDB: `lint_context(sql)` -> MyLintContext, and `lint(sql)`."""

    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def server(self) -> Server:
        info = await self.db.info()
        return Server.parse(f"{info.flavor} {info.version}")

    async def lint_context(self, sql: str | list[RawStatement]) -> MyLintContext:
        raws = parse(sql) if isinstance(sql, str) else sql
        info = await self.db.info()
        server = Server.parse(f"{info.flavor} {info.version}")
        snapshot = await self.db.snapshot(refresh=True)
        session = await self.db.run(_session)
        ctx = MyLintContext(server=server.label, database=snapshot.database,
                            tables={t.qualified.lower(): t for t in snapshot.tables}, **session)  # fmt: skip
        reqs = requests(analyze(raws, server, ctx))
        if reqs:
            ctx.probes = await self.db.run(lambda conn: run_probes(conn, reqs, server.flavor))
        for p in ctx.probes:
            if p.status in ("cut_short", "error"):
                ctx.unprobed[p.statement] = f"the probe of {p.what} {p.status.replace('_', ' ')}: {p.detail}"
        return ctx

    async def lint(self, sql: str, *, offline: bool = False, connection_given: bool = True) -> MySQLMigrationReport:
        raws = parse(sql)
        ctx = None
        if not offline:
            try:
                ctx = await self.lint_context(raws)
            except DatabaseError:
                if connection_given:
                    raise
        try:
            return lint_mysql(raws, context=ctx)
        except MySQLLintInputError as exc:
            raise UserInputError(str(exc)) from None
