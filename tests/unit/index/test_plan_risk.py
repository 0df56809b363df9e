"""Plan-risk guards of the index advisor: looped lookups priced as uncached reads, and broad ranges
over a poorly correlated column. Figures are TPC-H SF1's (pg_stats and EXPLAIN as PostgreSQL 15 gave them)."""

from __future__ import annotations

import pytest

from dbarchitect.core.indexing.candidates import CandidateSet
from dbarchitect.core.indexing.models import Candidate, ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.select import (
    Lookup,
    PlanCost,
    OracleError,
    broad_range,
    broad_range_probes,
    reordered_feed,
    reorders_scan,
    select,
    uncached_lookups,
)
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.models import Column, Index, SchemaSnapshot, Table
from dbarchitect.live.postgres.hypopg import plan_lookups

ORDERS = Table(schema="public", name="orders", reltuples=1_500_000, pages=26_095, size_bytes=26_095 * 8192,
               columns=[Column(name=n, position=i, type=t) for i, (n, t) in enumerate(
                   [("o_orderkey", "integer"), ("o_custkey", "integer"), ("o_orderdate", "date"),
                    ("o_totalprice", "numeric")])],
               indexes=[Index(name="orders_pkey", columns=["o_orderkey"], unique=True, primary=True)])  # fmt: skip
CUSTOMER = Table(schema="public", name="customer", reltuples=150_000, pages=3_585, size_bytes=3_585 * 8192,
                 columns=[Column(name="c_custkey", position=1, type="integer"),
                          Column(name="c_nationkey", position=2, type="integer")])  # fmt: skip
SNAP = SchemaSnapshot(database="t", tables=[ORDERS, CUSTOMER])


def _st(table, col, n_distinct, corr):
    return ColumnStats(table=f"public.{table}", column=col, n_distinct=n_distinct, avg_width=4, correlation=corr)


STATS = {(s.table, s.column): s for s in [
    _st("orders", "o_orderkey", -1, 1.0), _st("orders", "o_custkey", 85_682, 0.008), _st("orders", "o_orderdate", 2_406, -0.001),
    _st("customer", "c_custkey", -1, 1.0), _st("customer", "c_nationkey", 25, 0.02)]}  # fmt: skip
CUSTKEY = Candidate(table="public.orders", keys=("o_custkey",), columns=("o_custkey",))
ORDERDATE = Candidate(table="public.orders", keys=("o_orderdate",), columns=("o_orderdate",))
PER_CUSTOMER = ("SELECT o_orderkey FROM customer, orders WHERE c_custkey = o_custkey AND c_nationkey IN (8, 9, 12) "
                "AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01'")  # fmt: skip

# the shape of TPC-H q05's plan with a hypothetical orders (o_custkey) index, trimmed
Q05_PLAN = {
    "Node Type": "Gather Merge", "Total Cost": 82079.2, "Plan Rows": 50, "Workers Planned": 2,
    "Plans": [{"Node Type": "Nested Loop", "Parent Relationship": "Outer", "Total Cost": 20677.4, "Plan Rows": 18729,
               "Plans": [
                   {"Node Type": "Hash Join", "Parent Relationship": "Outer", "Total Cost": 4571.9, "Plan Rows": 12500},
                   {"Node Type": "Index Scan", "Parent Relationship": "Inner", "Index Name": "<1>btree_orders_o_custkey",
                    "Total Cost": 1.26, "Plan Rows": 3}]}]}  # fmt: skip


def test_plan_lookups_multiplies_loops_through_nested_loops_and_workers():
    [(name, node, loops, rows, share, fed_by)] = plan_lookups(Q05_PLAN)
    assert fed_by is None  # its outer side is a hash join over a customer scan, not an orders scan
    assert (name, node, rows) == ("<1>btree_orders_o_custkey", "Index Scan", 3.0)
    assert loops == pytest.approx(12_500 * 2.4)  # outer rows per process × parallel divisor of 2 workers
    assert share == pytest.approx(12_500 * 1.26)  # what the plan's total counts for them
    single = {"Node Type": "Bitmap Heap Scan", "Total Cost": 900.0, "Plan Rows": 100,
              "Plans": [{"Node Type": "Bitmap Index Scan", "Parent Relationship": "Outer", "Index Name": "x",
                         "Total Cost": 50.0, "Plan Rows": 120}]}  # fmt: skip
    assert plan_lookups(single) == [("x", "Bitmap Index Scan", 1.0, 120.0, 900.0, None)]  # one scan, heap cost counted


