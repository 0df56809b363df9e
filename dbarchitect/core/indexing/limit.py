"""LIMIT queries costed as the executor runs them, and parameter selectivities on the rare side.

The planner costs `Limit` as its input's startup cost plus the fraction limit / estimated rows of the
input's run cost (costsize.c, `adjust_limit_rows_costs`): it assumes the matching rows are spread
evenly through the input and that the estimate of how many there are is right. Two common OLTP shapes
break that assumption, and both make a plan without a suitable index look nearly free:

- an equality on an expression without statistics (`lower(email) = $1`): the planner's default
  selectivity is 0.5 % (DEFAULT_EQ_SEL), so it expects thousands of matches and a sequential scan
  that stops after reading 1/5000 of the table. The column is near-unique: there is at most one
  match, and for an absent key none — the scan reads the whole table;
- a filter read row by row on the way to a LIMIT (`WHERE tenant_id = $1 ORDER BY created_at DESC
  LIMIT 20` through an index on created_at alone, or a sequential scan): priced with the average
  value's selectivity, while a rare value (most tenants, most tags: pg_stats' values outside the
  most-common list) matches far fewer rows, so the executor reads far more of the input to fill the
  LIMIT.

`executor_cost` reprices such a plan: when a scan under the Limit reads the table and filters it (no
index condition pins the filtered column), the run cost is scaled by min(1, limit / expected
matches) instead of limit / planner rows, the expected matches taken on the rare side
(`rare_selectivity`). When the expected matches are fewer than the LIMIT, that is the cost without
the LIMIT. A plan whose index condition covers the filters reads only matching rows: the planner's
figure stands for it. On a query's rare side (`<id>.rare`: a searched-for value no row holds) a search
read row by row (full text, an infix pattern, containment) matches nothing: the walk reads its whole
input, whatever fixed share the planner assumed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from dbarchitect.core.indexing.expr_stats import lookup_expr
from dbarchitect.core.indexing.models import ColumnStats
from dbarchitect.core.indexing.shape import Pred, QueryShape, TableAccess, like_prefix_text
from dbarchitect.core.indexing.workload import common_value
from dbarchitect.core.models import SchemaSnapshot

NEAR_UNIQUE = 0.5  # a column with distinct values ≥ half its rows: an equality matches ~one row (or none)
FILTER_KINDS = ("eq", "expr_eq", "null", "in")
# searches inside a value (full text, an infix pattern, containment): no statistics say how many rows a
# given word matches (a full-text vector without an index has none: the planner takes 0.5 % for any word);
# only on a query's rare side — a value no row holds, by construction — is the answer known: none
SEARCH_KINDS = ("fts", "like_infix", "contains")
# functions mapping many values of their argument to one (a day, a prefix, a rounded number, a part of a is not as distinct as its column
# date): an expression using one is not as distinct as its column; nor is a field of a jsonb document (`->>`)
COLLAPSING = re.compile(r"\b(date|date_trunc|date_part|extract|substr|substring|left|right|round|floor|ceil|ceiling|"
                        r"trunc|split_part|to_char|length|char_length|coalesce|greatest|least|abs|sign|mod|div)\s*\(|->|#>",
                        re.I)


class ScanNode(NamedTuple):
    """A scan below a Limit node (from EXPLAIN): its relation, node type, index condition and filter."""

    relation: str
    node: str
    index_cond: str
    filter: str
    in_order: bool = False  # the Limit's input comes in this scan's order (no Sort between them)


class LimitInput(NamedTuple):
    """The input of a plan's top Limit node: its startup and total cost and estimated rows."""

    startup: float
    total: float
    rows: float
    scans: tuple[ScanNode, ...] = ()


