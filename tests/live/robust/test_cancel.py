"""Cancellation reaches PostgreSQL: a tool call cancelled by the MCP client (over the in-process
client, which sends `notifications/cancelled`) leaves no statement running on the server — the
backend's statement is gone within 1 s of the cancel — and no scratch database behind.

Each case makes the tool run a statement that sleeps 30 s (in the target database, in a shadow, in a
scratch database), waits until pg_stat_activity shows it, cancels the call and polls again."""

import time

import anyio
import psycopg
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.shadow import list_shadows
from dbarchitect.server import build_server

from tests.serving import sleeping_calls

pytestmark = pytest.mark.anyio

MARK = "pg_sleep(30)"
CASES = sleeping_calls(MARK, "t_cancel")


def sleeping(admin_dsn: str) -> list[tuple[int, str]]:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT pid, datname FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
            " AND query LIKE %s",
            (f"%{MARK}%",),
        ).fetchall()


async def poll(predicate, timeout: float, interval: float = 0.02) -> float:
    """Seconds until predicate() is true; fails after `timeout`."""
    t0 = time.perf_counter()
    while not predicate():
        assert time.perf_counter() - t0 < timeout, "timed out"
        await anyio.sleep(interval)
    return time.perf_counter() - t0


@pytest.mark.parametrize("tool", sorted(CASES))
async def test_cancelled_call_stops_the_statement_on_the_server(pg, blog_dsn, tool):
    admin = pg.dsn()
    before = set(await list_shadows(admin))
    settings = load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=admin, use_embedded_scratch=False)
    server = build_server(settings)
    async with Client(server) as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.call_tool, tool, CASES[tool])
            await poll(lambda: sleeping(admin), timeout=30)
            tg.cancel_scope.cancel()
        gone_after = await poll(lambda: not sleeping(admin), timeout=10)
        assert gone_after < 1.0, f"{tool}: the statement ran on for {gone_after:.2f} s after the cancel"
        # the server keeps answering, and its pool hands out a usable connection
        res = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
        assert not res.is_error and res.structured_content["rows"] == [[1]]
    left = set(await list_shadows(admin)) - before
    for _ in range(100):  # the shielded cleanup finishes after the client saw its cancel
        if not left:
            break
        await anyio.sleep(0.1)
        left = set(await list_shadows(admin)) - before
    assert not left, f"{tool} left scratch databases behind: {left}"
