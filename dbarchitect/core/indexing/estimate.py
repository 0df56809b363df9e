"""Heuristic mode (no HypoPG): a candidate's benefit estimated from pg_stats, table sizes and weights.

Without a what-if planner the advisor still has what the planner itself starts from: the table's
pages and rows, and per column the null fraction, the distinct values and the most-common values.
Each query block's read of a table is priced the way costsize.c prices its two extremes, in the
planner's units (seq_page_cost = 1, random_page_cost = 4, cpu_tuple_cost = 0.01):

- the sequential scan: every page plus every row (`seq_cost`); with a LIMIT and no ORDER BY, the share
  of it read before LIMIT matches turn up, matches estimated on the rare side
  (`limit.rare_selectivity`; fewer matches than the LIMIT means the whole table);
- an index scan through a candidate: its leading keys bound by the query keep N × selectivity rows
  (equalities by `selectivity`: `rare_selectivity`, an expression's sampled statistics, an IN-list
  of literals by its values' shares; a range by its literal bounds in the histogram, else at a third —
  the planner's default for an unknown bound); the heap pages they touch (`heap_cost`) unless the
  index holds every column the block reads (an index-only scan: about one page per hundred entries);
  when the keys after the equalities deliver the ORDER BY (not after an IN-list: one range per value)
  and there is a LIMIT, only LIMIT rows are fetched. Rows on half the heap's pages or more cost at
  least the sequential scan, and a side no cheaper than the scan counts at NO_GAIN_RISK × the scan;
- a BRIN: a bitmap over the block ranges the bound keeps, widened by the column's disorder (`_brin_cost`).

Candidates are taken greedily by weighted saving per byte (sizes from `size.btree_size` where it
applies), each query block keeping its best cost so far, within the budget and `max_indexes`; a
saving below `MIN_SAVING` of the workload's estimate, or a candidate whose keys lead an index already
taken (or existing), is not taken. It is an estimate and the answer says so; HypoPG replaces it
with the planner's own figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from dbarchitect.core.indexing.expr_stats import canon, has_opclass, lookup_expr, without_opclass
from dbarchitect.core.indexing.limit import NEAR_UNIQUE, rare_selectivity
from dbarchitect.core.indexing.models import Candidate, ColumnStats, WorkloadQuery
from dbarchitect.core.indexing.shape import QueryShape, TableAccess, strict_keys
from dbarchitect.core.models import SchemaSnapshot

# The default budget (half the heap the workload reads) is soft for an order-of-magnitude win: an index it
# refused that alone removes at least MAJOR_GAIN_SHARE of the workload cost the picks leave and makes a query
# it serves MAJOR_GAIN_RATIO × cheaper (a scan turned into a lookup) is taken beyond it, the set at most
# DEFAULT_BUDGET_CEILING × the default budget (the whole heap read). Never with a budget_mb the caller gave.
MAJOR_GAIN_SHARE = 0.1
MAJOR_GAIN_RATIO = 10.0
# … and that query crosses this many planner units (a few hundred page reads): from above to below — a
# scan turned into a lookup, not a report whose rows still cost thousands (a best-selling product's sales:
# 86,965 → 10,124 with a covering index on the shop workload's order_items, 349 MB) nor a cheap lookup
# made cheaper (a purchase check 153 → 11 index-only)
MAJOR_GAIN_AFTER = 1_000.0
DEFAULT_BUDGET_CEILING = 2.0


def major_gain(helps: Mapping[str, tuple[float, float]]) -> bool:
    """Some query gets MAJOR_GAIN_RATIO × cheaper, from at least MAJOR_GAIN_AFTER to at most it: the
    over-budget test's per-query half (the share of the workload is the caller's)."""
    return any(b >= MAJOR_GAIN_RATIO * max(a, 1e-9) and a <= MAJOR_GAIN_AFTER <= b for b, a in helps.values())

RANDOM_PAGE = 4.0
CPU_TUPLE = 0.01
RANGE_SELECTIVITY = 1 / 3  # costsize.c DEFAULT_INEQ_SEL for a bound not known in advance
USEFUL_SHARE = 0.2  # an index whose bound keys keep more than this share of rows rarely beats the scan
MIN_SAVING = 0.005  # a pick must save at least 0.5 % of the workload's current estimate
FAST_ACCESS_COST = 30.0  # a block already this cheap (a small table) gets no index
EXTEND_MAX_GROWTH = 2.0
NO_GAIN_PAGES = 0.5  # an index scan whose rows lie on half the heap's pages or more is no cheaper than the scan
NO_GAIN_RISK = 1.25  # an index no cheaper than the scan on one side: measured 145 vs 118 ms (booking, run 4)  # a longer variant of a pick may be up to twice its size


@dataclass
class Estimate:
    cost: float
    how: str


def _rows_pages(access: TableAccess, snapshot: SchemaSnapshot) -> tuple[float, float]:
    t = snapshot.table(access.table)
    if t is None:
        return 0.0, 0.0
    return float(max(t.estimated_rows, 0)), float(max(t.pages, 1))


def selectivity(p, access: TableAccess, snapshot: SchemaSnapshot, stats, common: bool = False) -> tuple[float, str] | None:
    """`limit.rare_selectivity`, except for an expression the sample measured (`expr_stats`): judged on
    the expression's own distinct values and most-common values, not on the column under it — through
    the column, `date(created_at)` inherits the timestamp's near-uniqueness (one row) although a day
    holds thousands, and `payload->>'source'` the jsonb document's (four values in fact)."""
    if p.kind == "in" and p.column and (listed := in_list_share(p, access, snapshot, stats)) is not None:
        return listed
    st = lookup_expr(stats, access.table, f"({p.expr})") if p.kind == "expr_eq" and p.expr else None
    t = snapshot.table(access.table)
    if st is None or t is None or t.estimated_rows <= 0:
        return rare_selectivity(p, access, snapshot, stats, common)
    rows = float(t.estimated_rows)
    what = f"{st.column} (sampled)"
    if p.constant and p.value is not None and (f := st.frequency(p.value)) is not None and p.value not in ("",):
        return f, f"{what} = {p.value!r}: {100 * f:.1f} % of rows"
    if common and st.most_common_freqs:
        return st.most_common_freqs[0], f"{what}: its most common value holds {100 * st.most_common_freqs[0]:.1f} % of rows"
    distinct = st.distinct(rows)
    if distinct >= NEAR_UNIQUE * rows:
        return 1.0 / rows, f"{what} is near-unique ({distinct:,.0f} distinct in {rows:,.0f} rows): ≤ 1 match"
    rest = max(0.0, 1.0 - st.null_frac - sum(st.most_common_freqs))
    others = max(1.0, distinct - len(st.most_common_vals))
    sel = rest / others if st.most_common_vals and rest > 0 else (1.0 - st.null_frac) / distinct
    return sel, f"{what}: a value outside the most-common list matches ~{sel * rows:,.0f} rows"


