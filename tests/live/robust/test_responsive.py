"""A responsive server: CPU-bound work (parsing, rules, rendering) runs in worker threads, so a cheap
call answers while a heavy one — review_query of a very long statement — is still running.
The bound here is generous (a shared, loaded test machine); bench/responsive measures the real number."""

import time

import anyio
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio


def long_statement(n: int) -> str:
    return "SELECT id, email FROM users WHERE id IN (" + ", ".join(str(1_000_000 + i) for i in range(n)) + ") ORDER BY id"


async def test_cheap_call_answers_while_a_heavy_review_runs(blog_dsn):
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}, use_embedded_scratch=False))
    heavy_sql = long_statement(80_000)  # ≈ 700 kB: seconds of parsing
    async with Client(server) as client:
        await client.call_tool("run_query", {"sql": "SELECT 1"})  # the pool and the snapshot are warm
        await client.call_tool("review_query", {"sql": "SELECT 1"})
        done = {}

        async def heavy():
            res = await client.call_tool("review_query", {"sql": heavy_sql})
            assert not res.is_error
            done["heavy"] = time.perf_counter()

        async with anyio.create_task_group() as tg:
            tg.start_soon(heavy)
            await anyio.sleep(0.5)  # the heavy call is parsing now
            t0 = time.perf_counter()
            res = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
            cheap = time.perf_counter()
            assert not res.is_error and res.structured_content["rows"] == [[1]]
            assert "heavy" not in done, "the heavy call finished first: the test proves nothing"
        assert cheap - t0 < 2.0, f"a cheap call took {cheap - t0:.2f} s while a heavy one ran"
        assert done["heavy"] > cheap
