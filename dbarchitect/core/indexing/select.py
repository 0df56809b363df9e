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
  pages per supplier, priced low by the planner's cache model), the candidate is rejected — the
  plan-level form of the rule that keeps such single-column keys out of the candidates. The same
  check runs once more on the final set.
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from dbarchitect.core.indexing.candidates import CandidateSet, StatsMap, scattered_join_key
from dbarchitect.core.indexing.models import Candidate, WorkloadQuery
from dbarchitect.core.indexing.shape import QueryShape
from dbarchitect.core.indexing.size import dedup_btree_size
from dbarchitect.core.models import SchemaSnapshot

QUERY_MIN_GAIN = 0.05  # a query is helped when its planner cost drops by at least 5 %
MIN_WORKLOAD_GAIN = 0.005  # a pick must lower the (current) workload cost by at least 0.5 %
WRITE_COST_PER_ROW = 1.0  # planner units to insert one index entry (≈ a cached btree descent + insert)
MAX_WRITES_PER_SCAN = 1000.0  # bulk loads would otherwise make every table look write-only
MIN_SCANS_FOR_MIX = 100  # fewer scans since the reset tell nothing about the read/write mix (e.g. right after a load)
EXTEND_MAX_GROWTH = 1.3  # a longer variant of a pick may be up to 30 % larger and is taken when at least as good
# an extension that also returns a top-N (ORDER BY … LIMIT) in index order keeps the query flat as the
# rows per key grow, which today's statistics cannot show the planner: up to 2× the size, ≥97 % of the benefit
TOP_N_MAX_GROWTH = 2.0
TOP_N_MIN_SHARE = 0.97
DEFAULT_BUDGET_SHARE = 0.25  # without budget_bytes: at most this share of the heap bytes the workload reads …
DEFAULT_BUDGET_FLOOR = 64 * 2**20  # … but never less than 64 MB
STRONG_QUERY_GAIN = 0.3  # … or a pick makes one query ≥30 % cheaper
SMALL_INDEX_SHARE = 0.25  # … with an index at most this share of its table's heap

Progress = Callable[[int, int, str], Awaitable[None]]


class PlanCost(NamedTuple):
    cost: float
    used: frozenset[Candidate]


class OracleError(Exception):
    """The oracle cannot cost this (query or candidate); the message says why."""


class CostOracle(Protocol):
    async def cost(self, query: WorkloadQuery, indexes: frozenset[Candidate]) -> PlanCost: ...

    async def size(self, candidate: Candidate) -> int: ...


@dataclass
class Pick:
    candidate: Candidate
    size: int
    benefit: float
    charge: float
    helps: dict[str, tuple[float, float]]  # query id -> (cost before this pick, after)


@dataclass
class Selection:
    picks: list[Pick] = field(default_factory=list)
    base: dict[str, float] = field(default_factory=dict)
    final: dict[str, PlanCost] = field(default_factory=dict)
    sizes: dict[Candidate, int] = field(default_factory=dict)
    rejected: dict[Candidate, tuple[float, str]] = field(default_factory=dict)  # -> (benefit, reason)
    skipped: dict[str, str] = field(default_factory=dict)
    costings: int = 0
    default_budget: int | None = None  # set when the caller gave no budget
    oracle_sizes: dict[Candidate, int] = field(default_factory=dict)  # one entry per row (HypoPG), no dedup
    dedup_sized: set[Candidate] = field(default_factory=set)  # sized with btree deduplication, not by the oracle


def default_budget(snapshot: SchemaSnapshot, shapes: Mapping[str, QueryShape]) -> int:
    """A quarter of the heap the workload reads (at least 64 MB): indexes beyond that rarely pay
    for their writes, cache and backups, and are the place where planner estimates mislead most."""
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
            return any(p.expr and f"({p.expr})" == cand.keys[0] for p in a.preds)
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
    bare = proper = False
    for a in shape.accesses:
        if a.table != c.table:
            continue
        lead_preds = [p for p in a.preds if p.column == lead]
        if not lead_preds:
            continue
        if any(p.constant for p in lead_preds) or any(p.column in rest for p in a.preds):
            proper = True
        elif any(p.kind in ("join", "eq", "in") for p in lead_preds):
            bare = True
    return risk.split(";")[0].replace("join key", "per-row lookup key") if bare and not proper else None


def _strong(c: Candidate, helps: Mapping[str, tuple[float, float]], size: int, snapshot: SchemaSnapshot) -> bool:
    """One query gets much cheaper and the index is small next to its table."""
    t = snapshot.table(c.table)
    heap = t.size_bytes if t is not None else 0
    return size <= SMALL_INDEX_SHARE * heap and any(b > 0 and (b - a) / b >= STRONG_QUERY_GAIN for b, a in helps.values())


