"""Read a database's catalog into a `SchemaSnapshot` with a handful of batched queries.

One query per object kind (relations with statistics, columns, constraints, indexes, views,
sequences, types, triggers, functions, policies, extensions), never one query per table, so a
schema of thousands of tables is read in a few round trips. System schemas and objects that
belong to extensions are left out.

Speed (bench/snapshot: 5,000 tables under pg_dump --schema-only's time): the queries run on up
to three connections sharing one exported snapshot; rows come as tuples with the model's values
already computed by the server (CASE for codes), key columns as attribute numbers resolved here
from the columns read, and the models are built without per-object validation.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

import anyio
import psycopg
from psycopg import sql as pgsql
from psycopg.rows import tuple_row
from pydantic import BaseModel

from dbarchitect.core.models import (
    Column,
    Constraint,
    Domain,
    EnumType,
    Extension,
    ForeignKeyRef,
    Function,
    Index,
    Policy,
    SchemaSnapshot,
    Sequence,
    Table,
    TableStats,
    Trigger,
    View,
)
from dbarchitect.live.postgres.compat import catalog_sql

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# user namespaces: not system, not temp/toast, not owned by an extension
USER_NS = """
    n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
"""
NOT_EXT = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = {cls}::regclass AND d.objid = {oid} AND d.deptype = 'e')"

Q_SCHEMAS = f"""
SELECT n.nspname FROM pg_namespace n
 WHERE {USER_NS} AND {NOT_EXT.format(cls="'pg_namespace'", oid="n.oid")}
 ORDER BY 1
"""

Q_TABLES = f"""
SELECT c.oid::int, n.nspname, c.relname,
       CASE c.relkind WHEN 'p' THEN 'partitioned_table' WHEN 'f' THEN 'foreign_table' ELSE 'table' END,
       CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' ELSE 'permanent' END,
       pg_get_partkeydef(c.oid),
       CASE WHEN c.relispartition THEN (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid) END,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
       ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition
             ORDER BY i.inhseqno),
       c.reltuples::float8, c.relpages::bigint, pg_relation_size(c.oid), pg_total_relation_size(c.oid),
       c.relrowsecurity, c.relforcerowsecurity, ds.description,
       CASE WHEN c.relhasrules THEN ARRAY(SELECT r.rulename::text FROM pg_rewrite r WHERE r.ev_class = c.oid
             AND r.rulename <> '_RETURN' ORDER BY 1) END,
       pg_stat_get_live_tuples(c.oid), pg_stat_get_dead_tuples(c.oid),
       pg_stat_get_numscans(c.oid), pg_stat_get_tuples_returned(c.oid),
       pg_stat_get_tuples_inserted(c.oid), pg_stat_get_tuples_updated(c.oid),
       pg_stat_get_tuples_hot_updated(c.oid), pg_stat_get_tuples_deleted(c.oid),
       pg_stat_get_mod_since_analyze(c.oid),
       pg_stat_get_last_vacuum_time(c.oid), pg_stat_get_last_autovacuum_time(c.oid),
       pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid),
       pg_stat_get_vacuum_count(c.oid), pg_stat_get_autovacuum_count(c.oid)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
 WHERE c.relkind IN ('r', 'p', 'f') AND {USER_NS} AND {NOT_EXT.format(cls="'pg_class'", oid="c.oid")}
 ORDER BY n.nspname, c.relname
"""

# every column of every user relation (tables, views, materialized views): the names here also
# resolve the attribute numbers of constraints and indexes; `quoted` is quote_ident(name) where it differs
Q_COLUMNS = f"""
SELECT a.attname, a.attnum::int, format_type(a.atttypid, a.atttypmod), a.atttypid::int, a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by_default' ELSE '' END,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       a.attgenerated = 'v',  -- 18: VIRTUAL generated columns ('s' = STORED)
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
       ds.description,
       st.null_frac::float8, st.n_distinct::float8,
       a.attrelid::int, NULLIF(quote_ident(a.attname), a.attname::text)
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
       AND ds.objsubid = a.attnum
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_stats st ON st.schemaname = n.nspname AND st.tablename = c.relname AND st.attname = a.attname
       AND NOT st.inherited
 WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND {USER_NS}
 ORDER BY a.attrelid, a.attnum
