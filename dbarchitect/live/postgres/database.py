"""One configured database: a lazily opened async pool, server facts, the cached snapshot,
and the read-only query path.

Connection failures are diagnosed with a direct connection attempt so the caller gets the real
reason (wrong password, server down, unknown database) instead of a pool timeout. A connection
that broke mid-call is discarded by the pool; the pool checks connections on checkout, so the next
call after a server restart gets a fresh one — except run_query's: a connection returned to the pool
moments ago (`RECENT_S`) is handed to it unchecked (the check is a round trip on every cheap call),
and when its first statement, BEGIN, finds it dead (the server restarted meanwhile) the call is
retried once on a checked or new connection — nothing of the query ran, so the caller never sees
a lost connection from a healthy server.
"""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import psycopg
from psycopg import sql as pgsql
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from dbarchitect.config import Limits, Settings
from dbarchitect.core.models import SchemaSnapshot, ServerInfo
from dbarchitect.core.results import QueryResult, ResultColumn, approx_size, json_safe
from dbarchitect.core.sql.readonly import check_read_only
from dbarchitect.live.engine import CachedCatalog, Engine, EngineUnsupported
from dbarchitect.live.offload import cpu
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.errors import DatabaseError, connection_error, query_error


#: statements shorter than this are parsed on the event loop (a thread hop costs more than the parse)
INLINE_PARSE_CHARS = 4_000
#: a pooled connection returned at most this many seconds ago skips the checkout check (run_query only)
RECENT_S = 5.0

#: set while run_query takes a connection: recently used ones are handed out unchecked
_reuse_recent: ContextVar[bool] = ContextVar("dbarchitect_reuse_recent", default=False)


class StaleConnection(psycopg.OperationalError):
    """The connection was dead before the first statement of the call ran (server restarted, backend
    killed while the connection sat in the pool): retry on another one."""


async def _check_unless_recent(conn: psycopg.AsyncConnection) -> None:
    """The pool's checkout check, skipped for run_query on a connection returned moments ago."""
    if _reuse_recent.get() and time.monotonic() - getattr(conn, "returned_at", 0.0) < RECENT_S and not conn.closed:
        return
    await AsyncConnectionPool.check_connection(conn)


