"""review_health on a live server: read `HealthFacts` from the catalog and statistics views.

Read-only (plain SELECTs on an autocommit connection) and lock-free: sizes come from
`pg_class.relpages`, never from `pg_relation_size()`, which takes a lock and would queue behind the
very lock problems this review reports. Each section is read on its own: a section
the role may not read (no `pg_read_all_stats`, a view that does not exist on this version) becomes
an `Unchecked` entry naming the GRANT that enables it — never an error for the whole call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import psycopg

from dbarchitect.core.health.facts import (
    DatabaseAge, HealthFacts, Replica, SequenceUse, Session, Setting, Slot, TableHealth, Unchecked,
)
from dbarchitect.core.health.review import HealthReview, review_health, select_checks
from dbarchitect.core.sql.ident import quote_ident as qi
from dbarchitect.live.postgres.errors import DatabaseError

SETTINGS = (
    "autovacuum_freeze_max_age", "autovacuum_multixact_freeze_max_age", "max_connections",
    "superuser_reserved_connections", "work_mem", "random_page_cost", "seq_page_cost", "statement_timeout",
    "idle_in_transaction_session_timeout", "autovacuum_vacuum_scale_factor", "autovacuum_vacuum_threshold",
    "max_wal_size", "shared_buffers", "password_encryption", "track_counts",
)

Q_TABLES = """
SELECT n.nspname, c.relname, age(c.relfrozenxid), mxid_age(c.relminmxid), c.reltuples, c.relpages,
       c.relpages::bigint * current_setting('block_size')::int, coalesce(s.n_live_tup, 0), coalesce(s.n_dead_tup, 0),
       coalesce(s.n_mod_since_analyze, 0), coalesce(s.n_ins_since_vacuum, 0),
       greatest(s.last_vacuum, s.last_autovacuum)::text, greatest(s.last_analyze, s.last_autoanalyze)::text,
       coalesce(c.reloptions, '{}'),
       (SELECT sum(st.avg_width) FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname),
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'm', 't') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
 ORDER BY 1, 2
"""

Q_SEQUENCES = """
SELECT s.schemaname, s.sequencename, s.data_type::text, s.last_value, s.max_value, s.increment_by,
       dn.nspname || '.' || dc.relname || '.' || a.attname, format_type(a.atttypid, NULL), a.attidentity <> '',
       dc.reltuples, dc.relpages::bigint * current_setting('block_size')::int
  FROM pg_sequences s
  JOIN pg_namespace sn ON sn.nspname = s.schemaname
  JOIN pg_class sc ON sc.relnamespace = sn.oid AND sc.relname = s.sequencename
  LEFT JOIN LATERAL (  -- the column it feeds: OWNED BY (serial, identity), else a column DEFAULT nextval(...)
        SELECT d.refobjid AS relid, d.refobjsubid AS attnum, 0 AS pref FROM pg_depend d
         WHERE d.classid = 'pg_class'::regclass AND d.objid = sc.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
        UNION ALL
        SELECT ad.adrelid, ad.adnum, 1 FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
         WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = sc.oid
         ORDER BY 3 LIMIT 1) o ON true
  LEFT JOIN pg_class dc ON dc.oid = o.relid
  LEFT JOIN pg_namespace dn ON dn.oid = dc.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = o.relid AND a.attnum = o.attnum
 ORDER BY 1, 2
"""

Q_SESSIONS = """
SELECT pid, usename, application_name, datname, state, query,
       extract(epoch FROM now() - xact_start), extract(epoch FROM now() - query_start),
       extract(epoch FROM now() - state_change), wait_event_type, wait_event, pg_blocking_pids(pid), backend_type
  FROM pg_stat_activity
 WHERE backend_type = 'client backend'
"""

Q_SLOTS = """
SELECT slot_name, slot_type, active, database,
       CASE WHEN pg_is_in_recovery() OR restart_lsn IS NULL THEN NULL
            ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END,
       wal_status
  FROM pg_replication_slots ORDER BY 1
"""

Q_REPLICAS = """
SELECT application_name, client_addr::text, state, extract(epoch FROM replay_lag),
       CASE WHEN replay_lsn IS NULL THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint END
  FROM pg_stat_replication