# q03's shape: orders → lineitem_pkey lookups, fed by a (parallel) sequential scan of orders, or by
# per-customer index-only scans of a new index
def _q03(outer_leaf):
    return {"Node Type": "Gather Merge", "Total Cost": 190_000.0, "Plan Rows": 10, "Workers Planned": 2, "Plans": [
        {"Node Type": "Nested Loop", "Parent Relationship": "Outer", "Total Cost": 1.0, "Plan Rows": 60_000, "Plans": [
            {"Node Type": "Hash Join", "Parent Relationship": "Outer", "Total Cost": 1.0, "Plan Rows": 60_000,
             "Plans": [outer_leaf, {"Node Type": "Hash", "Parent Relationship": "Inner", "Total Cost": 1.0,
                                    "Plan Rows": 30_000}]},
            {"Node Type": "Index Scan", "Parent Relationship": "Inner", "Index Name": "lineitem_pkey",
             "Index Cond": "(l_orderkey = orders.o_orderkey)", "Total Cost": 1.5, "Plan Rows": 8}]}]}  # fmt: skip


def test_plan_lookups_tells_which_sequential_scan_feeds_a_nested_loop():
    seq = {"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "orders", "Alias": "orders",
           "Total Cost": 1.0, "Plan Rows": 60_000}  # fmt: skip
    [lk] = plan_lookups(_q03(seq))
    assert lk[0] == "lineitem_pkey" and lk[5] == ("orders", "o_orderkey")
    by_customer = {"Node Type": "Index Only Scan", "Parent Relationship": "Outer", "Index Name": "orders_cust_idx",
                   "Relation Name": "orders", "Alias": "orders", "Total Cost": 1.0, "Plan Rows": 60_000}  # fmt: skip
    fed = [x for x in plan_lookups(_q03(by_customer)) if x[0] == "lineitem_pkey"]
    assert fed and fed[0][5] is None  # keys in customer order, not heap order


def test_uncached_lookups_fire_on_many_scattered_per_row_lookups():
    shape = analyze(PER_CUSTOMER, SNAP)
    plan = PlanCost(82_079.0, frozenset([CUSTKEY]), (Lookup(CUSTKEY, "Index Scan", 30_000, 3, 15_750),))
    extra, why = uncached_lookups(plan, shape, SNAP, STATS)
    assert extra == pytest.approx(15_750 * 3) and "page reads from public.orders's 26,095 pages" in why[CUSTKEY.signature]


def test_uncached_lookups_count_existing_indexes_fed_by_a_new_plan():
    """An index-only scan on a new index can feed an existing index's lookups (q03: lineitem_pkey)."""
    shape = analyze("SELECT o_totalprice FROM customer, orders WHERE o_orderkey = c_custkey", SNAP)
    many = PlanCost(1.0, frozenset(), (Lookup(None, "Index Scan", 40_000, 1, 12e4, index="orders_pkey"),))
    extra, why = uncached_lookups(many, shape, SNAP, STATS)
    assert extra == pytest.approx(12e4 * 3) and "existing index orders_pkey" in why["existing index orders_pkey"]
    # physically ordered: one page per lookup, so fewer lookups than pages stay silent
    few = PlanCost(1.0, frozenset(), (Lookup(None, "Index Scan", 20_000, 1, 6e4, index="orders_pkey"),))
    assert uncached_lookups(few, shape, SNAP, STATS) == (0.0, {})
    # the same lookups fed in heap order by a sequential scan of an order-key-ordered table sweep forward
    swept = PlanCost(1.0, frozenset(), (Lookup(None, "Index Scan", 40_000, 1, 12e4, index="orders_pkey",
                                               fed_by=("customer", "c_custkey")),))  # fmt: skip
    assert uncached_lookups(swept, shape, SNAP, STATS) == (0.0, {})
    scattered_feed = PlanCost(1.0, frozenset(), (Lookup(None, "Index Scan", 40_000, 1, 12e4, index="orders_pkey",
                                                        fed_by=("customer", "c_nationkey")),))  # fmt: skip
    assert uncached_lookups(scattered_feed, shape, SNAP, STATS)[0] > 0
    unknown = PlanCost(1.0, frozenset(), (Lookup(None, "Index Scan", 40_000, 1, 12e4, index="no_such_index"),))
    assert uncached_lookups(unknown, shape, SNAP, STATS) == (0.0, {})


