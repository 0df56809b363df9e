"""Rewrite fixtures executed on PostgreSQL over adversarial data (NULLs, duplicates, empty tables)."""

from __future__ import annotations

import psycopg
import pytest
import sqlglot

from dbarchitect.core.rewrites import Rewrite, RewriteReport, rewrite_query
from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.verify import rewrite_and_verify, verify_report, verify_rewrite

from rewrite_fixtures import SCHEMA, load_pairs

pytestmark = [pytest.mark.live, pytest.mark.anyio]
EXECUTED = [p for p in load_pairs() if p.execute]
TABLES = "post_tags, posts, tags, bans, events, users"


@pytest.fixture(scope="module")
def dbs(pg):
    full = pg.create_db(SCHEMA.read_text())
    empty = pg.create_db(SCHEMA.read_text() + f"\nTRUNCATE {TABLES}; ANALYZE;")
    return {"full": full, "empty": empty}


async def connect(dsn):
    return await psycopg.AsyncConnection.connect(dsn, autocommit=True)


def normal(sql):
    return sqlglot.parse_one(sql, read="postgres").sql("postgres")


@pytest.mark.parametrize("pair", EXECUTED, ids=lambda p: p.id)
async def test_executed_pair_matches_on_adversarial_data(dbs, pair):
    async with await connect(dbs["full"]) as conn:
        snapshot = await take_snapshot(conn)
        (hit,) = [r for r in rewrite_query(pair.input, snapshot=snapshot).rewrites if r.name == pair.rewrite]
        assert hit.safety == pair.safety, "the live catalog proves what the fixture claims"
        assert normal(hit.sql) == normal(pair.expected)
        full = await verify_rewrite(conn, pair.input, pair.expected)
    async with await connect(dbs["empty"]) as conn:
        empty = await verify_rewrite(conn, pair.input, pair.expected)
    if pair.safety in ("proven", "unverified"):
        assert full.status == "same", (full.detail, full.only_in_original, full.only_in_rewritten)
        assert empty.status == "same", empty.detail
        assert full.rows_original > 0, "the adversarial data exercises the query"
        assert full.cost_original is not None and full.cost_rewritten is not None
    else:
        assert full.status in ("same", "different") and empty.status in ("same", "different")


async def test_nullable_not_in_differs_and_shows_the_rows(dbs):
    pair = next(p for p in EXECUTED if p.rewrite == "not-in-to-not-exists" and p.safety == "advisory")
    async with await connect(dbs["full"]) as conn:
        v = await verify_rewrite(conn, pair.input, pair.expected)
    assert v.status == "different" and v.rows_original == 0 and v.rows_rewritten > 0
    assert v.only_in_rewritten and not v.only_in_original


async def test_verify_report_upgrades_and_refutes(dbs):
    sql = "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u"
    async with await connect(dbs["full"]) as conn:
        snapshot = await take_snapshot(conn)
        report = await rewrite_and_verify(conn, sql, snapshot=snapshot)
        (r,) = report.rewrites
        assert r.safety == "verified" and r.verification.status == "same"
        assert report.applied == ["correlated-subquery-to-join"] and "LEFT JOIN" in report.sql
        assert report.verification.status == "same"

        wrong = Rewrite(name="correlated-subquery-to-join", code="QR003", title="an inner join (wrong)",
                        safety="unverified", condition="-", before="x", after="y",
                        sql="SELECT u.id, count(*) AS n FROM users u JOIN posts p ON p.user_id = u.id GROUP BY u.id")
        refuted = await verify_report(conn, RewriteReport(original=sql, catalog=True, rewrites=[wrong], sql=sql), snapshot)
    assert wrong.safety == "refuted" and wrong.verification.status == "different"
    assert wrong.verification.only_in_original, "the users without posts are shown"
    assert refuted.sql == sql or "LEFT JOIN" in refuted.sql


async def test_order_is_compared_on_order_by_keys(dbs):
    async with await connect(dbs["full"]) as conn:
        same = await verify_rewrite(conn, "SELECT user_id, id FROM posts ORDER BY user_id",
                                    "SELECT user_id, id FROM posts ORDER BY user_id, id DESC")
        different = await verify_rewrite(conn, "SELECT id FROM posts ORDER BY id",
                                         "SELECT id FROM posts ORDER BY id DESC")
    assert same.status == "same" and same.ordered
    assert different.status == "different" and "ORDER BY" in different.detail


async def test_only_read_only_statements_run_and_time_out(dbs):
    async with await connect(dbs["full"]) as conn:
        refused = await verify_rewrite(conn, "DELETE FROM users", "SELECT 1")
        slow = await verify_rewrite(conn, "SELECT pg_sleep(2)", "SELECT 1", timeout_ms=100)
        params = await verify_rewrite(conn, "SELECT id FROM posts WHERE id > $1", "SELECT 1")
        count = (await (await conn.execute("SELECT count(*) FROM users")).fetchone())[0]
    assert refused.status == "skipped" and count == 60
    assert slow.status == "error" and "timeout" in slow.detail.lower()
    assert params.status == "skipped" and "parameters" in params.detail
