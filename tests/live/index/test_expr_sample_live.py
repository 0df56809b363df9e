"""Expression statistics sampled on a real server (issue 16, heur2): the figures match the data, the
sizes they give match the index PostgreSQL builds, the sample is read-only and bounded, a failing
expression is a note (not an error), and the heuristic answer says what was sampled."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.indexing.candidates import generate
from dbarchitect.core.indexing.expr_stats import expr_key
from dbarchitect.core.indexing.models import Candidate
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.live.postgres.index_advisor import column_stats, recommend_indexes, sample_expressions
from dbarchitect.live.postgres.introspect import take_snapshot

pytestmark = [pytest.mark.anyio, pytest.mark.live]

SETUP = """
CREATE TABLE events (id bigint PRIMARY KEY, tenant_id int NOT NULL, created_at timestamp NOT NULL, payload jsonb NOT NULL);
INSERT INTO events
SELECT g, CASE WHEN g % 10 < 3 THEN 1 ELSE 2 + g % 997 END,
       timestamp '2025-01-01' + (g / 1000) * interval '1 day' + (g % 1000) * interval '1 minute',
       CASE WHEN g % 5 = 0 THEN jsonb_build_object('source', 'web')
            ELSE jsonb_build_object('request_id', md5(g::text), 'source', CASE WHEN g % 100 = 1 THEN 'admin' ELSE 'api' END) END
  FROM generate_series(1, 200000) g;
ANALYZE events;
"""
BY_REQUEST = "SELECT id FROM events WHERE (payload->>'request_id') = 'x'"
BY_DAY = "SELECT count(*) FROM events WHERE tenant_id = 5 AND date(created_at) = '2025-02-01'"


async def _setup(db_dsn):
    conn = await psycopg.AsyncConnection.connect(db_dsn, autocommit=True)
    for stmt in SETUP.strip().split(";\n"):
        if stmt.strip():
            await conn.execute(stmt)
    await conn.execute("DROP EXTENSION IF EXISTS hypopg")
    return conn


async def test_sampled_expressions_match_the_data_and_size_the_built_index(db_dsn):
    conn = await _setup(db_dsn)
    try:
        snap = await take_snapshot(conn)
        shapes = {"q1": analyze(BY_REQUEST, snap), "q2": analyze(BY_DAY, snap)}
        stats = await column_stats(conn, ["public.events"])
        cset = generate(shapes, snap, stats, set())
        got, notes = await sample_expressions(conn, cset, shapes, snap, 30_000)
        rq = got[expr_key("public.events", "(payload ->> 'request_id')")]
        assert abs(rq.null_frac - 0.2) < 0.03 and rq.distinct(200_000) > 0.7 * 160_000 and rq.type_name == "text"
        day = got[expr_key("public.events", "date(created_at)")]
        assert 190 <= day.distinct(200_000) <= 202 and day.type_name == "date"  # 1,000 rows a day, 201 days
        assert any("Sampled public.events" in n and "BERNOULLI" in n for n in notes)
        # the sizes they give, against the index PostgreSQL builds
        stats = {**stats, **got}
        for key, cols, ddl in [
            (("((payload ->> 'request_id'))",), (None,), "CREATE INDEX x ON events ((payload->>'request_id'))"),
            (("tenant_id", "(date(created_at))"), ("tenant_id", None), "CREATE INDEX x ON events (tenant_id, date(created_at))"),
        ]:  # fmt: skip
            est = btree_size(Candidate(table="public.events", keys=key, columns=cols), snap, stats)
            await conn.execute(ddl)
            built = (await (await conn.execute("SELECT pg_relation_size('x')")).fetchone())[0]
            await conn.execute("DROP INDEX x")
            assert est is not None and abs(est / built - 1) < 0.25, (key, est, built)
        # read-only: nothing left behind (no index, no statistics object, no temp table), the connection works
        cur = await conn.execute("SELECT count(*) FROM pg_class WHERE relname NOT LIKE 'pg_%' AND relnamespace = "
                                 "'public'::regnamespace")  # fmt: skip
        assert (await cur.fetchone())[0] == 2  # the table and its primary key
        assert (await (await conn.execute("SELECT 1")).fetchone())[0] == 1
    finally:
        await conn.close()


async def test_a_failing_expression_is_a_note_and_the_answer_says_what_was_sampled(db_dsn):
    conn = await _setup(db_dsn)
    try:
        # ((payload->>'source')::int) fails on every row ('web' is no integer): that expression is
        # estimated without statistics, the table's other expressions are still sampled
        bad = "SELECT id FROM events WHERE ((payload->>'source')::int) = 3"
        advice = await recommend_indexes(conn, [BY_REQUEST, bad, BY_DAY])
        assert advice.mode == "heuristic"
        text = " ".join(advice.notes)
        assert "expression sample failed" in text and "invalid input syntax" in text
        assert "payload->>'request_id'" in text and "Sampled public.events" in text
        assert (await (await conn.execute("SELECT 1")).fetchone())[0] == 1  # the next call works
        # the near-unique request id: one match, a small index — picked
        assert any("request_id" in r.ddl for r in advice.recommendations)
    finally:
        await conn.close()