def rare_selectivity(p: Pred, access: TableAccess, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats],
                     common: bool = False) -> tuple[float, str] | None:  # fmt: skip
    """Share of rows one filter keeps for a value on the rare side, and how it was judged; None unknown.

    A literal in the most-common list keeps its frequency; an IN-list (or `= ANY`) of constants the sum of
    its values' shares (`list_selectivity`). With `common`, a parameter on a skewed column takes the most
    common value's frequency (the other end of the distribution). Otherwise a value outside that list: the rows
    the list does not hold, shared by the other distinct values — the side of the distribution most
    parameter values fall on when a few values dominate. An expression over one near-unique column
    (`lower(email)`) keeps ~one row."""
    t = snapshot.table(access.table)
    rows = float(t.estimated_rows) if t is not None else 0.0
    if rows <= 0:
        return None
    if p.kind == "null" and p.column:
        st = stats.get((access.table, p.column))
        return (st.null_frac, f"{p.column} IS NULL: {100 * st.null_frac:.0f} % of rows") if st else None
    cols = [p.column] if p.column else _expr_columns(p.expr or "", t)
    if len(cols) != 1:
        return None
    st = stats.get((access.table, cols[0]))
    if st is None:
        return None
    what = p.column or p.expr
    if p.kind == "eq" and p.constant:
        f = st.frequency(p.value)
        if f is not None:
            return f, f"{p.column} = {p.value!r}: {100 * f:.1f} % of rows (most-common value)"
    if p.kind == "in" and p.values:
        # constants written in the query: each listed value keeps its own share (a most-common value its
        # frequency, any other the rare share), summed — neither side of a parameter's distribution applies
        sel = list_selectivity(st, rows, p.values)
        listed = sum(1 for v in dict.fromkeys(p.values) if st.frequency(v) is not None)
        return sel, (f"{what} IN ({len(set(p.values))} constants, {listed} of them most-common values): "
                     f"{100 * sel:.2f} % of rows")  # fmt: skip
    # only a skewed column's parameter holds its most common value on the common side (`workload._common`);
    # the others keep their representative binding, judged as on the query as given
    if common and not p.constant and p.kind in ("eq", "expr_eq", "in") and common_value(st, rows) is not None:
        f = st.most_common_freqs[0] * (3 if p.kind == "in" else 1)
        return min(1.0, f), f"{p.column or p.expr}: its most common value holds {100 * f:.1f} % of rows"
    distinct = st.distinct(rows)
    if p.expr and not p.column and COLLAPSING.search(p.expr):
        # date(created_at), date_trunc('day', …): many values of the column map to one of the expression, so
        # the column's distinct count says nothing about the expression's (no statistics before an index)
        return None
    if distinct >= NEAR_UNIQUE * rows or any(
        con.kind in ("primary_key", "unique") and con.columns == [cols[0]] for con in t.constraints
    ):
        return 1.0 / rows, f"{what} is near-unique ({distinct:,.0f} distinct in {rows:,.0f} rows): ≤ 1 match"
    sel = rare_share(st, rows)
    if p.kind == "in":
        sel = min(1.0, 3 * sel)
    return sel, f"{what}: a value outside the most-common list matches ~{sel * rows:,.0f} rows"


def rare_share(st: ColumnStats, rows: float) -> float:
    """Share of rows one value outside the most-common list keeps: the rows the list does not hold, shared
    by the distinct values it does not name (as the planner's var_eq_const does, and never more than the
    least common listed value). When the list names every distinct value (a status with three values) what
    it leaves is a rounding residue, not a value's share: the rarest listed value stands for the rare side
    then, never ~0 rows."""
    distinct = st.distinct(rows)
    if not st.most_common_vals:
        return (1.0 - st.null_frac) / distinct
    rest = max(0.0, 1.0 - st.null_frac - sum(st.most_common_freqs))
    others = distinct - len(st.most_common_vals)
    least = min(st.most_common_freqs)
    if others < 1.0 or rest < 1e-3 * least:
        return least
    return min(least, rest / others)


def list_selectivity(st: ColumnStats, rows: float, values: tuple[str, ...]) -> float:
    """Share of rows `col IN (values)` keeps: each listed most-common value its frequency, each other value
    the rare share (`rare_share`); capped at the non-null rows."""
    total = 0.0
    for v in dict.fromkeys(values):
        f = st.frequency(v)
        total += f if f is not None else rare_share(st, rows)
    return min(1.0 - st.null_frac, total)


def _expr_columns(expr: str, table) -> list[str]:
    if table is None:
        return []
    names = {c.name for c in table.columns}
    return sorted({w for w in re.findall(r"[a-z_][a-z0-9_]*", expr.lower()) if w in names})


