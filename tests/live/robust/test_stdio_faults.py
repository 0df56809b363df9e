"""Faults of the database over stdio with the official client (issue 19), for every PostgreSQL tool that
runs a statement the caller controls: the statement timeout, the connection killed mid-call
(pg_terminate_backend) and a client cancel (notifications/cancelled) at several points of the call.
Each is a clear error or no answer at all (the cancel), nothing keeps running on the server, no
shadow database is left, and the next call works."""

import os
import sys
import time

import anyio
import psycopg
import pytest
from mcp import Client, StdioServerParameters

from dbarchitect.live.postgres.shadow import list_shadows

from tests.serving import sleeping_calls

pytestmark = pytest.mark.anyio

MARK = "pg_sleep(20)"
CASES = sleeping_calls(MARK, "t_fault")


def _params(dsn: str, admin: str, *extra: str) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBARCHITECT_", "PG"))}
    env["DATABASE_URL"] = dsn
    return StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve", "--scratch-dsn", admin, *extra],
                                 env=env)  # fmt: skip


def _sleeping(admin: str) -> list[int]:
    with psycopg.connect(admin, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s "
                                           "AND pid <> pg_backend_pid()", (f"%{MARK}%",)).fetchall()]  # fmt: skip


async def _until(predicate, timeout: float) -> float:
    t0 = time.monotonic()
    while not predicate():
        assert time.monotonic() - t0 < timeout, "timed out"
        await anyio.sleep(0.03)
    return time.monotonic() - t0


async def _no_shadows_left(admin: str, before: set[str], tool: str) -> None:
    for _ in range(100):  # the shielded cleanup may finish just after the answer
        left = set(await list_shadows(admin)) - before
        if not left:
            return
        await anyio.sleep(0.1)
    raise AssertionError(f"{tool} left scratch databases behind: {left}")


async def _next_call_works(client) -> None:
    res = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
    assert not res.is_error and res.structured_content["rows"] == [[1]], res.content[0].text[:300]


@pytest.mark.parametrize("tool", sorted(CASES))
async def test_statement_timeout_is_a_clear_answer(pg, blog_dsn, tool):
    admin = pg.dsn()
    before = set(await list_shadows(admin))
    async with Client(_params(blog_dsn, admin, "--statement-timeout", "1"), read_timeout_seconds=120) as client:
        t0 = time.monotonic()
        res = await client.call_tool(tool, CASES[tool])
        took = time.monotonic() - t0
        text = res.content[0].text
        said = "statement_timeout" in text or "statement timeout" in text
        # the dry run reports the statement that hit the shadow's limit (its finding); the others are errors
        assert said and (res.is_error or tool == "dry_run_migration"), text[:400]
        assert took < 10 and "\x1b" not in text and len(text) < 2_500, (took, text[:400])
        assert not _sleeping(admin)
        await _next_call_works(client)
    await _no_shadows_left(admin, before, tool)


@pytest.mark.parametrize("tool", sorted(CASES))
async def test_killed_connection_is_a_clear_error(pg, blog_dsn, tool):
    admin = pg.dsn()
    before = set(await list_shadows(admin))
    async with Client(_params(blog_dsn, admin), read_timeout_seconds=120) as client:
        async with anyio.create_task_group() as tg:
            answer = {}

            async def call() -> None:
                answer["res"] = await client.call_tool(tool, CASES[tool])

            tg.start_soon(call)
            await _until(lambda: _sleeping(admin), 30)
            with psycopg.connect(admin, autocommit=True) as conn:
                for pid in _sleeping(admin):
                    conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        res = answer["res"]
        text = res.content[0].text
        assert res.is_error, f"{tool}: a killed connection gave an answer: {text[:400]}"
        assert "\x1b" not in text and len(text) < 2_500 and "Traceback" not in text, text[:400]
        await _next_call_works(client)
    await _no_shadows_left(admin, before, tool)


@pytest.mark.parametrize("tool", ["run_query", "dry_run_migration", "draft_migration"])
async def test_cancel_at_several_points_leaves_nothing(pg, blog_dsn, tool):
    admin = pg.dsn()
    before = set(await list_shadows(admin))
    async with Client(_params(blog_dsn, admin), read_timeout_seconds=120) as client:
        for delay in (0.0, 0.05, 0.2, 0.5, 1.0, None):  # None: once the statement runs
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(client.call_tool, tool, CASES[tool])
                    if delay is None:
                        await _until(lambda: _sleeping(admin), 30)
                    else:
                        await anyio.sleep(delay)
                    scope.cancel()
            gone = await _until(lambda: not _sleeping(admin), 10)
            assert gone < 1.0, f"{tool} cancelled at {delay}: its statement ran on {gone:.2f} s"
            await _next_call_works(client)
        await anyio.sleep(1.0)
        assert not _sleeping(admin), f"{tool}: a statement started after its call was cancelled"
    await _no_shadows_left(admin, before, tool)
