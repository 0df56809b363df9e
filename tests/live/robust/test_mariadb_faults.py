"""Faults on MariaDB, as on PostgreSQL (issue 19): a statement whose connection is KILLed from an
admin connection mid-call, a statement cut by the time limit, and a call cancelled by the MCP client —
each is a clear error (or a cancelled call), nothing keeps running on the server (SHOW PROCESSLIST),
and the next call works."""

import time

import anyio
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from tests.live.robust.test_cancel import poll

pytestmark = pytest.mark.anyio

MARK = "seq_1_to_100000 b"
SLOW = f"SELECT count(*) FROM seq_1_to_100000 a, {MARK} WHERE a.seq + b.seq > 0"  # hours; SLEEP() is refused


def sleeping(mysql) -> list[tuple]:
    rows = mysql.admin("SELECT id, info FROM information_schema.processlist WHERE command <> 'Sleep' AND id <> CONNECTION_ID()")
    return [r for r in rows or [] if r[1] and MARK in r[1] and "processlist" not in r[1]]


@pytest.fixture
def url(mysql):
    return mysql.create_db("CREATE TABLE users (id int PRIMARY KEY, email varchar(100));")


async def test_killed_connection_is_a_clear_error_and_the_next_call_works(mysql, url):
    server = build_server(load_settings({"DATABASE_URL": url}, use_embedded_scratch=False))
    async with Client(server) as client:
        async with anyio.create_task_group() as tg:
            box = {}

            async def call():
                box["res"] = await client.call_tool("run_query", {"sql": SLOW})

            tg.start_soon(call)
            await poll(lambda: sleeping(mysql), timeout=30)
            for pid, _ in sleeping(mysql):
                mysql.admin(f"KILL {pid}")
        res = box["res"]
        text = res.content[0].text
        assert res.is_error, text
        assert "Traceback" not in text and len(text) < 1_000 and ("lost" in text.lower() or "kill" in text.lower()
                                                                   or "interrupt" in text.lower() or "closed" in text.lower()), text
        ok = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
        assert not ok.is_error and ok.structured_content["rows"] == [[1]], ok.content[0].text


async def test_time_limit_is_a_clear_error(mysql, url):
    settings = load_settings({"DATABASE_URL": url}, statement_timeout_ms=1000, use_embedded_scratch=False)
    server = build_server(settings)
    async with Client(server) as client:
        t0 = time.perf_counter()
        res = await client.call_tool("run_query", {"sql": SLOW})
        took = time.perf_counter() - t0
        text = res.content[0].text
        assert took < 10, took
        assert res.is_error and ("time" in text.lower()), text
        assert not sleeping(mysql)
        ok = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
        assert not ok.is_error


async def test_cancelled_call_stops_the_statement(mysql, url):
    server = build_server(load_settings({"DATABASE_URL": url}, use_embedded_scratch=False))
    async with Client(server) as client:
        for tool, args in [("run_query", {"sql": SLOW}), ("explain_query", {"sql": SLOW, "analyze": True})]:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, tool, args)
                await poll(lambda: sleeping(mysql), timeout=30)
                tg.cancel_scope.cancel()
            gone_after = await poll(lambda: not sleeping(mysql), timeout=35)
            assert gone_after < 1.0, f"{tool}: the statement ran on for {gone_after:.2f} s after the cancel"
            ok = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
            assert not ok.is_error and ok.structured_content["rows"] == [[1]]