def expected_matches(shape: QueryShape, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats],
                     side: str | None = None) -> dict[str, tuple[float, list[str], list[str]]]:  # fmt: skip
    """Per table the LIMIT block filters: (expected matching rows on the rare side, filtered columns
    (or expression texts), how each was judged). `side`: the statement is a query's rare side
    (`<id>.rare`), whose searches look for a value no row holds — each matches nothing —, or its common
    side (`<id>.common`), whose parameters hold their column's most common value."""
    out: dict[str, tuple[float, list[str], list[str]]] = {}
    for a in shape.accesses:
        if not a.limit:
            continue
        t = snapshot.table(a.table)
        if t is None:
            continue
        sel, cols, why = 1.0, [], []
        for p in a.preds:
            if side == "rare" and p.kind in SEARCH_KINDS and (p.column or p.expr):
                sel = 0.0
                cols.append(p.column or p.expr or "")
                why.append(f"{p.sql}: the rare side searches for a value no row holds")
                continue
            if p.kind not in FILTER_KINDS:
                continue
            judged = rare_selectivity(p, a, snapshot, stats, common=side == "common")
            if judged is None:
                continue
            sel *= judged[0]
            cols.append(p.column or p.expr or "")
            why.append(judged[1])
        if cols:
            matches = sel * float(t.estimated_rows)
            if a.table not in out or matches < out[a.table][0]:
                out[a.table] = (matches, cols, why)
    return out


def _mentions(text: str, what: str) -> bool:
    if not text:
        return False
    low = text.lower()
    if re.fullmatch(r"[a-z_][a-z0-9_]*", what):
        return re.search(rf"\b{re.escape(what)}\b", low) is not None
    core = re.sub(r"[^a-z0-9_]+", "", what.lower())
    return core != "" and core in re.sub(r"[^a-z0-9_]+", "", re.sub(r"::[a-z ]+", "", low))


def executor_cost(cost: float, limit: LimitInput | None, shape: QueryShape, snapshot: SchemaSnapshot,
                  stats: Mapping[tuple[str, str], ColumnStats], side: str | None = None
                  ) -> tuple[float, str | None]:  # fmt: skip
    """(the cost to use for a plan, why it differs from the planner's `cost` or None): the higher of the
    filtered-LIMIT and the prefix-walk repricing. `side`: see `expected_matches`."""
    if limit is None or shape.limit is None or not stats or limit.total <= limit.startup:
        return cost, None
    found = [r for r in (_filtered_limit(cost, limit, shape, snapshot, stats, side),
                         prefix_walk(cost, limit, shape, snapshot, stats)) if r[1]]  # fmt: skip
    return max(found, key=lambda r: r[0]) if found else (cost, None)


# the share of an ordered walk's keys that lie before a prefix whose position no statistics show: on
# average half the keys precede a prefix drawn anywhere in the key range
UNKNOWN_PREFIX_SKIP = 0.5
# functions whose value on a column's histogram bounds is computed here (and keep the bounds' text)
_CASE_MAPS = {"lower": str.lower, "upper": str.upper}


def _prefix_mapper(target: str, access: TableAccess, snapshot: SchemaSnapshot,
                   stats: Mapping[tuple[str, str], ColumnStats]):  # fmt: skip
    """(statistics, the function mapping their values to the LIKE target's) for a column or lower()/upper()
    of one, or (None, None). An expression's own sampled statistics are used when they hold a histogram."""
    if re.fullmatch(r"[a-z_][a-z0-9_]*", target):
        return stats.get((access.table, target)), (lambda v: v)
    own = lookup_expr(stats, access.table, f"({target})")
    if own is not None and own.histogram_bounds:
        return own, (lambda v: v)
    m = re.fullmatch(r"\s*(lower|upper)\(\s*\"?([a-z_][a-z0-9_]*)\"?\s*\)\s*", target, re.I)
    if m is None:
        return None, None
    return stats.get((access.table, m.group(2))), _CASE_MAPS[m.group(1).lower()]


def share_before_prefix(st: ColumnStats, prefix: str, fn, backward: bool) -> float | None:
    """Share of the rows an ordered walk over the values `fn` maps `st`'s values to passes before it
    reaches the first value starting with `prefix`: those below it (forward), or those above the prefix's
    range and the NULLs (backward: NULLS FIRST). Most-common values count their frequencies, the
    histogram bounds (equal shares of the rest) by how many of them fall there; compared in code-point
    order (exact for the C and C.UTF-8 collations, close for others). None without values."""
    def before(v: str) -> bool:
        v = fn(v)
        return (v > prefix and not v.startswith(prefix)) if backward else v < prefix

    if not st.histogram_bounds and not st.most_common_vals:
        return None
    mcv = sum(f for v, f in zip(st.most_common_vals, st.most_common_freqs) if before(v))
    rest = max(0.0, 1.0 - st.null_frac - sum(st.most_common_freqs))
    hist = st.histogram_bounds
    share = mcv + (rest * sum(1 for v in hist if before(v)) / len(hist) if hist else 0.0)
    return min(1.0, share + (st.null_frac if backward else 0.0))


# what a prefix_walk reason says (`select` keeps such a reason as a note for a candidate's plan too)
PREFIX_WALK_READS = "every key before the matching ones is read first"