def test_uncached_lookups_stay_silent_on_few_lookups_index_only_scans_and_correlated_keys():
    shape = analyze(PER_CUSTOMER, SNAP)
    few = PlanCost(1.0, frozenset([CUSTKEY]), (Lookup(CUSTKEY, "Index Scan", 200, 3, 250),))  # 200 × 17 < pages
    assert uncached_lookups(few, shape, SNAP, STATS) == (0.0, {})
    index_only = PlanCost(1.0, frozenset([CUSTKEY]), (Lookup(CUSTKEY, "Index Only Scan", 30_000, 3, 9e3),))
    assert uncached_lookups(index_only, shape, SNAP, STATS) == (0.0, {})
    clustered = {**STATS, ("public.orders", "o_custkey"): _st("orders", "o_custkey", 85_682, 0.9)}
    # physically ordered: ~1 page per lookup, and 20 k lookups read fewer pages than the table has
    many = PlanCost(1.0, frozenset([CUSTKEY]), (Lookup(CUSTKEY, "Index Scan", 20_000, 3, 9e3),))
    assert uncached_lookups(many, shape, SNAP, clustered) == (0.0, {})
    assert uncached_lookups(many, shape, SNAP, STATS)[0] > 0  # the same plan on the scattered key fires


def test_broad_range_fires_on_a_range_touching_every_page_and_not_on_a_narrow_one():
    shape = analyze(PER_CUSTOMER, SNAP)
    [probe] = broad_range_probes(ORDERDATE, shape, SNAP, STATS)
    assert all("o_orderdate" in p for p in probe) and len(probe) == 2
    assert "nearly every page" in broad_range(ORDERDATE, 227_000, "q5", SNAP, STATS)  # one year: 15 %
    assert broad_range(ORDERDATE, 57_000, "q10", SNAP, STATS) is None  # a quarter: ~2 rows per page
    assert broad_range_probes(CUSTKEY, shape, SNAP, STATS) == []  # a join key, not a range
    covering = Candidate(table="public.orders", keys=("o_orderdate",), columns=("o_orderdate",),
                         include=("o_orderkey", "o_custkey"))  # fmt: skip
    assert broad_range_probes(covering, shape, SNAP, STATS) == []  # answers the access alone: no heap pages


class _Planner:
    """o_custkey makes q1 look 20 % cheaper through 30 k per-customer lookups; o_orderdate is never
    used by the plan (HypoPG's model of it is too large) but q1's year would match 15 % of the rows."""

    def __init__(self, year_rows: float):
        self.year_rows = year_rows

    async def cost(self, query, indexes):
        if CUSTKEY in indexes:
            return PlanCost(80_000.0, frozenset([CUSTKEY]), (Lookup(CUSTKEY, "Index Scan", 30_000, 3, 15_750),))
        return PlanCost(100_000.0, frozenset())

    async def size(self, cand):
        return 40 * 2**20

    async def rows(self, table, predicates):
        if table != "public.orders":
            raise OracleError("no such table")
        return self.year_rows


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_selection_rejects_what_the_guards_flag_and_says_why():
    shapes = {"q1": analyze(PER_CUSTOMER, SNAP)}
    cset = CandidateSet()
    for c in (CUSTKEY, ORDERDATE):
        cset.add(c, "test", "q1")
    sel = await select([WorkloadQuery(id="q1", sql=PER_CUSTOMER)], shapes, cset, SNAP, _Planner(227_000), stats=STATS)
    assert not sel.picks and sel.risky == {CUSTKEY, ORDERDATE}
    assert "Priced as uncached reads" in sel.rejected[CUSTKEY][1]
    assert "nearly every page" in sel.rejected[ORDERDATE][1]
    # without statistics the guards cannot judge, and the planner's word stands
    sel = await select([WorkloadQuery(id="q1", sql=PER_CUSTOMER)], shapes, cset, SNAP, _Planner(227_000), stats=None)
    assert [p.candidate for p in sel.picks] == [CUSTKEY] and not sel.risky


# q03: a sequential scan of orders feeds lineitem_pkey lookups in heap order (both heaps laid out by
# order key): one forward sweep. An index-only scan led by o_orderdate would feed them in date order.
LINEITEM = Table(schema="public", name="lineitem", reltuples=6_001_215, pages=112_503, size_bytes=112_503 * 8192,
                 columns=[Column(name="l_orderkey", position=1, type="integer"),
                          Column(name="l_shipdate", position=2, type="date")],
                 indexes=[Index(name="lineitem_pkey", columns=["l_orderkey", "l_linenumber"], unique=True,
                                primary=True)])  # fmt: skip
SNAP3 = SchemaSnapshot(database="t", tables=[ORDERS, CUSTOMER, LINEITEM])
STATS3 = {**STATS, ("public.lineitem", "l_orderkey"): _st("lineitem", "l_orderkey", 1_500_000, 1.0)}
Q03 = ("SELECT l_orderkey, o_orderdate FROM orders, lineitem WHERE l_orderkey = o_orderkey "
       "AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'")  # fmt: skip
