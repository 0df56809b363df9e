"""The demo scenario on the shipped sample schema: a slow query explained, its index proved with
HypoPG; a cascading delete slowed by an unindexed foreign key, rolled back."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.plan import PlanReport, render_report
from dbarchitect.live.postgres.embedded import sample_sql
from dbarchitect.live.postgres.explain import explain_query

pytestmark = [pytest.mark.anyio, pytest.mark.live]


@pytest.fixture(scope="module")
def blog(pg):
    return pg.create_db(sample_sql("blog"))


async def test_demo_slow_query_and_cascading_delete(blog):
    async with await psycopg.AsyncConnection.connect(blog, autocommit=True) as conn:
        sql = ("SELECT c.body, u.username FROM comments c JOIN users u ON u.id = c.user_id "
               "WHERE c.post_id = $1 ORDER BY c.created_at")
        report = await explain_query(conn, sql, analyze=True)
        top = report.insights[0]
        assert top.code == "PL008" and top.index.sql == "CREATE INDEX CONCURRENTLY ON public.comments (post_id);"
        hypo = next(e for e in top.evidence if e.kind == "hypopg")
        assert hypo.data["used"] and hypo.data["cost_after"] < hypo.data["cost_before"] / 5
        assert report.params and "PL008" in render_report(report)
        # the report is what the MCP tool returns: it must survive a JSON round trip
        assert PlanReport.model_validate_json(report.model_dump_json()) == report

        before = (await (await conn.execute("SELECT count(*) FROM comments")).fetchone())[0]
        delete = await explain_query(conn, "DELETE FROM posts WHERE id <= 100", analyze=True, allow_writes=True)
        fk = next(f for f in delete.insights if f.code == "PL020")
        assert fk.object == "public.comments" and fk.index is not None
        assert {e.kind for e in fk.evidence} >= {"static", "catalog", "hypopg"}
        after = (await (await conn.execute("SELECT count(*) FROM comments")).fetchone())[0]
        assert after == before
