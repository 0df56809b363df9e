"""Catalog cross-checks with a hand-built snapshot, ranking and dropping, the capped tree, and the
rendering."""

from __future__ import annotations

import json
from pathlib import Path

from dbarchitect.core.models import Constraint, ForeignKeyRef, Index, SchemaSnapshot, Table, TableStats
from dbarchitect.core.plan import explain_plan, render_report
from dbarchitect.core.plan.predicates import index_columns, order_by_columns, predicate_columns

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


def _plan(name: str):
    return json.loads((CORPUS / f"{name}.json").read_text())


def _orders(indexes=(), stats=None, reltuples=200000.0) -> Table:
    return Table(
        schema="public", name="orders", reltuples=reltuples,
        constraints=[Constraint(name="orders_customer_id_fkey", kind="foreign_key", columns=["customer_id"],
                                definition="FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE",
                                references=ForeignKeyRef(table="public.customers", columns=["id"], on_delete="CASCADE"))],
        indexes=list(indexes), stats=stats or TableStats(live_tuples=200000, last_analyze="2026-01-01T00:00:00"),
    )


def test_fk_trigger_without_index_gets_the_index_from_the_catalog():
    snap = SchemaSnapshot(tables=[_orders(), Table(schema="public", name="customers")])
    f = next(f for f in explain_plan(_plan("fk_cascade"), catalog=snap).insights if f.code == "PL020")
    assert f.index is not None and f.fix == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);"
    assert f.object == "public.orders" and "has no index" in f.message
    ev = next(e for e in f.evidence if e.kind == "catalog")
    assert ev.data["columns"] == ["customer_id"] and ev.data["on_delete"] == "CASCADE"


def test_fk_trigger_with_index_says_so():
    idx = Index(name="orders_customer_idx", columns=["customer_id"])
    snap = SchemaSnapshot(tables=[_orders([idx])])
    f = next(f for f in explain_plan(_plan("fk_cascade"), catalog=snap).insights if f.code == "PL020")
    assert f.index is None and "orders_customer_idx" in f.fix


def test_stale_statistics_needs_the_catalog_and_fires_on_it():
    sql = "SELECT * FROM orders WHERE customer_id = 42"
    assert "PL002" not in {f.code for f in explain_plan(_plan("seq_scan_filter"), sql=sql).insights}
    never = SchemaSnapshot(tables=[_orders(stats=TableStats(live_tuples=200000, mods_since_analyze=200000), reltuples=-1)])
    f = next(f for f in explain_plan(_plan("seq_scan_filter"), catalog=never).insights if f.code == "PL002")
    assert "never been analyzed" in f.message and f.fix.startswith("ANALYZE public.orders;")
    assert [e.kind for e in f.evidence] == ["catalog"]
    drifted = TableStats(live_tuples=500000, mods_since_analyze=300000, last_autoanalyze="2026-01-01T00:00:00")
    f2 = next(f for f in explain_plan(_plan("seq_scan_filter"), catalog=SchemaSnapshot(tables=[_orders(stats=drifted)])).insights
              if f.code == "PL002")
    assert "300k rows modified" in f2.message
    fresh = SchemaSnapshot(tables=[_orders()])
    assert "PL002" not in {f.code for f in explain_plan(_plan("seq_scan_filter"), catalog=fresh).insights}


def test_existing_index_on_the_filter_column_is_reported():
    snap = SchemaSnapshot(tables=[_orders([Index(name="orders_cust", columns=["customer_id"])])])
    f = next(f for f in explain_plan(_plan("seq_scan_filter"), catalog=snap).insights if f.code == "PL008")
    assert f.index.existing == "orders_cust" and "orders_cust" in f.message
    assert any(e.kind == "catalog" for e in f.evidence)


