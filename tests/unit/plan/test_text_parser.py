"""The text format as people paste it: psql decorations, JSON inside psql output, never executed,
TIMING OFF, COSTS OFF, triggers, JIT, PG18 fractional rows, workers."""

from __future__ import annotations

import pytest

from dbarchitect.core.plan import PlanParseError, explain_plan, parse_plan
from dbarchitect.core.plan.analyze import run_rules
from dbarchitect.core.plan.insight import PlanContext
from dbarchitect.core.plan.text import parse_text, split_top_level

PSQL = """\
                                  QUERY PLAN
------------------------------------------------------------------------------
 Nested Loop  (cost=0.58..16.63 rows=1 width=45) (actual time=0.010..0.011 rows=0 loops=1)
   ->  Index Scan using customers_pkey on customers c  (cost=0.29..8.31 rows=1 width=25) (actual time=0.009..0.009 rows=0 loops=1)
         Index Cond: (id = '-1'::integer)
   ->  Index Scan using orders_pkey on public.orders o  (cost=0.29..8.31 rows=1 width=20) (never executed)
         Index Cond: (id = '-1'::integer)
 Planning Time: 0.200 ms
 Trigger for constraint orders_customer_id_fkey on orders: time=12.500 calls=3
 Trigger audit_trg: time=1.000 calls=3
 Execution Time: 14.050 ms
(9 rows)
"""


def test_psql_output_with_decorations():
    p = parse_plan(PSQL)
    assert p.source_format == "text" and len(p.nodes) == 3
    nl, c, o = p.nodes
    assert (c.relation, c.alias, c.index_name, c.relationship) == ("customers", "c", "customers_pkey", "Outer")
    assert (o.schema, o.relation, o.alias, o.relationship) == ("public", "orders", "o", "Inner")
    assert not o.executed and c.executed
    assert p.planning_ms == 0.2 and p.execution_ms == 14.05
    assert [(t.constraint, t.name, t.relation, t.time_ms, t.calls) for t in p.triggers] == [
        ("orders_customer_id_fkey", None, "orders", 12.5, 3),
        (None, "audit_trg", None, 1.0, 3),
    ]
    codes = {f.code for f in explain_plan(PSQL).insights}
    assert {"PL026", "PL020"} <= codes


def test_json_pasted_from_psql_with_plus_continuations():
    text = """                  QUERY PLAN
----------------------------------------------
 [                                           +
   {                                         +
     "Plan": {                               +
       "Node Type": "Result",                +
       "Startup Cost": 0.00,                 +
       "Total Cost": 0.01,                   +
       "Plan Rows": 1,                       +
       "Plan Width": 4                       +
     }                                       +
   }                                         +
 ]
(1 row)
"""
    p = parse_plan(text)
    assert p.source_format == "json" and p.root.node_type == "Result" and not p.analyzed


def test_timing_off_costs_off_and_fractional_rows():
    p = parse_plan("Seq Scan on t  (actual rows=2.50 loops=4)\n  Filter: (v > 1)\n  Rows Removed by Filter: 10.00\n")
    assert p.analyzed and not p.timing and p.root.rows == 10.0 and p.root.removed_by_filter == 40.0
    q = parse_plan("Hash Join\n  Hash Cond: (a.id = b.id)\n  ->  Seq Scan on a\n  ->  Hash\n        ->  Seq Scan on b\n")
    assert [n.label for n in q.nodes] == ["Hash Join", "Seq Scan", "Hash", "Seq Scan"]
    assert q.nodes[3].parent is q.nodes[2] and q.root.get("Hash Cond") == "(a.id = b.id)"