def range_share(column: str, access: TableAccess, stats) -> float | None:
    """The share of rows the literal range bounds on `column` keep, read off pg_stats' histogram as
    the planner's scalarineqsel does (the fraction of histogram buckets below a bound; both bounds of
    a window subtract), or None when a bound is a parameter or the histogram cannot place it. Without
    it every range is the planner's default third: `scheduled_at <= now` keeps ~all rows of a queue's
    history, and a BRIN or an index on it saves nothing."""
    st = stats.get((access.table, column))
    bounds = st.histogram_bounds if st is not None else []
    if len(bounds) < 2:
        return None
    lo, hi, seen = 0.0, 1.0, False
    for p in access.preds:
        if p.kind != "range" or p.column != column:
            continue
        if not p.constant or p.value is None:
            return None
        m = re.search(r"(<=|>=|<|>)", p.sql or "")
        if m is None:
            return None
        op = m.group(1)
        if not re.match(rf"\s*\(?\s*\"?{re.escape(column)}\b", p.sql, re.IGNORECASE):
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]  # literal on the left
        frac = _histogram_fraction(bounds, p.value)
        if frac is None:
            return None
        seen = True
        if op.startswith("<"):
            hi = min(hi, frac)
        else:
            lo = max(lo, frac)
    if not seen:
        return None
    return max(hi - lo, 0.5 / (len(bounds) - 1)) * (1.0 - (st.null_frac if st else 0.0))


def _histogram_fraction(bounds: list[str], value: str) -> float | None:
    """Share of the histogram's rows below `value` (numbers compared as numbers, other values as
    text — ISO dates and timestamps order as text)."""
    def key(x: str):
        x = x.strip().strip("'")
        try:
            return (0, float(x), "")
        except ValueError:
            pass
        try:
            when = datetime.fromisoformat(x if len(x) > 10 else x + " 00:00:00")
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return (0, when.timestamp(), "")
        except ValueError:
            return (1, 0.0, x)
    v = key(value)
    keys = [key(b) for b in bounds]
    if any(k[0] != v[0] for k in keys):
        return None
    if v <= keys[0]:
        return 0.0
    if v >= keys[-1]:
        return 1.0
    for i in range(1, len(keys)):
        if v < keys[i]:
            a, b = keys[i - 1], keys[i]
            within = (v[1] - a[1]) / (b[1] - a[1]) if v[0] == 0 and b[1] > a[1] else (0.0 if v == a else 0.5)
            return (i - 1 + within) / (len(keys) - 1)
    return 1.0