def test_insights_are_ranked_by_saving_and_carry_their_proof():
    report = explain_plan(_plan("nested_loop"), sql="SELECT count(*) FROM pairs p JOIN nl_inner n ON n.k = p.b")
    shares = [f.saving_share or 0 for f in report.insights]
    assert shares == sorted(shares, reverse=True)
    for f in report.insights:
        assert f.rule and f.code.startswith("PL") and f.message and f.node is not None
        static = [e for e in f.evidence if e.kind == "static"]
        assert static and static[0].data
    nl = next(f for f in report.insights if f.code == "PL011")
    assert nl.index is not None and nl.index.columns == ["k"]


def test_tiny_insights_are_dropped_and_counted():
    plan = [{"Plan": {"Node Type": "Sort", "Total Cost": 10.0, "Plan Rows": 10, "Plan Width": 4,
                      "Actual Startup Time": 0.01, "Actual Total Time": 0.02, "Actual Rows": 10, "Actual Loops": 1,
                      "Sort Method": "external merge", "Sort Space Type": "Disk", "Sort Space Used": 8,
                      "Plans": [{"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t", "Parent Relationship": "Outer",
                                 "Total Cost": 1.0, "Plan Rows": 10, "Plan Width": 4, "Actual Startup Time": 0.0,
                                 "Actual Total Time": 0.01, "Actual Rows": 10, "Actual Loops": 1}]},
             "Execution Time": 100.0}]
    report = explain_plan(plan)
    assert report.insights == [] and report.dropped == 1


def test_large_plans_render_a_capped_tree_keeping_the_hot_path():
    def leaf(i):
        return {"Node Type": "Seq Scan", "Relation Name": f"t{i}", "Alias": f"t{i}", "Parent Relationship": "Member",
                "Total Cost": 10.0, "Plan Rows": 100, "Plan Width": 4, "Actual Startup Time": 0.0,
                "Actual Total Time": 50.0 if i == 377 else 0.01, "Actual Rows": 100, "Actual Loops": 1}
    plan = [{"Plan": {"Node Type": "Append", "Total Cost": 5000.0, "Plan Rows": 50000, "Plan Width": 4,
                      "Actual Startup Time": 0.0, "Actual Total Time": 60.0, "Actual Rows": 50000, "Actual Loops": 1,
                      "Plans": [leaf(i) for i in range(499)]}, "Execution Time": 60.0}]
    report = explain_plan(plan, max_tree_lines=40)
    lines = report.tree.splitlines()
    assert report.summary.node_count == 500 and report.tree_nodes_shown == 40
    assert sum(1 for ln in lines if ln.startswith("[")) == 40
    assert any("on t377" in ln for ln in lines) and any("not shown" in ln for ln in lines)
    assert report.summary.hottest[0].label == "Seq Scan on t377"


def test_render_report_is_readable():
    text = render_report(explain_plan(_plan("disk_sort")))
    assert text.splitlines()[0].startswith("Executed in")
    assert "PL003" in text and "SET LOCAL work_mem" in text and "Plan:" in text


def test_clean_plan_reports_nothing():
    report = explain_plan(_plan("clean"))
    assert report.insights == [] and "No insight" in render_report(report)


def test_predicate_columns_and_index_order():
    cols = predicate_columns("((created >= '2020-01-01'::date) AND (status = 'x'::text) AND ((name)::text ~~ 'a%'::text) "
                             "AND (id = ANY ('{1,2}'::integer[])) AND (lower(email) = 'q'::text) AND (deleted_at IS NULL))")
    kinds = {(c.name, c.kind) for c in cols}
    assert {("created", "range"), ("status", "eq"), ("name", "range"), ("id", "eq"), ("deleted_at", "null")} <= kinds
    assert ("lower(email)", "expr") in kinds
    ordered = [c.name for c in index_columns(list(cols))]
    assert ordered[:2] == ["status", "id"] and ordered.index("created") > ordered.index("deleted_at")
    ors = predicate_columns("((a.x = b.x) OR (a.y = c.y))")
    assert {c.kind for c in ors} == {"or"} and {c.qualifier for c in ors} == {"a", "b", "c"}
    assert predicate_columns("(hashed SubPlan 1)") == ()
    assert order_by_columns("SELECT * FROM t ORDER BY created DESC, id") == ["created DESC", "id"]