class _Costs:
    def __init__(self, oracle: CostOracle, queries: Mapping[str, WorkloadQuery], shapes: Mapping[str, QueryShape],
                 sel: Selection, progress: Progress | None):  # fmt: skip
        self.oracle, self.queries, self.shapes, self.sel, self.progress = oracle, queries, shapes, sel, progress
        self.cache: dict[tuple[str, frozenset[Candidate]], PlanCost] = {}
        self.done = 0
        self.total = 0

    async def cost(self, qid: str, indexes: frozenset[Candidate]) -> PlanCost:
        tables = self.shapes[qid].tables
        key = (qid, frozenset(c for c in indexes if c.table in tables))
        hit = self.cache.get(key)
        if hit is None:
            hit = await self.oracle.cost(self.queries[qid], key[1])
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
) -> Selection:
    """`stats` (pg_stats) lets plain btree candidates be sized with deduplication (`size.py`);
    without it, or where deduplication does not apply, the oracle's size is used."""
    sel = Selection()
    if budget_bytes is None:
        budget_bytes = default_budget(snapshot, shapes)
        sel.default_budget = budget_bytes
    qmap = {q.id: q for q in queries}
    costs = _Costs(oracle, qmap, shapes, sel, progress)
    weights = {q.id: q.weight for q in queries}
    live: list[str] = []
    costs.total = len(queries) + len(cset.candidates) * 2
    for q in queries:
        try:
            sel.base[q.id] = (await costs.cost(q.id, frozenset())).cost
            live.append(q.id)
        except OracleError as exc:
            sel.skipped[q.id] = str(exc)

    hypo = [c for c in cset.candidates if c.hypothetical]
    relevant: dict[Candidate, list[str]] = {}
    for c in hypo:
        relevant[c] = [q for q in live if c.table in shapes[q].tables
                       and (q in cset.queries.get(c, ()) or leading_column_used(c, shapes[q]))]  # fmt: skip
    charge_rate = {}
    for c in hypo:
        if c.table not in charge_rate:
            reading = sum(weights[q] for q in live if c.table in shapes[q].tables)
            charge_rate[c.table] = writes_per_scan(snapshot, c.table) * reading * WRITE_COST_PER_ROW

    for c in hypo:
        try:
            sel.sizes[c] = sel.oracle_sizes[c] = max(8192, await oracle.size(c))
            dedup = dedup_btree_size(c, snapshot, stats) if stats else None
            if dedup is not None and dedup < sel.sizes[c]:
                sel.sizes[c] = dedup
                sel.dedup_sized.add(c)
        except OracleError as exc:
            sel.rejected[c] = (0.0, f"HypoPG could not create it: {exc}")
    # all candidates at once: the planner shows which ones it would use at all. Those, and the
    # shorter variants of them (same leading keys, no INCLUDE: a cheaper option under a budget),
    # go on; a candidate no plan touches even with every alternative available is dropped.
    usable = [c for c in hypo if c not in sel.rejected]
    used_any: set[Candidate] = set()
    for q in live:
        mine = frozenset(c for c in usable if q in relevant[c])
        if not mine:
            continue
        try:
            used_any |= (await costs.cost(q, mine)).used
        except OracleError as exc:
            sel.skipped[q] = str(exc)
    for c in usable:
        if c in used_any or any(u.table == c.table and u.predicate == c.predicate and u.keys[: len(c.keys)] == c.keys
                                and not c.include for u in used_any):  # fmt: skip
            continue
        sel.rejected[c] = (0.0, "no plan uses it even when every candidate is available")
    costs.total = len(queries) + sum(len(relevant[c]) for c in hypo if c not in sel.rejected) * 2

    chosen: list[Candidate] = []
    current = {q: sel.base[q] for q in live}

    risks: dict[Candidate, str] = {}

    async def evaluate(c: Candidate) -> tuple[float, dict[str, tuple[float, float]]]:
        """Benefit over the current picks; a scattered bare lookup in any plan rejects `c` (benefit 0)."""
        benefit, helps = 0.0, {}
        for q in relevant[c]:
            before = current[q]
            plan = await costs.cost(q, frozenset([*chosen, c]))
            after = plan.cost
            if c in plan.used and stats and c not in risks:
                why = bare_scattered_lookup(c, shapes[q], snapshot, stats)
                if why:
                    risks[c] = f"{q} would use it only through its leading key, per outer row: {why}"
            if before > 0 and (before - after) / before >= QUERY_MIN_GAIN:
                benefit += weights[q] * (before - after)
                helps[q] = (before, after)
        if c in risks:
            return 0.0, {}
        return benefit, helps

    heap: list[tuple[float, int, int, Candidate]] = []
    for i, c in enumerate(hypo):
        if c in sel.rejected:
            continue
        benefit, _ = await evaluate(c)
        net = benefit - charge_rate[c.table]
        if c in risks:
            sel.rejected[c] = (0.0, risks[c])
            continue
        if net <= 0:
            why = "no workload query's plan gets ≥5 % cheaper with it" if benefit <= 0 else (
                f"write-heavy table: maintaining it ({charge_rate[c.table]:,.0f}) outweighs the read benefit "
                f"({benefit:,.0f})")  # fmt: skip
            sel.rejected[c] = (benefit, why)
            continue
        heapq.heappush(heap, (-net / sel.sizes[c], i, 0, c))

    rnd, used_bytes = 0, 0
    while heap:
        neg, i, evaluated, c = heapq.heappop(heap)
        if evaluated != rnd:
            benefit, _ = await evaluate(c)
            net = benefit - charge_rate[c.table]
            if c in risks:
                sel.rejected[c] = (0.0, risks[c])
            elif net <= 0:
                sel.rejected[c] = (benefit, "the indexes picked before it already give its benefit")
            else:
                heapq.heappush(heap, (-net / sel.sizes[c], i, rnd, c))
            continue
        benefit, helps = await evaluate(c)
        net = benefit - charge_rate[c.table]
        total_now = sum(weights[q] * current[q] for q in live)
        if net < MIN_WORKLOAD_GAIN * total_now and not _strong(c, helps, sel.sizes[c], snapshot):
            sel.rejected[c] = (benefit, f"lowers the workload cost by only {100 * net / max(total_now, 1e-9):.2f} %")
            continue
        if budget_bytes is not None and used_bytes + sel.sizes[c] > budget_bytes:
            sel.rejected[c] = (benefit, f"does not fit the storage budget ({sel.sizes[c]:,} bytes more)")
            continue
        if max_indexes is not None and len(chosen) >= max_indexes:
            sel.rejected[c] = (benefit, f"max_indexes={max_indexes} reached")
            continue
        # a slightly larger index with the same leading keys that is at least as good serves more
        # query shapes (the ORDER BY of a top-N, an index-only scan): prefer it
        for e in hypo:
            top_n = "(top-N with LIMIT)" in cset.reasons.get(e, "")
            growth = TOP_N_MAX_GROWTH if top_n else EXTEND_MAX_GROWTH
            if (e is c or e.table != c.table or e.predicate != c.predicate or e.keys[: len(c.keys)] != c.keys
                    or e in sel.rejected or e not in sel.sizes
                    # "barely larger" compares entry widths: a longer key that cannot deduplicate is not
                    # penalised against the deduplicated size of its prefix (the budget uses the real sizes)
                    or sel.oracle_sizes.get(e, sel.sizes[e]) > growth * sel.oracle_sizes.get(c, sel.sizes[c])
                    or (len(e.keys), len(e.include)) <= (len(c.keys), len(c.include))):  # fmt: skip
                continue
            if budget_bytes is not None and used_bytes + sel.sizes[e] > budget_bytes:
                continue
            e_benefit, e_helps = await evaluate(e)
            if e in risks:
                sel.rejected[e] = (0.0, risks[e])
                continue
            if e_benefit - charge_rate[e.table] >= net * (TOP_N_MIN_SHARE if top_n else 1.0):
                sel.rejected[c] = (benefit, f"{e.signature} is as good and barely larger, so it was taken instead")
                c, benefit, helps, net = e, e_benefit, e_helps, e_benefit - charge_rate[e.table]
        chosen.append(c)
        used_bytes += sel.sizes[c]
        for q, (_, after) in helps.items():
            current[q] = after
        sel.picks.append(Pick(c, sel.sizes[c], benefit, charge_rate[c.table], helps))
        rnd += 1

    # drop picks that later picks made redundant
    for pick in list(reversed(sel.picks)):
        others = frozenset(p.candidate for p in sel.picks if p is not pick)
        with_all = frozenset(p.candidate for p in sel.picks)
        loss, helps = 0.0, {}
        for q in relevant[pick.candidate]:
            without, full = (await costs.cost(q, others)).cost, (await costs.cost(q, with_all)).cost
            loss += weights[q] * (without - full)
            helps[q] = (without, full)
        total_now = 0.0
        for q in live:
            total_now += weights[q] * (await costs.cost(q, with_all)).cost
        if loss - pick.charge < MIN_WORKLOAD_GAIN * total_now and not _strong(pick.candidate, helps, pick.size, snapshot):
            sel.picks.remove(pick)
            sel.rejected[pick.candidate] = (loss, "later picks gave the same benefit, so it was dropped again")

    # the final set once more: a pick that some query's plan now uses as a bare scattered lookup goes
    while stats:
        final = frozenset(p.candidate for p in sel.picks)
        bad = None
        for q in live:
            for c in (await costs.cost(q, final)).used:
                why = bare_scattered_lookup(c, shapes[q], snapshot, stats)
                if why:
                    bad = (c, f"{q} would use it only through its leading key, per outer row: {why}")
                    break
            if bad:
                break
        if bad is None:
            break
        sel.picks = [p for p in sel.picks if p.candidate != bad[0]]
        sel.rejected[bad[0]] = (0.0, bad[1])
    final = frozenset(p.candidate for p in sel.picks)
    for q in live:
        sel.final[q] = await costs.cost(q, final)
    if progress is not None:
        await progress(costs.done, costs.done, f"done: {len(sel.picks)} indexes chosen from {len(hypo)} candidates")
    return sel
