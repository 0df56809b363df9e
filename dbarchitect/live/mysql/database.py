"""One configured MySQL/MariaDB connection (`mysql://` or `mariadb://`): server facts, the cached
snapshot, and the read-only query path. Implements `dbarchitect.live.engine.Database`.

PyMySQL is synchronous: every call runs in a worker thread on this object's one connection,
serialised by a lock. The connection is opened lazily, re-opened when it broke (server restart,
a timed-out read, a query cut short), and always left outside any transaction. PyMySQL never sets
the multi-statement client flag, and LOCAL INFILE stays off.

URL: `mysql://user:password@host:port/database?unix_socket=/path&ssl_ca=/path`. Without a
database the snapshot covers every user database.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import anyio
import pymysql
import pymysql.cursors
from pymysql.constants import FIELD_TYPE

from dbarchitect.config import Limits, Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.models import SchemaSnapshot, ServerInfo
from dbarchitect.core.results import QueryResult, ResultColumn, approx_size, json_safe
from dbarchitect.core.sql.mysql_readonly import check_mysql_read_only
from dbarchitect.live.engine import CachedCatalog, Engine, EngineUnsupported
from dbarchitect.live.mysql.errors import connection_error, query_error
from dbarchitect.live.mysql.introspect import flavor_of, take_snapshot, version_num
from dbarchitect.live.errors import DatabaseError

log = logging.getLogger("dbarchitect")

#: how long a cancelled call waits for KILL QUERY to end its statement before dropping the connection
KILL_WAIT_S = 5.0
BINARY_CHARSET = 63
_NUMERIC_TIME = {
    FIELD_TYPE.DECIMAL, FIELD_TYPE.NEWDECIMAL, FIELD_TYPE.TINY, FIELD_TYPE.SHORT, FIELD_TYPE.LONG, FIELD_TYPE.FLOAT,
    FIELD_TYPE.DOUBLE, FIELD_TYPE.NULL, FIELD_TYPE.TIMESTAMP, FIELD_TYPE.LONGLONG, FIELD_TYPE.INT24, FIELD_TYPE.DATE,
    FIELD_TYPE.TIME, FIELD_TYPE.DATETIME, FIELD_TYPE.YEAR, FIELD_TYPE.NEWDATE, FIELD_TYPE.BIT,
}  # fmt: skip
_TYPE_NAMES = {v: k.lower() for k, v in vars(FIELD_TYPE).items() if k.isupper() and isinstance(v, int)}

# statements in a routine body that act outside a read
_WRITING_BODY = re.compile(
    r"\b(insert|update|delete|replace|create|drop|alter|truncate|rename|grant|revoke|call|prepare|execute|"
    r"get_lock|sleep|benchmark|load_file|nextval|setval|lock\s+tables|set\s+(global|persist|session|@@)|into\s+outfile|into\s+dumpfile)\b",
    re.IGNORECASE,
)


def connect_params(dsn: str, connect_timeout_s: int) -> dict[str, Any]:
    parts = urlsplit(dsn.strip())
    if parts.scheme.lower() not in ("mysql", "mariadb"):
        raise UserInputError(f"Not a MySQL/MariaDB URL: expected mysql://user:password@host:port/database.")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    params: dict[str, Any] = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 3306,
        "user": unquote(parts.username) if parts.username else "root",
        "password": unquote(parts.password) if parts.password else "",
        "database": unquote(parts.path.lstrip("/")) or None,
        "connect_timeout": connect_timeout_s,
        "charset": query.get("charset", "utf8mb4"),
        "autocommit": True,
        "local_infile": False,
    }
    if sock := query.get("unix_socket") or query.get("socket"):
        params["unix_socket"] = sock
    ssl = {k.removeprefix("ssl_"): v for k, v in query.items() if k in ("ssl_ca", "ssl_cert", "ssl_key")}
    if ssl:
        params["ssl"] = ssl
    return params


class MySQLDatabase(CachedCatalog):
    def __init__(self, name: str, dsn: str, settings: Settings):
        self.name = name
        self.dsn = dsn
        self.settings = settings
        self._params = connect_params(dsn, settings.limits.connect_timeout_s)
        self._conn: pymysql.connections.Connection | None = None
        self._lock = anyio.Lock()
        self._info: ServerInfo | None = None
        self._snapshot: SchemaSnapshot | None = None

    @property
    def engine(self) -> Engine:
        return Engine.mysql

    @property
    def limits(self) -> Limits:
        return self.settings.limits

    @property
    def secrets(self) -> list[str]:
        found = list(self.settings.secrets())
        if self._params.get("password"):
            found.append(self._params["password"])
        return found

    # ---------------------------------------------------------------------------------------
    def _connect(self, read_timeout_s: float | None = None) -> pymysql.connections.Connection:
        """A new connection; the client gives up on a reply after the statement timeout + 10 s, or
        after `read_timeout_s` for a caller's own long statements (a scratch copy's)."""
        read_timeout = read_timeout_s or self.limits.statement_timeout_ms / 1000 + 10
        try:
            return pymysql.connect(**self._params, read_timeout=read_timeout, write_timeout=read_timeout)
        except pymysql.err.MySQLError as exc:
            raise connection_error(exc, self._params, self.secrets) from None
        except OSError as exc:
            raise connection_error(exc, self._params, self.secrets) from None

    def _connection(self) -> pymysql.connections.Connection:
        if self._conn is not None and self._conn.open:
            try:
                self._conn.ping(reconnect=False)
                return self._conn
            except pymysql.err.MySQLError:
                self._drop()
        self._conn = self._connect()
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
            self._conn = None

    async def run(self, fn) -> Any:
        """Run `fn(conn)` in a worker thread; driver errors become one actionable DatabaseError."""

        running: dict[str, Any] = {}
        finished = threading.Event()

        def call() -> Any:
            try:
                conn = self._connection()
                running["id"] = conn.thread_id()
                return fn(conn)
            except DatabaseError:
                raise
            except (pymysql.err.MySQLError, OSError, TimeoutError) as exc:
                if isinstance(exc, (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError, TimeoutError)):
                    self._drop()  # the connection may be mid-result or broken: start clean next time
                raise query_error(
                    exc,
                    statement_timeout_ms=self.limits.statement_timeout_ms,
                    lock_timeout_ms=self.limits.lock_timeout_ms,
                    secrets=self.secrets,
                ) from None
            finally:
                finished.set()

        async with self._lock:
            try:
                return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
            except BaseException as exc:
                if isinstance(exc, anyio.get_cancelled_exc_class()) and not finished.is_set():
                    with anyio.CancelScope(shield=True):
                        await self._kill_query(running, finished)
                raise

    async def _kill_query(self, running: dict[str, Any], finished: threading.Event) -> None:
        """A cancelled call: KILL QUERY its statement from another connection, then wait (bounded) for
        the worker thread to return; a thread that does not return keeps its connection (dropped here)."""

        def kill() -> None:
            deadline = time.monotonic() + KILL_WAIT_S
            while "id" not in running and not finished.is_set() and time.monotonic() < deadline:
                time.sleep(0.01)  # still connecting: its id comes next
            thread_id = running.get("id")
            if thread_id is None or finished.is_set():
                return
            try:
                other = pymysql.connect(**self._params, read_timeout=10, write_timeout=10)
                try:
                    other.cursor().execute(f"KILL QUERY {int(thread_id)}")
                finally:
                    other.close()
            except pymysql.err.MySQLError as exc:
                log.warning("cancelling a MySQL statement failed: %s", exc)

        with anyio.move_on_after(KILL_WAIT_S):
            await anyio.to_thread.run_sync(kill)
            await anyio.to_thread.run_sync(finished.wait, KILL_WAIT_S)
        if not finished.is_set():
            self._conn = None  # the abandoned thread still holds it; the next call opens a new one

    async def close(self) -> None:
        async with self._lock:
            await anyio.to_thread.run_sync(self._drop)

    def feature(self, name: str, *, tool: str) -> Any:
        """`explain`, `schema_review`, `lint_context`, `dry_run`, `index_review`, `index_advisor`, `draft`
        and `scratch` (live/features.py's interfaces; `scratch` creates and sweeps scratch databases on
        this server); EngineUnsupported for the rest."""
        from dbarchitect.live.mysql.features import MySQLExplainer, MySQLSchemaReviewer

        if name == "explain":
            return MySQLExplainer(self, tool)
        if name == "schema_review":
            return MySQLSchemaReviewer(self, tool)
        if name == "lint_context":
            from dbarchitect.live.mysql.lint_context import MySQLMigrationLinter

            return MySQLMigrationLinter(self, tool)
        if name in ("dry_run", "scratch"):
            from dbarchitect.live.mysql.dryrun import MySQLDryRunner

            return MySQLDryRunner(self, tool)
        if name == "index_review":
            from dbarchitect.live.mysql.index_review import MySQLIndexReviewer

            return MySQLIndexReviewer(self, tool)
        if name == "index_advisor":
            from dbarchitect.live.mysql.index_advisor import MySQLIndexAdvisor

            return MySQLIndexAdvisor(self, tool)
        if name == "draft":
            from dbarchitect.live.mysql.draft import MySQLDrafter

            return MySQLDrafter(self, tool)
        raise EngineUnsupported(tool, Engine.mysql)

    # ---------------------------------------------------------------------------------------
    def _info_reader(self):
        return read_server_info

    def _snapshot_reader(self):
        return take_snapshot

    def set_limits(self, cur, flavor: str) -> None:
        """The session's time limits for the next statement (MariaDB: seconds; MySQL: ms, SELECT only)."""
        secs = self.limits.statement_timeout_ms / 1000
        lock_s = max(1, round(self.limits.lock_timeout_ms / 1000))
        if flavor == "MariaDB":
            cur.execute(f"SET SESSION max_statement_time = {secs:.3f}")
        else:
            cur.execute(f"SET SESSION max_execution_time = {int(self.limits.statement_timeout_ms)}")
        cur.execute(f"SET SESSION lock_wait_timeout = {lock_s}, SESSION innodb_lock_wait_timeout = {lock_s}")

    async def run_query(self, sql: str, max_rows: int | None = None) -> QueryResult:
        """The read-only query path: gate, routine check, READ ONLY transaction rolled back, limits, caps."""
        verdict = check_mysql_read_only(sql)
        if not verdict.ok:
            raise DatabaseError(f"Refused: {verdict.reason} Nothing was executed.")
        limit = min(max_rows or self.limits.max_rows, self.limits.max_rows)
        info = await self.info()

        def go(conn: pymysql.connections.Connection) -> QueryResult:
            cur = conn.cursor()
            if verdict.functions:
                refuse_writing_functions(cur, verdict.functions)
            self.set_limits(cur, info.flavor)
            cur.execute("START TRANSACTION READ ONLY")
            try:
                result, cut_short = stream_rows(conn, verdict.sql, limit, self.limits, verdict.statement_kind)
            except BaseException:
                self._drop()  # a half-read result cannot be rolled back cleanly: the disconnect rolls back
                raise
            if cut_short:
                self._drop()  # unread rows would otherwise be drained from the server; the disconnect rolls back
            else:
                self._rollback_or_drop(conn)
            return result

        result: QueryResult = await self.run(go)
        result.connection = self.name
        return result

    def _rollback_or_drop(self, conn) -> None:
        try:
            if conn.open:
                conn.rollback()
        except Exception:  # noqa: BLE001 - the connection is unusable: the next call opens a new one
            self._drop()