"""

STATS_GRANT = "GRANT pg_read_all_stats TO {role};"


async def _rows(conn: psycopg.AsyncConnection, sql: str, params=None) -> list[tuple]:
    cur = await conn.execute(sql, params)
    return await cur.fetchall()


async def read_health_facts(conn: psycopg.AsyncConnection, checks: list[str]) -> HealthFacts:
    row = (await _rows(conn, "SELECT current_database(), current_setting('server_version_num')::int, pg_backend_pid(), "
                             "current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                             "OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER')"))[0]
    facts = HealthFacts(database=row[0], version_num=row[1], own_pid=row[2])
    role, all_stats = row[3], row[4]
    grant = STATS_GRANT.format(role=qi(role))

    async def section(name: str, fn: Callable[[], Awaitable[None]], why: str | None = None) -> None:
        try:
            await fn()
        except psycopg.errors.InsufficientPrivilege as exc:
            facts.unchecked.append(Unchecked(check=name, reason=f"permission denied: {str(exc).strip()}", grant=grant))
        except psycopg.Error as exc:
            facts.unchecked.append(Unchecked(check=name, reason=why or str(exc).strip()))

    async def settings() -> None:
        for name, value, unit, source, context in await _rows(
                conn, "SELECT name, setting, unit, source, context FROM pg_settings WHERE name = ANY(%s)", (list(SETTINGS),)):
            facts.settings[name] = Setting(name=name, value=value, unit=unit, source=source, context=context)

    async def wraparound() -> None:
        facts.databases = [DatabaseAge(name=r[0], xid_age=r[1], mxid_age=r[2]) for r in await _rows(
            conn, "SELECT datname, age(datfrozenxid), mxid_age(datminmxid) FROM pg_database WHERE datallowconn ORDER BY 1")]

    async def tables() -> None:
        for r in await _rows(conn, Q_TABLES):
            options = dict(o.split("=", 1) for o in r[13] if "=" in o)
            width = float(r[14]) if r[14] is not None else None
            facts.tables.append(TableHealth(
                schema_name=r[0], name=r[1], xid_age=r[2] or 0, mxid_age=r[3] or 0, reltuples=r[4], pages=r[5],
                size_bytes=r[6], live=r[7], dead=r[8], mod_since_analyze=r[9], inserted_since_vacuum=r[10],
                last_vacuum=r[11], last_analyze=r[12],
                autovacuum_enabled=options.get("autovacuum_enabled", "true").lower() not in ("false", "off", "0", "no"),
                options=options, row_width=width, fillfactor=int(options.get("fillfactor", 100)),
            ))

    async def sequences() -> None:
        for r in await _rows(conn, Q_SEQUENCES):
            facts.sequences.append(SequenceUse(
                schema_name=r[0], name=r[1], data_type=r[2], last_value=r[3], max_value=r[4], increment=r[5],
                column=r[6], column_type=r[7], identity=bool(r[8]), table_rows=r[9], table_bytes=r[10]))

    async def sessions() -> None:
        facts.sessions = [
            Session(pid=r[0], user=r[1], application=r[2], database=r[3], state=r[4], query=r[5], xact_age_s=_f(r[6]),
                    query_age_s=_f(r[7]), state_age_s=_f(r[8]), wait_event_type=r[9], wait_event=r[10],
                    blocked_by=list(r[11] or []), backend_type=r[12])
            for r in await _rows(conn, Q_SESSIONS)
        ]
        facts.connections = len(facts.sessions)
        if not all_stats:
            facts.unchecked.append(Unchecked(
                check="connections",
                reason="without pg_read_all_stats, other roles' sessions show no state or query: idle-in-transaction "
                       "sessions and long queries of other roles cannot be seen", grant=grant))

    async def replication() -> None:
        facts.slots = [Slot(name=r[0], slot_type=r[1], active=r[2], database=r[3], retained_bytes=r[4], wal_status=r[5])
                       for r in await _rows(conn, Q_SLOTS)]
        facts.replicas = [Replica(application=r[0], client=r[1], state=r[2], replay_lag_s=_f(r[3]), lag_bytes=r[4])
                          for r in await _rows(conn, Q_REPLICAS)]
        if not all_stats and facts.replicas:
            facts.unchecked.append(Unchecked(check="replication", reason="replica lag columns are hidden without "
                                             "pg_read_all_stats", grant=grant))

    async def cache() -> None:
        r = (await _rows(conn, "SELECT blks_hit, blks_read, temp_files, temp_bytes, stats_reset::text, "
                               "extract(epoch FROM now() - coalesce(stats_reset, pg_postmaster_start_time())) "
                               "FROM pg_stat_database WHERE datname = current_database()"))[0]
        facts.blks_hit, facts.blks_read, facts.temp_files, facts.temp_bytes, facts.stats_reset = r[:5]
        facts.stats_age_s = _f(r[5])
        view = "pg_stat_checkpointer" if facts.version_num >= 170000 else "pg_stat_bgwriter"
        cols = "num_timed, num_requested" if facts.version_num >= 170000 else "checkpoints_timed, checkpoints_req"
        facts.checkpoints_timed, facts.checkpoints_req = (await _rows(conn, f"SELECT {cols} FROM {view}"))[0]

    await section("settings", settings)
    if "wraparound" in checks:
        await section("wraparound", wraparound)
    if {"wraparound", "vacuum", "config"} & set(checks):
        await section("vacuum", tables)
    if "sequences" in checks:
        await section("sequences", sequences)
    if {"connections", "config"} & set(checks):
        await section("connections", sessions)
    if "replication" in checks:
        await section("replication", replication)
    if {"cache", "config"} & set(checks):
        await section("cache", cache)
    return facts


def _f(v) -> float | None:
    return float(v) if v is not None else None


async def health_review(db, checks: list[str] | None = None) -> HealthReview:
    """review_health for a `Database`: facts, the health rules, and (checks include indexes) review_indexes."""
    from dbarchitect.live.postgres.index_advisor import review_indexes

    chosen = select_checks(checks)
    facts = await db.run(lambda conn: read_health_facts(conn, chosen))
    index_findings = None
    if "indexes" in chosen:

        async def indexes(conn: psycopg.AsyncConnection):
            # the index review reads sizes with functions that lock each relation: never queue behind a
            # lock this very review may be reporting
            await conn.execute("BEGIN READ ONLY")
            try:
                await conn.execute("SET LOCAL lock_timeout = '1s'; SET LOCAL statement_timeout = '30s'")
                return (await review_indexes(conn)).findings
            finally:
                await conn.execute("ROLLBACK")

        try:
            index_findings = await db.run(indexes)
        except DatabaseError as exc:
            facts.unchecked.append(Unchecked(check="indexes", reason=f"review_indexes did not complete: {exc}"))
    return review_health(facts, chosen, index_findings)
