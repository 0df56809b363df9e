"""Over `serve --http` (the single-POST fast path of server/http.py) the official client's cancel stops
the call's statement on PostgreSQL within ~1 s, progress still reaches the client during a call, and the
next call works (issue 19)."""

import time

import anyio
import httpx2 as httpx
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.mcp.test_http_stateless import TOKEN, server_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.anyio


def _running(dsn: str, mark: str) -> list:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s "
                            "AND pid <> pg_backend_pid()", (f"%{mark}%",)).fetchall()  # fmt: skip


@pytest.mark.parametrize("tool", ["run_query", "explain_query"])
async def test_official_client_cancel_over_http_stops_the_statement(server_url, blog_dsn, tool):  # noqa: F811
    mark = "pg_sleep(29.5)"
    args = {"sql": f"SELECT {mark}"} | ({"analyze": True} if tool == "explain_query" else {})
    seen: list[float] = []

    async def on_progress(done, total, message):
        seen.append(done)

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
        async with Client(streamable_http_client(server_url, http_client=http), mode="legacy") as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(lambda: client.call_tool(tool, args, progress_callback=on_progress))
                t0 = time.monotonic()
                while not _running(blog_dsn, mark):
                    assert time.monotonic() - t0 < 30, "the statement never started"
                    await anyio.sleep(0.05)
                await anyio.sleep(1.2)  # a heartbeat or two of progress
                tg.cancel_scope.cancel()
            t1 = time.monotonic()
            while _running(blog_dsn, mark):
                assert time.monotonic() - t1 < 1.5, f"{tool}: the statement ran on after the client's cancel"
                await anyio.sleep(0.05)
            if tool == "explain_query":
                assert seen, "no progress notification reached the client before the cancel"
            res = await client.call_tool("run_query", {"sql": "SELECT 2 AS two"})
            assert res.structured_content["rows"] == [[2]]