def in_list_share(p, access: TableAccess, snapshot: SchemaSnapshot, stats) -> tuple[float, str] | None:
    """An IN-list of literals keeps the sum of its values' shares, on both sides (a literal is not a
    parameter: there is no common or rare value to choose): a most-common value its frequency, another
    value the share of the rows outside the list divided among the other distinct values. `status IN
    ('pending', 'failed')` is 1.7 % of the notifications — not three times the most common status
    (95 % 'sent'), which made every index led by status look useless on the "common side"."""
    m = re.search(r"\bIN\s*\((.*)\)\s*$", p.sql or "", re.IGNORECASE | re.DOTALL)
    st = stats.get((access.table, p.column))
    t = snapshot.table(access.table)
    if m is None or st is None or t is None or t.estimated_rows <= 0:
        return None
    items = [x.strip() for x in re.findall(r"'(?:[^']|'')*'|[^,']+", m.group(1)) if x.strip()]
    if not items or any("$" in x or "(" in x for x in items):
        return None
    rows = float(t.estimated_rows)
    rest = max(0.0, 1.0 - st.null_frac - sum(st.most_common_freqs))
    other = rest / max(1.0, st.distinct(rows) - len(st.most_common_vals)) if st.most_common_vals else 1.0 / st.distinct(rows)
    share = 0.0
    for x in items:
        value = x[1:-1].replace("''", "'") if x.startswith("'") else x
        f = st.frequency(value)
        share += f if f is not None else other
    share = min(1.0, share)
    return share, f"{p.column} IN ({len(items)} values): {100 * share:.2f} % of rows"


def _filter_selectivity(access: TableAccess, snapshot, stats, common: bool = False) -> float:
    sel = 1.0
    for p in access.preds:
        if p.kind in ("eq", "expr_eq", "null", "in"):
            judged = selectivity(p, access, snapshot, stats, common)
            if judged is not None:
                sel *= judged[0]
    return sel


def _early_stop(access: TableAccess, shape: QueryShape) -> bool:
    """The LIMIT can stop this table's scan early: no ORDER BY or GROUP BY on another table needs all rows first."""
    return shape.limit is not None and not any((a.sort or a.group) and a is not access for a in shape.accesses if a.limit)


def seq_cost(access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot, stats) -> float:
    """The sequential scan's estimate: the mean of a rare and a common parameter value."""
    return 0.5 * (_seq_cost(access, shape, snapshot, stats, False) + _seq_cost(access, shape, snapshot, stats, True))


def _seq_cost(access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot, stats, common: bool) -> float:
    rows, pages = _rows_pages(access, snapshot)
    full = pages + CPU_TUPLE * rows
    if _early_stop(access, shape) and not access.sort and not access.group:
        matches = _filter_selectivity(access, snapshot, stats, common) * rows
        return full * min(1.0, shape.limit / max(matches, 1e-9))
    matches = _filter_selectivity(access, snapshot, stats, common) * rows
    return full + (_sort(matches) if access.sort else 0.0)


def _sort(rows: float) -> float:
    return rows * CPU_TUPLE * max(1.0, math.log2(max(rows, 2)))


def index_cost(c: Candidate, access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot,
               stats: Mapping[tuple[str, str], ColumnStats]) -> float | None:  # fmt: skip
    """The estimated cost of `access` through `c` (the mean of a rare and a common parameter value —
    an index that serves a rare tenant but not a huge one is judged on both), or None when the query
    cannot use it."""
    rare = _index_cost(c, access, shape, snapshot, stats, False)
    common = _index_cost(c, access, shape, snapshot, stats, True)
    if rare is None or common is None:
        return None
    # a side where the index is no cheaper than the sequential scan (a common value's rows on most heap
    # pages) is where the planner, choosing between two near-equal estimates, may take the index and run
    # slower than with none: it is counted at NO_GAIN_RISK × the sequential scan, so the index earns its
    # keep on the other side only when that side's saving outweighs the risk
    for side, cost in (("rare", rare), ("common", common)):
        seq = _seq_cost(access, shape, snapshot, stats, side == "common")
        if cost >= seq:
            cost = max(cost, NO_GAIN_RISK * seq)
            rare, common = (cost, common) if side == "rare" else (rare, cost)
    return 0.5 * (rare + common)