"""

# key attribute numbers are resolved to names from Q_COLUMNS; only a referenced table outside the
# user schemas (which Q_COLUMNS does not read) has its referenced column names read here
Q_CONSTRAINTS = f"""
SELECT con.conrelid::int, con.conname,
       CASE con.contype WHEN 'p' THEN 'primary_key' WHEN 'f' THEN 'foreign_key' WHEN 'u' THEN 'unique'
            WHEN 'x' THEN 'exclude' WHEN 't' THEN 'trigger' ELSE 'check' END,
       con.convalidated, con.condeferrable, pg_get_constraintdef(con.oid), con.conkey::int[],
       fn.nspname, fc.relname, con.confrelid::int, con.confkey::int[],
       CASE WHEN con.contype = 'f' AND NOT ({USER_NS.replace("n.nspname", "fn.nspname")}) THEN
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END,
       CASE con.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
            WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
       CASE con.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
            WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END,
       CASE con.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' ELSE 'SIMPLE' END,
       ic.relname, coalesce(ix.indnullsnotdistinct, false)
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  LEFT JOIN pg_class ic ON ic.oid = con.conindid AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_index ix ON ix.indexrelid = con.conindid
 WHERE con.conrelid <> 0 AND {USER_NS}
   AND con.contype <> 'n'  -- 18 records NOT NULL in pg_constraint too: the column's not_null already says it
 ORDER BY con.conrelid, con.contype, con.conname
"""

# key columns by attribute number (names from Q_COLUMNS); the text of a key is the quoted column
# name, so pg_get_indexdef(index, k, true) is called only for the keys that are expressions
Q_INDEXES = f"""
SELECT ix.indrelid::int, ic.relname, am.amname,
       ix.indisunique, ix.indisprimary, ix.indisvalid, ix.indisready, ix.indnullsnotdistinct,
       ix.indnkeyatts::int, ix.indkey::int2[]::int[],
       CASE WHEN 0 = ANY (ix.indkey::int2[]) THEN
         ARRAY(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true) END
                 FROM generate_series(1, ix.indnkeyatts) k) END,
       pg_get_expr(ix.indpred, ix.indrelid, true),
       pg_get_indexdef(ix.indexrelid),
       pg_relation_size(ix.indexrelid),
       coalesce(pg_stat_get_numscans(ix.indexrelid), 0),
       coalesce(pg_stat_get_tuples_returned(ix.indexrelid), 0),
       (SELECT con.conname FROM pg_constraint con WHERE con.conindid = ix.indexrelid
           AND con.contype IN ('p', 'u', 'x') AND con.conrelid = ix.indrelid LIMIT 1)
  FROM pg_index ix
  JOIN pg_class ic ON ic.oid = ix.indexrelid
  JOIN pg_class c ON c.oid = ix.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
 WHERE c.relkind IN ('r', 'p', 'm') AND {USER_NS}
 ORDER BY ix.indrelid, ic.relname
"""

Q_VIEWS = f"""
SELECT c.oid::int, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition, pg_relation_size(c.oid) AS size_bytes,
       obj_description(c.oid, 'pg_class') AS comment,
       ARRAY(SELECT DISTINCT d.refobjid::regclass::text
               FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
              WHERE r.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid
              ORDER BY 1) AS depends_on
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND {USER_NS} AND {NOT_EXT.format(cls="'pg_class'", oid="c.oid")}
 ORDER BY 2, 3
"""

Q_SEQUENCES = f"""
SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcycle,
       CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid) END,
       (SELECT dc.relname || '.' || a.attname
          FROM pg_depend d JOIN pg_class dc ON dc.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') LIMIT 1)
  FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {USER_NS}
 ORDER BY 1, 2
"""

Q_TYPES = f"""
SELECT t.typtype, n.nspname AS schema, t.typname AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull, t.typdefault,
       ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid ORDER BY c.conname) AS checks
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd') AND {USER_NS} AND {NOT_EXT.format(cls="'pg_type'", oid="t.oid")}
 ORDER BY 2, 3
"""

Q_TRIGGERS = f"""
SELECT tg.tgrelid::int AS rel, tg.tgname AS name, tg.tgtype::int AS tgtype, tg.tgenabled <> 'D' AS enabled,
       p.oid::regproc::text AS function, pg_get_triggerdef(tg.oid) AS definition
  FROM pg_trigger tg
  JOIN pg_class c ON c.oid = tg.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_proc p ON p.oid = tg.tgfoid
 WHERE NOT tg.tgisinternal AND {USER_NS}
 ORDER BY tg.tgrelid, tg.tgname
