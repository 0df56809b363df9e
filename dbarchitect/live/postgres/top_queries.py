"""top_queries on a live server: pg_stat_statements of the connected database, whatever its version.

Column names differ by version (PG 13 renamed total_time to total_exec_time; PG 17 renamed
blk_read_time to shared_blk_read_time), so the view's columns are read first. When the extension is
missing or not preloaded, the answer says how to enable it instead of failing. pg_stat_statements_info
(14+) gives the last reset and how often entries were evicted; on 13 the answer says both are unknown.
"""

from __future__ import annotations

import psycopg

from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.n_plus_one import StatementStat, detect_from_stats
from dbarchitect.core.sql.ident import quote_ident
from dbarchitect.core.top_queries import StatementRow, TopQueries, rank

ENABLE = ("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';  -- needs a server restart "
          "(keep any libraries already listed), then in this database: CREATE EXTENSION pg_stat_statements;")


async def _one(conn, sql, params=None):
    return await (await conn.execute(sql, params)).fetchone()


async def _info(conn) -> tuple[str | None, int | None]:
    """pg_stat_statements_info (14+): the last reset and how often entries were evicted (`dealloc`);
    (None, None) on 13, which has no such view."""
    if conn.info.server_version < 140000:
        return None, None
    view = await _one(conn, "SELECT quote_ident(schemaname) || '.pg_stat_statements_info' FROM pg_views "
                            "WHERE viewname = 'pg_stat_statements_info'")
    if view is None:  # extension older than 1.9 on a 14+ server: ALTER EXTENSION pg_stat_statements UPDATE
        return None, 0
    row = await _one(conn, f"SELECT stats_reset::text, dealloc FROM {view[0]}")
    return (row[0], row[1]) if row else (None, 0)


def _pick(cols: set[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


async def read_top_queries(conn: psycopg.AsyncConnection, order_by: str = "total", limit: int = 10,
                           snapshot: SchemaSnapshot | None = None) -> TopQueries:
    installed = await _one(conn, "SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if installed is None:
        # pg_settings hides shared_preload_libraries from roles without pg_read_all_settings: then no row
        row = await _one(conn, "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'")
        enable = ("CREATE EXTENSION pg_stat_statements;  -- already preloaded: no restart"
                  if row is not None and "pg_stat_statements" in row[0] else ENABLE)
        return TopQueries(available=False, enable=enable, order_by=order_by,
                          notes=["pg_stat_statements is not installed in this database."])
    cols = {r[0] for r in await (await conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'pg_stat_statements'::regclass AND attnum > 0")).fetchall()}
    total = _pick(cols, "total_exec_time", "total_time")
    mean = _pick(cols, "mean_exec_time", "mean_time")
    read_t = _pick(cols, "shared_blk_read_time", "blk_read_time")
    write_t = _pick(cols, "shared_blk_write_time", "blk_write_time")
    io = f"s.{read_t} + s.{write_t}" if read_t and write_t else "NULL"
    toplevel = "AND s.toplevel" if "toplevel" in cols else ""
    sql = f"""
        SELECT s.queryid, s.query, pg_get_userbyid(s.userid), s.calls, s.{total}, s.{mean}, s.rows,
               s.shared_blks_hit, s.shared_blks_read, s.temp_blks_read, s.temp_blks_written, {io}
          FROM pg_stat_statements s
         WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) {toplevel}
    """
    try:
        rows = await (await conn.execute(sql)).fetchall()
    except psycopg.errors.ObjectNotInPrerequisiteState:
        return TopQueries(available=False, enable=ENABLE, order_by=order_by,
                          notes=["pg_stat_statements is installed but not preloaded (shared_preload_libraries)."])
    stats = [StatementRow(queryid=r[0], query=r[1], user=r[2], calls=r[3], total_ms=float(r[4]), mean_ms=float(r[5]),
                          rows=r[6], shared_hit=r[7], shared_read=r[8], temp_read=r[9], temp_written=r[10],
                          io_ms=float(r[11]) if r[11] is not None else None) for r in rows]
    notes = []
    hidden = sum(1 for s in stats if s.query == "<insufficient privilege>")
    if hidden:
        role = (await _one(conn, "SELECT current_user"))[0]
        notes.append(f"{hidden} statements of other roles hide their text and were not checked for N+1: "
                     f"GRANT pg_read_all_stats TO {quote_ident(role)}; shows them.")
    since, evicted = await _info(conn)
    if evicted is None:
        notes.append("PostgreSQL 13 has no pg_stat_statements_info (14+): when the statistics were reset and how many "
                     "statements were evicted is unknown.")
    elif evicted:
        limit_row = await _one(conn, "SELECT setting FROM pg_settings WHERE name = 'pg_stat_statements.max'")
        notes.append(f"pg_stat_statements evicted the least-used statements {evicted} times since "
                     f"{since or 'the last reset'} (pg_stat_statements.max = {limit_row[0] if limit_row else '?'}): "
                     "the ranking misses them; raise pg_stat_statements.max (restart) or reset more often.")
    selects = [StatementStat(queryid=s.queryid, query=s.query, calls=s.calls, rows=s.rows, total_ms=s.total_ms,
                             mean_ms=s.mean_ms) for s in stats if s.query.lstrip()[:6].lower() in ("select", "with")]
    loops = detect_from_stats(selects, snapshot)
    patterns = loops.patterns
    if loops.unread:
        shown = "; ".join(f"queryid {q}: {why}" for q, why in list(loops.unread.items())[:3])
        notes.append(f"{len(loops.unread)} statement(s) could not be parsed and were not checked for N+1 "
                     f"({shown}{' …' if len(loops.unread) > 3 else ''}).")
    return TopQueries(available=True, order_by=order_by, since=since, statements=len(stats),
                      total_ms=round(sum(s.total_ms for s in stats), 2),
                      queries=rank(stats, order_by, limit, patterns), n_plus_one=patterns, notes=notes)