BY_DATE = Candidate(table="public.orders", keys=("o_orderdate",), columns=("o_orderdate",), include=("o_orderkey",))


def _swept(loops: float) -> PlanCost:
    return PlanCost(190_000.0, frozenset(), (Lookup(None, "Index Scan", loops, 8, 87_000, index="lineitem_pkey",
                                                    fed_by=("orders", "o_orderkey")),))  # fmt: skip


def test_reordered_feed_fires_when_a_covering_index_could_replace_the_feeding_scan():
    shape = analyze(Q03, SNAP3)
    assert reorders_scan(BY_DATE, shape, SNAP3, STATS3)
    extra, why = reordered_feed(BY_DATE, _swept(145_541), shape, SNAP3, STATS3)
    assert extra == pytest.approx(87_000 * 3)
    assert "~145,541 lookups" in why and "lineitem_pkey" in why and "out of heap order" in why
    assert uncached_lookups(_swept(145_541), shape, SNAP3, STATS3) == (0.0, {})  # as planned: a forward sweep


def test_reordered_feed_stays_silent_when_the_order_survives_or_the_lookups_are_few():
    shape = analyze(Q03, SNAP3)
    # not covering: only a bitmap scan could serve the range, and it returns rows in heap order
    assert not reorders_scan(ORDERDATE, shape, SNAP3, STATS3)
    assert reordered_feed(ORDERDATE, _swept(145_541), shape, SNAP3, STATS3) is None
    # led by the order key itself: an index-only scan keeps the heap's order
    by_key = Candidate(table="public.orders", keys=("o_orderkey", "o_orderdate"), columns=("o_orderkey", "o_orderdate"))
    assert reordered_feed(by_key, _swept(145_541), shape, SNAP3, STATS3) is None
    # fewer lookups than lineitem has pages: cached either way
    assert reordered_feed(BY_DATE, _swept(50_000), shape, SNAP3, STATS3) is None
    # lookups fed by something else than a sequential scan of orders
    unfed = PlanCost(190_000.0, frozenset(), (Lookup(None, "Index Scan", 145_541, 8, 87_000, index="lineitem_pkey"),))
    assert reordered_feed(BY_DATE, unfed, shape, SNAP3, STATS3) is None
    # no constant bound on the leading column: nothing for an index scan to start from
    unbounded = analyze("SELECT l_orderkey, o_orderdate FROM orders, lineitem WHERE l_orderkey = o_orderkey", SNAP3)
    assert reordered_feed(BY_DATE, _swept(145_541), unbounded, SNAP3, STATS3) is None


class _Q03Planner:
    """HypoPG keeps q03's sequential scan of orders (and its forward sweep of lineitem) with BY_DATE,
    which makes q10 (a quarter of orders) 40 % cheaper."""

    def __init__(self, loops: float):
        self.loops = loops

    async def cost(self, query, indexes):
        if query.id == "q10":
            return PlanCost(60_000.0, frozenset([BY_DATE])) if BY_DATE in indexes else PlanCost(100_000.0, frozenset())
        return _swept(self.loops)

    async def size(self, cand):
        return 120 * 2**20

    async def rows(self, table, predicates):
        return 57_000.0


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_selection_rejects_an_index_that_could_reorder_a_feed_the_plan_relies_on():
    quarter = ("SELECT o_orderkey FROM orders WHERE o_orderdate >= DATE '1995-01-01' "
               "AND o_orderdate < DATE '1995-04-01'")  # fmt: skip
    queries = [WorkloadQuery(id="q3", sql=Q03), WorkloadQuery(id="q10", sql=quarter)]
    shapes = {q.id: analyze(q.sql, SNAP3) for q in queries}
    cset = CandidateSet()
    cset.add(BY_DATE, "test", "q10")
    sel = await select(queries, shapes, cset, SNAP3, _Q03Planner(145_541), stats=STATS3)
    assert not sel.picks and sel.risky == {BY_DATE}
    reason = sel.rejected[BY_DATE][1]
    assert reason.startswith("q3 reads public.orders by a sequential scan") and "HypoPG models it at 120 MB" in reason
    # with fewer lookups than lineitem has pages the same index is taken for q10
    sel = await select(queries, shapes, cset, SNAP3, _Q03Planner(50_000), stats=STATS3)
    assert [p.candidate for p in sel.picks] == [BY_DATE] and not sel.risky
