"""Cancellation reaches PostgreSQL for the tools whose server work is not a statement the caller
wrote: design_schema (verify), recommend_indexes (validate), review_health, review_security and
top_queries. The database work is made to wait — another session holds a lock the tool's statement
needs — so the statement is seen waiting in pg_stat_activity; the MCP client then cancels the call
and the statement must be gone within 1 s, nothing left behind, and the next call must work.

The locks: `COMMENT ON DATABASE template0` (ShareUpdateExclusive on the template, which CREATE
DATABASE … TEMPLATE template0 must share-lock: the scratch database of design_schema), ACCESS
EXCLUSIVE on `comments` in the copy (the timed workload of recommend_indexes' validation), on
pg_catalog.pg_sequence (review_health's sequence check), pg_catalog.pg_policy (review_security's
RLS policies) and on the pg_stat_statements view (top_queries)."""

import pathlib

import psycopg
import yaml
import anyio
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.shadow import list_shadows
from dbarchitect.server import build_server
from tests.live.robust.test_cancel import poll

pytestmark = pytest.mark.anyio

SPEC = yaml.safe_load((pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "design" / "blog.yaml").read_text())
WORKLOAD = ["SELECT * FROM comments WHERE post_id = 17 ORDER BY created_at"]

# tool -> (arguments, where the lock is taken ("target", "copy", "admin"), the lock statement)
CASES = {
    "design_schema": ({"spec": SPEC, "verify": True}, "admin", "COMMENT ON DATABASE template0 IS 'held by a test'"),
    "recommend_indexes": ({"queries": WORKLOAD, "validate": True, "validate_connection": "copy"}, "copy",
                          "LOCK TABLE comments IN ACCESS EXCLUSIVE MODE"),
    "review_health": ({"checks": ["sequences"]}, "target", "LOCK TABLE pg_catalog.pg_sequence IN ACCESS EXCLUSIVE MODE"),
    "review_security": ({}, "target", "LOCK TABLE pg_catalog.pg_policy IN ACCESS EXCLUSIVE MODE"),
    "top_queries": ({}, "target", "LOCK TABLE pg_stat_statements IN ACCESS EXCLUSIVE MODE"),
}  # fmt: skip


def waiting(admin_dsn: str, holder: int) -> list[tuple[int, str, str]]:
    """Client sessions other than the lock holder (and this one) waiting on a lock."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        return conn.execute(
            "SELECT pid, datname, left(query, 120) FROM pg_stat_activity WHERE state = 'active'"
            " AND wait_event_type = 'Lock' AND pid NOT IN (pg_backend_pid(), %s)",
            (holder,),
        ).fetchall()


@pytest.mark.parametrize("tool", sorted(CASES))
async def test_cancelled_call_stops_its_server_work(pg, blog_template, tool):
    args, where, lock = CASES[tool]
    admin = pg.dsn()
    target, copy = pg.create_db(template=blog_template), pg.create_db(template=blog_template)
    before = set(await list_shadows(admin))
    settings = load_settings({"DATABASE_URL": target, "DBARCHITECT_DB_COPY": copy}, scratch_dsn=admin,
                             use_embedded_scratch=False)  # fmt: skip
    server = build_server(settings)
    holder = psycopg.connect({"target": target, "copy": copy, "admin": admin}[where])
    try:
        holder.execute(lock)  # held until rollback: the tool's statement waits for it
        hpid = holder.info.backend_pid
        async with Client(server) as client:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.call_tool, tool, args)
                await poll(lambda: waiting(admin, hpid), timeout=60)
                tg.cancel_scope.cancel()
            gone_after = await poll(lambda: not waiting(admin, hpid), timeout=10)
            assert gone_after < 1.0, f"{tool}: its statement waited on for {gone_after:.2f} s after the cancel"
            holder.rollback()
            # the server keeps answering, the same tool included
            res = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
            assert not res.is_error and res.structured_content["rows"] == [[1]]
            with anyio.fail_after(120):
                again = await client.call_tool(tool, args)
            assert not again.is_error, again.content[0].text[:500]
    finally:
        holder.close()
    left = set(await list_shadows(admin)) - before
    for _ in range(100):
        if not left:
            break
        await anyio.sleep(0.1)
        left = set(await list_shadows(admin)) - before
    assert not left, f"{tool} left scratch databases behind: {left}"
    # the validation copy keeps no index the cancelled run built
    idx = pg.admin("SELECT indexname FROM pg_indexes WHERE tablename = 'comments'",
                   dbname=psycopg.conninfo.conninfo_to_dict(copy)["dbname"])  # fmt: skip
    base = pg.admin("SELECT indexname FROM pg_indexes WHERE tablename = 'comments'", dbname=blog_template)
    assert sorted(idx) == sorted(base)
