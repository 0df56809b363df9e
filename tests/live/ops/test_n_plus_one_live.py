"""N+1 from pg_stat_statements (top_queries' n_plus_one section) after running a real N+1 loop; the
proposed query returns the same data."""

from __future__ import annotations

import json

import psycopg
import pytest

from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.top_queries import read_top_queries

from rewrite_fixtures import SCHEMA

pytestmark = [pytest.mark.live, pytest.mark.anyio]


async def test_real_loop_is_found_and_the_json_agg_replacement_returns_the_same_posts(pg):
    dsn = pg.create_db(SCHEMA.read_text())
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute("SELECT pg_stat_statements_reset()")
        loop_rows = {}
        for _ in range(3):  # the page is rendered three times
            users = await (await conn.execute("SELECT id, username FROM users WHERE score > %s", (3,))).fetchall()
            for user_id, _name in users:
                posts = await (await conn.execute("SELECT * FROM posts WHERE user_id = %s", (user_id,))).fetchall()
                loop_rows[user_id] = len(posts)
        for tag in range(1, 30):  # frequent lookups with no parent query: not an N+1
            await conn.execute("SELECT name FROM tags WHERE id = %s", (tag % 12 + 1,))
        snapshot = await take_snapshot(conn)
        report = await read_top_queries(conn, "n_plus_one", 10, snapshot)

        (p,) = report.n_plus_one
        assert (p.kind, p.table, p.column) == ("has_many", "posts", "user_id")
        assert p.calls == 3 * len(loop_rows) and p.parent_calls == 3 and p.ratio == len(loop_rows)
        assert {e.kind for e in p.evidence} == {"execution", "catalog"}
        assert {q.query for q in report.queries} == {p.lookup, p.parent}

        sql = p.json_agg.replace("$1", "3")
        shaped = await (await conn.execute(sql)).fetchall()
        assert {row[0]: len(row[-1] if isinstance(row[-1], list) else json.loads(row[-1])) for row in shaped} == loop_rows
        batched = await (await conn.execute(p.batched.replace("$1", "%s"), (list(loop_rows),))).fetchall()
        assert len(batched) == sum(loop_rows.values())
