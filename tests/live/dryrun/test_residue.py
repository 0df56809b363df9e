"""100 dry runs -- successes, failures, timeouts, CONCURRENTLY, up/down -- leave the target exactly as it
was and no scratch database or session behind."""

import time

import anyio
import psycopg
import pytest

from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.fingerprint import catalog_fingerprint, data_fingerprint
from dbarchitect.live.postgres.shadow import SHADOW_PREFIX, list_shadows

pytestmark = [pytest.mark.anyio, pytest.mark.live]

RUNS = 100
PARALLEL = 4

KINDS = [
    dict(sql="ALTER TABLE users ADD COLUMN b int NOT NULL"),  # fails on the synthetic rows
    dict(sql="SELECT pg_sleep(2)", statement_timeout_s=0.2),  # statement timeout
    dict(sql="ALTER TABLE users ADD COLUMN x int", down_sql="ALTER TABLE users DROP COLUMN x"),
    dict(sql="CREATE INDEX CONCURRENTLY users_x_idx ON users (n)"),
    dict(sql="ALTER TABLE users ALTER COLUMN n TYPE bigint;\nTRUNCATE order_lines;"),
    dict(sql="DROP TABLE order_lines;\nALTER TABLE orders DROP COLUMN note;", down_sql="SELECT 1"),
    dict(sql="ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;"),
    dict(sql="UPDATE users SET n = n + 1;\nDELETE FROM orders;"),
    dict(sql="REFRESH MATERIALIZED VIEW order_totals;\nCREATE TABLE extra (a int PRIMARY KEY);"),
    dict(sql="ALTER TABLE users RENAME TO people;", assume_in_transaction=False),
]


async def _snapshot(dsn: str):
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        return await catalog_fingerprint(conn), await data_fingerprint(conn)


async def test_hundred_dry_runs_leave_no_trace(pg, target):
    fp_before, data_before = await _snapshot(target)
    statuses: list[str] = []
    limiter = anyio.Semaphore(PARALLEL)

    async def one(i: int) -> None:
        async with limiter:
            report = await dry_run_migration(target=target, **KINDS[i % len(KINDS)])
            assert report.shadow.dropped
            statuses.append(report.statements[0].status)

    t0 = time.monotonic()
    async with anyio.create_task_group() as tg:
        for i in range(RUNS):
            tg.start_soon(one, i)
    elapsed = time.monotonic() - t0

    assert len(statuses) == RUNS and {"ok", "error"} <= set(statuses)
    fp_after, data_after = await _snapshot(target)
    assert fp_before.diff(fp_after) == [] and fp_before.digest == fp_after.digest
    assert data_before == data_after
    assert await list_shadows(pg.dsn()) == []
    left = pg.admin("SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s", params=(SHADOW_PREFIX + "%",))
    assert left == [(0,)]
    print(f"{RUNS} dry runs in {elapsed:.1f} s ({PARALLEL} at a time)")
