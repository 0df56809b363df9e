"""A cancelled call on MariaDB/MySQL stops its statement on the server: the MCP client cancels a
run_query / explain_query(analyze) whose SELECT waits for a table another session holds with LOCK
TABLES … WRITE (SLEEP() is refused by the read-only gate); the adapter KILLs the QUERY from another
connection, the processlist shows it gone within 1 s — while the lock is still held — and the next
call works."""

import time

import anyio
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from tests.live.robust.test_cancel import poll

pytestmark = pytest.mark.anyio

MARK = "cancel_mark"
CASES = {
    "run_query": {"sql": f"SELECT count(*) FROM {MARK}"},
    "explain_query": {"sql": f"SELECT count(*) FROM {MARK}", "analyze": True},
}


def waiting(mysql) -> list:
    """Statements on the marked table (the holder's LOCK TABLES aside) that have not ended."""
    return [r for r in mysql.admin("SHOW FULL PROCESSLIST")
            if r[7] and MARK in str(r[7]) and "LOCK TABLES" not in str(r[7]).upper()]  # fmt: skip


@pytest.mark.parametrize("tool", sorted(CASES))
async def test_cancelled_call_kills_the_query_on_the_server(mysql, tool):
    url = mysql.create_db(f"CREATE TABLE {MARK} (id INT PRIMARY KEY);\nINSERT INTO {MARK} VALUES (1);")
    database = url.rsplit("/", 1)[1].split("?")[0]
    holder = mysql.connect(database)
    try:
        holder.cursor().execute(f"LOCK TABLES {MARK} WRITE")
        # the statement would wait 30 s for the lock: only the cancel can end it sooner
        server = build_server(load_settings({"DATABASE_URL": url}, lock_timeout_ms=30_000, statement_timeout_ms=60_000))
        async with Client(server) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, tool, CASES[tool])
                await poll(lambda: waiting(mysql), timeout=30)
                cancelled_at = time.perf_counter()
                tg.cancel_scope.cancel()
            returned_after = time.perf_counter() - cancelled_at
            assert returned_after < 2.0, f"the cancelled call waited {returned_after:.2f} s for its statement to end"
            gone_after = await poll(lambda: not waiting(mysql), timeout=40) + time.perf_counter() - cancelled_at
            assert gone_after < 1.0, f"{tool}: the statement waited on for {gone_after:.2f} s after the cancel"
            holder.cursor().execute("UNLOCK TABLES")
            res = await client.call_tool("run_query", {"sql": f"SELECT count(*) AS n FROM {MARK}"})
            assert not res.is_error and res.structured_content["rows"] == [[1]], res.content[0].text[:300]
    finally:
        holder.close()  # also releases the lock when an assertion failed
