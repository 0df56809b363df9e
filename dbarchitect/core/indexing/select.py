"""Greedy what-if selection: pick the candidate with the best net benefit per byte, re-cost, repeat.

The cost oracle is injected (`CostOracle`): the live layer answers it with EXPLAIN under HypoPG
hypothetical indexes, tests may answer it with anything that costs plans. The core does no I/O.

- A query's cost under a set of indexes depends only on the indexes of the tables it reads, so
  each costing is keyed and cached by (query, indexes on its tables).
- A candidate is costed only against the queries that constrain, join, sort or group by its
  leading column (an index whose leading column a query never mentions cannot serve it).
- A query counts as helped when its cost drops by at least `QUERY_MIN_GAIN`: smaller drops are
  within the planner's noise and are the plan flips most likely to be slower in reality.
- Lazy greedy (CELF): the scores of the last round are upper bounds; only the top candidate is
  re-costed until it stays on top. After the picks, an index that later picks made useless is
  dropped again.
- Write charge: every index is maintained on each non-HOT write of its table. A table's writes
  per scan (pg_stat_user_tables since the last reset, capped) times the workload weight of the
  queries reading it, times `WRITE_COST_PER_ROW` planner units, is subtracted from the benefit.
- Scattered lookups: a candidate led by a join key with many rows per value scattered over a large
  heap (`candidates.scattered_join_key`) is only safe for the queries that also bind its later keys.
  When a workload query's plan would use it while that query binds nothing but the leading key, per
  outer row (TPC-H q21 on `lineitem (l_suppkey, l_shipdate)`: l_suppkey only, ~600 random heap
  pages per supplier, priced low by the planner's cache model), that query is costed with those
  lookups priced as uncached reads — per query, not for the whole workload: a candidate that one
  per-row query would use badly can still pay off through the others (the other plan-risk guards
  are judged the same way, `_Selector.honest_cost`). A lookup that reads no heap (the index holds
  every column the block reads) or stops after a LIMIT in key order is not a scattered lookup. The
  same check runs once more on the final set for the pairs not costed so.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from dbarchitect.core.indexing.candidates import (
    SCATTERED_MAX_CORRELATION,
    SCATTERED_MIN_ROWS,
    CandidateSet,
    StatsMap,
    scattered_join_key,
)
from dbarchitect.core.indexing.expr_stats import without_opclass
from dbarchitect.core.indexing.estimate import DEFAULT_BUDGET_CEILING, MAJOR_GAIN_SHARE, major_gain, stored_columns
from dbarchitect.core.indexing.limit import PREFIX_WALK_READS, LimitInput, executor_cost, rare_selectivity
from dbarchitect.core.indexing.models import Candidate, WorkloadQuery
from dbarchitect.core.indexing.shape import QueryShape
from dbarchitect.core.indexing.workload import substitute
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.core.models import SchemaSnapshot

QUERY_MIN_GAIN = 0.05  # a query is helped when its planner cost drops by at least 5 %
# A query whose plan already costs less than this (a few cached index lookups, well under a millisecond)
# gets no index of its own: whatever an index saves it is below what the index costs on every write
# and in cache (the output says which queries were left alone for that reason).
FAST_QUERY_COST = 30.0
MIN_WORKLOAD_GAIN = 0.005  # a pick must lower the (current) workload cost by at least 0.5 %
# … or make one query at least TENFOLD_GAIN × cheaper with an index of at most TINY_INDEX_SHARE of the
# budget: a 50/s login lookup is a sliver of a workload with multi-second scans, yet worth a 1 MB index
TENFOLD_GAIN = 10.0
TINY_INDEX_SHARE = 0.02
# a GIN (uncosted: modelled, not planned by HypoPG) next to a costed btree pick serving the same query is
# kept only when its model beats the btree's plan by this factor. 1.0: any margin above it discarded the
# tracker's full-text GIN (modelled 7,615 against the tenant btree's 9,346; measured 30 ms against ~500 ms):
# the model is a lower bound on neither side, so it only decides where it points one way
GIN_OVER_BTREE_MARGIN = 1.0
WRITE_COST_PER_ROW = 1.0  # planner units to insert one index entry (≈ a cached btree descent + insert)
MAX_WRITES_PER_SCAN = 1000.0  # bulk loads would otherwise make every table look write-only
MIN_SCANS_FOR_MIX = 100  # fewer scans since the reset tell nothing about the read/write mix (e.g. right after a load)
EXTEND_MAX_GROWTH = 1.3  # a longer variant of a pick may be up to 30 % larger and is taken when at least as good
# an extension that also returns a top-N (ORDER BY … LIMIT) in index order keeps the query flat as the
# rows per key grow, which today's statistics cannot show the planner: up to 2× the size, ≥97 % of the benefit
TOP_N_MAX_GROWTH = 2.0
TOP_N_MIN_SHARE = 0.97
DEFAULT_BUDGET_SHARE = 0.5  # without budget_bytes: at most this share of the heap bytes the workload reads …
DEFAULT_BUDGET_FLOOR = 64 * 2**20  # … but never less than 64 MB
# … a soft limit for an order-of-magnitude win (`judge_over_budget`; MAJOR_GAIN_* in `estimate`)
STRONG_QUERY_GAIN = 0.3  # … or a pick makes one query ≥30 % cheaper
SMALL_INDEX_SHARE = 0.25  # … with an index at most this share of its table's heap
# A looped lookup that fetches more heap rows than its table has pages is priced by the planner as if
# the pages stayed cached (effective_cache_size); priced instead at random_page_cost / seq_page_cost
LOOKUP_UNCACHED_FACTOR = 4.0
BROAD_RANGE_ROWS_PER_PAGE = 3.0  # a range matching ≥ 3 rows per heap page touches ≥ 95 % of the pages
# Final pruning (`_Selector.prune`): an index whose marginal benefit in the final set, per byte, is below
# this share of the members' marginal benefit per byte (1/25: more than an order of magnitude below) goes
PRUNE_DENSITY = 0.04
PRUNE_MIN_SHARE = 0.05  # … and that holds at least this share of the set's bytes
PRUNE_KEEP_LOOKUP_SHARE = 0.1  # … unless below this share it turns a query from a scan into a lookup
# A GIN index serving a query (costsize.c's bitmap heap scan, simplified): the matching rows' heap pages
# (Mackert–Lohman: pages × (1 − e^(−rows/pages))) at random_page_cost, each row at cpu_tuple_cost plus
# its recheck, plus the index scan's startup
GIN_RANDOM_PAGE_COST = 4.0
GIN_ROW_COST = 0.01 + 0.0025
GIN_STARTUP_COST = 10.0
GIN_DEFAULT_MATCH = 0.005  # selfuncs.h DEFAULT_MATCH_SEL-like share when the predicate cannot be probed ($n)

Progress = Callable[[int, int, str], Awaitable[None]]


class Lookup(NamedTuple):
    """How one plan reads through one index (from the EXPLAIN tree)."""

    candidate: Candidate | None  # a hypothetical candidate; None for an existing index (see `index`)
    node: str  # Index Scan, Index Only Scan, Bitmap Index Scan
    loops: float  # estimated executions over all processes (outer rows of enclosing nested loops, workers)
    rows: float  # rows per execution (a Bitmap Index Scan: matched by the index condition)
    cost_share: float  # planner cost of all executions as counted in the plan's total (per-loop cost × loops)
    index: str = ""  # the index name in the plan
    fed_by: tuple[str, str] | None = None  # (relation, column) streaming the lookup keys in heap order


class PlanCost(NamedTuple):
    cost: float
    used: frozenset[Candidate]
    lookups: tuple[Lookup, ...] = ()
    limit: LimitInput | None = None  # the input of the plan's top Limit node, for `limit.executor_cost`
    planner_cost: float | None = None  # the planner's own figure when `cost` was repriced (LIMIT)


class OracleError(Exception):
    """The oracle cannot cost this (query or candidate); the message says why."""


class CostOracle(Protocol):
    async def cost(self, query: WorkloadQuery, indexes: frozenset[Candidate]) -> PlanCost: ...

    async def size(self, candidate: Candidate) -> int: ...

    # optional: async def rows(self, table: str, predicates: tuple[str, ...]) -> float — the planner's
    # row estimate for a filter on one table (enables the broad-range guard)


@dataclass
class Pick:
    candidate: Candidate
    size: int
    benefit: float
    charge: float
    helps: dict[str, tuple[float, float]]  # query id -> (cost before this pick, after)
    judged: dict[str, str] = field(default_factory=dict)  # query id -> how a plan-risk guard costed it there


@dataclass
class Selection:
    picks: list[Pick] = field(default_factory=list)
    base: dict[str, float] = field(default_factory=dict)
    final: dict[str, PlanCost] = field(default_factory=dict)
    sizes: dict[Candidate, int] = field(default_factory=dict)
    rejected: dict[Candidate, tuple[float, str]] = field(default_factory=dict)  # -> (benefit, reason)
    risky: set[Candidate] = field(default_factory=set)  # rejected by a plan-risk guard (scattered lookups, broad ranges)
    skipped: dict[str, str] = field(default_factory=dict)
    costings: int = 0
    default_budget: int | None = None  # set when the caller gave no budget
    oracle_sizes: dict[Candidate, int] = field(default_factory=dict)  # one entry per row (HypoPG), no dedup
    limit_notes: dict[str, str] = field(default_factory=dict)  # query -> how its LIMIT was costed (no new index)
    # query -> how a lookup by an expression without statistics was costed (`unanalyzed_expression`)
    expression_notes: dict[str, str] = field(default_factory=dict)
    fast: dict[str, float] = field(default_factory=dict)  # query -> its cost, already below FAST_QUERY_COST
    dedup_sized: set[Candidate] = field(default_factory=set)  # sized by `size.btree_size`, not by the oracle
    # uncosted kinds (GIN) given to `select`: the ones kept in the final set, with their modelled per-query
    # costs (query -> (cost without it, with it) in the final set) and sizes
    uncosted: dict[Candidate, int] = field(default_factory=dict)
    uncosted_kept: dict[Candidate, dict[str, tuple[float, float]]] = field(default_factory=dict)
    # indexes the final pruning pass removed: candidate -> (marginal benefit, bytes, why with the costs)
    pruned: dict[Candidate, tuple[float, int, str]] = field(default_factory=dict)
    # picks taken beyond the default budget (`judge_over_budget`): candidate -> (share of the remaining
    # workload cost it removes, the budget before it)
    over_budget: dict[Candidate, tuple[float, int]] = field(default_factory=dict)


def default_budget(snapshot: SchemaSnapshot, shapes: Mapping[str, QueryShape]) -> int:
    """Half the heap the workload reads (at least 64 MB): secondary indexes of an OLTP schema commonly
    add up to half its heap; beyond that they rarely pay for their writes, cache and backups, and it is
    where planner estimates mislead most. (A quarter, the earlier default, left out TPC-H q18's covering
    `lineitem (l_orderkey) INCLUDE (l_quantity)`, 6.2 s → 3.5 s.)"""
    tables = {t for s in shapes.values() for t in s.tables}
    heap = sum(t.size_bytes for t in snapshot.tables if t.qualified in tables)
    return max(DEFAULT_BUDGET_FLOOR, int(DEFAULT_BUDGET_SHARE * heap))


def writes_per_scan(snapshot: SchemaSnapshot, table: str) -> float:
    t = snapshot.table(table)
    if t is None:
        return 0.0
    s = t.stats
    writes = s.inserts + max(0, s.updates - s.hot_updates) + s.deletes
    if writes == 0 or s.seq_scans + s.idx_scans < MIN_SCANS_FOR_MIX:
        return 0.0
    return min(MAX_WRITES_PER_SCAN, writes / max(1, s.seq_scans + s.idx_scans))


def leading_column_used(cand: Candidate, shape: QueryShape) -> bool:
    lead = cand.columns[0] if cand.columns else None
    for a in shape.accesses:
        if a.table != cand.table:
            continue
        if lead is None:
            return any(p.expr and f"({p.expr})" == without_opclass(cand.keys[0]) for p in a.preds)
        if any(p.column == lead for p in a.preds) or any(c == lead for c, _ in a.sort) or lead in a.group:
            return True
    return False


def bare_scattered_lookup(c: Candidate, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap) -> str | None:
    """Why `shape` can use `c` only as a per-outer-row lookup on its scattered leading key, or None."""
    lead = c.columns[0] if c.columns else None
    t = snapshot.table(c.table)
    if lead is None or t is None:
        return None
    risk = scattered_join_key(c.table, lead, float(t.estimated_rows), stats)
    if risk is None:
        return None
    rest = {x for x in c.columns[1:] if x}
    stored = stored_columns(c)
    bare = proper = False
    for a in shape.accesses:
        if a.table != c.table:
            continue
        lead_preds = [p for p in a.preds if p.column == lead]
        if not lead_preds:
            continue
        # a literal or a `$n` parameter is one lookup per execution, not one per outer row; an index
        # holding every column the block reads answers it from the index alone (no heap pages); and a
        # LIMIT whose ORDER BY the next keys deliver stops each lookup after LIMIT rows
        if (any(p.constant or p.param for p in lead_preds) or any(p.column in rest for p in a.preds)
                or (a.referenced and a.referenced <= stored) or limited_in_order(c, a)):  # fmt: skip
            proper = True
        elif any(p.kind in ("join", "eq", "in") for p in lead_preds):
            bare = True
    return risk.split(";")[0].replace("join key", "per-row lookup key") if bare and not proper else None


def limited_in_order(c: Candidate, a) -> bool:
    """`a`'s block has a LIMIT and an ORDER BY on its own columns that `c`'s keys after the leading one
    deliver: each lookup stops after LIMIT entries in key order (a top-N per outer row, e.g. the
    latest issues per project in a LATERAL subquery), not after all rows of the key."""
    if not a.limit or not a.sort or c.method != "btree":
        return False
    keys = [k.strip().removesuffix(" DESC").strip().strip('"') for k in c.keys[1:]]
    want = [col for col, _ in a.sort]
    if keys[: len(want)] != want:
        return False
    desc = [k.strip().endswith(" DESC") for k in c.keys[1: 1 + len(want)]]
    flipped = [d != s for d, (_, s) in zip(desc, a.sort)]
    return all(flipped) or not any(flipped)  # a backward scan serves the mirror order


def _scattered_table(c: Candidate, snapshot: SchemaSnapshot, stats: StatsMap):
    """The table and lead statistics when `c` leads with a poorly correlated column of a large heap."""
    lead = c.columns[0] if c.columns else None
    t = snapshot.table(c.table)
    if lead is None or t is None or t.estimated_rows < SCATTERED_MIN_ROWS or t.pages <= 0:
        return None
    st = stats.get((c.table, lead))
    if st is None or (st.correlation is not None and abs(st.correlation) >= SCATTERED_MAX_CORRELATION):
        return None
    return t, st


def _rows_per_lookup(c: Candidate, shape: QueryShape, rows: float, stats: StatsMap) -> float | None:
    """Heap rows one lookup reaches: rows / distinct values of the leading keys the query binds
    (None when it binds not even the leading key: not a lookup)."""
    bound: set[str] = set()
    for a in shape.accesses:
        if a.table == c.table:
            bound |= {p.column for p in a.preds if p.kind in ("join", "eq", "in") and p.column}
    distinct = 1.0
    for col in c.columns:
        if col not in bound:
            break
        st = stats.get((c.table, col))
        distinct *= st.distinct(rows) if st else rows
    if c.columns[0] not in bound:
        return None
    return rows / max(1.0, min(distinct, rows))


def _lookup_target(lk: Lookup, snapshot: SchemaSnapshot) -> Candidate | None:
    """The index a lookup reads through: the hypothetical candidate, or the existing index by name."""
    if lk.candidate is not None:
        return lk.candidate
    for t in snapshot.tables:
        for ix in t.indexes:
            if ix.name == lk.index and ix.columns and ix.columns[0]:
                return Candidate(table=t.qualified, keys=tuple(c or "?" for c in ix.columns), columns=tuple(ix.columns))
    return None


def _in_key_order(fed_by: tuple[str, str] | None, snapshot: SchemaSnapshot, stats: StatsMap) -> bool:
    """The lookup keys come from a sequential scan of a table physically ordered by the feeding column."""
    if fed_by is None:
        return False
    relation, column = fed_by
    t = snapshot.table(relation)
    st = stats.get((t.qualified, column)) if t else None
    return st is not None and st.correlation is not None and abs(st.correlation) >= SCATTERED_MAX_CORRELATION


def uncached_lookups(plan: PlanCost, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap
                     ) -> tuple[float, dict[str, str]]:  # fmt: skip
    """Extra cost of `plan`'s looped lookups into large heaps that read more heap pages than the
    table has, and why, per index (a candidate's signature, or an existing index's name).

    The planner prices repeated fetches from one table with the Mackert–Lohman cache model: with a
    large effective_cache_size it assumes that over all loops each heap page is read once and then
    stays cached, and charges little for the rest. When the heap is larger than shared_buffers every
    fetch is a buffer miss (and on a table larger than memory a disk read). A lookup reads
    rows-per-key pages when its key is scattered over the heap, one page when it is physically
    ordered; looped over more outer rows than that multiplies to more page reads than the table has
    pages — unless the keys arrive in that order (a nested loop whose outer side streams a sequential
    scan of a table ordered by the feeding column, e.g. orders → lineitem_pkey on TPC-H, where both
    heaps are laid out by order key): then the lookups sweep the heap forward once.
    TPC-H q05/q07 with `orders (o_custkey)`: ~30 k customers × 15 orders each over 26 k pages,
    planned 20 % cheaper, measured 1.5–2× slower; q03 with `orders (o_custkey, o_orderdate) INCLUDE
    (…)`: an index-only scan per customer, cheap in itself, but it turns the 147 k `lineitem_pkey`
    lookups that a sequential scan of orders fed in key order into random ones (+29–39 %).
    Such lookups are repriced at LOOKUP_UNCACHED_FACTOR, and a plan is trusted only where it still wins
    (q17 with `lineitem (l_partkey, …)`: 200 parts × 30 rows, 60 s → 0.04 s)."""
    extra, why = 0.0, {}
    for lk in plan.lookups:
        if lk.node not in ("Index Scan", "Bitmap Index Scan") or lk.loops <= 1:
            continue
        target = _lookup_target(lk, snapshot)
        t = snapshot.table(target.table) if target else None
        if target is None or t is None or t.estimated_rows < SCATTERED_MIN_ROWS or t.pages <= 0:
            continue
        rows = float(t.estimated_rows)
        per_key = _rows_per_lookup(target, shape, rows, stats)
        st = stats.get((target.table, target.columns[0]))
        if per_key is None or st is None:
            continue
        per_loop = max(lk.rows, per_key)
        ordered = st.correlation is not None and abs(st.correlation) >= SCATTERED_MAX_CORRELATION
        if ordered and _in_key_order(lk.fed_by, snapshot, stats):
            continue  # keys arrive in heap order from a scan of a table ordered like this one: a forward sweep
        pages_per_loop = max(1.0, per_loop / max(1.0, rows / t.pages)) if ordered else per_loop
        reads = lk.loops * pages_per_loop
        if reads <= t.pages:
            continue
        extra += lk.cost_share * (LOOKUP_UNCACHED_FACTOR - 1)
        label = lk.candidate.signature if lk.candidate is not None else f"existing index {lk.index}"
        why.setdefault(label, (
            f"~{lk.loops:,.0f} lookups × ~{pages_per_loop:,.0f} heap page{'s' if pages_per_loop >= 1.5 else ''} = "
            f"~{reads:,.0f} page reads from {t.qualified}'s {t.pages:,} pages through {label} "
            f"(correlation {st.correlation or 0:.2f}{', keys arriving out of heap order' if ordered else ''}), "
            "which the planner prices as cached"))  # fmt: skip
    return extra, why


def reorders_scan(c: Candidate, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap) -> bool:
    """`c` could replace `shape`'s scan of its table by an index-only scan in an order unrelated to the
    heap: a btree whose leading column is uncorrelated with the heap order, bound by a constant in
    the query, and holding every column the query reads from that table."""
    if c.method != "btree" or not c.columns or not c.columns[0]:
        return False
    t = snapshot.table(c.table)
    st = stats.get((c.table, c.columns[0]))
    if t is None or st is None or (st.correlation is not None and abs(st.correlation) >= SCATTERED_MAX_CORRELATION):
        return False
    stored = set(c.columns) | {k.strip('"') for k in c.include}
    return any(a.table == c.table and a.referenced <= stored
               and any(p.column == c.columns[0] and p.constant and p.kind != "join" for p in a.preds)
               for a in shape.accesses)  # fmt: skip


def reordered_feed(c: Candidate, plan: PlanCost, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap
                   ) -> tuple[float, str] | None:  # fmt: skip
    """Extra cost and why, when `plan` sweeps a large table forward through lookups whose keys a
    sequential scan of `c`'s table feeds in heap order, and an index-only scan through `c` could take
    that scan's place and deliver the keys in `c`'s order instead (`reorders_scan`).

    HypoPG does not always show that plan: it models a multi-column btree larger than CREATE INDEX
    builds it (TPC-H q03, `orders (o_orderdate) INCLUDE (o_custkey, o_orderkey, o_shippriority)`: 120 MB
    hypothetical, 45 MB built), so under HypoPG the sequential scan of orders stays cheaper, while the
    built index makes the planner switch to a parallel index-only scan that turns q03's 147 k
    `lineitem_pkey` lookups from one forward sweep into random reads: measured +39–41 % in three
    benchmark runs. The plan is priced by `uncached_lookups` as if those keys no longer came from a
    sequential scan."""
    t = snapshot.table(c.table)
    if t is None or not reorders_scan(c, shape, snapshot, stats):
        return None
    fed_here = {i for i, lk in enumerate(plan.lookups) if lk.fed_by and snapshot.table(lk.fed_by[0]) is t}
    if not fed_here:
        return None
    moved = plan._replace(lookups=tuple(lk._replace(fed_by=None) if i in fed_here else lk
                                        for i, lk in enumerate(plan.lookups)))  # fmt: skip
    now, was = uncached_lookups(plan, shape, snapshot, stats)
    then, whys = uncached_lookups(moved, shape, snapshot, stats)
    if then <= now:
        return None
    return then - now, "; ".join(w for label, w in whys.items() if label not in was)


def broad_range_probes(c: Candidate, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap
                       ) -> list[tuple[str, ...]]:  # fmt: skip
    """Filters whose row count decides whether `shape` could scan a broad range through `c`: the
    query's own predicates on `c`'s keys, where its leading column is only range-bounded, the
    column is poorly correlated with a large heap, and `c` does not answer the access on its own."""
    if c.method != "btree" or c.predicate or _scattered_table(c, snapshot, stats) is None:
        return []
    lead = c.columns[0]
    keys = set(c.columns)
    stored = keys | {k.strip('"') for k in c.include}
    out = []
    for a in shape.accesses:
        if a.table != c.table:
            continue
        on_lead = [p for p in a.preds if p.column == lead]
        if not on_lead or any(p.kind != "range" for p in on_lead) or a.referenced <= stored:
            continue
        preds = tuple(p.sql for p in a.preds if p.column in keys and p.kind not in ("join",) and p.sql)
        if preds:
            out.append(preds)
    return out


def broad_range(c: Candidate, rows_matched: float, q: str, snapshot: SchemaSnapshot, stats: StatsMap) -> str | None:
    """Why a plan through `c` would read (nearly) every heap page out of order, or None.

    A range that matches ≥ BROAD_RANGE_ROWS_PER_PAGE rows per heap page on a column uncorrelated with
    the heap order touches ≥ 95 % of the pages (1 − e^(−rows/pages)): a bitmap heap scan then reads the
    whole table anyway, page by page in bitmap order, without the sequential scan's read-ahead and
    parallel workers. The planner can still prefer it — it saves the filter on the rows the index
    rules out, and a built index is often smaller than HypoPG's model of it — and on TPC-H q06 with
    `lineitem (l_shipdate)` (one year, 15 % of the rows) that plan measured 1.3× slower."""
    found = _scattered_table(c, snapshot, stats)
    if found is None:
        return None
    t, st = found
    if rows_matched < BROAD_RANGE_ROWS_PER_PAGE * t.pages:
        return None
    share = rows_matched / max(1, t.estimated_rows)
    return (f"{q}'s range on {c.columns[0]} matches ~{rows_matched:,.0f} rows ({100 * share:.0f} % of the table) "
            f"spread over all {t.pages:,} heap pages (correlation {st.correlation or 0:.2f}): a bitmap scan through it "
            "would read nearly every page out of sequence, slower than the sequential scan it could replace")  # fmt: skip


def gin_served_cost(matched: float, pages: int, limit: float | None = None) -> float:
    """A query's cost once a GIN index serves its predicate (a bitmap heap scan of the matching rows, as
    costsize.c prices it, simplified): the bitmap index scan (startup: every matching entry at
    cpu_index_tuple_cost), then the distinct heap pages `matched` rows touch (Mackert–Lohman:
    pages × (1 − e^(−rows/pages))) at random_page_cost and each row's CPU and recheck. Under a LIMIT
    with no ORDER BY to sort first, the planner charges that heap part only pro rata (LIMIT / rows),
    as it does for the sequential scan it competes with. The rest of the query (a sort of those rows,
    joins) is left out: an optimistic figure for the GIN, which only makes a btree next to it look
    less needed when the GIN already is cheap."""
    pages, matched = max(1, pages), max(1.0, matched)
    fetched = pages * (1.0 - math.exp(-matched / pages))
    heap = GIN_RANDOM_PAGE_COST * fetched + GIN_ROW_COST * matched
    if limit:
        heap *= min(1.0, limit / matched)
    return GIN_STARTUP_COST + 0.005 * matched + heap


def _strong(c: Candidate, helps: Mapping[str, tuple[float, float]], size: int, snapshot: SchemaSnapshot) -> bool:
    """One query gets much cheaper and the index is small next to its table."""
    t = snapshot.table(c.table)
    heap = t.size_bytes if t is not None else 0
    return size <= SMALL_INDEX_SHARE * heap and any(
        b > 0 and (b - a) / b >= STRONG_QUERY_GAIN and b - a >= FAST_QUERY_COST for b, a in helps.values())


def unanalyzed_expression(plan: PlanCost, shape: QueryShape, snapshot: SchemaSnapshot, stats: StatsMap,
                          sampled: Mapping[tuple[str, str], float] | None = None) -> tuple[float, str] | None:  # fmt: skip
    """`plan` repriced where it looks up a hypothetical expression index by an equality the planner cannot
    estimate, and why.

    An expression has no statistics until an index on it exists and ANALYZE has run: until then the planner
    takes DEFAULT_EQ_SEL (0.5 % of the table) for `lower(email) = $1` or `(payload ->> 'request_id') = 'r-1'`,
    so under HypoPG the lookup through the new index is priced as fetching thousands of rows. Built and
    analysed, the index's own statistics give the real figure, and the planner plans with that. The expected
    matches: for a literal, counted on a block sample of the table (`sampled`: (table, predicate) -> rows);
    else from the column's statistics when the expression keeps its column's distinct values
    (`limit.rare_selectivity`: `lower(email)` of a near-unique e-mail is near-unique; `date(…)`, a jsonb
    field are not judged so). The scan's cost share is scaled to those matches when they are ≤ 1/10 of the
    planner's, never below one index descent and heap page."""
    accesses = {a.table: a for a in shape.accesses}
    saved, why = 0.0, ""
    for lk in plan.lookups:
        c = lk.candidate
        if c is None or lk.loops > 1 or lk.rows <= 10 or None not in c.columns or c.table not in accesses:
            continue
        access = accesses[c.table]
        t = snapshot.table(c.table)
        if t is None or t.estimated_rows <= 0:
            continue
        exprs = [without_opclass(k) for k, col in zip(c.keys, c.columns) if col is None]
        for p in access.preds:
            if p.kind != "expr_eq" or not p.expr or f"({p.expr})" not in exprs:
                continue
            if sampled and (c.table, p.sql) in sampled:
                matches, how = sampled[(c.table, p.sql)], "counted on a sample of the table"
            else:
                judged = rare_selectivity(p, access, snapshot, stats)
                if judged is None:
                    continue
                matches, how = judged[0] * t.estimated_rows, judged[1]
            matches = max(1.0, matches)
            if matches * 10 > lk.rows:
                continue
            scaled = max(GIN_STARTUP_COST, lk.cost_share * matches / lk.rows)
            if lk.cost_share - scaled > saved:
                saved = lk.cost_share - scaled
                why = (f"{p.expr} has no statistics before its index exists: the planner assumes {lk.rows:,.0f} matches "
                       f"(0.5 % of the rows); {how}: ~{matches:,.0f} — the lookup is costed for those")  # fmt: skip
    cost = max(GIN_STARTUP_COST, plan.cost - saved)
    return (cost, why) if saved > 0 and cost < plan.cost else None


