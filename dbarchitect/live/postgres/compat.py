"""What differs between PostgreSQL 13 and 18 on the live side, in one place (observed by `make test-matrix`).

  * `pg_stat_force_next_flush()` (15+): before 15 a backend sends its table counters to the stats
    collector when it goes idle, at most every PGSTAT_STAT_INTERVAL (500 ms); so we wait out that
    interval, run a statement (going idle after it sends them), then wait out the interval again
    (a reader accepts a stats file up to that old) and clear the snapshot.
  * `pg_index.indnullsnotdistinct` (15+): `UNIQUE NULLS NOT DISTINCT` does not exist before 15.
  * `pg_stat_statements.toplevel` (14+): 13 does not tell top-level statements from nested ones, so
    every statement counts there.
"""

from __future__ import annotations

import re

import anyio
import psycopg

PGSTAT_STAT_INTERVAL_S = 0.55

# catalog columns a version lacks -> the constant that is true of every object on that version
_COLUMNS_SINCE: list[tuple[int, str, str]] = [
    (150000, "ix.indnullsnotdistinct", "false"),
    (140000, "s.toplevel", "true"),
    (140000, "toplevel", "true"),
]


def catalog_sql(sql: str, server_version: int) -> str:
    """`sql` with the catalog columns the server does not have replaced by their implied constant."""
    for since, column, constant in _COLUMNS_SINCE:
        if server_version < since:
            sql = re.sub(r"(?<![\w.])" + re.escape(column) + r"\b", constant, sql)
    return sql


async def flush_stats(conn: psycopg.AsyncConnection) -> None:
    """Make this session's cumulative statistics visible to the next read of pg_stat_* (any version)."""
    if conn.info.server_version >= 150000:
        await conn.execute("SELECT pg_stat_force_next_flush()")
    else:
        await anyio.sleep(PGSTAT_STAT_INTERVAL_S)
        await conn.execute("SELECT 1")  # going idle after it sends the counters (the interval has passed)
        await anyio.sleep(PGSTAT_STAT_INTERVAL_S)  # a stats file older than the message is no longer accepted
    await conn.execute("SELECT pg_stat_clear_snapshot()")


def flush_stats_sync(conn: psycopg.Connection) -> None:
    if conn.info.server_version >= 150000:
        conn.execute("SELECT pg_stat_force_next_flush()")
    else:
        import time

        time.sleep(PGSTAT_STAT_INTERVAL_S)
        conn.execute("SELECT 1")
        time.sleep(PGSTAT_STAT_INTERVAL_S)
    conn.execute("SELECT pg_stat_clear_snapshot()")