def refuse_writing_functions(cur, names: list[str]) -> None:
    """Refuse stored functions declared MODIFIES SQL DATA or whose body writes, and UDFs (C code).
    Built-in functions are not in information_schema.routines, so only user functions match."""
    bare = sorted({n.lower().rsplit(".", 1)[-1] for n in names})
    if not bare:
        return
    cur.execute("SELECT DATABASE()")
    current = (cur.fetchone()[0] or "").lower()
    wanted = {tuple(n.lower().split(".", 1)) if "." in n else (current, n.lower()) for n in names}
    marks = ", ".join(["%s"] * len(bare))
    cur.execute(
        "SELECT routine_schema, routine_name, sql_data_access, routine_definition FROM information_schema.routines"
        f" WHERE routine_type = 'FUNCTION' AND LOWER(routine_name) IN ({marks})",
        bare,
    )
    bad = []
    for schema, name, access, body in cur.fetchall():
        if (str(schema).lower(), str(name).lower()) not in wanted:
            continue
        if str(access).upper() == "MODIFIES SQL DATA":
            bad.append(f"{schema}.{name} is declared MODIFIES SQL DATA")
        elif body and (m := _WRITING_BODY.search(str(body))):
            bad.append(f"{schema}.{name}'s body contains {m.group(0).upper()}")
    try:
        cur.execute(f"SELECT name FROM mysql.func WHERE LOWER(name) IN ({marks})", bare)
        bad += [f"{r[0]} is a loadable (UDF) function" for r in cur.fetchall()]
    except pymysql.err.MySQLError:
        pass  # no privilege on mysql.func: UDFs are then the least-privilege user's business
    if bad:
        raise DatabaseError(
            f"Refused: {'; '.join(bad)}; it may modify data or act outside the database. Nothing was executed."
        )