class _Costs:
    def __init__(self, oracle: CostOracle, queries: Mapping[str, WorkloadQuery], shapes: Mapping[str, QueryShape],
                 sel: Selection, progress: Progress | None, snapshot: SchemaSnapshot | None = None,
                 stats: StatsMap | None = None):  # fmt: skip
        self.oracle, self.queries, self.shapes, self.sel, self.progress = oracle, queries, shapes, sel, progress
        self.snapshot, self.stats = snapshot, stats
        self.cache: dict[tuple[str, frozenset[Candidate]], PlanCost] = {}
        self.sampled: dict[tuple[str, str], float | None] = {}
        self.done = 0
        self.total = 0

    async def sample_expressions(self, plan: PlanCost, qid: str) -> dict[tuple[str, str], float]:
        """Rows matching each literal expression equality that `plan` looks up through a hypothetical
        expression index, counted on a block sample by the oracle's optional `matched` (once per predicate)."""
        probe = getattr(self.oracle, "matched", None)
        if probe is None or self.snapshot is None:
            return {}
        out: dict[tuple[str, str], float] = {}
        for lk in plan.lookups:
            c = lk.candidate
            if c is None or None not in c.columns:
                continue
            t = self.snapshot.table(c.table)
            for a in self.shapes[qid].accesses:
                for p in a.preds:
                    if a.table != c.table or p.kind != "expr_eq" or not p.constant or not p.sql or t is None:
                        continue
                    key = (c.table, p.sql)
                    if key not in self.sampled:
                        try:
                            self.sampled[key] = await probe(c.table, p.sql, float(t.estimated_rows), t.pages)
                        except OracleError:
                            self.sampled[key] = None
                    if self.sampled[key] is not None:
                        out[key] = self.sampled[key]  # type: ignore[assignment]
        return out

    async def cost(self, qid: str, indexes: frozenset[Candidate]) -> PlanCost:
        tables = self.shapes[qid].tables
        key = (qid, frozenset(c for c in indexes if c.table in tables))
        hit = self.cache.get(key)
        if hit is None:
            hit = await self.oracle.cost(self.queries[qid], key[1])
            if self.snapshot is not None and self.stats:
                repriced, why = executor_cost(hit.cost, hit.limit, self.shapes[qid], self.snapshot, self.stats,
                                              side=qid.rpartition(".")[2] if "." in qid else None)  # fmt: skip
                if why:
                    hit = hit._replace(cost=repriced, planner_cost=hit.cost)
                    if not key[1]:
                        self.sel.limit_notes[qid] = f"{qid}: {why}"
                    elif PREFIX_WALK_READS in why:
                        self.sel.limit_notes.setdefault(qid, f"{qid}: {why}")
                found = unanalyzed_expression(hit, self.shapes[qid], self.snapshot, self.stats,
                                              await self.sample_expressions(hit, qid))  # fmt: skip
                if found is not None:
                    hit = hit._replace(cost=found[0], planner_cost=hit.planner_cost or hit.cost)
                    self.sel.expression_notes.setdefault(qid, f"{qid}: {found[1]}")
            self.cache[key] = hit
            self.sel.costings += 1
            self.done += 1
            if self.progress is not None and self.done % 10 == 0:
                await self.progress(self.done, max(self.total, self.done), f"costed {self.done} plans")
        return hit


