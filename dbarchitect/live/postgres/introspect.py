"""Read a database's catalog into a `SchemaSnapshot` with a handful of batched queries.

One query per object kind (relations with statistics, columns, constraints, indexes, views,
sequences, types, triggers, functions, policies, extensions), never one query per table, so a
schema of thousands of tables is read in a few round trips. System schemas and objects that
belong to extensions are left out.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from psycopg.rows import dict_row

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
SELECT c.oid::int, n.nspname AS schema, c.relname AS name, c.relkind, c.relpersistence,
       c.reltuples::float8, c.relpages::bigint AS pages, c.relrowsecurity, c.relforcerowsecurity,
       pg_relation_size(c.oid) AS size_bytes, pg_total_relation_size(c.oid) AS total_bytes,
       pg_get_partkeydef(c.oid) AS partition_key,
       CASE WHEN c.relispartition THEN (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid) END
         AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition
             ORDER BY i.inhseqno) AS inherits,
       ds.description AS comment,
       ARRAY(SELECT r.rulename::text FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'
             ORDER BY 1) AS rules,
       pg_stat_get_live_tuples(c.oid) AS n_live_tup, pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
       pg_stat_get_numscans(c.oid) AS seq_scan, pg_stat_get_tuples_returned(c.oid) AS seq_tup_read,
       (SELECT sum(pg_stat_get_numscans(i.indexrelid))::bigint FROM pg_index i WHERE i.indrelid = c.oid) AS idx_scan,
       pg_stat_get_tuples_inserted(c.oid) AS n_tup_ins, pg_stat_get_tuples_updated(c.oid) AS n_tup_upd,
       pg_stat_get_tuples_hot_updated(c.oid) AS n_tup_hot_upd, pg_stat_get_tuples_deleted(c.oid) AS n_tup_del,
       pg_stat_get_mod_since_analyze(c.oid) AS n_mod_since_analyze,
       pg_stat_get_last_vacuum_time(c.oid) AS last_vacuum, pg_stat_get_last_autovacuum_time(c.oid) AS last_autovacuum,
       pg_stat_get_last_analyze_time(c.oid) AS last_analyze,
       pg_stat_get_last_autoanalyze_time(c.oid) AS last_autoanalyze,
       pg_stat_get_vacuum_count(c.oid) AS vacuum_count, pg_stat_get_autovacuum_count(c.oid) AS autovacuum_count
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
 WHERE c.relkind IN ('r', 'p', 'f') AND {USER_NS} AND {NOT_EXT.format(cls="'pg_class'", oid="c.oid")}
 ORDER BY n.nspname, c.relname
"""

Q_COLUMNS = f"""
SELECT a.attrelid::int AS rel, a.attname AS name, a.attnum AS position,
       format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int AS type_oid, a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
       a.attidentity AS identity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
       a.attgenerated = 'v' AS virtual,  -- 18: VIRTUAL generated columns ('s' = STORED)
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
       ds.description AS comment,
       st.null_frac::float8, st.n_distinct::float8
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

Q_CONSTRAINTS = f"""
SELECT con.conrelid::int AS rel, con.conname AS name, con.contype, con.convalidated, con.condeferrable,
       pg_get_constraintdef(con.oid) AS definition,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_name,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
       con.confdeltype, con.confupdtype, con.confmatchtype,
       ic.relname AS index_name,
       coalesce(ix.indnullsnotdistinct, false) AS nulls_not_distinct
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