def _index_cost(c: Candidate, access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot,
                stats: Mapping[tuple[str, str], ColumnStats], common: bool) -> float | None:  # fmt: skip
    if c.table != access.table or not c.hypothetical:
        return None
    rows, pages = _rows_pages(access, snapshot)
    if c.method == "brin":
        return _brin_cost(c, access, shape, snapshot, stats, common, rows, pages)
    if c.method != "btree":
        return None
    if c.predicate and not _implied(c.predicate, access):
        return None
    by_col = {}
    for p in access.preds:
        key = p.column or (f"({p.expr})".lower() if p.expr else None)
        if key and key not in by_col:
            by_col[key] = p
    sel, bound, ordered, loops, ranges = 1.0, 0, False, 1.0, False
    for i, (col, key) in enumerate(zip(c.columns, c.keys)):
        p = by_col.get(col) if col else by_col.get(without_opclass(key).lower())
        if p is not None and p.kind == "like_prefix" and not has_opclass(key):
            # a key in the default operator class serves LIKE as a range only under the "C" collation;
            # elsewhere the prefix is a filter, and a walk of this key in order reads every key below the
            # prefix before the first match (`limit.prefix_walk`): the pattern_ops key is the one that serves
            if i == 0:
                return None
            p = None
        if p is None:
            rest = [x for x in c.columns[i:]]
            ordered = bool(access.sort) and rest[: len(access.sort)] == [s for s, _ in access.sort]
            break
        if p.kind == "join" and i > 0:
            rest = [x for x in c.columns[i:]]  # a later join key is read from the index, not bound
            ordered = bool(access.sort) and rest[: len(access.sort)] == [s for s, _ in access.sort]
            break
        if p.kind == "join":
            # a nested loop's inner side: one lookup per row of the filtered partner
            outer = _partner_matches(p.partner, shape, snapshot, stats)
            if outer is None:
                return None
            loops = outer
            judged = rare_selectivity(replace(p, kind="eq", param=True), access, snapshot, stats, common)
            sel *= judged[0] if judged else 0.01
            bound += 1
            continue
        if p.kind in ("eq", "expr_eq", "null", "in"):
            judged = selectivity(p, access, snapshot, stats, common)
            sel *= judged[0] if judged else 0.01
            bound += 1
            ranges = ranges or (p.kind == "in" and not single_value(p))
            continue
        if p.kind in ("range", "like_prefix", "expr_range"):
            share = range_share(p.column, access, stats) if p.kind == "range" and p.column else None
            sel *= share if share is not None else RANGE_SELECTIVITY
            bound += 1
            rest = [x for x in c.columns[i:]]
            ordered = bool(access.sort) and rest[: len(access.sort)] == [s for s, _ in access.sort]
        break
    else:
        ordered = not access.sort
    # an IN-list (or = ANY) on a key is one index range per value: the keys after it come back ordered
    # within each range, not across them, so an ORDER BY on them is a sort of every match (PostgreSQL
    # before 17 returns the ranges one after another; the LIMIT cannot stop the scan early)
    ordered = ordered and not (ranges and access.sort)
    if bound == 0 and not ordered:
        return None
    if c.predicate:
        sel *= _filter_share(c, access, snapshot, stats, common)
    matched = rows * sel
    if bound and sel > USEFUL_SHARE and not (ordered and _early_stop(access, shape)):
        return None
    fetched = matched
    if _early_stop(access, shape) and (ordered or not access.sort) and not access.group and loops == 1:
        # rows read in index order until LIMIT of them also pass the filters the index does not bind
        remaining = min(1.0, _filter_selectivity(access, snapshot, stats, common) / max(sel, 1e-12))
        fetched = min(matched, float(shape.limit) / max(remaining, 1e-9))
    stored = stored_columns(c)
    spread = 0.0
    if access.referenced and access.referenced <= stored:
        heap = fetched / 100
    else:
        heap = heap_cost(fetched, rows, pages, _lead_correlation(c, stats))
        spread = heap_pages(fetched, rows, pages, _lead_correlation(c, stats)) / pages
    descent = RANDOM_PAGE * max(1.0, math.log(max(rows, 2), 300))
    sort = 0.0 if ordered or not access.sort else _sort(fetched)
    cost = loops * (descent + heap + fetched * CPU_TUPLE) + sort
    if loops == 1 and spread >= NO_GAIN_PAGES:
        # rows on most of the heap's pages: the scan reads the table page by page either way, and the
        # sequential scan does it with read-ahead and parallel workers — no gain from the index
        cost = max(cost, _seq_cost(access, shape, snapshot, stats, common))
    return cost