def stream_rows(conn, sql: str, limit: int, limits: Limits, kind: str) -> tuple[QueryResult, bool]:
    """Run one statement on an unbuffered cursor and read at most `limit` rows / the size cap.
    Returns the result and whether rows were left unread (the caller then drops the connection)."""
    started = time.perf_counter()
    cur = conn.cursor(pymysql.cursors.SSCursor)
    cur.execute(sql)
    rows: list[list[Any]] = []
    size = 0
    truncated, reason, short_cells = False, None, 0
    cut_short = False
    fields = getattr(getattr(cur, "_result", None), "fields", None) or []
    binary = [f.charsetnr == BINARY_CHARSET and f.type_code not in _NUMERIC_TIME for f in fields]
    if cur.description:
        while True:
            raw = cur.fetchone()
            if raw is None:
                break
            if len(rows) >= limit:
                truncated, reason, cut_short = True, f"more than max_rows={limit} rows; add LIMIT/WHERE or aggregate", True
                break
            row = []
            for i, value in enumerate(raw):
                if isinstance(value, (bytes, bytearray)) and not binary[i]:
                    value = value.decode("utf-8", errors="replace")
                v, shortened = json_safe(value, limits.max_cell_chars)
                short_cells += shortened
                row.append(v)
            size += approx_size(row)
            if size > limits.max_response_chars and rows:
                truncated, reason, cut_short = True, f"the response reached the {limits.max_response_chars}-character cap", True
                break
            rows.append(row)
    elapsed = (time.perf_counter() - started) * 1000
    columns = [
        ResultColumn(name=d[0], type=("binary" if binary[i] else _TYPE_NAMES.get(d[1], str(d[1]))))
        for i, d in enumerate(cur.description or [])
    ]
    if not cut_short:
        cur.close()
    result = QueryResult(
        columns=columns,
        rows=rows,
        row_count=len(rows),
        truncated=truncated,
        truncated_reason=reason,
        truncated_cells=short_cells,
        elapsed_ms=round(elapsed, 2),
        statement_kind=kind,
    )
    return result, cut_short


def read_server_info(conn) -> ServerInfo:
    cur = conn.cursor()
    cur.execute("SELECT VERSION(), @@version_comment, DATABASE(), CURRENT_USER(), @@read_only")
    version, comment, database, user, read_only = cur.fetchone()
    cur.execute("SHOW GRANTS")
    grants = [str(r[0]) for r in cur.fetchall()]
    upper = [g.upper() for g in grants]
    global_all = any("ALL PRIVILEGES ON *.*" in g for g in upper)
    is_super = global_all or any(" ON *.*" in g and re.search(r"\bSUPER\b", g) for g in upper)
    can_create = global_all or any(" ON *.*" in g and re.search(r"\bCREATE\b", g) for g in upper)
    flavor = flavor_of(str(version), str(comment or ""))
    return ServerInfo(
        engine="mysql",
        flavor=flavor,
        version=f"{version} ({comment})" if comment else str(version),
        version_num=version_num(str(version)),
        database=str(database or ""),
        current_user=str(user),
        is_superuser=is_super,
        can_create_db=can_create,
        in_recovery=bool(int(read_only or 0)),
        extensions={},
        available_extensions=[],
        privileges=grants,
    )
