"""run_query skips the pool's checkout round trip for a connection used moments ago; when the server
restarted meanwhile, the call is retried on a fresh connection instead of reporting a lost one
(issue 19: the checkout check was one of four round trips of every cheap call)."""

import psycopg
import pytest

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.database import Database

pytestmark = pytest.mark.anyio


def backends(dsn: str) -> list[int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'dbarchitect' AND pid <> pg_backend_pid()")]


async def test_restart_between_two_calls_is_invisible():
    cluster = LocalCluster.temporary().start()
    db = Database("default", cluster.dsn(), load_settings({"DATABASE_URL": cluster.dsn()}, connect_timeout_s=2))
    try:
        assert (await db.run_query("SELECT 1")).rows == [[1]]
        cluster.restart()  # the pooled connection, returned a moment ago, is now dead
        assert (await db.run_query("SELECT 2")).rows == [[2]]
        assert (await db.run_query("SELECT 3")).rows == [[3]]
    finally:
        await db.close()
        cluster.stop()


async def test_backend_killed_while_pooled_is_invisible(pg):
    dsn = pg.create_db()
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        for i in range(3):
            assert (await db.run_query(f"SELECT {i}")).rows == [[i]]
        pids = backends(dsn)
        assert pids
        with psycopg.connect(dsn, autocommit=True) as admin:
            for pid in pids:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert (await db.run_query("SELECT 42")).rows == [[42]]
    finally:
        await db.close()


async def test_a_recently_used_connection_is_not_checked_again(pg):
    """The round trips of one cheap call: BEGIN (with the timeouts), the query, ROLLBACK — no checkout check."""
    dsn = pg.create_db()
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        await db.run_query("SELECT 1")
        pool = await db._get_pool()
        checked = []
        real = pool._check

        async def spy(conn):
            checked.append(conn)
            await real(conn)

        pool._check = spy
        await db.run_query("SELECT 2")
        assert len(checked) == 1  # the check ran, and returned without a round trip:
        sent = []
        conn = checked[0]
        original = conn.execute

        async def count(*args, **kwargs):
            sent.append(args[0])
            return await original(*args, **kwargs)

        conn.execute = count
        await db.run_query("SELECT 3")
        assert not any(str(q).strip() == "" for q in sent), sent  # check_connection sends an empty query
    finally:
        await db.close()