def _brin_cost(c: Candidate, access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot, stats, common: bool,
               rows: float, pages: float) -> float | None:  # fmt: skip
    """A BRIN scan: a bitmap of the block ranges whose min/max can hold the bound, every row of those
    pages read and rechecked. It gives no order (an ORDER BY sorts every match, a LIMIT cannot stop it
    early) and narrows only as far as the column lies in physical order: the pages read are the share
    the bound keeps where the column follows the heap (|correlation| → 1), all of them where it does
    not. Priced as a sequential read of those pages. (Before, a BRIN was priced as a btree: ordered,
    stopping at the LIMIT — the notification queue's BRIN on scheduled_at looked 500× cheaper than
    its sequential scan and ran no faster.)"""
    col = c.columns[0] if c.columns else None
    st = stats.get((access.table, col)) if col else None
    preds = [p for p in access.preds if p.column == col and p.kind in ("range", "eq")]
    if not preds or st is None:
        return None
    if preds[0].kind == "eq":
        judged = selectivity(preds[0], access, snapshot, stats, common)
        share = judged[0] if judged else RANGE_SELECTIVITY
    else:
        got = range_share(col, access, stats)
        share = got if got is not None else RANGE_SELECTIVITY
    corr = min(1.0, abs(st.correlation or 0.0))
    # pg_stats' correlation is global: a column that follows the heap only roughly (a slot booked days to
    # weeks after the row was inserted: 0.99) still spreads one week's rows over weeks of pages — the
    # disorder left is read as √(1 − c²) of the table (0.14 at 0.99), not 1 − c (0.01)
    read = min(1.0, share + math.sqrt(max(0.0, 1.0 - corr * corr)))
    matches = _filter_selectivity(access, snapshot, stats, common) * share * rows
    sort = _sort(matches) if access.sort else 0.0
    # the inner side of a nested loop (a LATERAL, a correlated subquery) whose join key the BRIN does not
    # hold runs the whole bitmap scan once per outer row
    loops = 1.0
    for p in access.preds:
        if p.column == col:
            continue
        if p.kind == "join":
            outer = _partner_matches(p.partner, shape, snapshot, stats)
        elif p.kind == "eq" and not p.constant and not p.param:  # fed by the outer row of a LATERAL
            outer = max((_outer_rows(a, snapshot, stats) for a in shape.accesses if a is not access), default=None)
        else:
            continue
        loops = max(loops, outer if outer is not None else 1.0)
    return loops * (pages * read + CPU_TUPLE * rows * read + sort)


def _outer_rows(a: TableAccess, snapshot: SchemaSnapshot, stats) -> float:
    """Rows a filtered outer table delivers on the common side (1 when it is not filtered)."""
    sel = _filter_selectivity(a, snapshot, stats, True)
    rows, _ = _rows_pages(a, snapshot)
    return max(1.0, rows * sel) if sel < 1.0 else 1.0


def single_value(p) -> bool:
    """An IN-list of one literal (`status IN ('open')`): one index range, like an equality."""
    m = re.search(r"\bIN\s*\((.*)\)\s*$", p.sql or "", re.IGNORECASE | re.DOTALL)
    if m is None:
        return False
    return len(re.findall(r"'(?:[^']|'')*'|[^,']+", m.group(1))) == 1


def heap_cost(fetched: float, rows: float, pages: float, correlation: float) -> float:
    """The heap pages an index scan's `fetched` rows touch, priced as costsize.c prices them:
    - pages touched: rows in key order that lie in physical order (correlation c) fill consecutive
      pages, fetched / rows-per-page of them; scattered ones land on pages·(1 − e^(−fetched/pages))
      distinct pages (Cardenas' occupancy: 8 % of a table's rows scattered touch ~all its pages);
      interpolated by c², as cost_index interpolates its min and max IO cost;
    - a page's price falls from random_page_cost towards seq_page_cost as the share of the table
      touched grows (cost_bitmap_heap_scan: 4 − 3·√(touched / pages)): a bitmap over every page is a
      sequential read — no cheaper than the sequential scan, and no longer the 4 × pages the old
      min(fetched, pages) × random_page_cost priced it at.
    A common tenant's rows (8.5 %) spread over every page make the index no better than the sequential
    scan, as measured (daily revenue of the big tenant: 145 ms through `(tenant_id, status)`, 118 ms
    with no index)."""
    if fetched <= 0 or pages <= 0:
        return 0.0
    touched = heap_pages(fetched, rows, pages, correlation)
    price = RANDOM_PAGE - (RANDOM_PAGE - 1.0) * math.sqrt(min(1.0, touched / pages))
    return touched * price


def heap_pages(fetched: float, rows: float, pages: float, correlation: float) -> float:
    """Distinct heap pages `fetched` rows lie on (see `heap_cost`)."""
    if fetched <= 0 or pages <= 0:
        return 0.0
    per_page = max(rows / pages, 1.0)
    scattered = pages * (1.0 - math.exp(-fetched / pages))
    ordered = min(pages, math.ceil(fetched / per_page))
    c2 = min(1.0, correlation * correlation)
    return max(1.0, c2 * ordered + (1.0 - c2) * scattered)


def _lead_correlation(c: Candidate, stats) -> float:
    col = c.columns[0] if c.columns else None
    st = stats.get((c.table, col)) if col else None
    return st.correlation if st is not None and st.correlation is not None else 0.0


