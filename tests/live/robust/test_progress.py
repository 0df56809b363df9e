"""Progress with a stable total from the tools that can run long — rewrite_query(verify=true) and
draft_migration — and rewrite_query runs the original query once, not once per candidate rewrite."""

import psycopg
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

ORIGINAL = ("SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u "
            "WHERE u.id NOT IN (SELECT user_id FROM comments) AND (u.id = 1 OR u.id = 2)")


def _runs_of(dsn: str, fragment: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE %s "
                           "AND query NOT LIKE 'EXPLAIN%%' AND query NOT LIKE '%%pg_stat_statements%%'",
                           (fragment,)).fetchone()  # fmt: skip
        return int(row[0])


def _stable(progress: list) -> None:
    assert progress, "no progress notification"
    totals = {total for _, total, _ in progress}
    assert len(totals) == 1 and None not in totals, totals
    dones = [done for done, _, _ in progress]
    assert dones == sorted(dones) and dones[-1] == progress[-1][1]


async def test_rewrite_query_verifies_with_one_run_of_the_original_and_reports_progress(blog_dsn):
    with psycopg.connect(blog_dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}, use_embedded_scratch=False))
    progress = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    async with Client(server) as client:
        res = await client.call_tool("rewrite_query", {"sql": ORIGINAL, "verify": True}, progress_callback=on_progress)
    assert not res.is_error, res.content[0].text
    rewrites = res.structured_content["rewrites"]
    assert len(rewrites) >= 3 and all(r["verification"] for r in rewrites)
    # the original (with its NOT IN and both ORs, exactly as sent) ran once, for all the candidates
    assert _runs_of(blog_dsn, "%NOT IN (SELECT user_id FROM comments) AND (u.id = $1 OR u.id = $2)%") == 1
    _stable(progress)


async def test_draft_migration_reports_progress(pg, blog_dsn):
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))
    progress = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    target = "CREATE TABLE labels (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);"
    async with Client(server) as client:
        res = await client.call_tool("draft_migration", {"target_ddl": target}, progress_callback=on_progress)
    assert not res.is_error, res.content[0].text
    _stable(progress)
    assert len(progress) >= 5