class PostgresDatabase(CachedCatalog):
    """The PostgreSQL implementation of `dbarchitect.live.engine.Database`."""

    def __init__(self, name: str, dsn: str, settings: Settings):
        self.name = name
        self.dsn = dsn
        self.settings = settings
        self._pool: AsyncConnectionPool | None = None
        self._lock = anyio.Lock()
        self._info: ServerInfo | None = None
        self._snapshot: SchemaSnapshot | None = None
        self._embedded_dsn: str | None = None  # the embedded scratch cluster, once started (features.PostgresScratch)
        self._type_names: dict[int, str] = {}  # built-in type OID -> name (name_types)

    @property
    def engine(self) -> Engine:
        return Engine.postgresql

    @property
    def limits(self) -> Limits:
        return self.settings.limits

    def feature(self, name: str, *, tool: str) -> Any:
        """This connection's implementation of feature `name` (see dbarchitect/live/features.py)."""
        return self.detached_feature(name, tool=tool, settings=self.settings, db=self)

    @classmethod
    def detached_feature(cls, name: str, *, tool: str, settings: Settings, db: PostgresDatabase | None = None) -> Any:
        """Feature `name` without a connection (db=None): for work that needs no configured database,
        such as loading DDL into a scratch database."""
        from dbarchitect.live.postgres.features import FACTORIES

        factory = FACTORIES.get(name)
        if factory is None:
            raise EngineUnsupported(tool, Engine.postgresql, f"(no {name!r} capability)")
        return factory(db, settings)

    @property
    def secrets(self) -> list[str]:
        return self.settings.secrets()

    def _connect_kwargs(self) -> dict[str, Any]:
        return {
            "autocommit": True,
            "application_name": self.settings.application_name,
            "connect_timeout": self.limits.connect_timeout_s,
        }

    async def _probe(self) -> psycopg.AsyncConnection:
        try:
            return await Connection.connect(self.dsn, **self._connect_kwargs())
        except psycopg.Error as exc:
            raise connection_error(exc, self.dsn, self.secrets) from None

    async def _get_pool(self) -> AsyncConnectionPool:
        async with self._lock:
            if self._pool is None:
                probe = await self._probe()  # the real reason when the server cannot be reached
                await probe.close()
                pool = AsyncConnectionPool(
                    self.dsn,
                    kwargs=self._connect_kwargs(),
                    connection_class=Connection,  # cancelled statements are cancelled on the server
                    min_size=1,
                    max_size=4,
                    open=False,
                    check=_check_unless_recent,
                    timeout=self.limits.connect_timeout_s,
                    reconnect_timeout=60,
                    name=f"dbarchitect-{self.name}",
                )
                await pool.open(wait=False)
                self._pool = pool
            return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """An autocommit connection from the pool; connection problems become DatabaseError.

        When the pool cannot hand out a connection in time (server restarted, pool backing off),
        a direct connection is tried: it either explains why the server is unreachable or serves
        this call while the pool recovers."""
        pool = await self._get_pool()
        try:
            conn = await pool.getconn(timeout=min(3.0, float(self.limits.connect_timeout_s)))
        except (PoolTimeout, psycopg.OperationalError):
            direct = await self._probe()  # raises the precise reason when the server is unreachable
            try:
                yield direct
            finally:
                await direct.close()
            return
        try:
            yield conn
        finally:
            conn.returned_at = time.monotonic()  # type: ignore[attr-defined]
            with anyio.CancelScope(shield=True):  # a cancelled call still returns its connection
                await pool.putconn(conn)  # a broken connection is discarded, not reused

    async def run(self, fn: Callable[[psycopg.AsyncConnection], Awaitable[Any]]) -> Any:
        """Run `fn(conn)`; database errors become one actionable DatabaseError."""
        async with self.connection() as conn:
            try:
                return await fn(conn)
            except (DatabaseError, StaleConnection):  # StaleConnection: run_query retries it
                raise
            except psycopg.Error as exc:
                raise self.explain_error(exc) from None

    def explain_error(self, exc: BaseException) -> DatabaseError:
        return query_error(
            exc,
            statement_timeout_ms=self.limits.statement_timeout_ms,
            lock_timeout_ms=self.limits.lock_timeout_ms,
            secrets=self.secrets,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    # ---------------------------------------------------------------------------------------
    def _info_reader(self):
        return read_server_info

    def _snapshot_reader(self):
        from dbarchitect.live.postgres.introspect import take_snapshot

        return functools.partial(take_snapshot, spare=self._spare_connection)

    @asynccontextmanager
    async def _spare_connection(self) -> AsyncIterator[psycopg.AsyncConnection | None]:
        """Another pooled connection for reading the catalog in parallel, or None when the pool has
        none idle and cannot grow, or none to give within a second (the snapshot is then read on
        fewer connections rather than waiting for other calls to finish)."""
        pool = await self._get_pool()
        stats = pool.get_stats()
        if stats.get("pool_available", 0) == 0 and stats.get("pool_size", 0) >= pool.max_size:
            yield None
            return
        try:
            conn = await pool.getconn(timeout=1.0)
        except (PoolTimeout, psycopg.OperationalError):
            yield None
            return
        try:
            yield conn
        finally:
            with anyio.CancelScope(shield=True):
                await pool.putconn(conn)

    @asynccontextmanager
    async def read_only_transaction(self, conn: psycopg.AsyncConnection) -> AsyncIterator[None]:
        """BEGIN READ ONLY with this database's timeouts (and role), in one round trip (a simple-protocol
        query of several statements: every call of run_query pays for it); always rolled back."""
        begin = pgsql.SQL("BEGIN READ ONLY; {}").format(local_limits(self.limits))
        if self.settings.role:
            begin = pgsql.SQL("{}; SET LOCAL ROLE {}").format(begin, pgsql.Identifier(self.settings.role))
        try:
            try:
                await conn.execute(begin)
            except psycopg.OperationalError as exc:
                if conn.broken or conn.closed:
                    raise StaleConnection(str(exc)) from exc
                raise
            yield
        finally:
            if not conn.closed:
                with anyio.CancelScope(shield=True), anyio.move_on_after(5):
                    await conn.execute("ROLLBACK")

    async def run_query(self, sql: str, max_rows: int | None = None) -> QueryResult:
        """The read-only query path: gate, volatility check, extended protocol, READ ONLY, caps."""
        # parsing a long statement is CPU work: off the event loop (a short one is cheaper inline)
        verdict = check_read_only(sql) if len(sql) < INLINE_PARSE_CHARS else await cpu(check_read_only, sql, weight=len(sql))
        if not verdict.ok:
            raise DatabaseError(f"Refused: {verdict.reason} Nothing was executed.")
        limit = min(max_rows or self.limits.max_rows, self.limits.max_rows)

        async def go(conn: psycopg.AsyncConnection) -> QueryResult:
            async with self.read_only_transaction(conn):
                if verdict.functions:
                    await refuse_volatile_user_functions(conn, verdict.functions)
                result = await stream_rows(conn, sql, limit, self.limits, kind=verdict.statement_kind)
            await name_types(conn, result, self._type_names)
            return result

        token = _reuse_recent.set(True)
        try:
            result: QueryResult = await self.run(go)
        except StaleConnection:
            _reuse_recent.reset(token)
            token = None
            if self._pool is not None:
                await self._pool.check()  # drop the pool's other dead connections too
            try:
                result = await self.run(go)  # a checked or new connection; nothing of the query ran
            except StaleConnection as exc:
                raise self.explain_error(exc) from None
        finally:
            if token is not None:
                _reuse_recent.reset(token)
        result.connection = self.name
        return result


def local_limits(limits: Limits) -> pgsql.Composed:
    """SET LOCAL of the statement, lock and idle-in-transaction timeouts (no parameters: it can share
    a simple-protocol round trip with BEGIN)."""
    return pgsql.SQL("; ").join(
        pgsql.SQL("SET LOCAL {} = {}").format(pgsql.Identifier(name), pgsql.Literal(f"{int(ms)}ms"))
        for name, ms in (("statement_timeout", limits.statement_timeout_ms), ("lock_timeout", limits.lock_timeout_ms),
                         ("idle_in_transaction_session_timeout", limits.statement_timeout_ms * 2))
    )


async def refuse_volatile_user_functions(conn: psycopg.AsyncConnection, names: list[str]) -> None:
    """Refuse calls of user-defined (non pg_catalog) functions that are VOLATILE: they may write."""
    cur = await conn.execute(
        """
        SELECT p.oid::regprocedure::text
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          JOIN unnest(%s::text[]) AS f(name)
            ON p.proname = split_part(f.name, '.', array_length(string_to_array(f.name, '.'), 1))
           AND (CASE WHEN f.name LIKE '%%.%%' THEN n.nspname = split_part(f.name, '.', 1)
                     ELSE pg_function_is_visible(p.oid) END)
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND p.provolatile = 'v'
         ORDER BY 1
        """,
        (names,),
    )
    volatile = [r[0] for r in await cur.fetchall()]
    if volatile:
        raise DatabaseError(
            f"Refused: {', '.join(volatile)} is a VOLATILE user function and may modify data. "
            "Nothing was executed. If it only reads, declare it STABLE (ALTER FUNCTION … STABLE)."
        )


BYTEA_OID = 17


async def stream_rows(conn: psycopg.AsyncConnection, sql: str, limit: int, limits: Limits, kind: str) -> QueryResult:
    """Run one statement with the extended protocol (a second stacked statement cannot run) and
    read at most `limit` rows and about `max_response_chars` characters; the rest is cancelled."""
    started = time.perf_counter()
    rows: list[list[Any]] = []
    size = 0
    truncated, reason, short_cells = False, None, 0
    cur = conn.cursor()
    undecoded: list[bool] | None = None
    async for raw in cur.stream(sql):
        if len(rows) >= limit:
            truncated, reason = True, f"more than max_rows={limit} rows; add LIMIT/WHERE or aggregate"
            break
        if undecoded is None:
            # a SQL_ASCII database hands text over as bytes: decode it, but keep bytea as bytes
            undecoded = [d.type_code != BYTEA_OID for d in cur.description or []]
        row = []
        for i, value in enumerate(raw):
            if isinstance(value, bytes) and undecoded[i]:
                value = value.decode("utf-8", errors="replace")
            v, shortened = json_safe(value, limits.max_cell_chars)
            short_cells += shortened
            row.append(v)
        size += approx_size(row)
        if size > limits.max_response_chars and rows:
            truncated, reason = True, f"the response reached the {limits.max_response_chars}-character cap"
            break
        rows.append(row)
    elapsed = (time.perf_counter() - started) * 1000
    columns = [ResultColumn(name=d.name, type=str(d.type_code)) for d in (cur.description or [])]
    return QueryResult(
        columns=columns,
        rows=rows,
        row_count=len(rows),
        truncated=truncated,
        truncated_reason=reason,
        truncated_cells=short_cells,
        elapsed_ms=round(elapsed, 2),
        statement_kind=kind,
    )


#: OIDs below this are PostgreSQL's own (FirstNormalObjectId): their type names never change
FIRST_USER_OID = 16384


async def name_types(conn: psycopg.AsyncConnection, result: QueryResult, known: dict[int, str] | None = None) -> None:
    """Replace type OIDs in `result.columns` by their SQL names. `known` caches built-in types' names
    (a round trip saved on nearly every run_query)."""
    known = {} if known is None else known
    oids = sorted({int(c.type) for c in result.columns if c.type.isdigit()} - set(known))
    names = {oid: known[oid] for c in result.columns if c.type.isdigit() and (oid := int(c.type)) in known}
    if oids:
        cur = await conn.execute("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(%s)", (oids,))
        fetched = dict(await cur.fetchall())
        names |= fetched
        known.update({oid: name for oid, name in fetched.items() if oid < FIRST_USER_OID})
    for c in result.columns:
        if c.type.isdigit():
            c.type = names.get(int(c.type), c.type)


async def read_server_info(conn: psycopg.AsyncConnection) -> ServerInfo:
    cur = await conn.execute(
        """
        SELECT version(), current_setting('server_version_num')::int, current_database(), current_user,
               r.rolsuper, r.rolcreatedb OR r.rolsuper, pg_is_in_recovery(),
               coalesce((SELECT json_object_agg(extname, extversion) FROM pg_extension), '{}'),
               coalesce((SELECT array_agg(name ORDER BY name) FROM pg_available_extensions), '{}')
          FROM pg_roles r WHERE r.rolname = current_user
        """
    )
    row = await cur.fetchone()
    return ServerInfo(
        version=row[0],
        version_num=row[1],
        database=row[2],
        current_user=row[3],
        is_superuser=row[4],
        can_create_db=row[5],
        in_recovery=row[6],
        extensions=row[7],
        available_extensions=row[8],
    )


Database = PostgresDatabase  # the name tests, bench and the CLI import
