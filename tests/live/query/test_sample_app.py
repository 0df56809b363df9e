"""review_query and rewrite_query on the sample application's schema (dbarchitect/samples/blog.sql)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

import dbarchitect
from dbarchitect.core.query_review import review_query
from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.verify import rewrite_and_verify

pytestmark = [pytest.mark.live, pytest.mark.anyio]
BLOG = Path(dbarchitect.__file__).parent / "samples" / "blog.sql"


async def test_sample_queries_reviewed_and_rewritten(pg):
    dsn = pg.create_db(BLOG.read_text())
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        snapshot = await take_snapshot(conn)
        review = review_query(
            "SELECT * FROM comments WHERE date(created_at) = '2024-03-02';\n"
            "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS posts FROM users u;\n"
            "SELECT p.id, (SELECT count(*) FROM comments c WHERE c.post_id = p.id) AS n FROM posts p;\n"
            "SELECT * FROM audit_log WHERE actor = NULL;", snapshot=snapshot)
        codes = {(f.statement, f.code) for f in review.findings}
        assert {(1, "QR013"), (3, "QR003"), (4, "QR021"), (4, "QR020")} <= codes
        assert (2, "QR003") not in codes, "2 000 users: a correlated count per user is not worth a finding"

        report = await rewrite_and_verify(
            conn, "SELECT u.id, u.username, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS posts "
                  "FROM users u WHERE u.id NOT IN (SELECT c.user_id FROM comments c WHERE c.id < 5000) "
                  "ORDER BY u.id", snapshot=snapshot)
        by_name = {r.name: r for r in report.rewrites}
        assert by_name["correlated-subquery-to-join"].safety == "verified"
        assert by_name["not-in-to-not-exists"].safety == "advisory"  # comments.user_id is nullable
        assert report.applied == ["correlated-subquery-to-join"] and report.verification.status == "same"
        assert report.verification.cost_rewritten < report.verification.cost_original