_KEYWORDS = {"IS", "NOT", "NULL", "AND", "OR", "TRUE", "FALSE", "IN", "LIKE", "ILIKE", "BETWEEN"}


def stored_columns(c: Candidate) -> set[str]:
    """Columns an index-only scan through `c` can answer for: its keys and INCLUDE columns, and the
    columns of its partial predicate — a filter the WHERE implies needs no heap column (the planner's
    check_index_only leaves out quals implied by the index predicate, PostgreSQL 9.6+)."""
    out = {x for x in c.columns if x} | {k.strip('"') for k in c.include}
    if c.predicate:
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'(?:[^']|'')*'", "", c.predicate))
        out |= {w for w in words if w.upper() not in _KEYWORDS}
    return out


def _partner_matches(partner: str | None, shape: QueryShape, snapshot: SchemaSnapshot, stats) -> float | None:
    """Rows the filtered partner of a join delivers (None: the partner is not filtered, a hash join
    over both tables is what an index cannot beat)."""
    for a in shape.accesses:
        if a.table != partner:
            continue
        sel = _filter_selectivity(a, snapshot, stats, True)
        if sel < 1.0:
            rows, _ = _rows_pages(a, snapshot)
            return max(1.0, rows * sel) if shape.limit is None else min(max(1.0, rows * sel), 10.0 * shape.limit)
    return None


def _implied(predicate: str, access: TableAccess) -> bool:
    """Every term of a partial index's WHERE is one of the query's own filters, or `key IS NOT NULL` for a
    key the query compares strictly (`shape.strict_keys`: the planner proves it from that comparison)."""
    texts = {p.sql.lower().replace(" ", "") for p in access.preds}
    strict = {canon(k).strip('"') for k in strict_keys(access.preds)}
    for part in predicate.split(" AND "):
        if part.lower().replace(" ", "") in texts:
            continue
        m = re.fullmatch(r"(.+?)\s+IS\s+NOT\s+NULL", part.strip(), flags=re.IGNORECASE | re.DOTALL)
        if m and canon(m.group(1)).strip('"') in strict:
            continue
        return False
    return True


def _filter_share(c: Candidate, access: TableAccess, snapshot, stats, common: bool) -> float:
    share = 1.0
    parts = {x.lower().replace(" ", "") for x in (c.predicate or "").split(" AND ")}
    for p in access.preds:
        if p.sql.lower().replace(" ", "") in parts:
            judged = selectivity(p, access, snapshot, stats, common)
            share *= judged[0] if judged else 0.5
    return share


