"""N+1 detection on a live server: read pg_stat_statements for the connected database."""

from __future__ import annotations

import psycopg

from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.n_plus_one import MIN_CALLS, MIN_RATIO, NPlusOneReport, StatementStat, detect_from_stats
from dbarchitect.live.postgres.compat import catalog_sql
from dbarchitect.live.postgres.errors import DatabaseError

STATS_SQL = """
SELECT queryid, query, calls, rows, total_exec_time, mean_exec_time
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND toplevel
   AND query ~* '^\\s*(select|with)\\M'
 ORDER BY calls DESC
 LIMIT %s
"""


async def read_statement_stats(conn: psycopg.AsyncConnection, limit: int = 1000) -> list[StatementStat]:
    """The most frequently called SELECT statements of this database, from pg_stat_statements."""
    cur = await conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if await cur.fetchone() is None:
        raise DatabaseError(
            "pg_stat_statements is not installed in this database: add it to shared_preload_libraries, "
            "restart, then CREATE EXTENSION pg_stat_statements; or pass the statements from an application log."
        )
    try:
        cur = await conn.execute(catalog_sql(STATS_SQL, conn.info.server_version), (limit,))
    except psycopg.errors.ObjectNotInPrerequisiteState as exc:
        raise DatabaseError(f"pg_stat_statements cannot be read: {str(exc).strip()}") from exc
    return [
        StatementStat(queryid=r[0], query=r[1], calls=r[2], rows=r[3], total_ms=float(r[4]), mean_ms=float(r[5]))
        for r in await cur.fetchall()
    ]


async def detect_n_plus_one(conn: psycopg.AsyncConnection, snapshot: SchemaSnapshot | None = None, *,
                            min_calls: int = MIN_CALLS, min_ratio: float = MIN_RATIO) -> NPlusOneReport:
    """N+1 patterns visible in pg_stat_statements, tied together by the catalog's foreign keys."""
    return detect_from_stats(await read_statement_stats(conn), snapshot, min_calls=min_calls, min_ratio=min_ratio)
