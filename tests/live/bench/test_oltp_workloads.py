"""bench/oltp must not rot: each workload loads at a tiny scale, every query (every parameter
variant) runs, the expert set builds in full and is used, and the data keep their skew."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.oltp import common  # noqa: E402
from bench.oltp.run import expert_statements, statements, time_stmt  # noqa: E402

SCALE = 0.002  # the generators' minimum sizes: a few thousand rows per table
SKEW = {  # the share of the largest tenant / the best seller (Zipf: about 1/ln(n) of the rows)
    "tracker": "SELECT avg((tenant_id = 1)::int) FROM issues",
    "shop": "SELECT avg((product_id = 1)::int) FROM order_items",
    "booking": "SELECT avg((tenant_id = 1)::int) FROM appointments",
    "social": "SELECT avg((recipient_id = 1)::int) FROM notifications",
}


@pytest.mark.parametrize("name", common.WORKLOADS)
def test_workload_loads_runs_and_expert_set_builds(pg, name):
    db = f"oltp_{name}_{os.getpid()}"
    common.load(pg.dsn("postgres"), pg.dsn(db), db, name, SCALE, log=lambda _: None)
    try:
        assert common.loaded(pg.dsn("postgres"), db, name, SCALE)
        wl = common.workload(name)
        assert len(wl.QUERIES) >= 20
        params = common.draw_parameters(pg.dsn(db), name, SCALE, seed=1)
        assert params == common.draw_parameters(pg.dsn(db), name, SCALE, seed=1)  # seeded: same values every time
        stmts = statements(wl, params)
        assert {s["query"] for s in stmts} == {q.name for q in wl.QUERIES}
        assert any(s["write"] for s in stmts) and sum(not s["write"] for s in stmts) >= 20
        with psycopg.connect(pg.dsn(db), autocommit=True, prepare_threshold=None) as conn:
            conn.execute("SET statement_timeout = '20s'")
            tables = [r[0] for r in conn.execute("SELECT relname FROM pg_class WHERE relkind = 'r' "
                                                 "AND relnamespace = 'public'::regnamespace")]
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
            assert len(counts) >= 7 and min(counts.values()) > 0
            share = conn.execute(SKEW[name]).fetchone()[0]
            assert share > 0.04, f"the skew is gone: {SKEW[name]} = {share}"
            for s in stmts:  # parses and runs; writes are rolled back
                ms, timed_out = time_stmt(conn, s["sql"], s["write"], 20)
                assert not timed_out, s["id"]
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            assert counts == {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts}
            # no secondary index before; every expert statement builds after
            assert conn.execute("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                                "WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary").fetchone()[0] == 0
            ddl = expert_statements(name)
            for st in ddl:
                conn.execute(st)
            built = conn.execute("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                                 "WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary").fetchone()[0]
            assert built == sum(st.upper().startswith("CREATE INDEX") for st in ddl) >= 10
            conn.execute("ANALYZE")
            used = set()
            conn.execute("SET enable_seqscan = off")  # tiny tables: ask which indexes the queries can use at all
            for s in stmts:
                plan = "\n".join(r[0] for r in conn.execute("EXPLAIN (COSTS OFF) " + s["sql"]))
                used |= {st.split()[2] for st in ddl if st.upper().startswith("CREATE INDEX") and f" {st.split()[2]}" in plan}
            unused = {st.split()[2] for st in ddl if st.upper().startswith("CREATE INDEX")} - used
            assert not unused, f"expert indexes no query can use: {unused}"
    finally:
        pg.admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def test_vocabulary_and_render():
    """The pseudo-word vocabulary is what the generators and the parameter draws share."""
    v = common.vocabulary()
    assert len(v) == len(set(v)) == 62 + 8000
    assert common.render("SELECT $1, $2, $10", tuple(range(1, 11))) == "SELECT 1, 2, 10"
    assert common.render("x = $1", ("it's",)) == "x = 'it''s'"
