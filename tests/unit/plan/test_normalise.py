"""Normalisation: loops, workers, exclusive time/cost/buffers, CTE and InitPlan corrections, and the
fields of PostgreSQL 12-18."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbarchitect.core.plan import explain_plan, parse_plan

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


def node(nt, total=None, rows=1, loops=1, plans=(), **extra):
    raw = {"Node Type": nt, "Startup Cost": 0.0, "Total Cost": extra.pop("cost", 100.0), "Plan Rows": extra.pop("plan_rows", rows),
           "Plan Width": 8, "Actual Rows": rows, "Actual Loops": loops, **extra}
    if total is not None:
        raw["Actual Startup Time"] = 0.0
        raw["Actual Total Time"] = total
    if plans:
        raw["Plans"] = list(plans)
    return raw


def doc(plan, **top):
    return [{"Plan": plan, **top}]


def test_rows_and_time_multiply_by_loops():
    inner = node("Index Scan", total=0.01, rows=2, loops=1000, **{"Parent Relationship": "Inner", "Rows Removed by Filter": 3})
    outer = node("Seq Scan", total=1.0, rows=1000, **{"Parent Relationship": "Outer"})
    p = parse_plan(doc(node("Nested Loop", total=15.0, rows=2000, plans=[outer, inner])))
    nl, o, i = p.nodes
    assert i.rows == 2000 and i.total_ms == pytest.approx(10.0) and i.removed_by_filter == 3000
    assert nl.exclusive_ms == pytest.approx(15.0 - 1.0 - 10.0)
    assert p.total_ms == pytest.approx(15.0)  # no Execution Time: the root's time


def test_parallel_time_is_divided_by_processes():
    scan = node("Seq Scan", total=30.0, rows=100000, loops=3, **{"Parallel Aware": True, "Parent Relationship": "Outer"})
    gather = node("Gather", total=40.0, rows=3, plans=[scan], **{"Workers Planned": 2, "Workers Launched": 2})
    p = parse_plan(doc(gather, **{"Execution Time": 40.0}))
    g, s = p.nodes
    assert s.processes == 3 and s.total_ms == pytest.approx(30.0) and s.rows == 300000
    assert g.exclusive_ms == pytest.approx(10.0)
    assert s.label == "Parallel Seq Scan"


def test_leader_not_participating_divides_by_workers_only():
    scan = node("Seq Scan", total=30.0, rows=10, loops=2, **{"Parallel Aware": True, "Parent Relationship": "Outer"})
    gather = node("Gather", total=35.0, rows=20, plans=[scan], **{"Workers Planned": 2, "Workers Launched": 2})
    s = parse_plan(doc(gather)).nodes[1]
    assert s.processes == 2 and s.total_ms == pytest.approx(30.0)


def test_cte_time_and_buffers_are_charged_to_the_cte_scan_not_its_owner():
    cte = node("Seq Scan", total=20.0, rows=100, **{"Parent Relationship": "InitPlan", "Subplan Name": "CTE x",
                                                      "Relation Name": "t", "Alias": "t", "Shared Hit Blocks": 50})
    scan = node("CTE Scan", total=25.0, rows=100, **{"Parent Relationship": "Outer", "CTE Name": "x", "Alias": "x",
                                                     "Shared Hit Blocks": 50})
    top = node("Aggregate", total=26.0, plans=[cte, scan], **{"Shared Hit Blocks": 50})
    p = parse_plan(doc(top))
    agg, c, s = p.nodes
    assert s.exclusive_ms == pytest.approx(5.0) and s.exclusive_buffers["Shared Hit Blocks"] == 0
    assert agg.exclusive_ms == pytest.approx(1.0)
    assert c.exclusive_ms == pytest.approx(20.0)
    assert sum(n.exclusive_ms for n in p.nodes) == pytest.approx(26.0)


def test_initplan_is_charged_to_the_node_using_its_parameter():
    init = node("Result", total=4.0, **{"Parent Relationship": "InitPlan", "Subplan Name": "InitPlan 1 (returns $0)"})
    scan = node("Seq Scan", total=9.0, rows=5, **{"Parent Relationship": "Outer", "Filter": "(v > $0)", "Relation Name": "t", "Alias": "t"})
    top = node("Limit", total=10.0, rows=5, plans=[init, scan])
    lim, i, s = parse_plan(doc(top)).nodes
    assert s.exclusive_ms == pytest.approx(5.0) and lim.exclusive_ms == pytest.approx(1.0)


def test_initplan_without_visible_user_is_charged_to_its_owner():
    init = node("Result", total=4.0, **{"Parent Relationship": "InitPlan", "Subplan Name": "InitPlan 1 (returns $0)"})
    scan = node("Seq Scan", total=3.0, rows=5, **{"Parent Relationship": "Outer"})
    lim = parse_plan(doc(node("Limit", total=10.0, rows=5, plans=[init, scan]))).nodes[0]
    assert lim.exclusive_ms == pytest.approx(3.0)


def test_pg18_initplan_reference_and_fractional_rows():
    init = node("Result", total=4.0, **{"Parent Relationship": "InitPlan", "Subplan Name": "InitPlan 1"})
    scan = node("Seq Scan", total=9.0, rows=2.5, loops=2, **{"Parent Relationship": "Outer", "Filter": "(v > (InitPlan 1).col1)",
                                                             "Index Searches": 1, "Disabled": False})
    top = node("Limit", total=10.0, rows=5, plans=[init, scan])
    p = parse_plan(doc(top))
    assert p.nodes[2].rows == pytest.approx(5.0)
    assert p.nodes[2].exclusive_ms == pytest.approx(14.0)  # 9 x 2 loops - 4


def test_exclusive_buffers_subtract_children():
    child = node("Seq Scan", total=1.0, **{"Parent Relationship": "Outer", "Shared Hit Blocks": 10, "Shared Read Blocks": 5,
                                           "Temp Written Blocks": 0})
    top = node("Sort", total=2.0, plans=[child], **{"Shared Hit Blocks": 12, "Shared Read Blocks": 5, "Temp Written Blocks": 30})
    s, c = parse_plan(doc(top)).nodes
    assert s.exclusive_buffers["Shared Hit Blocks"] == 2 and s.exclusive_buffers["Temp Written Blocks"] == 30
    assert s.blocks() == 2 and c.blocks() == 15


@pytest.mark.parametrize(
    "keys",
    [
        {"I/O Read Time": 12.0},  # PG 12-16
        {"Shared I/O Read Time": 12.0, "Local I/O Read Time": 0.0},  # PG 17+
    ],
)
def test_io_timing_keys_of_every_version(keys):
    scan = node("Seq Scan", total=20.0, rows=100, **{"Relation Name": "t", "Alias": "t", "Shared Hit Blocks": 0,
                                                     "Shared Read Blocks": 5000, **keys})
    report = explain_plan(doc(scan, **{"Execution Time": 20.0}))
    f = next(f for f in report.insights if f.code == "PL016")
    assert "12 ms" in f.message and f.saving_ms == pytest.approx(12.0)


def test_pg17_jit_timing_with_deform():
    jit = {"Functions": 4, "Timing": {"Generation": {"Deform": 0.5, "Total": 2.0}, "Inlining": 30.0,
                                      "Optimization": 10.0, "Emission": 8.0, "Total": 50.0}}
    report = explain_plan(doc(node("Result", total=1.0), **{"Execution Time": 60.0, "JIT": jit}))
    f = next(f for f in report.insights if f.code == "PL018")
    assert f.saving_ms == 50.0 and "Inlining" in f.message
    assert report.summary.jit_ms == 50.0


def test_disabled_node_pg18_flag_and_old_disable_cost():
    p18 = explain_plan(doc(node("Seq Scan", cost=412.0, **{"Relation Name": "t", "Alias": "t", "Disabled": True})))
    assert [f.code for f in p18.insights] == ["PL025"]
    old = explain_plan(doc(node("Seq Scan", cost=10000000412.0, **{"Relation Name": "t", "Alias": "t"})))
    assert [f.code for f in old.insights] == ["PL025"]
    clean = explain_plan(doc(node("Seq Scan", cost=412.0, **{"Relation Name": "t", "Alias": "t", "Disabled": False})))
    assert clean.insights == []


def test_node_labels_match_the_text_format():
    from dbarchitect.core.plan.nodes import node_label

    assert node_label({"Node Type": "Aggregate", "Strategy": "Hashed", "Partial Mode": "Partial"}) == "Partial HashAggregate"
    assert node_label({"Node Type": "Hash Join", "Join Type": "Anti", "Parallel Aware": True}) == "Parallel Hash Anti Join"
    assert node_label({"Node Type": "Nested Loop", "Join Type": "Left"}) == "Nested Loop Left Join"
    assert node_label({"Node Type": "SetOp", "Strategy": "Hashed", "Command": "Except"}) == "HashSetOp Except"
    assert node_label({"Node Type": "ModifyTable", "Operation": "Update"}) == "Update"
    assert node_label({"Node Type": "Index Only Scan", "Scan Direction": "Backward"}) == "Index Only Scan Backward"


def test_corpus_sums_of_exclusive_time_stay_within_the_total():
    for path in sorted(CORPUS.glob("*.json")):
        if path.name.startswith("_"):
            continue
        p = parse_plan(json.loads(path.read_text()))
        if p.analyzed and p.timing:
            assert sum(n.exclusive_ms for n in p.nodes) <= p.root.total_ms * 1.05 + 0.5, path.name
