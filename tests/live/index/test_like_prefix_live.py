"""A prefix LIKE on lower(username) under a non-C collation, on a real PostgreSQL: the advisor proposes
`(lower(username)) text_pattern_ops` (serving both the prefix and `lower(username) = $1`), not a default
btree that the planner would walk in ORDER BY order; and the walk through such a default btree, filtering
the prefix row by row, is priced past every key before the prefix."""

from __future__ import annotations

import json

import psycopg
import pytest

from dbarchitect.core.indexing.limit import executor_cost
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.live.postgres.hypopg import hypothetical_count, limit_input
from dbarchitect.live.postgres.index_advisor import column_stats, recommend_indexes
from dbarchitect.live.postgres.introspect import take_snapshot

pytestmark = [pytest.mark.anyio, pytest.mark.live]

AUTOCOMPLETE = ("SELECT id, username, display_name FROM users WHERE lower(username) LIKE '{p}%' AND deleted_at IS NULL "
                "ORDER BY lower(username) LIMIT 10")  # fmt: skip
PROFILE = "SELECT id, display_name FROM users WHERE lower(username) = lower($1) AND deleted_at IS NULL LIMIT 1"


async def _setup(db_dsn) -> psycopg.AsyncConnection:
    conn = await psycopg.AsyncConnection.connect(db_dsn, autocommit=True)
    # a collation under which a default-opclass btree cannot serve LIKE as a range (any but C / POSIX)
    cur = await conn.execute("SELECT collname FROM pg_collation WHERE collname IN ('en_US.utf8', 'C.utf8', 'en_US.UTF-8', "
                             "'C.UTF-8', 'und-x-icu') ORDER BY collname = 'C.utf8' DESC, collname LIMIT 1")  # fmt: skip
    row = await cur.fetchone()
    if row is None:
        pytest.skip("no non-C collation on this cluster")
    coll = row[0].replace('"', '""')
    await conn.execute(f"""CREATE TABLE users (id bigint PRIMARY KEY, username text COLLATE "{coll}" NOT NULL,
                           display_name text NOT NULL, deleted_at timestamptz)""")
    await conn.execute("""INSERT INTO users
        SELECT g, initcap(chr(97 + g % 26) || chr(97 + (g / 26) % 26)) || '_' || md5(g::text),
               'User ' || g, CASE WHEN g % 20 = 0 THEN now() END
          FROM generate_series(1, 200000) g""")
    await conn.execute("ANALYZE users")
    await conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
    return conn


async def test_a_prefix_on_lower_username_gets_a_pattern_ops_index(db_dsn):
    conn = await _setup(db_dsn)
    try:
        advice = await recommend_indexes(conn, [AUTOCOMPLETE.format(p="wq"), PROFILE], weights=[60, 40])
        assert await hypothetical_count(conn) == 0
    finally:
        await conn.close()
    ddls = [r.ddl for r in advice.recommendations]
    ops = [r for r in advice.recommendations if "text_pattern_ops" in r.ddl and "lower(username)" in r.ddl.lower()]
    assert ops and {h.query for h in ops[0].helps} == {"q1", "q2"}, ddls  # the prefix range and the `=` lookup
    # no default-opclass btree on lower(username): the planner would walk it in ORDER BY order
    assert not any("lower(username))" in d.lower() and "pattern_ops" not in d and "gin" not in d.lower() for d in ddls), ddls


async def _explain(conn, sql) -> dict:
    raw = (await (await conn.execute(f"EXPLAIN (FORMAT JSON) {sql}")).fetchone())[0]
    return (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]


async def test_an_ordered_walk_filtering_the_prefix_is_priced_past_the_keys_before_it(db_dsn):
    conn = await _setup(db_dsn)
    try:
        # a common prefix late in the order: 30 % of the names start with 'wq', after ~60 % of the others
        await conn.execute("UPDATE users SET username = 'Wq' || substr(username, 3) WHERE id % 10 < 3")
        await conn.execute("VACUUM ANALYZE users")
        await conn.execute("CREATE INDEX users_lower ON users (lower(username))")
        await conn.execute("ANALYZE users")
        snap = await take_snapshot(conn)
        stats = await column_stats(conn, ["public.users"])
        late = AUTOCOMPLETE.format(p="wq")
        plan = await _explain(conn, late)
        shape = analyze(late, snap)
        cost, why = executor_cost(float(plan["Total Cost"]), limit_input(plan), shape, snap, stats)
        walked = limit_input(plan) is not None and any(s.in_order and s.node == "Index Scan" for s in limit_input(plan).scans)
        assert walked, plan  # the planner's own choice: walk the default btree in order, filtering the LIKE
        assert why and "before the matching ones" in why and cost > 5 * float(plan["Total Cost"]), why
        # through a pattern_ops index the prefix is an index condition: the planner's figure stands
        await conn.execute("DROP INDEX users_lower")
        await conn.execute("CREATE INDEX users_lower_ops ON users ((lower(username)) text_pattern_ops)")
        await conn.execute("ANALYZE users")
        plan = await _explain(conn, late)
        assert executor_cost(float(plan["Total Cost"]), limit_input(plan), shape, snap, stats)[1] is None
        # measured: the ordered walk reads every key before 'wq' (~60 % of the table) before its first match
        await conn.execute("DROP INDEX users_lower_ops")
        await conn.execute("CREATE INDEX users_lower ON users (lower(username))")
        await conn.execute("SET enable_sort = off")  # the ordered walk, whatever the planner prefers
        got = await _explain_analyze(conn, late)
        assert got["rows_removed"] > 80_000, got
    finally:
        await conn.close()


async def _explain_analyze(conn, sql) -> dict:
    raw = (await (await conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).fetchone())[0]
    plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
    removed = 0

    def walk(n):
        nonlocal removed
        removed += int(n.get("Rows Removed by Filter", 0))
        for k in n.get("Plans", ()):
            walk(k)

    walk(plan)
    return {"rows_removed": removed}