def prefix_walk(cost: float, limit: LimitInput, shape: QueryShape, snapshot: SchemaSnapshot,
                stats: Mapping[tuple[str, str], ColumnStats]) -> tuple[float, str | None]:  # fmt: skip
    """A LIMIT read through an index walked in ORDER BY order, whose key is the very column or expression
    a prefix LIKE filters (`WHERE lower(username) LIKE 'ab%' ORDER BY lower(username) LIMIT 10` through a
    default-opclass btree under a non-C collation, where the prefix cannot be an index condition).

    The planner charges the fraction LIMIT / estimated matches of the walk's run cost, as if the matches
    were spread evenly over the index. They are not: they sit together, in one stretch of the key order,
    and the executor reads the index from its first key in that order (NULLs first for DESC) and fetches each
    heap row to test the LIKE on it, so it passes every key before that stretch before it finds the first
    match. The run cost is charged for the share of the keys before the prefix (`share_before_prefix`,
    from the column's or expression's statistics, UNKNOWN_PREFIX_SKIP when they cannot tell or the
    pattern is a parameter) plus the planner's own fraction."""
    for a in shape.accesses:
        if not a.limit or a.order_key is None:
            continue
        target, desc = a.order_key
        likes = [p for p in a.preds if p.kind == "like_prefix" and (p.column or p.expr) == target]
        name = a.table.split(".", 1)[1]
        walks = [s for s in limit.scans if s.relation == name and s.in_order and s.node in ("Index Scan", "Index Only Scan")
                 and _mentions(s.filter, target) and not _mentions(s.index_cond, target)]  # fmt: skip
        if not likes or not walks:
            continue
        prefix = like_prefix_text(likes[0].value)
        st, fn = _prefix_mapper(target, a, snapshot, stats) if prefix else (None, None)
        skip = share_before_prefix(st, prefix, fn, desc) if st is not None and prefix else None
        where = repr(prefix) if prefix else f"the pattern of {likes[0].sql}"
        how = (f"~{100 * skip:.1f} % of {target}'s values lie before {where} in that order (pg_stats)"
               if skip is not None else
               f"where {where} falls in that order is unknown: counted as {100 * UNKNOWN_PREFIX_SKIP:.0f} % of the keys")  # fmt: skip
        skip = UNKNOWN_PREFIX_SKIP if skip is None else skip
        planned = min(1.0, float(shape.limit or 0) / max(limit.rows, 1.0))
        share = min(1.0, skip + planned)
        adjusted = limit.startup + (limit.total - limit.startup) * share
        if adjusted <= cost * 1.05:
            continue
        return adjusted, (f"LIMIT {shape.limit} walks {name} in {target}{' DESC' if desc else ''} order "
                          f"({walks[0].node}) and tests {likes[0].sql} on each row: the "
                          f"prefix is no index condition there, so {PREFIX_WALK_READS}; "
                          f"{how}: costed {cost:,.1f} → {adjusted:,.1f}")  # fmt: skip
    return cost, None


def _filtered_limit(cost: float, limit: LimitInput, shape: QueryShape, snapshot: SchemaSnapshot,
                    stats: Mapping[tuple[str, str], ColumnStats], side: str | None) -> tuple[float, str | None]:  # fmt: skip
    wanted = float(shape.limit or 0)
    for table, (matches, cols, why) in expected_matches(shape, snapshot, stats, side).items():
        name = table.split(".", 1)[1]
        scans = [s for s in limit.scans if s.relation == name]
        filtered = [s for s in scans if s.node == "Seq Scan" or any(
            _mentions(s.filter, c) and not _mentions(s.index_cond, c) for c in cols)]  # fmt: skip
        if not filtered or matches >= limit.rows:
            continue
        share = min(1.0, wanted / max(matches, 1e-9))
        adjusted = limit.startup + (limit.total - limit.startup) * share
        if adjusted <= cost * 1.05:
            continue
        how = ("expected matches fewer than the LIMIT: costed without the LIMIT (a rare or absent key reads the "
               "whole input)") if share >= 1.0 else (
               f"costed as reading {100 * share:.1f} % of the input to find {shape.limit} matches")  # fmt: skip
        return adjusted, (f"LIMIT {shape.limit} costed as the executor runs it: {filtered[0].node} on {name} filters "
                          f"{', '.join(cols)} row by row; {'; '.join(why)} — the planner assumed {limit.rows:,.0f}; "
                          f"{how}: {cost:,.1f} → {adjusted:,.1f}")  # fmt: skip
    return cost, None