def rank(queries: Sequence[WorkloadQuery], shapes: Mapping[str, QueryShape], candidates: Sequence[Candidate],
         snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats], sizes: Mapping[Candidate, int],
         *, budget_bytes: int | None, max_indexes: int | None, taken: Sequence[Candidate] = (),
         entry_sizes: Mapping[Candidate, int] | None = None, rejected: dict[Candidate, str] | None = None,
         ceiling: int | None = None, over: dict[Candidate, float] | None = None,
         partners: Mapping[Candidate, frozenset[Candidate]] | None = None) -> list[tuple[Candidate, float, dict[str, tuple[float, float]]]]:  # fmt: skip
    """Greedy picks: (candidate, weighted saving, query -> (estimate before, after)). `rejected`, when
    given, receives why each candidate left out was not taken (as of the last round it was judged).
    `ceiling` (with a default budget only): a candidate beyond `budget_bytes` is still taken, after every
    one within it, when it saves at least MAJOR_GAIN_SHARE of the estimate the picks leave and turns a
    query into a lookup (`major_gain`), while the picks stay within `ceiling` (`select.judge_over_budget`'s
    rule); `over` receives those picks with their share. `partners`: an OR's branch candidates
    (`CandidateSet.partners`), judged as one unit after the greedy (`or_cost`)."""
    weights = {q.id: q.weight for q in queries}
    blocks = [(q, i, a) for q, s in shapes.items() if q in weights for i, a in enumerate(s.accesses)]
    current = {(q, i): seq_cost(a, shapes[q], snapshot, stats) for q, i, a in blocks}
    for q, i, a in blocks:  # what the existing indexes already give
        for c in existing_candidates(snapshot, a.table):
            cost = index_cost(c, a, shapes[q], snapshot, stats)
            if cost is not None:
                current[(q, i)] = min(current[(q, i)], cost)
    live = [(q, i, a) for q, i, a in blocks if current[(q, i)] >= FAST_ACCESS_COST]
    per: dict[Candidate, list[tuple[str, int, float]]] = {}
    for c in candidates:
        for q, i, a in live:
            cost = index_cost(c, a, shapes[q], snapshot, stats)
            if cost is not None:
                per.setdefault(c, []).append((q, i, cost))
    picks: list[tuple[Candidate, float, dict[str, tuple[float, float]]]] = []
    chosen: list[Candidate] = list(taken)
    why: dict[Candidate, str] = {c: ("every query block it could serve is already cheap (a small table or an existing "
                                     "index) or binds none of its leading keys") for c in candidates if c not in per}  # fmt: skip

    def may_exceed(extra: float, saving: float, helps: Mapping[str, tuple[float, float]]) -> bool:
        """Beyond the budget only with a default one (`ceiling`), by `select.judge_over_budget`'s rule."""
        return (ceiling is not None and used + extra <= ceiling and saving >= MAJOR_GAIN_SHARE * total
                and major_gain(helps))  # fmt: skip

    def grown(c: Candidate) -> int:  # "barely larger" compares entry widths (`size.entry_btree_size`)
        return (entry_sizes or {}).get(c) or sizes[c]

    used = 0
    while per and (max_indexes is None or len(picks) < max_indexes):
        total = sum(weights[q] * current[(q, i)] for q, i, _ in live) or 1.0
        best = None
        for c, costs in per.items():
            saving, helps = _saving(costs, weights, current)
            served = next((o for o in chosen if _served_by(c, o)), None)
            if served is not None:
                why[c] = f"{served.signature} serves every lookup it would (same leading keys)"
                continue
            if saving < MIN_SAVING * total:
                why[c] = (f"estimated to save {100 * saving / total:.2f} % of the workload's estimate after the picks "
                          f"before it (less than {100 * MIN_SAVING:.1f} %)")  # fmt: skip
                continue
            # a longer variant of an earlier pick replaces it: only the extra bytes count
            replaces = next((o for o, _, _ in picks if _prefix_of(o, c)), None)
            extra = sizes[c] - (sizes[replaces] if replaces is not None else 0)
            beyond = budget_bytes is not None and used + extra > budget_bytes
            if beyond and not may_exceed(extra, saving, helps):
                why[c] = f"does not fit the storage budget (~{extra / 2**20:,.1f} MB more, {max(budget_bytes - used, 0) / 2**20:,.1f} MB left)"
                continue
            # within the budget first: a candidate beyond it only when none within it is left
            score = (not beyond, saving / max(extra, 8192))
            if best is None or score > best[0]:
                best = (score, c, saving, helps)
        if best is None:
            break
        (within, _), c, saving, helps = best
        if not within and over is not None:
            over[c] = saving / total
        # a longer variant (the ORDER BY after the filters, an index-only scan) at most twice the size
        # that saves at least as much is what an expert builds: take it instead
        for e in per:
            if e is c or not _prefix_of(c, e) or grown(e) > EXTEND_MAX_GROWTH * grown(c) or any(
                    _served_by(e, o) for o in chosen):  # fmt: skip
                continue
            if budget_bytes is not None and used + sizes[e] > budget_bytes:
                continue
            e_saving, e_helps = _saving(per[e], weights, current)
            # … and its extra bytes earn at least half the saving per byte of the pick itself
            extra = max(sizes[e] - sizes[c], 1)
            if e_saving >= saving and (e_saving - saving) / extra >= 0.5 * saving / max(sizes[c], 8192):
                why[c] = f"{e.signature} saves at least as much for little more, so it was taken instead"
                c, saving, helps = e, e_saving, e_helps
        replaced = next((p for p in picks if _prefix_of(p[0], c)), None)
        if replaced is not None:
            why[replaced[0]] = f"{c.signature} extends it and was taken in its place"
            picks.remove(replaced)
            chosen.remove(replaced[0])
            used -= sizes[replaced[0]]
            merged = dict(replaced[2])
            for q, (b, a) in helps.items():
                merged[q] = (merged[q][0], a) if q in merged else (b, a)
            saving, helps = saving + replaced[1], merged
        picks.append((c, saving, helps))
        chosen.append(c)
        used += sizes[c]
        why.pop(c, None)
        for q, i, cost in per.pop(c):
            current[(q, i)] = min(current[(q, i)], cost)
    # an OR across columns (`phone = $2 OR email = $3`) is served only by an index per branch (BitmapOr):
    # each branch's candidate alone gives nothing above, so the branch candidates are judged as one unit
    total = sum(weights[q] * current[(q, i)] for q, i, _ in live) or 1.0
    for members in or_units(candidates, partners or {}):
        if any(m in chosen for m in members) or (max_indexes is not None and len(picks) + len(members) > max_indexes):
            continue
        costs = [(q, i, cost) for q, i, a in live if a.table == members[0].table and a.ors
                 and (cost := or_cost(members, a, shapes[q], snapshot, stats)) is not None]  # fmt: skip
        saving, helps = _saving(costs, weights, current)
        size = sum(sizes[m] for m in members)
        label = " + ".join(m.signature for m in members)
        if saving <= 0 or saving < MIN_SAVING * total:
            for m in members:
                why.setdefault(m, f"with the other branches' indexes ({label}) it would save {100 * saving / total:.2f} % "
                                  f"of the workload's estimate (less than {100 * MIN_SAVING:.1f} %)")  # fmt: skip
            continue
        beyond = budget_bytes is not None and used + size > budget_bytes
        if beyond and not may_exceed(size, saving, helps):
            for m in members:
                why[m] = f"the OR's branch indexes ({label}) do not fit the storage budget together (~{size / 2**20:,.1f} MB)"
            continue
        for m in members:
            picks.append((m, saving / len(members), helps))
            chosen.append(m)
            used += sizes[m]
            why.pop(m, None)
            per.pop(m, None)
            if beyond and over is not None:
                over[m] = saving / total
        for q, i, cost in costs:
            current[(q, i)] = min(current[(q, i)], cost)
        total = sum(weights[q] * current[(q, i)] for q, i, _ in live) or 1.0
    if max_indexes is not None and len(picks) >= max_indexes:
        for c in per:
            why.setdefault(c, f"max_indexes={max_indexes} reached")
    if rejected is not None:
        taken_now = {p[0] for p in picks}
        rejected.update({c: w for c, w in why.items() if c not in taken_now})
    return picks