async def select(
    queries: Sequence[WorkloadQuery],
    shapes: Mapping[str, QueryShape],
    cset: CandidateSet,
    snapshot: SchemaSnapshot,
    oracle: CostOracle,
    *,
    budget_bytes: int | None = None,
    max_indexes: int | None = None,
    progress: Progress | None = None,
    stats: StatsMap | None = None,
    uncosted: Mapping[Candidate, int] | None = None,
) -> Selection:
    """`uncosted`: the GIN candidates HypoPG cannot create (candidate -> estimated bytes) that the final
    pruning pass weighs together with the btree picks, on one scale of benefit per byte within the
    budget (their effect on a query modelled from the rows their predicate matches, `gin_served_cost`);
    without it they are left to the caller. `stats` (pg_stats) lets plain btree candidates be sized with deduplication (`size.py`);
    without it, or where deduplication does not apply, the oracle's size is used.

    The steps, in order (each a method of `_Selector`): cost the workload without new indexes; scope
    each candidate to the queries it can serve and its table's write charge; size the candidates;
    reject broad ranges; reject what no plan uses even with every candidate available; score each
    candidate once; pick greedily (lazy re-scoring, storage budget, longer variants preferred); drop
    picks that later picks made redundant; re-check the final set against the plan-risk guards; cost
    the workload under the final set."""
    s = _Selector(queries, shapes, cset, snapshot, oracle, budget_bytes=budget_bytes, max_indexes=max_indexes,
                  progress=progress, stats=stats)  # fmt: skip
    await s.cost_baseline()
    s.scope_candidates()
    await s.size_candidates()
    await s.reject_broad_ranges()
    await s.reject_unused()
    heap = await s.score_candidates()
    await s.pick_greedily(heap)
    await s.drop_redundant()
    await s.recheck_final_set()
    await s.prune(dict(uncosted or {}))
    await s.cost_final()
    return s.sel


