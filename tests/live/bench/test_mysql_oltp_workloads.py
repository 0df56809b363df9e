"""bench/mysql's ports of the shop and tracker workloads on the spawned MariaDB, at a small scale:
the generator loads (deterministic, skewed as the PostgreSQL generator), every statement the
parameter draw renders runs (writes rolled back), every expert index builds and some statement's
plan uses it, and the load's helper tables are gone."""

from __future__ import annotations

import importlib

import pytest

from bench.mysql import index_advisor as runner
from bench.mysql.common import statements
from dbarchitect.core.plan.mysql import loads_explain_json, parse_mysql_plan
from dbarchitect.core.sql.mysql_split import split_script

SCALES = {"shop": 0.005, "tracker": 0.02}
SKEW = {  # the Zipf head holds far more than an average member of the tail
    "shop": ("SELECT product_id, count(*) FROM order_items GROUP BY product_id ORDER BY count(*) DESC LIMIT 1", 1),
    "tracker": ("SELECT tenant_id, count(*) FROM issues GROUP BY tenant_id ORDER BY count(*) DESC LIMIT 1", 1),
}


@pytest.mark.parametrize("name", ["shop", "tracker"])
def test_workload_loads_runs_and_the_expert_set_is_used(mysql, name):
    wl = importlib.import_module(f"bench.mysql.{name}.workload")
    conn = runner.connect(mysql.url().rstrip("/") + "/")
    try:
        loaded = runner.load(conn, name, wl, SCALES[name])
        cur = conn.cursor()
        cur.execute("SHOW TABLES")
        tables = {r[0] for r in cur.fetchall()}
        assert not {t for t in tables if t.startswith("_")}, tables
        assert runner.secondary_indexes(cur) and all("fulltext" in i for _, i in runner.secondary_indexes(cur))
        sql, head = SKEW[name]
        cur.execute(sql)
        top, n = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM {'order_items' if name == 'shop' else 'issues'}")
        assert top == head and n > 5 * cur.fetchone()[0] / 1000, (top, n)
        cur.execute("SELECT count(*), sum(deleted_at IS NOT NULL) FROM " + ("products" if name == "shop" else "comments"))
        total, deleted = cur.fetchone()
        assert 0 < deleted < total * 0.06
        stmts = statements(conn, wl.QUERIES, loaded["sizes"])
        assert {s[0].split(" [")[0] for s in stmts} == {q.name for q in wl.QUERIES} and len(wl.QUERIES) == 26
        assert sum(w for _, w, _ in stmts) == pytest.approx(sum(q.weight for q in wl.QUERIES))
        # the same seed draws the same statements
        assert statements(conn, wl.QUERIES, loaded["sizes"]) == stmts
        timed = runner.time_workload(conn, stmts)
        assert len(timed["queries"]) == len(stmts) and timed["weighted_ms"] > 0
        cur.execute("SELECT count(*) FROM " + ("orders" if name == "shop" else "issues"))
        rows = cur.fetchone()[0]
        expert = [s for s in split_script(runner._uncommented(runner.ROOT / name / "expert.sql")) if s.upper().startswith("ALTER")]
        keep = set(runner.secondary_indexes(cur))
        runner.configure(conn, expert, keep)
        cur.execute("SELECT count(*) FROM " + ("orders" if name == "shop" else "issues"))
        assert cur.fetchone()[0] == rows  # the writes were rolled back
        built = {i for _, i in runner.secondary_indexes(cur)} - {i for _, i in keep}
        assert len(built) == len(expert)
        used = set()
        for _, _, sql in stmts:
            cur.execute("EXPLAIN FORMAT=JSON " + sql)
            used |= {n.key for n in parse_mysql_plan(loads_explain_json(cur.fetchone()[0])).nodes if n.key}
        assert not built - used, f"expert indexes no statement uses at this scale: {sorted(built - used)}"
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS bench_{name}")
        conn.close()