def or_units(candidates: Sequence[Candidate], partners: Mapping[Candidate, frozenset[Candidate]]) -> list[tuple[Candidate, ...]]:
    """The OR branch bundles (`CandidateSet.partners`) whose members are all among `candidates`, each once."""
    have = set(candidates)
    out: dict[frozenset[Candidate], tuple[Candidate, ...]] = {}
    for c in candidates:
        ps = partners.get(c)
        if not ps:
            continue
        unit = frozenset([c, *ps])
        if unit <= have and unit not in out:
            out[unit] = tuple(sorted(unit, key=lambda m: m.signature))
    return list(out.values())


def or_cost(members: Sequence[Candidate], access: TableAccess, shape: QueryShape, snapshot: SchemaSnapshot,
            stats: Mapping[tuple[str, str], ColumnStats]) -> float | None:  # fmt: skip
    """The estimated cost of `access` read as a BitmapOr: for one of its ORs, every branch through one of
    `members` (the branch's own comparisons added to the access's other filters), the branches' costs
    summed; None when some branch has no member to serve it."""
    best = None
    for group in access.ors:
        total: float | None = 0.0
        for branch in group:
            sub = replace(access, preds=[*access.preds, *branch], ors=[])
            found = [x for m in members if (x := index_cost(m, sub, shape, snapshot, stats)) is not None]
            if not found:
                total = None
                break
            total += min(found)
        if total is not None and (best is None or total < best):
            best = total
    return best


def _served_by(c: Candidate, o: Candidate) -> bool:
    """`o` (a pick or an existing index) serves every lookup `c` would: `c`'s keys lead `o`'s and `o`
    stores `c`'s INCLUDE columns too (an INCLUDE variant exists for the index-only scan: a longer key
    without those columns does not give it)."""
    stored = {x for x in o.columns if x} | {k.strip('"') for k in o.include}
    return _prefix_of(c, o) and {k.strip('"') for k in c.include} <= stored


def existing_candidates(snapshot: SchemaSnapshot, table: str) -> list[Candidate]:
    """The table's valid plain-column btree indexes, as candidates (to price what they already serve)."""
    t = snapshot.table(table)
    out = []
    for ix in t.indexes if t is not None else ():
        if ix.method != "btree" or not ix.valid or not ix.columns or None in ix.columns:
            continue
        out.append(Candidate(table=table, keys=tuple(ix.columns), columns=tuple(ix.columns), include=tuple(ix.include),
                             predicate=ix.predicate))  # fmt: skip
    return out


def _saving(costs, weights, current) -> tuple[float, dict[str, tuple[float, float]]]:
    saving, helps = 0.0, {}
    for q, i, cost in costs:
        if cost < current[(q, i)]:
            saving += weights[q] * (current[(q, i)] - cost)
            b, a = helps.get(q, (0.0, 0.0))
            helps[q] = (b + current[(q, i)], a + cost)
    return saving, helps


def _prefix_of(a: Candidate, b: Candidate) -> bool:
    """`a`'s keys lead `b`'s (same table, method and predicate): `b` serves every lookup `a` would."""
    return (a.table == b.table and a.method == b.method and a.predicate == b.predicate
            and b.keys[: len(a.keys)] == a.keys)  # fmt: skip