class _Selector:
    """One run of `select`: the inputs, the plan cache, and the state its steps share.

    `live` holds the queries the oracle could cost, `relevant[c]` the live queries candidate `c` is
    costed against, `charge_rate[table]` the write charge of one more index on `table`, `chosen` the
    picks so far and `current[q]` query `q`'s cost under them, `risks[c]` why a plan-risk guard
    turned `c` down (set by `evaluate`)."""

    def __init__(self, queries: Sequence[WorkloadQuery], shapes: Mapping[str, QueryShape], cset: CandidateSet,
                 snapshot: SchemaSnapshot, oracle: CostOracle, *, budget_bytes: int | None, max_indexes: int | None,
                 progress: Progress | None, stats: StatsMap | None):  # fmt: skip
        self.queries, self.shapes, self.cset, self.snapshot, self.oracle = queries, shapes, cset, snapshot, oracle
        self.max_indexes, self.progress, self.stats = max_indexes, progress, stats
        self.sel = Selection()
        if budget_bytes is None:
            budget_bytes = default_budget(snapshot, shapes)
            self.sel.default_budget = budget_bytes
        self.budget_bytes = budget_bytes
        self.costs = _Costs(oracle, {q.id: q for q in queries}, shapes, self.sel, progress, snapshot, stats)
        self.weights = {q.id: q.weight for q in queries}
        self.by_id = {q.id: q for q in queries}
        self.live: list[str] = []
        self.hypo = [c for c in cset.candidates if c.hypothetical]
        self.relevant: dict[Candidate, list[str]] = {}
        self.charge_rate: dict[str, float] = {}
        self.chosen: list[Candidate] = []
        self.current: dict[str, float] = {}
        self.risks: dict[Candidate, str] = {}
        self.query_risks: dict[tuple[Candidate, str], str] = {}  # (candidate, query) -> how a guard costed it
        self.hurts: dict[Candidate, dict[str, tuple[float, float]]] = {}  # queries a candidate makes costlier
        self.used_bytes = 0
        self.round = 0
        self.pruned_picks: list[Pick] = []
        self.deferred: list[Candidate] = []  # refused for too small a gain during the greedy: judged again at its end

    # --- OR branches: candidates picked together --------------------------------------------------
    def partners(self, c: Candidate) -> tuple[Candidate, ...]:
        """The other branches' candidates of an OR `c` serves one branch of (`CandidateSet.partners`),
        not yet picked: costed, sized and picked together with `c`."""
        return tuple(sorted((p for p in self.cset.partners.get(c, ()) if p not in self.chosen and p in self.sel.sizes
                             and p not in self.sel.rejected), key=lambda p: p.signature))  # fmt: skip

    def unit_size(self, c: Candidate) -> int:
        return self.sel.sizes[c] + sum(self.sel.sizes[p] for p in self.partners(c))

    def tenfold(self, c: Candidate, helps: Mapping[str, tuple[float, float]], size: int) -> bool:
        """A query gets ≥ TENFOLD_GAIN × cheaper (by more than an already-fast query's cost) through an index
        that is tiny next to the budget: worth it whatever share of the workload that query is."""
        if self.budget_bytes is not None and size > TINY_INDEX_SHARE * self.budget_bytes:
            return False
        return any(b - a >= FAST_QUERY_COST and b >= TENFOLD_GAIN * max(a, 1e-9) for b, a in helps.values())

    # --- before the greedy loop -------------------------------------------------------------
    async def cost_baseline(self) -> None:
        """Cost every query with no new index; a query the oracle cannot cost is skipped (with why)
        and takes no further part."""
        sel = self.sel
        self.costs.total = len(self.queries) + len(self.cset.candidates) * 2
        for q in self.queries:
            try:
                sel.base[q.id] = (await self.costs.cost(q.id, frozenset())).cost
                self.live.append(q.id)
            except OracleError as exc:
                sel.skipped[q.id] = str(exc)

    def scope_candidates(self) -> None:
        """The queries each candidate is costed against (those reading its table that generated it
        or use its leading column), and per table the write charge of maintaining one more index."""
        live, shapes = self.live, self.shapes
        self.sel.fast = {q: self.sel.base[q] for q in live if self.sel.base[q] < FAST_QUERY_COST}
        for c in self.hypo:
            self.relevant[c] = [q for q in live if c.table in shapes[q].tables and q not in self.sel.fast
                                and (q in self.cset.queries.get(c, ()) or leading_column_used(c, shapes[q]))]  # fmt: skip
        for c in self.hypo:
            if c.table not in self.charge_rate:
                reading = sum(self.weights[q] for q in live if c.table in shapes[q].tables)
                self.charge_rate[c.table] = writes_per_scan(self.snapshot, c.table) * reading * WRITE_COST_PER_ROW

    async def size_candidates(self) -> None:
        """Each candidate's size: the oracle's (HypoPG, at least one page), replaced by the
        deduplication-aware `btree_size` where that applies; a candidate the oracle cannot create
        is rejected."""
        sel = self.sel
        for c in self.hypo:
            try:
                sel.sizes[c] = sel.oracle_sizes[c] = max(8192, await self.oracle.size(c))
                own = btree_size(c, self.snapshot, self.stats) if self.stats else None
                if own is not None:
                    sel.sizes[c] = own
                    sel.dedup_sized.add(c)
            except OracleError as exc:
                sel.rejected[c] = (0.0, f"HypoPG could not create it: {exc}")

    async def reject_broad_ranges(self) -> None:
        """A range that would drag (nearly) the whole heap through the index rejects the candidate
        (`broad_range`, from the oracle's optional row estimate; each filter probed once)."""
        sel, stats = self.sel, self.stats
        row_probe = getattr(self.oracle, "rows", None)
        probed: dict[tuple[str, tuple[str, ...]], float | None] = {}
        for c in self.hypo:
            if c in sel.rejected or row_probe is None or not stats:
                continue
            for q in self.live:
                for preds in broad_range_probes(c, self.shapes[q], self.snapshot, stats):
                    key = (c.table, preds)
                    if key not in probed:
                        try:
                            probed[key] = await row_probe(c.table, preds)
                        except OracleError:
                            probed[key] = None
                    why = broad_range(c, probed[key], q, self.snapshot, stats) if probed[key] is not None else None
                    if why:
                        sel.rejected[c] = (0.0, why)
                        sel.risky.add(c)
                        break
                if c in sel.rejected:
                    break

    async def reject_unused(self) -> None:
        """All candidates at once: the planner shows which ones it would use at all. Those, and the
        shorter variants of them (same leading keys, no INCLUDE: a cheaper option under a budget), go
        on; a candidate no plan touches even with every alternative available is dropped. Then the
        progress total is re-estimated from the candidates left."""
        sel = self.sel
        usable = [c for c in self.hypo if c not in sel.rejected]
        used_any: set[Candidate] = set()
        for q in self.live:
            mine = frozenset(c for c in usable if q in self.relevant[c])
            if not mine:
                continue
            try:
                plan = await self.costs.cost(q, mine)
                used_any |= plan.used
                if plan.planner_cost is not None and plan.cost > plan.planner_cost and plan.used:
                    # the planner's pick is a LIMIT plan the executor runs far longer than it assumes (`limit`:
                    # a filtered or prefix-filtering ordered walk): what it would pick without those stays too
                    used_any |= (await self.costs.cost(q, mine - plan.used)).used
            except OracleError as exc:
                sel.skipped[q] = str(exc)
        for c in usable:
            if c in used_any or any(u.table == c.table and u.predicate == c.predicate and u.keys[: len(c.keys)] == c.keys
                                    and not c.include for u in used_any):  # fmt: skip
                continue
            sel.rejected[c] = (0.0, "no plan uses it even when every candidate is available")
        self.costs.total = len(self.queries) + sum(len(self.relevant[c]) for c in self.hypo if c not in sel.rejected) * 2

    # --- scoring and the plan-risk guards -------------------------------------------------------
    async def evaluate(self, c: Candidate) -> tuple[float, dict[str, tuple[float, float]]]:
        """Benefit over the current picks, and the queries helped (cost before, after). The plan-risk
        guards judge `c` per query: where one fires in a query's plan (a scattered bare lookup or looped
        lookups priced as uncached where the plan uses `c`, a reordered feed where it does not), that
        query is costed as the guard prices it (`honest_cost`) — its saving shrinks or turns into a
        loss that the other queries' savings must outweigh — and the reason is kept in
        `query_risks[(c, q)]`. A candidate is turned down as risky only when nothing is left of its
        benefit (`risks[c]`)."""
        benefit, helps = 0.0, {}
        stats = self.stats
        judged: list[str] = []
        hurts: dict[str, tuple[float, float]] = {}
        partners = self.partners(c)
        relevant = self.relevant[c] + [q for p in partners for q in self.relevant.get(p, []) if q not in self.relevant[c]]
        for q in dict.fromkeys(relevant):
            before = self.current[q]
            plan = await self.costs.cost(q, frozenset([*self.chosen, c, *partners]))
            after = plan.cost
            if stats:
                found = await self.honest_cost(c, q, plan)
                if found is not None:
                    after, why = found
                    self.query_risks[(c, q)] = why
                    judged.append(why)
            if before > 0 and (before - after) / before >= QUERY_MIN_GAIN:
                benefit += self.weights[q] * (before - after)
                helps[q] = (before, after)
            elif after > before:
                benefit -= self.weights[q] * (after - before)
                hurts[q] = (before, after)
        self.hurts[c] = hurts
        if judged and benefit <= 0:
            self.risks[c] = "; ".join(judged)
            return 0.0, {}
        return max(benefit, 0.0), helps

    async def honest_cost(self, c: Candidate, q: str, plan: PlanCost) -> tuple[float, str] | None:
        """`q`'s cost with `c` as a plan-risk guard prices it, and why; None when no guard fires.
        - a bare scattered lookup through `c` (per outer row, heap pages read): those lookups priced as
          uncached reads (`LOOKUP_UNCACHED_FACTOR`);
        - looped lookups reading more heap pages than the table has: the plan priced as uncached, the
          difference to the plan without `c` priced the same way;
        - a reordered feed (a plan that does not use `c` under HypoPG, but may once it is built): the
          plan plus the uncached price of the lookups it would scatter."""
        stats = self.stats
        if c in plan.used:
            why = bare_scattered_lookup(c, self.shapes[q], self.snapshot, stats)
            if why:
                heap = [lk for lk in plan.lookups if lk.candidate == c and lk.node != "Index Only Scan"]
                if heap or not plan.lookups:
                    extra = sum(lk.cost_share for lk in heap) * (LOOKUP_UNCACHED_FACTOR - 1)
                    # without the plan's lookups there is nothing to reprice: no credit for this query
                    cost = plan.cost + extra if heap else max(plan.cost, self.current[q])
                    return cost, (f"{q} uses it only through its leading key, per outer row ({why}): costed "
                                  f"{plan.cost:,.0f} → {cost:,.0f} with those lookups priced as uncached reads")  # fmt: skip
                return None
            without = await self.costs.cost(q, frozenset(self.chosen))
            found = self.looped_regression(q, plan, without)
            if found:
                shape, snapshot = self.shapes[q], self.snapshot
                after_adj = plan.cost + uncached_lookups(plan, shape, snapshot, stats)[0]
                before_adj = without.cost + uncached_lookups(without, shape, snapshot, stats)[0]
                return without.cost + (after_adj - before_adj), found[0]
            return None
        why = self.reorder_risk(c, q, plan)
        if why:
            found = reordered_feed(c, plan, self.shapes[q], self.snapshot, stats)
            return plan.cost + (found[0] if found else 0.0), why
        return None

    def looped_regression(self, q: str, plan: PlanCost, before: PlanCost, without: str = "without it"
                          ) -> tuple[str, set[str]] | None:  # fmt: skip
        """Why `plan` is expected slower than `before` once its looped lookups are priced as uncached,
        and the indexes (labels of `uncached_lookups`) whose lookups were repriced."""
        shape, snapshot, stats = self.shapes[q], self.snapshot, self.stats
        extra, whys = uncached_lookups(plan, shape, snapshot, stats)
        if not whys:
            return None
        after_adj = plan.cost + extra
        before_adj = before.cost + uncached_lookups(before, shape, snapshot, stats)[0]
        if after_adj <= before_adj:
            return None
        return (f"{q}'s plan with it makes {'; '.join(whys.values())}. Priced as uncached reads it costs "
                f"{after_adj:,.0f}, more than {before_adj:,.0f} {without}", set(whys))  # fmt: skip

    def reorder_risk(self, c: Candidate, q: str, plan: PlanCost) -> str | None:
        """Why `q`, whose plan does not use `c` under HypoPG, may be slower once `c` is built."""
        found = reordered_feed(c, plan, self.shapes[q], self.snapshot, self.stats)
        if found is None or found[0] < QUERY_MIN_GAIN * plan.cost:
            return None
        sel = self.sel
        hypo_mb, own_mb = sel.oracle_sizes.get(c, 0) / 2**20, sel.sizes.get(c, 0) / 2**20
        sized = (f" (HypoPG models it at {hypo_mb:,.0f} MB, CREATE INDEX builds ~{own_mb:,.0f} MB, so the planner's "
                 "choice can change once it exists)") if hypo_mb > 1.2 * own_mb else ""  # fmt: skip
        return (f"{q} reads {c.table} by a sequential scan that feeds looped lookups in heap order; an index-only "
                f"scan through it could replace that scan{sized} and then makes {found[1]}. Priced as uncached reads "
                f"that adds {found[0]:,.0f} to {q}'s cost of {plan.cost:,.0f}")  # fmt: skip

    def reject_risky(self, c: Candidate, why: str) -> None:
        """Reject `c` for a plan-risk reason (reported with benefit 0 and marked risky)."""
        self.sel.rejected[c] = (0.0, why)
        self.sel.risky.add(c)

    # --- the greedy loop ------------------------------------------------------------------------
    async def score_candidates(self) -> list[tuple[float, int, int, Candidate]]:
        """Score every candidate still standing once, against the workload with no picks: the heap of
        (−net benefit per byte, position, round scored, candidate); a risky candidate, or one with no
        net benefit (none, or less than its write charge), is rejected with why."""
        sel = self.sel
        self.current = {q: sel.base[q] for q in self.live}
        heap: list[tuple[float, int, int, Candidate]] = []
        for i, c in enumerate(self.hypo):
            if c in sel.rejected:
                continue
            benefit, _ = await self.evaluate(c)
            net = benefit - self.charge_rate[c.table]
            if c in self.risks:
                self.reject_risky(c, self.risks[c])
                continue
            if net <= 0:
                why = "no workload query's plan gets ≥5 % cheaper with it" if benefit <= 0 else (
                    f"write-heavy table: maintaining it ({self.charge_rate[c.table]:,.0f}) outweighs the read benefit "
                    f"({benefit:,.0f})")  # fmt: skip
                sel.rejected[c] = (benefit, why)
                continue
            heapq.heappush(heap, (-net / self.unit_size(c), i, 0, c))
        return heap

    async def pick_greedily(self, heap: list[tuple[float, int, int, Candidate]]) -> None:
        """Lazy greedy (CELF): pop the best score; scored in an earlier round, it is re-scored and
        pushed back (or rejected); scored this round, it is picked unless `refusal` says why not,
        after `prefer_extension` may swap it for a longer variant."""
        sel = self.sel
        while heap:
            _neg, i, evaluated, c = heapq.heappop(heap)
            if evaluated != self.round:
                await self.rescore(heap, i, c)
                continue
            benefit, helps = await self.evaluate(c)
            net = benefit - self.charge_rate[c.table]
            why = self.refusal(c, benefit, helps, net)
            if why:
                sel.rejected[c] = (benefit, why)
                if why.startswith("lowers the workload cost by only"):
                    self.deferred.append(c)
                continue
            if not self.partners(c):
                c, benefit, helps, net = await self.prefer_extension(c, benefit, helps, net)
            self.take(c, benefit, helps)
        await self.judge_deferred()
        await self.judge_over_budget()

    async def judge_over_budget(self) -> None:
        """The default budget (half the heap the workload reads) is where indexes usually stop paying for their
        writes, cache and backups — a rule for the long tail of small gains, not for an index that by itself
        removes a large share of what the workload still costs (a request-id lookup scanning 4 M events, a
        front-desk search reading every customer). With no budget_mb given, the candidates it refused are
        judged again once the greedy is done, largest gain first: one that lowers the cost the picks leave by
        at least MAJOR_GAIN_SHARE *and* turns a query into a lookup (`estimate.major_gain`: ≥ 10× cheaper,
        ending at ≤ 1,000 units — not a report's rows read a little faster, like a covering index for a
        best-selling product's sales on the shop workload) is taken beyond the budget while the set stays
        within the whole heap the workload reads; the budget grows by its bytes (the pruning pass then keeps
        it) and a note says so. An OR's branch indexes count as one unit."""
        sel = self.sel
        if sel.default_budget is None or self.budget_bytes is None:
            return
        ceiling = int(DEFAULT_BUDGET_CEILING * sel.default_budget)
        gin_served = {q for served in self.cset.probes.values() for q in served}
        # out of `rejected` while judged, so that an OR's refused branch candidates count as partners again
        refused = {c: r for c, r in sel.rejected.items() if r[1].startswith("does not fit the storage budget")}
        # … and their OR partners, refused alone (one branch's index saves nothing without the others')
        branches = {p: sel.rejected[p] for c in refused for p in self.cset.partners.get(c, ())
                    if p in sel.rejected and not sel.rejected[p][1].startswith("pruned")}  # fmt: skip
        for c in [*refused, *branches]:
            sel.rejected.pop(c, None)
        scored: list[tuple[float, str, Candidate]] = []
        for c in refused:
            benefit, _ = await self.evaluate(c)
            if c not in self.risks and benefit > 0:
                scored.append((benefit - self.charge_rate[c.table], c.signature, c))
        for _net, _sig, c in sorted(scored, key=lambda x: (-x[0], x[1])):
            if c in self.chosen:
                continue
            benefit, helps = await self.evaluate(c)
            if c in self.risks:
                continue
            net = benefit - self.charge_rate[c.table]
            # what the picks leave — less what a GIN kind may serve (they are judged later, in the pruning
            # pass: a search for a value no row holds would otherwise dwarf every btree's share)
            total_now = sum(self.weights[q] * self.current[q] for q in self.live if q not in gin_served)
            size = self.unit_size(c)
            share = net / max(total_now, 1e-9)
            if share < MAJOR_GAIN_SHARE or not major_gain(helps) or self.used_bytes + size > ceiling:
                continue
            if self.max_indexes is not None and len(self.chosen) + len(self.partners(c)) >= self.max_indexes:
                continue
            budget_before = self.budget_bytes
            self.budget_bytes = max(self.budget_bytes, self.used_bytes + size)
            for m in [c, *self.partners(c)]:
                sel.over_budget[m] = (share, budget_before)
            self.take(c, benefit, helps)
        for c, r in {**branches, **refused}.items():
            if c not in self.chosen:
                sel.rejected[c] = r

    async def judge_deferred(self) -> None:
        """The candidates refused for too small a gain, judged again against what the picks leave of the
        workload's cost. The lazy greedy meets small indexes first (best benefit per byte) while the
        workload still holds every multi-second scan, so a fast lookup's gain looked negligible then; once
        those scans are served it may be a large share of what remains (a 50/s login on a 9k-row table)."""
        sel = self.sel
        for c in sorted(self.deferred, key=lambda c: c.signature):
            if c in self.chosen or sel.rejected.get(c, (0.0, ""))[1].startswith("lowers") is False:
                continue
            benefit, helps = await self.evaluate(c)
            if c in self.risks or benefit <= 0:
                continue
            net = benefit - self.charge_rate[c.table]
            why = self.refusal(c, benefit, helps, net)
            if why:
                sel.rejected[c] = (benefit, why + " (judged again against what the picks leave)")
                continue
            del sel.rejected[c]
            self.take(c, benefit, helps)

    async def rescore(self, heap: list[tuple[float, int, int, Candidate]], i: int, c: Candidate) -> None:
        """Re-score a stale heap entry against the current picks: push it back with this round's
        score, or reject it (a plan-risk guard fired, or the picks already give its benefit)."""
        benefit, _ = await self.evaluate(c)
        net = benefit - self.charge_rate[c.table]
        if c in self.risks:
            self.reject_risky(c, self.risks[c])
        elif net <= 0:
            self.sel.rejected[c] = (benefit, "the indexes picked before it already give its benefit")
        else:
            heapq.heappush(heap, (-net / self.unit_size(c), i, self.round, c))

    def refusal(self, c: Candidate, benefit: float, helps: Mapping[str, tuple[float, float]], net: float) -> str | None:
        """Why the top candidate is not picked, or None: too small a workload gain (unless `_strong`),
        over the storage budget, or `max_indexes` reached."""
        sel = self.sel
        total_now = sum(self.weights[q] * self.current[q] for q in self.live)
        size = self.unit_size(c)
        if (net < MIN_WORKLOAD_GAIN * total_now and not _strong(c, helps, size, self.snapshot)
                and not self.tenfold(c, helps, size)):  # fmt: skip
            return f"lowers the workload cost by only {100 * net / max(total_now, 1e-9):.2f} %"
        if self.budget_bytes is not None and self.used_bytes + size > self.budget_bytes:
            return f"does not fit the storage budget ({size:,} bytes more)"
        if self.max_indexes is not None and len(self.chosen) + len(self.partners(c)) >= self.max_indexes:
            return f"max_indexes={self.max_indexes} reached"
        return None

    async def prefer_extension(self, c: Candidate, benefit: float, helps: dict[str, tuple[float, float]], net: float
                               ) -> tuple[Candidate, float, dict[str, tuple[float, float]], float]:  # fmt: skip
        """A slightly larger index with the same leading keys that is at least as good serves more
        query shapes (the ORDER BY of a top-N, an index-only scan): prefer it. Candidates are tried in
        order, each against the pick as it stands (a taken variant becomes the one later variants
        must extend and match); the replaced pick is rejected with why. Returns the pick, its
        benefit, the queries it helps and its net benefit."""
        sel = self.sel
        for e in self.hypo:
            top_n = "(top-N with LIMIT)" in self.cset.reasons.get(e, "")
            growth = TOP_N_MAX_GROWTH if top_n else EXTEND_MAX_GROWTH
            if (e is c or e.table != c.table or e.predicate != c.predicate or e.keys[: len(c.keys)] != c.keys
                    or e in sel.rejected or e not in sel.sizes
                    # "barely larger" compares entry widths: a longer key that cannot deduplicate is not
                    # penalised against the deduplicated size of its prefix (the budget uses the real sizes)
                    or sel.oracle_sizes.get(e, sel.sizes[e]) > growth * sel.oracle_sizes.get(c, sel.sizes[c])
                    or (len(e.keys), len(e.include)) <= (len(c.keys), len(c.include))):  # fmt: skip
                continue
            if self.budget_bytes is not None and self.used_bytes + sel.sizes[e] > self.budget_bytes:
                continue
            e_benefit, e_helps = await self.evaluate(e)
            if e in self.risks:
                self.reject_risky(e, self.risks[e])
                continue
            if e_benefit - self.charge_rate[e.table] >= net * (TOP_N_MIN_SHARE if top_n else 1.0):
                sel.rejected[c] = (benefit, f"{e.signature} is as good and barely larger, so it was taken instead")
                c, benefit, helps, net = e, e_benefit, e_helps, e_benefit - self.charge_rate[e.table]
        return c, benefit, helps, net

    def take(self, c: Candidate, benefit: float, helps: Mapping[str, tuple[float, float]]) -> None:
        """Pick `c`: its bytes count against the budget, the queries it helps take their new costs,
        and a new round begins (every other score is now stale)."""
        sel = self.sel
        unit = [c, *self.partners(c)]  # an OR's branches: each an index of its own, the benefit shared
        for q, (_, after) in [*helps.items(), *self.hurts.get(c, {}).items()]:
            self.current[q] = after
        judged = {q: why for (k, q), why in self.query_risks.items() if k == c}
        for m in unit:
            self.chosen.append(m)
            self.used_bytes += sel.sizes[m]
            sel.rejected.pop(m, None)
            sel.picks.append(Pick(m, sel.sizes[m], benefit / len(unit), self.charge_rate[m.table], dict(helps), judged))
        self.round += 1

    # --- after the greedy loop ------------------------------------------------------------------
    async def drop_redundant(self) -> None:
        """Drop picks that later picks made redundant: last pick first, a pick whose loss (the cost of
        its relevant queries without it, less its write charge) is below the minimum workload gain,
        and that is not `_strong`, goes."""
        sel, costs = self.sel, self.costs
        for pick in list(reversed(sel.picks)):
            others = frozenset(p.candidate for p in sel.picks if p is not pick)
            with_all = frozenset(p.candidate for p in sel.picks)
            loss, helps = 0.0, {}
            for q in self.relevant[pick.candidate]:
                without, full = (await costs.cost(q, others)).cost, (await costs.cost(q, with_all)).cost
                loss += self.weights[q] * (without - full)
                helps[q] = (without, full)
            total_now = 0.0
            for q in self.live:
                total_now += self.weights[q] * (await costs.cost(q, with_all)).cost
            if (loss - pick.charge < MIN_WORKLOAD_GAIN * total_now and not _strong(pick.candidate, helps, pick.size,
                                                                                   self.snapshot)
                    and not self.tenfold(pick.candidate, helps, pick.size)):  # fmt: skip
                sel.picks.remove(pick)
                sel.rejected[pick.candidate] = (loss, "later picks gave the same benefit, so it was dropped again")

    async def recheck_final_set(self) -> None:
        """The final set once more, with statistics: while some query's plan under it trips a
        plan-risk guard (`final_set_risk`), the pick concerned goes, rejected as risky."""
        sel = self.sel
        while self.stats:
            bad = await self.final_set_risk(frozenset(p.candidate for p in sel.picks))
            if bad is None:
                break
            sel.picks = [p for p in sel.picks if p.candidate != bad[0]]
            self.reject_risky(*bad)

    async def final_set_risk(self, final: frozenset[Candidate]) -> tuple[Candidate, str] | None:
        """The first pick (in workload order) that a plan under `final` makes risky, and why: used as
        a bare scattered lookup; else not used but a reordered feed (first by signature); else, among
        the new indexes the plan uses, the one whose looped lookups make it slower than with no new
        index once priced as uncached (the first by signature when none is named)."""
        stats, snapshot = self.stats, self.snapshot
        bad = None
        for q in self.live:
            plan = await self.costs.cost(q, final)
            judged = {c for c in final if (c, q) in self.query_risks}  # costed with the guard's price when picked
            for c in plan.used - judged:
                why = bare_scattered_lookup(c, self.shapes[q], snapshot, stats)
                if why:
                    bad = (c, f"{q} would use it only through its leading key, per outer row: {why}")
                    break
            for c in sorted(final - plan.used - judged, key=lambda c: c.signature):
                why = None if bad else self.reorder_risk(c, q, plan)
                if why:
                    bad = (c, why)
            mine = sorted((c for c in plan.used if c in final and c not in judged), key=lambda c: c.signature)
            if not bad and mine:
                found = self.looped_regression(q, plan, await self.costs.cost(q, frozenset()), "without the new indexes")
                if found:
                    guilty = next((c for c in mine if c.signature in found[1]), mine[0])
                    bad = (guilty, found[0])
            if bad:
                break
        return bad

    # --- the final pruning pass (backward elimination) -------------------------------------------
    def gins_beyond_budget(self, gins: set[Candidate], marg: Mapping[Candidate, tuple[float, list]],
                           now: Mapping[str, float], sizes: Mapping[Candidate, int], set_bytes: int
                           ) -> dict[Candidate, float]:  # fmt: skip
        """`judge_over_budget`'s rule for the GIN kinds, which meet the budget first in the pruning pass
        (HypoPG cannot cost them in the greedy): with no budget_mb given and the set within
        DEFAULT_BUDGET_CEILING of the default budget, a GIN member that alone removes at least
        MAJOR_GAIN_SHARE of the workload cost and turns a query into a lookup (a trigram index for a search
        no row matches: 118,766 → 15) is kept beyond the budget — as few of them as cover the excess, those
        the pass would prune first. GIN → its share of the workload cost (for the note)."""
        sel = self.sel
        budget = self.budget_bytes
        if sel.default_budget is None or budget is None or set_bytes <= budget:
            return {}
        if set_bytes > DEFAULT_BUDGET_CEILING * sel.default_budget:
            return {}
        total = sum(self.weights[q] * now[q] for q in self.live)
        major = {}
        for g in gins:
            loss, moved = marg.get(g, (0.0, []))
            share = loss / max(total + max(loss, 0.0), 1e-9)
            if share >= MAJOR_GAIN_SHARE and major_gain({q: (w, n) for q, w, n in moved}):
                major[g] = share
        out: dict[Candidate, float] = {}
        for g in sorted(major, key=lambda g: (marg[g][0] / max(1, sizes[g]), g.signature)):
            if set_bytes - sum(sizes[x] for x in out) <= budget:
                break
            out[g] = major[g]
        return out

    async def gin_models(self, uncosted: Mapping[Candidate, int]) -> dict[Candidate, dict[str, float]]:
        """Per uncosted (GIN) candidate, the modelled cost of each live query it serves once built
        (`gin_served_cost`), from the rows its predicate matches: for full text the oracle's sampled
        count (`matched`, optional), else its planner estimate (`rows`), else GIN_DEFAULT_MATCH of the table.
        A predicate with `$n` parameters is probed with the values the query is costed with (its
        `bound_parameters`); one that has none cannot be probed."""
        matched_probe = getattr(self.oracle, "matched", None)
        rows_probe = getattr(self.oracle, "rows", None)
        out: dict[Candidate, dict[str, float]] = {}
        for g in uncosted:
            t = self.snapshot.table(g.table)
            if t is None:
                continue
            for q, pred in self.cset.probes.get(g, {}).items():
                if q not in self.sel.base or q in self.sel.skipped:
                    continue
                matched = None
                bound = self.by_id[q].bound_parameters if q in self.by_id else {}
                if re.search(r"\$\d", pred) and bound:
                    # the values the query is costed with (`workload.bind_from_stats`): probed like a literal
                    pred = substitute(pred, {int(k[1:]): v for k, v in bound.items() if k[1:].isdigit()})
                if not re.search(r"\$\d", pred):
                    try:
                        # the planner's own estimate decides whether it takes the GIN path: on a plain column
                        # (trigram, jsonb) building the index adds no statistics, so that estimate stays; an
                        # expression index (full text) gets ANALYZE statistics of its own, which a sample of
                        # the table approximates (without them the planner assumes a flat 0.5 %)
                        if matched_probe is not None and g.kind == "fts":
                            matched = await matched_probe(g.table, pred, float(t.estimated_rows), t.pages)
                        elif rows_probe is not None:
                            matched = await rows_probe(g.table, (pred,))
                    except OracleError:
                        matched = None
                if matched is None:
                    matched = GIN_DEFAULT_MATCH * max(1.0, float(t.estimated_rows))
                limit = next((a.limit for a in self.shapes[q].accesses if a.table == g.table and a.limit and not a.sort),
                             None)  # fmt: skip
                out.setdefault(g, {})[q] = gin_served_cost(matched, t.pages, limit)
        return out

    async def set_cost(self, q: str, btrees: frozenset[Candidate], gins: set[Candidate],
                       served: Mapping[Candidate, Mapping[str, float]]) -> float:  # fmt: skip
        """`q`'s cost under the btrees (HypoPG) and the GIN indexes (modelled): the cheaper of the plan
        and each GIN's modelled plan for it (the planner takes the cheapest path)."""
        cost = (await self.costs.cost(q, btrees)).cost
        for g in gins:
            if q in served.get(g, {}):
                cost = min(cost, served[g][q])
        return cost

    async def margins(self, btrees: frozenset[Candidate], gins: set[Candidate],
                      served: Mapping[Candidate, Mapping[str, float]], now: Mapping[str, float]
                      ) -> dict[Candidate, tuple[float, list[tuple[str, float, float]]]]:  # fmt: skip
        """Each member's marginal benefit in the set (weighted cost of the workload without it minus with
        it, less its write charge) and the queries it serves or whose cost it changes (query, without, with)."""
        out = {}
        for c in [*sorted(btrees, key=lambda c: c.signature), *sorted(gins, key=lambda c: c.signature)]:
            loss, moved = 0.0, []
            for q in self.live:
                if c.table not in self.shapes[q].tables:
                    continue
                if c in gins:
                    without = await self.set_cost(q, btrees, gins - {c}, served)
                else:
                    without = await self.set_cost(q, btrees - {c}, gins, served)
                if abs(without - now[q]) > 1e-6 or q in self.relevant.get(c, ()) or q in served.get(c, {}):
                    loss += self.weights[q] * (without - now[q])
                    moved.append((q, without, now[q]))
            out[c] = (loss - self.charge_rate.get(c.table, 0.0), moved)
        return out

    async def readmit(self, pruned: dict[Candidate, tuple[float, int, str]], gins: set[Candidate],
                      served: Mapping[Candidate, Mapping[str, float]], sizes: Mapping[Candidate, int]) -> None:
        """Backward elimination drops one member at a time against the set as it stood: a GIN dropped
        while a btree still served its query better may be what that query needs once the btree went
        for the budget. Pruned members, the last pruned first, come back when they fit the budget and
        save at least PRUNE_DENSITY of the set's benefit per byte against the final set."""
        sel = self.sel
        for c in reversed(list(pruned)):
            btrees = frozenset(p.candidate for p in sel.picks)
            used = sum(sizes[x] for x in [*btrees, *gins])
            if self.budget_bytes is not None and used + sizes[c] > self.budget_bytes:
                continue
            now = {q: await self.set_cost(q, btrees, gins, served) for q in self.live}
            with_b, with_g = (btrees, gins | {c}) if c in served else (btrees | {c}, gins)
            gain = 0.0
            for q in self.live:
                if c.table in self.shapes[q].tables:
                    gain += self.weights[q] * (now[q] - await self.set_cost(q, with_b, with_g, served))
            gain -= self.charge_rate.get(c.table, 0.0)
            members = await self.margins(btrees, gins, served, now)
            density = sum(max(0.0, m) for m, _ in members.values()) / max(1, used)
            if gain <= 0 or gain / max(1, sizes[c]) < PRUNE_DENSITY * density:
                continue
            del pruned[c]
            sel.rejected.pop(c, None)
            if c in served:
                gins.add(c)
            else:
                pick = next(p for p in self.pruned_picks if p.candidate == c)
                sel.picks.append(pick)

    async def prune(self, uncosted: Mapping[Candidate, int]) -> None:
        """Backward elimination over the final set: the btree picks and the uncosted GIN candidates
        together. With the whole set in place, each member's marginal benefit is the weighted workload
        cost without it minus with it (HypoPG for btrees; for a GIN kind its modelled plan). Greedy
        forward picks judge each index against the picks before it, not the ones after, and never saw
        the GIN indexes: a btree picked for a query that a GIN serves better (a tenant filter for an
        ILIKE '%x%' search next to the trigram index) keeps little or nothing of its benefit. Lowest
        benefit per byte first, a member goes while the set exceeds the budget, or when its marginal
        benefit is none, or per byte below PRUNE_DENSITY of the whole set's; then the rest is re-costed."""
        sel = self.sel
        sel.uncosted = dict(uncosted)
        served = await self.gin_models(uncosted) if uncosted else {}
        gins = {g for g in uncosted if served.get(g)}
        await self.drop_gins_beside_btrees(gins, served)
        sizes = {**sel.sizes, **uncosted}
        beyond: dict[Candidate, float] = {}  # GIN members kept beyond the default budget (the last round's)
        while True:
            btrees = frozenset(p.candidate for p in sel.picks)
            if not btrees and not gins:
                break
            try:
                now = {q: await self.set_cost(q, btrees, gins, served) for q in self.live}
                marg = await self.margins(btrees, gins, served, now)
            except OracleError:
                break
            # the reference: the members' own (marginal) benefit per byte, not the whole set's saving, which
            # one query's saving that several members can each provide (TPC-H) dwarfs every member by
            set_benefit = sum(max(0.0, m) for m, _ in marg.values())
            set_bytes = sum(sizes[c] for c in marg)
            density = set_benefit / max(1, set_bytes)
            beyond = self.gins_beyond_budget(gins, marg, now, sizes, set_bytes)
            over = self.budget_bytes is not None and set_bytes - sum(sizes[g] for g in beyond) > self.budget_bytes
            pool = [c for c in marg if c not in beyond]
            if not pool:
                break
            worst = min(pool, key=lambda c: (marg[c][0] / max(1, sizes[c]), c.signature))
            loss, moved = marg[worst]
            if not over:
                # not over the budget: the lowest per byte among the members that add nothing, or that hold
                # a share of the set's bytes worth saving (a small index costs little whatever it buys) — but
                # not one below PRUNE_KEEP_LOOKUP_SHARE of the set's bytes without which a query goes back from
                # a lookup to a scan (`estimate.major_gain`: a login 1,274 → 6 for 6 % of the set is worth its
                # bytes however large the other members' savings per byte; a larger member pays per byte)
                weak = [c for c in marg if marg[c][0] <= 0 or (sizes[c] >= PRUNE_MIN_SHARE * set_bytes and not (
                        sizes[c] < PRUNE_KEEP_LOOKUP_SHARE * set_bytes
                        and major_gain({q: (w, n) for q, w, n in marg[c][1]})))]  # fmt: skip
                if not weak:
                    break
                worst = min(weak, key=lambda c: (marg[c][0] / max(1, sizes[c]), c.signature))
                loss, moved = marg[worst]
                if not (loss <= 0 or loss / max(1, sizes[worst]) < PRUNE_DENSITY * density):
                    break
            shown = "; ".join(f"{q} {w:,.0f} without it, {n:,.0f} with it" for q, w, n in moved[:4]) or "no query's cost changes"
            if over:
                why = (f"the set ({set_bytes / 2**20:,.0f} MB) exceeds the {self.budget_bytes / 2**20:,.0f} MB budget and it "
                       f"buys the least per byte: {loss:,.0f} weighted for {sizes[worst] / 2**20:,.1f} MB ({shown})")
            elif loss <= 0:
                why = f"with the whole set in place it adds nothing: {shown}"
            else:
                why = (f"with the whole set in place it saves {loss:,.0f} weighted for {sizes[worst] / 2**20:,.1f} MB, "
                       f"{loss / max(1, sizes[worst]) / max(density, 1e-12):.2%} of the members' benefit per byte "
                       f"(below {PRUNE_DENSITY:.0%}): {shown}")  # fmt: skip
            sel.pruned[worst] = (loss, sizes[worst], why)
            if worst in gins:
                gins.discard(worst)
            else:
                self.pruned_picks += [p for p in sel.picks if p.candidate == worst]
                sel.picks = [p for p in sel.picks if p.candidate != worst]
            sel.rejected[worst] = (max(loss, 0.0), "pruned: " + why)
        for g, share in beyond.items():
            if g in gins:
                sel.over_budget.setdefault(g, (share, self.budget_bytes or 0))
        await self.readmit(sel.pruned, gins, served, sizes)
        btrees = frozenset(p.candidate for p in sel.picks)
        for g in sorted(gins, key=lambda c: c.signature):
            kept = {}
            for q in served[g]:
                if q in self.live:
                    kept[q] = (await self.set_cost(q, btrees, gins - {g}, served), await self.set_cost(q, btrees, gins, served))
            sel.uncosted_kept[g] = kept
        # a GIN serving no costed query (its queries skipped) keeps the old rule: in, if it fits
        room = None if self.budget_bytes is None else self.budget_bytes - sum(sizes[c] for c in [*btrees, *gins])
        for g in sorted(set(uncosted) - set(served), key=lambda c: (uncosted[c], c.signature)):
            if room is None or uncosted[g] <= room:
                sel.uncosted_kept[g] = {}
                room = None if room is None else room - uncosted[g]

    async def drop_gins_beside_btrees(self, gins: set[Candidate], served: Mapping[Candidate, Mapping[str, float]]) -> None:
        """An uncosted GIN goes before the pruning pass weighs the set (so it never takes budget from costed
        picks) when every query it serves already has a costed btree pick that makes it ≥ QUERY_MIN_GAIN
        cheaper and the GIN's modelled cost does not beat that plan (GIN_OVER_BTREE_MARGIN). HypoPG cannot
        create a GIN, so its figure is a model of a bitmap scan over the rows the predicate is counted (full
        text, on a sample) or estimated (the planner) to match — static evidence, not a plan. Built next to
        the btree it can still win the planner's choice on an ANALYZE sample that overestimates the
        operator's selectivity (jsonb containment: 3,587 then 10,370 rows estimated for the same value after
        two ANALYZEs on booking) and make the query slower than the btree walk it replaced (118 vs 6 ms),
        for bytes and GIN maintenance on what may be the busiest table. It is reported as rejected, with
        the costs it was compared on."""
        btrees = frozenset(p.candidate for p in self.sel.picks)
        for g in sorted(gins, key=lambda c: c.signature):
            mine = [q for q in served.get(g, {}) if q in self.live]
            plans = {q: (await self.costs.cost(q, btrees)).cost for q in mine}
            beside = [q for q in mine if plans[q] <= (1 - QUERY_MIN_GAIN) * self.sel.base[q]
                      and served[g][q] * GIN_OVER_BTREE_MARGIN > plans[q]]  # fmt: skip
            if not mine or len(beside) < len(mine):
                continue
            gins.discard(g)
            shown = "; ".join(f"{q} {self.sel.base[q]:,.0f} → {plans[q]:,.0f} (GIN modelled {served[g][q]:,.0f})"
                              for q in beside[:4])  # fmt: skip
            self.sel.rejected[g] = (0.0, "HypoPG cannot cost a GIN (its figure is a model: static evidence) and costed "
                                         f"picks already serve every query it would: {shown}")  # fmt: skip

    async def cost_final(self) -> None:
        """Every live query's plan under the final set, and the closing progress report."""
        sel = self.sel
        final = frozenset(p.candidate for p in sel.picks)
        for q in self.live:
            sel.final[q] = await self.costs.cost(q, final)
        if self.progress is not None:
            await self.progress(self.costs.done, self.costs.done,
                                f"done: {len(sel.picks)} indexes chosen from {len(self.hypo)} candidates")  # fmt: skip
