"""Faults: a backend killed mid-query, a statement timeout, a server stopped and restarted."""

import anyio
import psycopg
import pytest

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.database import Database
from dbarchitect.live.postgres.errors import DatabaseError

pytestmark = pytest.mark.anyio


async def test_backend_terminated_mid_query_then_next_call_works(pg):
    dsn = pg.create_db()
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        assert (await db.run_query("SELECT 1")).rows == [[1]]
        errors: list[Exception] = []

        async def slow():
            try:
                await db.run_query("SELECT pg_sleep(10)")
            except DatabaseError as exc:
                errors.append(exc)

        async def killer():
            with psycopg.connect(dsn, autocommit=True) as admin:
                for _ in range(100):
                    row = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'dbarchitect' AND query LIKE '%pg_sleep(10)%' AND pid <> pg_backend_pid()"
                    ).fetchone()
                    if row:
                        return
                    await anyio.sleep(0.05)

        async with anyio.create_task_group() as tg:
            tg.start_soon(slow)
            tg.start_soon(killer)
        assert len(errors) == 1
        assert "connection was lost" in str(errors[0]) and "retry" in str(errors[0])
        assert (await db.run_query("SELECT 2")).rows == [[2]]
    finally:
        await db.close()


async def test_statement_timeout_is_a_clear_error(pg):
    dsn = pg.create_db()
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}, statement_timeout_ms=300))
    try:
        with pytest.raises(DatabaseError, match=r"statement_timeout of 0.3 s.*--statement-timeout"):
            await db.run_query("SELECT pg_sleep(3)")
        assert (await db.run_query("SELECT 3")).rows == [[3]]
    finally:
        await db.close()


async def test_server_stopped_and_restarted_recovers():
    cluster = LocalCluster.temporary().start()
    db = Database("default", cluster.dsn(), load_settings({"DATABASE_URL": cluster.dsn()}, connect_timeout_s=2))
    try:
        assert (await db.run_query("SELECT 1")).rows == [[1]]
        cluster.halt()
        with pytest.raises(DatabaseError, match=r"Cannot reach PostgreSQL \(database postgres at 127.0.0.1:\d+ as postgres\)"):
            await db.run_query("SELECT 1")
        cluster.start()
        assert (await db.run_query("SELECT 4")).rows == [[4]]
        assert (await db.run_query("SELECT 5")).rows == [[5]]
    finally:
        await db.close()
        cluster.stop()