Q_INDEXES = f"""
SELECT ix.indrelid::int AS rel, ic.relname AS name, am.amname AS method,
       ix.indisunique, ix.indisprimary, ix.indisvalid, ix.indisready, ix.indnullsnotdistinct AS indnullsnotdistinct,
       ix.indnkeyatts, ix.indnatts,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE a.attname::text END
               FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS attnames,
       ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnatts) k) AS keytexts,
       pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate,
       pg_get_indexdef(ix.indexrelid) AS definition,
       pg_relation_size(ix.indexrelid) AS size_bytes,
       coalesce(pg_stat_get_numscans(ix.indexrelid), 0) AS scans,
       coalesce(pg_stat_get_tuples_returned(ix.indexrelid), 0) AS tuples_read,
       (SELECT con.conname FROM pg_constraint con WHERE con.conindid = ix.indexrelid
           AND con.contype IN ('p', 'u', 'x') AND con.conrelid = ix.indrelid LIMIT 1) AS constraint_name
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
SELECT s.schemaname AS schema, s.sequencename AS name, format_type(s.data_type, NULL) AS data_type,
       s.start_value, s.increment_by, s.min_value, s.max_value, s.cycle, s.last_value,
       (SELECT dc.relname || '.' || a.attname
          FROM pg_depend d JOIN pg_class dc ON dc.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass
           AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) AS owned_by
  FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname
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

_RELKIND = {"r": "table", "p": "partitioned_table", "f": "foreign_table"}
_PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}
_CONTYPE = {"p": "primary_key", "f": "foreign_key", "u": "unique", "c": "check", "x": "exclude",
            "n": "not_null", "t": "trigger"}  # fmt: skip
_FK_ACTION = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_FK_MATCH = {"f": "FULL", "p": "PARTIAL", "s": "SIMPLE"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_POLCMD = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


def _ts(value) -> str | None:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _trigger_parts(tgtype: int) -> tuple[str, list[str], str]:
    level = "row" if tgtype & 1 else "statement"
    timing = "BEFORE" if tgtype & 2 else ("INSTEAD OF" if tgtype & 64 else "AFTER")
    events = [name for bit, name in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if tgtype & bit]
    return timing, events, level


async def _fetch(conn: psycopg.AsyncConnection, query: str) -> list[dict]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(catalog_sql(query, conn.info.server_version))
        return await cur.fetchall()


async def take_snapshot(conn: psycopg.AsyncConnection) -> SchemaSnapshot:
    """Read every user object of the connected database (one READ ONLY transaction, ~12 queries)."""
    started_tx = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and conn.autocommit
    # In a SQL_ASCII database psycopg returns text as bytes; read the catalog as UTF-8 and restore.
    sql_ascii = conn.info.parameter_status("client_encoding") == "SQL_ASCII"
    if sql_ascii:
        await conn.execute("SET client_encoding TO 'UTF8'")
    try:
        return await _read(conn, started_tx)
    finally:
        if sql_ascii:
            await conn.execute("SET client_encoding TO 'SQL_ASCII'")


async def _read(conn: psycopg.AsyncConnection, started_tx: bool) -> SchemaSnapshot:
    if started_tx:
        await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        db = (await _fetch(conn, Q_DATABASE))[0]
        schemas = [r["nspname"] for r in await _fetch(conn, Q_SCHEMAS)]
        table_rows = await _fetch(conn, Q_TABLES)
        columns = await _fetch(conn, Q_COLUMNS)
        constraints = await _fetch(conn, Q_CONSTRAINTS)
        indexes = await _fetch(conn, Q_INDEXES)
        views = await _fetch(conn, Q_VIEWS)
        sequences = await _fetch(conn, Q_SEQUENCES)
        types = await _fetch(conn, Q_TYPES)
        triggers = await _fetch(conn, Q_TRIGGERS)
        functions = await _fetch(conn, Q_FUNCTIONS)
        policies = await _fetch(conn, Q_POLICIES)
        extensions = await _fetch(conn, Q_EXTENSIONS)
    finally:
        if started_tx:
            await conn.execute("COMMIT")

    tables: dict[int, Table] = {}
    for r in table_rows:
        tables[r["oid"]] = Table(
            schema=r["schema"],
            name=r["name"],
            kind=_RELKIND[r["relkind"]],
            oid=r["oid"],
            persistence=_PERSISTENCE.get(r["relpersistence"], "permanent"),
            partition_key=r["partition_key"],
            partition_of=r["partition_of"],
            partition_bound=r["partition_bound"],
            inherits=r["inherits"] or [],
            reltuples=r["reltuples"],
            pages=r["pages"],
            size_bytes=r["size_bytes"] or 0,
            total_bytes=r["total_bytes"] or 0,
            rls_enabled=r["relrowsecurity"],
            rls_forced=r["relforcerowsecurity"],
            comment=r["comment"],
            rules=r["rules"] or [],
            stats=TableStats(
                live_tuples=r["n_live_tup"] or 0,
                dead_tuples=r["n_dead_tup"] or 0,
                seq_scans=r["seq_scan"] or 0,
                seq_tuples_read=r["seq_tup_read"] or 0,
                idx_scans=r["idx_scan"] or 0,
                inserts=r["n_tup_ins"] or 0,
                updates=r["n_tup_upd"] or 0,
                hot_updates=r["n_tup_hot_upd"] or 0,
                deletes=r["n_tup_del"] or 0,
                mods_since_analyze=r["n_mod_since_analyze"] or 0,
                last_vacuum=_ts(r["last_vacuum"]),
                last_autovacuum=_ts(r["last_autovacuum"]),
                last_analyze=_ts(r["last_analyze"]),
                last_autoanalyze=_ts(r["last_autoanalyze"]),
                vacuum_count=r["vacuum_count"] or 0,
                autovacuum_count=r["autovacuum_count"] or 0,
            ),
        )
    view_by_oid = {}
    for r in views:
        view_by_oid[r["oid"]] = View(
            schema=r["schema"],
            name=r["name"],
            materialized=r["materialized"],
            definition=r["definition"] or "",
            depends_on=r["depends_on"] or [],
            size_bytes=r["size_bytes"] or 0,
            comment=r["comment"],
        )
    for r in columns:
        if (t := tables.get(r["rel"])) is not None:
            t.columns.append(
                Column(
                    name=r["name"],
                    position=r["position"],
                    type=r["type"],
                    type_oid=r["type_oid"],
                    not_null=r["not_null"],
                    default=r["default"],
                    identity={"a": "always", "d": "by_default"}.get(r["identity"], ""),
                    generated=r["generated"], virtual=bool(r["virtual"]),
                    collation=r["collation"],
                    comment=r["comment"],
                    null_frac=r["null_frac"],
                    n_distinct=r["n_distinct"],
                )
            )
        elif (v := view_by_oid.get(r["rel"])) is not None:
            v.columns.append(r["name"])
    for r in constraints:
        if (t := tables.get(r["rel"])) is None:
            continue
        kind = _CONTYPE.get(r["contype"], "check")
        ref = None
        if kind == "foreign_key":
            ref = ForeignKeyRef(
                table=f"{r['ref_schema']}.{r['ref_name']}",
                columns=r["ref_columns"],
                on_delete=_FK_ACTION.get(r["confdeltype"], "NO ACTION"),
                on_update=_FK_ACTION.get(r["confupdtype"], "NO ACTION"),
                match=_FK_MATCH.get(r["confmatchtype"], "SIMPLE"),
            )
        t.constraints.append(
            Constraint(
                name=r["name"],
                kind=kind,
                columns=r["columns"] or [],
                definition=r["definition"],
                validated=r["convalidated"],
                deferrable=r["condeferrable"],
                nulls_not_distinct=r["nulls_not_distinct"],
                references=ref,
                index=r["index_name"],
            )
        )
    for r in indexes:
        if (t := tables.get(r["rel"])) is None:
            continue
        nkey = r["indnkeyatts"]
        names, texts = r["attnames"], r["keytexts"]
        t.indexes.append(
            Index(
                name=r["name"],
                method=r["method"],
                columns=names[:nkey],
                expressions=texts[:nkey],
                include=[n for n in names[nkey:] if n],
                predicate=r["predicate"],
                unique=r["indisunique"],
                primary=r["indisprimary"],
                valid=r["indisvalid"],
                ready=r["indisready"],
                nulls_not_distinct=r["indnullsnotdistinct"],
                constraint=r["constraint_name"],
                definition=r["definition"],
                size_bytes=r["size_bytes"] or 0,
                scans=r["scans"],
                tuples_read=r["tuples_read"],
            )
        )
    for r in triggers:
        if (t := tables.get(r["rel"])) is None:
            continue
        timing, events, level = _trigger_parts(r["tgtype"])
        t.triggers.append(
            Trigger(
                name=r["name"],
                timing=timing,
                events=events,
                level=level,
                function=r["function"],
                enabled=r["enabled"],
                definition=r["definition"],
            )
        )
    for r in policies:
        if (t := tables.get(r["rel"])) is None:
            continue
        t.policies.append(
            Policy(
                name=r["name"],
                command=_POLCMD.get(r["polcmd"], "ALL"),
                permissive=r["polpermissive"],
                roles=r["roles"] or [],
                using=r["using"],
                with_check=r["with_check"],
            )
        )

    return SchemaSnapshot(
        database=db["database"],
        server_version=db["server_version"],
        server_version_num=db["server_version_num"],
        encoding=db["encoding"],
        collation=db["collation"],
        taken_at=_ts(db["taken_at"]),
        stats_reset=_ts(db["stats_reset"]),
        schemas=schemas,
        tables=list(tables.values()),
        views=list(view_by_oid.values()),
        sequences=[
            Sequence(
                schema=r["schema"],
                name=r["name"],
                data_type=r["data_type"],
                start=r["start_value"],
                increment=r["increment_by"],
                min_value=r["min_value"],
                max_value=r["max_value"],
                cycle=r["cycle"],
                last_value=r["last_value"],
                owned_by=r["owned_by"],
            )
            for r in sequences
        ],
        enums=[EnumType(schema=r["schema"], name=r["name"], labels=r["labels"]) for r in types if r["typtype"] == "e"],
        domains=[
            Domain(
                schema=r["schema"],
                name=r["name"],
                base_type=r["base_type"],
                not_null=r["typnotnull"],
                default=r["typdefault"],
                checks=r["checks"] or [],
            )
            for r in types
            if r["typtype"] == "d"
        ],
        functions=[
            Function(
                schema=r["schema"],
                name=r["name"],
                arguments=r["arguments"] or "",
                returns=r["returns"] or "",
                language=r["language"],
                kind=_PROKIND.get(r["prokind"], "function"),
                volatility=_VOLATILITY.get(r["provolatile"], "volatile"),
                security_definer=r["prosecdef"],
                config=r["config"] or [],
            )
            for r in functions
        ],
        extensions=[Extension(**r) for r in extensions],
    )