def test_special_lines_map_to_json_keys():
    text = """\
Hash Join  (cost=1.00..2.00 rows=1 width=4) (actual time=1.000..2.000 rows=1 loops=1)
  Hash Cond: (a.id = b.id)
  Buffers: shared hit=10 read=5 dirtied=1 written=2, local hit=3, temp read=7 written=8
  I/O Timings: shared read=1.500 write=0.250, temp read=0.100 write=0.200
  ->  Bitmap Heap Scan on a  (cost=1.00..2.00 rows=1 width=4) (actual time=1.000..2.000 rows=1 loops=1)
        Recheck Cond: (v > 1)
        Rows Removed by Index Recheck: 90
        Heap Blocks: exact=3 lossy=9
        ->  Bitmap Index Scan on a_v_idx  (cost=0.00..1.00 rows=1 width=0) (actual time=1.000..1.000 rows=100 loops=1)
              Index Cond: (v > 1)
  ->  Hash  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
        Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 4097kB
        ->  Memoize  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
              Cache Key: b.k
              Cache Mode: logical
              Hits: 5  Misses: 500  Evictions: 10  Overflows: 0  Memory Usage: 65kB
              ->  Incremental Sort  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
                    Sort Key: b.x, b.y
                    Presorted Key: b.x
                    Full-sort Groups: 2  Sort Method: quicksort  Average Memory: 26kB  Peak Memory: 26kB
                    Pre-sorted Groups: 1  Sort Method: external merge  Average Disk: 100kB  Peak Disk: 120kB
                    ->  HashAggregate  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
                          Group Key: b.x, b.y
                          Planned Partitions: 4  Batches: 5  Memory Usage: 4145kB  Disk Usage: 2024kB
                          ->  Seq Scan on b  (cost=1.00..1.00 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)
Planning Time: 0.1 ms
JIT:
  Functions: 3
  Options: Inlining true, Optimization true, Expressions true, Deforming true
  Timing: Generation 0.292 ms (Deform 0.1 ms), Inlining 3.8 ms, Optimization 5.1 ms, Emission 2.5 ms, Total 11.7 ms
Execution Time: 20.0 ms
"""
    doc = parse_text(text)
    hj = doc["Plan"]
    assert hj["Shared Hit Blocks"] == 10 and hj["Local Hit Blocks"] == 3 and hj["Temp Written Blocks"] == 8
    assert hj["I/O Read Time"] == 1.5 and hj["Temp I/O Write Time"] == 0.2
    bhs, h = hj["Plans"]
    assert (bhs["Exact Heap Blocks"], bhs["Lossy Heap Blocks"], bhs["Rows Removed by Index Recheck"]) == (3, 9, 90)
    assert bhs["Plans"][0]["Index Name"] == "a_v_idx"
    assert (h["Hash Buckets"], h["Original Hash Buckets"], h["Hash Batches"], h["Original Hash Batches"]) == (65536, 1024, 4, 1)
    memo = h["Plans"][0]
    assert (memo["Cache Hits"], memo["Cache Misses"], memo["Cache Evictions"]) == (5, 500, 10)
    inc = memo["Plans"][0]
    assert inc["Presorted Key"] == ["b.x"] and inc["Pre-sorted Groups"]["Sort Space Disk"]["Peak Sort Space Used"] == 120
    agg = inc["Plans"][0]
    assert (agg["Strategy"], agg["HashAgg Batches"], agg["Disk Usage"], agg["Planned Partitions"]) == ("Hashed", 5, 2024, 4)
    assert doc["JIT"]["Timing"]["Generation"] == {"Deform": 0.1, "Total": 0.292}
    assert doc["JIT"]["Options"]["Inlining"] is True
    # every node takes ~0 ms here, so the ranking would drop them as tiny: look at what the rules see
    codes = {mod.RULE.code for mod, _ in run_rules(PlanContext(plan=parse_plan(text)))}
    assert {"PL003", "PL004", "PL005", "PL007", "PL018", "PL024"} <= codes
    assert {f.code for f in explain_plan(text).insights} <= codes


def test_worker_blocks_and_subplans():
    text = """\
Gather  (cost=1.00..2.00 rows=1 width=4) (actual time=1.000..5.000 rows=3 loops=1)
  Workers Planned: 2
  Workers Launched: 2
  InitPlan 1 (returns $0)
    ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=1)
  ->  Sort  (cost=1.00..2.00 rows=1 width=4) (actual time=1.000..4.000 rows=1 loops=3)
        Sort Key: v
        Sort Method: quicksort  Memory: 25kB
        Worker 0:  actual time=1.000..4.000 rows=1 loops=1
          Sort Method: external merge  Disk: 1024kB
          Buffers: shared hit=5
        Worker 1:  Sort Method: quicksort  Memory: 25kB
        ->  Parallel Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.100..0.900 rows=1 loops=3)
              Filter: ((v > $0) AND (NOT (SubPlan 2)))
              SubPlan 2
                ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1 loops=9)
"""
    p = parse_plan(text)
    g, init, sort, scan, sub = p.nodes
    assert (init.relationship, init.subplan_name) == ("InitPlan", "InitPlan 1 (returns $0)")
    assert (sub.relationship, sub.subplan_name, sub.parent is scan) == ("SubPlan", "SubPlan 2", True)
    workers = sort.get("Workers")
    assert workers[0]["Sort Space Type"] == "Disk" and workers[0]["Actual Loops"] == 1 and workers[0]["Shared Hit Blocks"] == 5
    assert workers[1]["Sort Method"] == "quicksort"
    assert scan.processes == 3
    assert "PL003" in {f.code for f in explain_plan(text).insights}


@pytest.mark.parametrize("bad", ["", "   ", "[]", '{"foo": 1}', "[{\"Plan\": ", 42])
def test_unreadable_input_raises_a_clear_error(bad):
    with pytest.raises(PlanParseError):
        parse_plan(bad)


def test_split_top_level_respects_parentheses_and_quotes():
    assert split_top_level("a, f(b, c), 'x, y', \"q,r\"") == ["a", "f(b, c)", "'x, y'", '"q,r"']