"""

Q_FUNCTIONS = f"""
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS returns, l.lanname AS language, p.prokind, p.provolatile,
       p.prosecdef, coalesce(p.proconfig, '{{}}') AS config
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE {USER_NS} AND {NOT_EXT.format(cls="'pg_proc'", oid="p.oid")}
 ORDER BY 1, 2, 3
"""

Q_POLICIES = f"""
SELECT pol.polrelid::int AS rel, pol.polname AS name, pol.polcmd, pol.polpermissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END FROM unnest(pol.polroles) r) AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
  FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE {USER_NS}
 ORDER BY 1, 2
"""

Q_DATABASE = """
SELECT current_database() AS database, current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collation, now() AS taken_at,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset
  FROM pg_database d WHERE d.datname = current_database()
"""

Q_EXTENSIONS = """
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1
"""

_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_POLCMD = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}

#: the queries each connection reads when the snapshot is read on three connections (one exported
#: snapshot); with fewer connections the lanes are merged. The lanes take about the same server time.
_LANES = (
    ("database", "schemas", "tables", "views", "sequences", "types", "triggers", "functions", "policies",
     "extensions"),
    ("indexes", "constraints"),
    ("columns",),
)
_QUERIES = {
    "database": Q_DATABASE, "schemas": Q_SCHEMAS, "tables": Q_TABLES, "columns": Q_COLUMNS,
    "constraints": Q_CONSTRAINTS, "indexes": Q_INDEXES, "views": Q_VIEWS, "sequences": Q_SEQUENCES,
    "types": Q_TYPES, "triggers": Q_TRIGGERS, "functions": Q_FUNCTIONS, "policies": Q_POLICIES,
    "extensions": Q_EXTENSIONS,
}  # fmt: skip
_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

#: an async context manager giving another connection to the same database, or None when none is free
SpareConnection = Callable[[], AbstractAsyncContextManager["psycopg.AsyncConnection | None"]]


def _ts(value) -> str | None:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _trigger_parts(tgtype: int) -> tuple[str, list[str], str]:
    level = "row" if tgtype & 1 else "statement"
    timing = "BEFORE" if tgtype & 2 else ("INSTEAD OF" if tgtype & 64 else "AFTER")
    events = [name for bit, name in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if tgtype & bit]
    return timing, events, level


def _maker(cls: type[M], given: tuple[str, ...]) -> Callable[[dict[str, Any]], M]:
    """A constructor of `cls` from a dict of the fields `given`, values the catalog queries already
    typed, without pydantic's validation (≈6 µs an object, and a snapshot has ~20 objects a table):
    what `model_construct` does, with the other fields' defaults worked out once (a fresh value
    from a default_factory). tests/live/foundation/test_introspect.py checks that a snapshot built
    this way equals the same snapshot validated by pydantic."""
    fixed: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, field in cls.model_fields.items():
        if name in given:
            continue
        if field.default_factory is not None:
            factories.append((name, field.default_factory))  # type: ignore[arg-type]
        else:
            assert not field.is_required(), f"{cls.__name__}.{name} must be given"
            fixed[name] = field.default
    assert set(given) <= set(cls.model_fields), f"{cls.__name__} has no field {set(given) - set(cls.model_fields)}"
    fields_set = set(cls.model_fields)
    new, setattr_ = object.__new__, object.__setattr__

    def make(d: dict[str, Any]) -> M:
        d.update(fixed)
        for name, factory in factories:
            d[name] = factory()
        obj = new(cls)
        setattr_(obj, "__dict__", d)
        setattr_(obj, "__pydantic_fields_set__", fields_set)
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        return obj

    return make


_COLUMN_FIELDS = ("name", "position", "type", "type_oid", "not_null", "default", "identity", "generated", "virtual",
                  "collation", "comment", "null_frac", "n_distinct")  # Q_COLUMNS's first 13  # fmt: skip
_TABLE_FIELDS = ("schema_name", "name", "kind", "oid", "persistence", "partition_key", "partition_of",
                 "partition_bound", "inherits", "reltuples", "pages", "size_bytes", "total_bytes", "rls_enabled",
                 "rls_forced", "comment", "columns", "constraints", "indexes", "triggers", "policies", "rules",
                 "stats")  # fmt: skip
_STATS_FIELDS = ("live_tuples", "dead_tuples", "seq_scans", "seq_tuples_read", "idx_scans", "inserts", "updates",
                 "hot_updates", "deletes", "mods_since_analyze", "last_vacuum", "last_autovacuum", "last_analyze",
                 "last_autoanalyze", "vacuum_count", "autovacuum_count")  # fmt: skip
_CONSTRAINT_FIELDS = ("name", "kind", "columns", "definition", "validated", "deferrable", "nulls_not_distinct",
                      "references", "index")  # fmt: skip
_FK_FIELDS = ("table", "columns", "on_delete", "on_update", "match")
_INDEX_FIELDS = ("name", "method", "columns", "expressions", "include", "predicate", "unique", "primary", "valid",
                 "ready", "nulls_not_distinct", "constraint", "definition", "size_bytes", "scans", "tuples_read")  # fmt: skip
_column = _maker(Column, _COLUMN_FIELDS)
_table = _maker(Table, _TABLE_FIELDS)
_stats = _maker(TableStats, _STATS_FIELDS)
_constraint = _maker(Constraint, _CONSTRAINT_FIELDS)
_fk = _maker(ForeignKeyRef, _FK_FIELDS)
_index = _maker(Index, _INDEX_FIELDS)


async def _fetch(conn: psycopg.AsyncConnection, query: str, rows=tuple_row) -> list:
    async with conn.cursor(row_factory=rows) as cur:
        await cur.execute(catalog_sql(query, conn.info.server_version))
        return await cur.fetchall()


@asynccontextmanager
async def _utf8(conn: psycopg.AsyncConnection) -> AsyncIterator[None]:
    """In a SQL_ASCII database psycopg returns text as bytes: read the catalog as UTF-8, then restore."""
    sql_ascii = conn.info.parameter_status("client_encoding") == "SQL_ASCII"
    if sql_ascii:
        await conn.execute("SET client_encoding TO 'UTF8'")
    try:
        yield
    finally:
        if sql_ascii and not conn.closed:
            await conn.execute("SET client_encoding TO 'SQL_ASCII'")


async def take_snapshot(conn: psycopg.AsyncConnection, spare: SpareConnection | None = None) -> SchemaSnapshot:
    """Read every user object of the connected database: ~13 queries in one REPEATABLE READ READ ONLY
    transaction, or, given `spare` connections (up to two are used), the same queries split over
    three connections whose transactions share the first one's exported snapshot — one consistent
    view, read in parallel. In a transaction the caller opened, everything is read on `conn` in it."""
    started_tx = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and conn.autocommit
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(_utf8(conn))
        conns = [conn]
        if started_tx and spare is not None:
            for _ in range(len(_LANES) - 1):
                extra = await stack.enter_async_context(spare())
                if extra is None:
                    break
                await stack.enter_async_context(_utf8(extra))
                conns.append(extra)
        rows, staged = await _read_all(conns, started_tx)
    return _without_gc(_build, rows, staged)


async def _read_all(conns: list[psycopg.AsyncConnection], started_tx: bool) -> tuple[dict[str, list], dict]:
    """The rows of every query; the tables and their columns (most of the objects) are built as soon
    as their rows are in, while the other connections still wait on the server."""
    rows: dict[str, list] = {}
    staged: dict = {}

    async def lane(conn: psycopg.AsyncConnection, names: list[str]) -> None:
        for name in names:
            rows[name] = await _fetch(conn, _QUERIES[name])
            if not staged and all(k in rows for k in _STAGE_ONE):
                staged.update(_without_gc(_tables_and_columns, rows))

    main = conns[0]
    if started_tx:
        await main.execute(_BEGIN)
    opened = [main] if started_tx else []
    try:
        if len(conns) > 1:
            snapshot_id = None
            try:
                snapshot_id = (await _fetch(main, "SELECT pg_export_snapshot()"))[0][0]
            except psycopg.Error:  # e.g. a server in recovery before 10: read on one connection
                await main.execute("ROLLBACK")
                await main.execute(_BEGIN)
                conns = [main]
            for extra in conns[1:]:
                await extra.execute(_BEGIN)
                opened.append(extra)
                await extra.execute(pgsql.SQL("SET TRANSACTION SNAPSHOT {}").format(pgsql.Literal(snapshot_id)))
        lanes: list[list[str]] = [[] for _ in conns]
        for i, names in enumerate(_LANES):
            lanes[i % len(conns)].extend(names)
        if len(conns) == 1:
            await lane(main, lanes[0])
        else:
            try:
                async with anyio.create_task_group() as tg:
                    for conn, names in zip(conns, lanes):
                        tg.start_soon(lane, conn, names)
            except BaseExceptionGroup as group:  # the first failure, as a single-connection read raises it
                raise group.exceptions[0] from None
    finally:
        with anyio.CancelScope(shield=True), anyio.move_on_after(5):
            for conn in opened:
                if not conn.closed:
                    try:
                        await conn.execute("COMMIT")  # read only: COMMIT and ROLLBACK are the same
                    except psycopg.Error:
                        pass  # a connection whose statement was cancelled: the pool discards it
    return rows, staged


def _without_gc(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` with the cyclic garbage collector paused: the ~150,000 objects of a 5,000-table
    snapshot hold no cycles, yet would trigger dozens of collections that walk them all (a third of
    the build's time). `fn` does not await, so nothing else runs while it is paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args)
    finally:
        if enabled:
            gc.enable()


_STAGE_ONE = ("tables", "views", "columns")


def _tables_and_columns(rows: dict[str, list]) -> dict:
    # attribute number -> name (and quote_ident(name)) of every user relation, for keys given as numbers
    attnames: dict[int, dict[int, str]] = {}
    attquoted: dict[int, dict[int, str]] = {}
    tables: dict[int, Table] = {}
    for (oid, schema, name, kind, persistence, partition_key, partition_of, partition_bound, inherits, reltuples,
         pages, size_bytes, total_bytes, rls_enabled, rls_forced, comment, rules, live, dead, seq_scans, seq_read,
         ins, upd, hot, dele, mods, last_vacuum, last_autovacuum, last_analyze, last_autoanalyze, vacuum_count,
         autovacuum_count) in rows["tables"]:  # fmt: skip
        tables[oid] = _table({
            "schema_name": schema, "name": name, "kind": kind, "oid": oid, "persistence": persistence,
            "partition_key": partition_key, "partition_of": partition_of, "partition_bound": partition_bound,
            "inherits": inherits or [], "reltuples": reltuples, "pages": pages, "size_bytes": size_bytes or 0,
            "total_bytes": total_bytes or 0, "rls_enabled": rls_enabled, "rls_forced": rls_forced,
            "comment": comment, "columns": [], "constraints": [], "indexes": [], "triggers": [], "policies": [],
            "rules": rules or [],
            "stats": _stats({
                "live_tuples": live or 0, "dead_tuples": dead or 0, "seq_scans": seq_scans or 0,
                "seq_tuples_read": seq_read or 0, "idx_scans": 0, "inserts": ins or 0, "updates": upd or 0,
                "hot_updates": hot or 0, "deletes": dele or 0, "mods_since_analyze": mods or 0,
                "last_vacuum": _ts(last_vacuum), "last_autovacuum": _ts(last_autovacuum),
                "last_analyze": _ts(last_analyze), "last_autoanalyze": _ts(last_autoanalyze),
                "vacuum_count": vacuum_count or 0, "autovacuum_count": autovacuum_count or 0,
            }),
        })  # fmt: skip
    view_by_oid = {}
    for oid, schema, name, materialized, definition, size_bytes, comment, depends_on in rows["views"]:
        view_by_oid[oid] = View(
            schema=schema,
            name=name,
            materialized=materialized,
            definition=definition or "",
            depends_on=depends_on or [],
            size_bytes=size_bytes or 0,
            comment=comment,
        )
    fields, column = _COLUMN_FIELDS, _column
    current, cols, v, names, quoted = None, None, None, {}, {}
    for r in rows["columns"]:  # ordered by relation: (13 column fields..., relation, quoted name)
        rel = r[13]
        if rel != current:
            current, names, quoted = rel, {}, {}
            attnames[rel], attquoted[rel] = names, quoted
            t = tables.get(rel)
            cols = t.columns if t is not None else None
            v = view_by_oid.get(rel) if t is None else None
        names[r[1]] = r[0]
        if r[14] is not None:
            quoted[r[1]] = r[14]
        if cols is not None:
            cols.append(column(dict(zip(fields, r))))
        elif v is not None:
            v.columns.append(r[0])
    return {"tables": tables, "views": view_by_oid, "attnames": attnames, "attquoted": attquoted}


def _build(rows: dict[str, list], staged: dict) -> SchemaSnapshot:
    if not staged:
        staged = _tables_and_columns(rows)
    tables: dict[int, Table] = staged["tables"]
    view_by_oid: dict[int, View] = staged["views"]
    attnames: dict[int, dict[int, str]] = staged["attnames"]
    attquoted: dict[int, dict[int, str]] = staged["attquoted"]
    for (rel, name, kind, validated, deferrable, definition, conkey, ref_schema, ref_name, confrelid, confkey,
         ref_fallback, on_delete, on_update, match, index_name, nulls_not_distinct) in rows["constraints"]:  # fmt: skip
        if (t := tables.get(rel)) is None:
            continue
        own = attnames.get(rel, {})
        ref = None
        if kind == "foreign_key":
            ref_names = attnames.get(confrelid, {})
            ref = _fk({
                "table": f"{ref_schema}.{ref_name}",
                "columns": ref_fallback if ref_fallback is not None else [ref_names[k] for k in confkey or ()],
                "on_delete": on_delete, "on_update": on_update, "match": match,
            })  # fmt: skip
        t.constraints.append(_constraint({
            "name": name, "kind": kind, "columns": [own[k] for k in conkey or () if k in own],
            "definition": definition, "validated": validated, "deferrable": deferrable,
            "nulls_not_distinct": nulls_not_distinct, "references": ref, "index": index_name,
        }))  # fmt: skip
    for (rel, name, method, unique, primary, valid, ready, nnd, nkey, keys, exprs, predicate, definition, size_bytes,
         scans, tuples_read, constraint) in rows["indexes"]:  # fmt: skip
        if (t := tables.get(rel)) is None:
            continue
        own, q = attnames.get(rel, {}), attquoted.get(rel, {})
        columns = [own.get(k) if k else None for k in keys]
        key_columns = columns[:nkey]
        texts = [exprs[i] if k == 0 else (q.get(k) or own.get(k)) for i, k in enumerate(keys[:nkey])]
        t.stats.idx_scans += scans
        t.indexes.append(_index({
            "name": name, "method": method, "columns": key_columns, "expressions": texts,
            "include": [n for n in columns[nkey:] if n], "predicate": predicate, "unique": unique,
            "primary": primary, "valid": valid, "ready": ready, "nulls_not_distinct": nnd,
            "constraint": constraint, "definition": definition, "size_bytes": size_bytes or 0, "scans": scans,
            "tuples_read": tuples_read,
        }))  # fmt: skip
    for rel, name, tgtype, enabled, function, definition in rows["triggers"]:
        if (t := tables.get(rel)) is None:
            continue
        timing, events, level = _trigger_parts(tgtype)
        t.triggers.append(
            Trigger(
                name=name, timing=timing, events=events, level=level, function=function, enabled=enabled,
                definition=definition,
            )
        )  # fmt: skip
    for rel, name, polcmd, permissive, roles, using, with_check in rows["policies"]:
        if (t := tables.get(rel)) is None:
            continue
        t.policies.append(
            Policy(
                name=name, command=_POLCMD.get(polcmd, "ALL"), permissive=permissive, roles=roles or [],
                using=using, with_check=with_check,
            )
        )  # fmt: skip

    database, server_version, server_version_num, encoding, collation, taken_at, stats_reset = rows["database"][0]
    types = rows["types"]
    return SchemaSnapshot.model_construct(
        database=database,
        server_version=server_version,
        server_version_num=server_version_num,
        encoding=encoding,
        collation=collation,
        taken_at=_ts(taken_at),
        stats_reset=_ts(stats_reset),
        schemas=[r[0] for r in rows["schemas"]],
        tables=list(tables.values()),
        views=list(view_by_oid.values()),
        sequences=[
            Sequence(
                schema=schema, name=name, data_type=data_type, start=start, increment=increment, min_value=min_value,
                max_value=max_value, cycle=cycle, last_value=last_value, owned_by=owned_by,
            )
            for schema, name, data_type, start, increment, min_value, max_value, cycle, last_value, owned_by
            in rows["sequences"]
        ],  # fmt: skip
        enums=[EnumType(schema=r[1], name=r[2], labels=r[3]) for r in types if r[0] == "e"],
        domains=[
            Domain(schema=r[1], name=r[2], base_type=r[4], not_null=r[5], default=r[6], checks=r[7] or [])
            for r in types
            if r[0] == "d"
        ],
        functions=[
            Function(
                schema=schema, name=name, arguments=arguments or "", returns=returns or "", language=language,
                kind=_PROKIND.get(prokind, "function"), volatility=_VOLATILITY.get(provolatile, "volatile"),
                security_definer=prosecdef, config=config or [],
            )
            for schema, name, arguments, returns, language, prokind, provolatile, prosecdef, config
            in rows["functions"]
        ],  # fmt: skip
        extensions=[Extension(name=name, version=version, schema=schema) for name, version, schema in rows["extensions"]],
        mysql=None,
    )
