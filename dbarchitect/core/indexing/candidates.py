"""Candidate indexes from each query's structure, and the existing indexes that already cover them.

Per table a query block reads: equality columns first (most selective first, by pg_stats), then
IN lists, then one range column or the ORDER BY keys; join keys alone and followed by the block's
filters (the inner side of a nested loop or a correlated subquery); INCLUDE columns when the index
would then answer the block on its own (index-only scan); a partial index when a constant
predicate selects a small share of a skewed column; expression indexes for function predicates;
GIN for containment, full text and `LIKE '%x%'` (pg_trgm); BRIN for range predicates on large,
physically ordered columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from dbarchitect.core.indexing.expr_stats import canon, expression_of, lookup_expr, unwrap, without_opclass
from dbarchitect.core.indexing.limit import list_selectivity
from dbarchitect.core.indexing.models import Candidate, ColumnStats
from dbarchitect.core.indexing.shape import Pred, QueryShape, TableAccess, strict_keys
from dbarchitect.core.models import Index, SchemaSnapshot, Table
from dbarchitect.core.rules.schema._common import index_keys

MAX_KEYS = 4  # btree keys per candidate
MAX_INCLUDE = 3  # INCLUDE columns for an index-only scan
MAX_INCLUDE_WIDTH = 64  # bytes (pg_stats.avg_width) per INCLUDE column
PARTIAL_MAX_FREQ = 0.3  # a constant predicate keeping at most this share of rows makes a partial index
PARTIAL_MAX_DISTINCT = 50  # … on a column with few distinct values (a status, a flag, a type), never an identity
PARTIAL_LIST_MAX_FREQ = 0.1  # an IN-list of constants (a queue's states) keeping at most this share makes a partial index
# a btree key that is NULL in at least this share of rows (one in ten) and only ever compared strictly
# (`phone = $1`) leaves the NULLs out: `WHERE phone IS NOT NULL` (`not_null_partials`)
NOT_NULL_PARTIAL_MIN = 0.1
BRIN_MIN_CORRELATION = 0.9  # |pg_stats.correlation| for BRIN
BRIN_MIN_ROWS = 100_000

StatsMap = Mapping[tuple[str, str], ColumnStats]

# A join key with many rows per value, scattered over a large heap, makes a nested loop fetch
# that many random heap pages per outer row. The planner's cache model (effective_cache_size,
# Mackert-Lohman) prices those fetches low, and such an index is the classic cause of plans that
# get slower once it exists (TPC-H q07/q21 with an index on lineitem.l_suppkey: ~600 rows per key).
SCATTERED_MIN_ROWS = 1_000_000
SCATTERED_ROWS_PER_KEY = 100
SCATTERED_MAX_CORRELATION = 0.5


def scattered_join_key(table: str, column: str, rows: float, stats: StatsMap) -> str | None:
    st = stats.get((table, column))
    if st is None or rows < SCATTERED_MIN_ROWS:
        return None
    per_key = rows / st.distinct(rows)
    if per_key <= SCATTERED_ROWS_PER_KEY or (st.correlation is not None and abs(st.correlation) >= SCATTERED_MAX_CORRELATION):
        return None
    return (f"join key {column} alone: ~{per_key:,.0f} rows per value scattered over {rows:,.0f} rows (correlation "
            f"{st.correlation or 0:.2f}); nested loops over it fetch that many random pages per outer row, which the "
            "planner underprices. Composite candidates that add this block's filters are still considered.")  # fmt: skip


@dataclass
class CandidateSet:
    """Candidates with why each exists and which queries asked for it."""

    reasons: dict[Candidate, str] = field(default_factory=dict)
    queries: dict[Candidate, set[str]] = field(default_factory=dict)
    covered: dict[Candidate, str] = field(default_factory=dict)  # candidate -> existing index name
    risky: dict[Candidate, str] = field(default_factory=dict)  # candidate -> why it is not proposed
    probes: dict[Candidate, dict[str, str]] = field(default_factory=dict)  # uncostable kind -> query -> predicate
    varying: set[tuple[str, str]] = field(default_factory=set)  # (table, column) the workload compares to several literals
    # (table, a, b): each value of a goes with one value of b (a composite foreign key, or a sample of the rows)
    implied: set[tuple[str, str, str]] = field(default_factory=set)
    # an OR across columns is served only by one index per branch (BitmapOr): candidate -> the other
    # branches' candidates, costed and picked together with it (`select`)
    partners: dict[Candidate, frozenset[Candidate]] = field(default_factory=dict)

    def add(self, cand: Candidate, reason: str, query: str, probe: str | None = None) -> None:
        """`probe`: for a kind HypoPG cannot cost, the predicate it serves (measured on a scratch copy)."""
        if cand not in self.reasons:
            self.reasons[cand] = reason
        self.queries.setdefault(cand, set()).add(query)
        if probe:
            self.probes.setdefault(cand, {}).setdefault(query, probe)

    @property
    def candidates(self) -> list[Candidate]:
        return list(self.reasons)


def _q(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


def _eq_order(access: TableAccess, table: Table | None, stats: StatsMap) -> list[str]:
    """Equality columns, most selective first."""
    rows = float(table.estimated_rows if table else 0)
    preds: dict[str, Pred] = {}
    flags = {p.column for p in _flags(access, table)}
    for p in access.preds:
        if p.kind in ("eq", "null") and p.column and p.column not in preds and p.column not in flags:
            preds[p.column] = p

    def sel(col: str) -> float:
        st = stats.get((access.table, col))
        if st is None:
            return 0.5
        return st.eq_selectivity(rows, preds[col].value if preds[col].constant else None)

    return sorted(preds, key=lambda c: (sel(c), c))


def _btree(table: str, keys: list[tuple[str, bool]], *, include=(), predicate=None, kind="btree") -> Candidate | None:
    seen, out = set(), []
    for col, desc in keys:
        if col in seen:
            continue
        seen.add(col)
        out.append((col, desc))
    out = out[:MAX_KEYS]
    if not out:
        return None
    # an index scanned backwards serves the opposite order: write the first key ascending
    if out[0][1]:
        out = [(c, not d) for c, d in out]
    cols = tuple(c for c, _ in out)
    inc = tuple(c for c in include if c not in cols)
    if len(out) > 1 and kind == "btree":
        kind = "composite"
    return Candidate(
        table=table,
        keys=tuple(_q(c) + (" DESC" if d else "") for c, d in out),
        columns=cols,
        include=tuple(_q(c) for c in inc),
        predicate=predicate,
        kind="covering" if inc and kind in ("btree", "composite") else kind,
    )


def _include_for(access: TableAccess, keys: tuple[str | None, ...], stats: StatsMap) -> list[str] | None:
    rest = sorted(access.referenced - {k for k in keys if k})
    if not rest or len(rest) > MAX_INCLUDE:
        return None
    for col in rest:
        st = stats.get((access.table, col))
        if st is not None and st.avg_width > MAX_INCLUDE_WIDTH:
            return None
    return rest


def _flags(access: TableAccess, table: Table | None) -> list[Pred]:
    """`col IS NULL` and `bool_col = true/false`: filters that make a partial index's WHERE, never a key.

    A btree key on such a column has two values: as a leading key it splits the index in two and
    every other lookup must descend both halves; as a later key it only adds bytes. As the index's
    predicate it stores only the rows the queries want (`WHERE deleted_at IS NULL`: the live rows)
    and the planner uses it whenever the query's WHERE implies it (predtest.c)."""
    out: list[Pred] = []
    for p in access.preds:
        if p.column is None or any(p.column == q.column for q in out):
            continue
        col = table.column(p.column) if table is not None else None
        boolean = col is not None and col.type.lower() in ("boolean", "bool")
        if (p.kind == "null" and p.constant) or (p.kind == "eq" and p.constant and boolean and p.value in ("true", "false")):
            out.append(p)
    return out


def _identity(table: Table | None, column: str) -> bool:
    """A key, a foreign key or a uuid: its values name entities (a tenant, a user), so a literal of it in
    a query is one parameter value, never a fixed application constant for a partial predicate."""
    if table is None:
        return True
    col = table.column(column)
    if col is not None and col.type.lower() == "uuid":
        return True
    return any(con.kind in ("primary_key", "unique", "foreign_key") and column in con.columns for con in table.constraints)


def _unique_lookup(access: TableAccess, table: Table | None, eq: list[str]) -> str | None:
    """The existing unique index the access's equalities already pin to at most one row, if any."""
    if table is None:
        return None
    bound = set(eq)
    for ix in table.indexes:
        cols = [c for c in ix.columns]
        if (ix.unique or ix.primary) and ix.valid and not ix.predicate and cols and None not in cols and set(cols) <= bound:
            return ix.name
    return None


def _skewed(st: ColumnStats | None, rows: float, value: str | None) -> bool:
    if st is None or value is None:
        return False
    freq = st.frequency(value)
    if freq is None or freq > PARTIAL_MAX_FREQ:
        return False
    return st.distinct(rows) <= PARTIAL_MAX_DISTINCT


def _list_share(st: ColumnStats | None, rows: float, values: tuple[str, ...]) -> float | None:
    """The share of rows an IN-list of constants keeps, when small enough for a partial index's predicate
    (≤ PARTIAL_LIST_MAX_FREQ, on a column of few distinct values); else None."""
    if st is None or not values or st.distinct(rows) > PARTIAL_MAX_DISTINCT:
        return None
    share = list_selectivity(st, rows, values)
    return share if share <= PARTIAL_LIST_MAX_FREQ else None


_BRANCH_KINDS = ("eq", "in", "expr_eq", "range", "like_prefix", "null")


def _branch_key(preds: list[Pred], table: str, stats: StatsMap, rows: float) -> tuple[str | None, str | None] | None:
    """The key one OR branch is looked up by: (column, None) or (None, expression); its most selective
    equality first (pg_stats), else its first range."""
    def sel(p: Pred) -> float:
        st = stats.get((table, p.column)) if p.column else None
        return st.eq_selectivity(rows, p.value if p.constant else None) if st else 0.01

    eqs = [p for p in preds if p.kind in ("eq", "in") and p.column]
    if eqs:
        return min(eqs, key=sel).column, None
    for p in preds:
        if p.kind == "expr_eq" and p.expr:
            return None, p.expr
    for p in preds:
        if p.kind in ("range", "like_prefix", "null") and p.column:
            return p.column, None
    return None


def or_branches(access: TableAccess, query: str, eq: list[str], table: Table | None, stats: StatsMap,
                flag_where: str | None, flag_cols: tuple[str | None, ...], out: CandidateSet) -> None:  # fmt: skip
    """`… AND (phone = $2 OR email = $3)`: an OR across columns. No single index serves it: the planner
    reads each branch through an index of its own and ORs the bitmaps (BitmapOr), and with an index for
    only some branches it must scan the table for the rest — so one branch's index alone saves nothing,
    and a greedy that adds one index at a time never sees the pair's gain. One candidate per branch, alone
    and behind the AND-ed equalities (`(tenant_id, phone)`, `(tenant_id, email)`: each branch's lookup then
    also narrows to the tenant), each marked with the other branches' candidates as partners: `select`
    costs and picks them together."""
    t = access.table
    rows = float(table.estimated_rows if table else 0)
    for group in access.ors:
        keys = [_branch_key(b, t, stats, rows) for b in group]
        if any(k is None for k in keys) or len(set(keys)) < 2:
            continue  # a branch no index serves, or all branches on one column (an IN-list, already a key)
        shared = set.intersection(*[{p.column for p in b if p.column} for b in group])
        if shared:
            continue  # every branch bounds the same column (keyset pagination, a union of ranges): one index on it
        branch_cols = {k[0] for k in keys if k and k[0]}
        prefix = [c for c in eq if c not in branch_cols]
        for pre in ([], prefix) if prefix else ([],):
            bundle: list[Candidate] = []
            for col, expr in keys:  # type: ignore[misc]
                if col is not None:
                    cand = _btree(t, [*[(c, False) for c in pre], (col, False)], predicate=flag_where,
                                  kind="partial" if flag_where else "btree")  # fmt: skip
                else:
                    ks = tuple([_q(c) for c in pre] + [f"({expr})"])[:MAX_KEYS]
                    cand = Candidate(table=t, keys=ks, columns=(*pre[: len(ks) - 1], None), kind="expression",
                                     predicate=flag_where)  # fmt: skip
                if cand is not None:
                    bundle.append(cand)
            if len(bundle) != len(keys) or len(set(bundle)) != len(bundle):
                continue
            what = ", ".join(k[0] or k[1] or "" for k in keys if k)
            for cand in bundle:
                out.add(cand, f"one branch of an OR across columns ({what}{'; behind ' + ', '.join(pre) if pre else ''}): "
                              "a BitmapOr needs an index for every branch, so the branches are costed as a set", query)  # fmt: skip
                out.partners[cand] = out.partners.get(cand, frozenset()) | frozenset(b for b in bundle if b != cand)


def _literal_sql(value: str) -> str:
    if re.fullmatch(r"-?\d+(\.\d+)?|true|false", value):
        return value
    return "'" + value.replace("'", "''") + "'"


def for_access(access: TableAccess, query: str, snapshot: SchemaSnapshot, stats: StatsMap, out: CandidateSet) -> None:
    table = snapshot.table(access.table)
    t = access.table
    rows = float(table.estimated_rows if table else 0)
    eq_all = _eq_order(access, table, stats)
    eq = without_implied(t, eq_all, out.implied)
    ins = [c for c in access.columns("in") if c not in eq_all]
    ranges = [c for c in access.columns("range", "like_prefix") if c not in eq_all and c not in ins]
    joins = [c for c in access.columns("join") if c not in eq_all]
    head = [(c, False) for c in eq + ins]
    flags = _flags(access, table)
    flag_where = " AND ".join(p.sql for p in flags) or None
    flag_cols = tuple(p.column for p in flags)
    unique = _unique_lookup(access, table, eq_all)
    if unique is not None:
        return  # at most one row through the existing unique index: nothing to gain, not even an index-only scan

    def add(keys, reason, include=(), predicate=None, kind="btree", fixed=()):
        """`fixed`: columns the partial predicate pins to one value (no need to INCLUDE them). With
        flag filters (IS NULL, boolean constants) every candidate is partial on them."""
        if flag_where:
            predicate = flag_where if predicate is None else f"{predicate} AND {flag_where}"
            kind, fixed = "partial", (*fixed, *flag_cols)
            reason += f"; partial on {flag_where} (a flag filter is the index's WHERE, not a key)"
            keys = keys or [(flag_cols[0], False)]
        cand = _btree(t, keys, include=include, predicate=predicate, kind=kind)
        if cand is not None:
            out.add(cand, reason, query)
            if not include and not cand.include:
                inc = _include_for(access, cand.columns + tuple(fixed), stats)
                if inc and len(cand.columns) + len(inc) > 1:
                    covering = _btree(t, keys, include=inc, predicate=predicate, kind=kind)
                    if covering is not None:
                        out.add(covering, reason + "; INCLUDE makes it answer the query from the index alone", query)

    per_outer_row = {p.column for p in access.preds if p.kind == "eq" and not p.constant and not p.param and p.column}
    for c in eq + ins:
        risk = scattered_join_key(t, c, rows, stats) if c in per_outer_row else None
        if risk:
            out.risky.setdefault(_btree(t, [(c, False)]), risk.replace("join key", "per-row lookup key"))
            continue
        add([(c, False)], f"filter {c}")
    if len(head) > 1:
        add(head, "equality filters " + ", ".join(c for c, _ in head))
    for r in ranges[:2]:
        add([(r, False)], f"range filter {r}")
        if head:
            add(head + [(r, False)], f"equality filters then the range on {r}")
        like = next((p for p in access.preds if p.kind == "like_prefix" and p.column == r), None)
        if like is not None:
            keys = [f"{_q(c)}" for c, _ in head] + [f"{_q(r)} {pattern_ops(r, table)}"]
            out.add(
                Candidate(table=t, keys=tuple(keys), columns=(*[c for c, _ in head], r)),
                f"{like.sql} is a prefix search: {pattern_ops(r, table)} serves it under any collation",
                query,
            )
    if flags and not head and not ranges and not access.sort and not joins:
        add([], f"only {flag_where} filters it")
    if access.sort:
        add(head + access.sort, "filters then the ORDER BY " + ", ".join(c for c, _ in access.sort)
            + (" (top-N with LIMIT)" if access.limit else ""))  # fmt: skip
    if access.group and head:
        add(head + [(g, False) for g in access.group], "filters then the GROUP BY")
    for j in joins[:3]:
        risk = scattered_join_key(t, j, rows, stats)
        if risk:
            out.risky.setdefault(_btree(t, [(j, False)]), risk)
        else:
            add([(j, False)], f"join key {j}")
        if head or ranges:
            add([(j, False), *head] + [(r, False) for r in ranges[:1]], f"join key {j} with this block's filters")
        if head and access.referenced <= {c for c, _ in head} | {j}:
            # reached from the filtered side (a junction table: tag_id = $1 joined on item_id): the filter,
            # then the join key, read by an index-only scan and joined to the other table by its key
            add([*head, (j, False)], f"filters then the join key {j}: the matching join keys come from the index")

    if access.sort and ins:
        # an IN-list (or = ANY) on a column makes one index range per listed value: under (a, status,
        # created_at) the entries come in created_at order within each status only, so the planner sorts
        # them all before the LIMIT. Keys without it keep the ORDER BY order; the list is checked on each
        # entry on the way (as a filter, or from INCLUDE), stopping after LIMIT matches.
        add([(c, False) for c in eq] + access.sort, "filters then the ORDER BY " + ", ".join(c for c, _ in access.sort)
            + f"; the IN-list on {', '.join(ins)} is filtered on the way (as a key it would make several ranges and "
            "lose the order)" + (" (top-N with LIMIT)" if access.limit else ""))  # fmt: skip

    # partial: a constant predicate on a skewed column becomes the WHERE of a smaller index
    for p in access.preds:
        if p.kind == "in" and p.values and p.column is not None:
            share = _list_share(stats.get((t, p.column)), rows, p.values)
            if (share is None or _identity(table, p.column) or p.column in flag_cols
                    or (t, p.column) in out.varying):  # fmt: skip
                continue
            # the queue shape: `status IN ('pending', 'failed') … ORDER BY scheduled_at LIMIT n`. The list is
            # written in the query (the application's constants, not a parameter's value), and keeps a small
            # share of the rows: an index holding only those rows, keyed by the ORDER BY / range column, is
            # tiny and read in order; the planner uses it whenever the query's WHERE implies its predicate
            others = [(c, False) for c in eq + ins if c != p.column]
            tail = access.sort or [(r, False) for r in ranges[:1]]
            keys = others + tail or [(j, False) for j in joins[:1]] or [(p.column, False)]
            listed = ", ".join(_literal_sql(v) for v in dict.fromkeys(p.values))
            add(keys, f"{p.column} IN ({listed}) keeps {100 * share:.1f} % of rows: a partial index holds only those",
                predicate=f"{_q(p.column)} IN ({listed})", kind="partial", fixed=(p.column,))  # fmt: skip
            continue
        if p.kind not in ("eq",) or not p.constant or p.column is None:
            continue
        if (not _skewed(stats.get((t, p.column)), rows, p.value) or _identity(table, p.column) or p.column in flag_cols
                or (t, p.column) in out.varying):  # fmt: skip
            continue
        others = [(c, False) for c in eq + ins if c != p.column]
        tail = access.sort or [(r, False) for r in ranges[:1]]
        keys = others + tail or [(j, False) for j in joins[:1]] or [(p.column, False)]
        pred = f"{_q(p.column)} = {_literal_sql(p.value)}"
        add(keys, f"{p.column} = {p.value!r} keeps a small share of rows: a partial index holds only those",
            predicate=pred, kind="partial", fixed=(p.column,))  # fmt: skip

    or_branches(access, query, eq, table, stats, flag_where, flag_cols, out)

    # expression predicates: lower(email) = …, date_trunc(…) < …
    for p in access.preds:
        if p.kind in ("expr_eq", "expr_range") and p.expr:
            expr_key = f"({p.expr})"
            # the expression is the key that serves the predicate: it stays, the equalities before it give way
            keys = tuple([_q(c) for c in eq[: MAX_KEYS - 1]] + [expr_key])
            out.add(
                Candidate(table=t, keys=keys, columns=(*eq[: len(keys) - 1], None), kind="expression",
                          predicate=flag_where),  # fmt: skip
                f"the predicate compares {p.expr}, which a plain index on the column cannot serve"
                + (f"; partial on {flag_where}" if flag_where else ""),
                query,
            )
    # a prefix LIKE on an expression: lower(username) LIKE 'ab%' is a range of the expression's values, but
    # only in an index whose ordering is the byte order LIKE matches in — pattern_ops (a default-opclass
    # btree serves it as a range only under the "C" collation). Its equality operator is the ordinary one,
    # so the same index also serves `lower(username) = $1`.
    for p in access.preds:
        if p.kind == "like_prefix" and p.expr:
            keys = tuple([_q(c) for c in eq[: MAX_KEYS - 1]] + [f"({p.expr}) {pattern_ops(p.expr, table)}"])
            out.add(
                Candidate(table=t, keys=keys, columns=(*eq[: len(keys) - 1], None), kind="expression",
                          predicate=flag_where),  # fmt: skip
                f"{p.sql} is a prefix search on an expression: a pattern_ops index on it serves the prefix as a "
                "range under any collation (and `=` on it too)" + (f"; partial on {flag_where}" if flag_where else ""),
                query,
            )
    # GIN kinds HypoPG cannot model
    for p in access.preds:
        if p.kind == "like_infix":
            key = _q(p.column) if p.column else f"({p.expr})"
            out.add(
                Candidate(table=t, keys=(f"{key} gin_trgm_ops",), columns=(p.column,), method="gin",
                          kind="gin_trgm", requires_extension="pg_trgm"),  # fmt: skip
                f"{p.sql} {'may have' if _PARAM.search(p.sql) else 'has'} a leading wildcard: only a trigram index "
                "serves it",
                query, p.sql,
            )  # fmt: skip
        elif p.kind == "contains" and p.column:
            col = table.column(p.column) if table is not None else None
            # jsonb @> only: jsonb_path_ops indexes hashed paths, smaller and faster than jsonb_ops, but
            # serves neither ? nor ?| / ?&
            path_ops = col is not None and col.type.lower() == "jsonb" and "@>" in p.sql
            out.add(
                Candidate(table=t, keys=(_q(p.column) + (" jsonb_path_ops" if path_ops else ""),), columns=(p.column,),
                          method="gin", kind="gin"),  # fmt: skip
                f"{p.sql} is a containment test: GIN{' (jsonb_path_ops)' if path_ops else ''} serves it",
                query, p.sql,
            )  # fmt: skip
        elif p.kind == "fts" and p.expr:
            if re.fullmatch(r"to_tsvector\(\s*[^,()]+\s*\)", p.expr.strip(), re.I):
                out.risky.setdefault(
                    Candidate(table=t, keys=(f"({p.expr})",), columns=(None,), method="gin", kind="fts"),
                    f"{p.expr} uses the session's default_text_search_config, so it is not immutable and cannot be "
                    "indexed: write to_tsvector('<config>', …) in the query and index that same expression",
                )  # fmt: skip
                continue
            out.add(
                Candidate(table=t, keys=(f"({p.expr})",), columns=(None,), method="gin", kind="fts"),
                f"full-text search on {p.expr}: a GIN index on the same expression serves it",
                query, p.sql,
            )  # fmt: skip
    # BRIN: large table, range filter, physically ordered column
    if rows >= BRIN_MIN_ROWS:
        for r in ranges[:2]:
            st = stats.get((t, r))
            if st is not None and st.correlation is not None and abs(st.correlation) >= BRIN_MIN_CORRELATION:
                out.add(
                    Candidate(table=t, keys=(_q(r),), columns=(r,), method="brin", kind="brin"),
                    f"{r} follows the physical row order (correlation {st.correlation:.2f}): a BRIN index is tiny",
                    query,
                )


_PARAM = re.compile(r"\$\d")


def pattern_ops(expr: str, table: Table | None) -> str:
    """The pattern opclass for a key: varchar_pattern_ops when it is a bare varchar column (or a cast to
    varchar), bpchar_pattern_ops for a character(n) one (text_pattern_ops does not accept that type: its
    cast to text is a function, not a relabelling), text_pattern_ops otherwise (lower(), upper(),
    concatenations return text)."""
    bare = expr.strip().strip("()").strip().strip('"')
    col = table.column(bare) if table is not None and re.fullmatch(r"\w+", bare) else None
    kind = col.type.lower() if col is not None else ""
    try:  # the expression's outermost node a cast: its type is the key's
        node = sqlglot.parse_one(expr, read="postgres")
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Cast):
            kind = node.to.sql(dialect="postgres").lower()
    except Exception:  # noqa: BLE001
        pass
    if kind.startswith(("character varying", "varchar")):
        return "varchar_pattern_ops"
    if re.match(r"(character|char|bpchar)\b", kind):
        return "bpchar_pattern_ops"
    return "text_pattern_ops"


def without_implied(table: str, eq: list[str], implied: set[tuple[str, str, str]]) -> list[str]:
    """The equality columns minus those an earlier kept one determines (a project determines its
    tenant): `project_id = $1 AND tenant_id = $2` finds the same rows through a key on project_id alone,
    so tenant_id as a key column only makes the index larger and splits it from the queries that filter
    by project alone (`(project_id, created_at)` then serves both, where `(project_id, tenant_id,
    created_at)` and `(project_id, created_at)` were two indexes). The implied column stays a filter."""
    kept: list[str] = []
    for c in eq:
        if not any((table, a, c) in implied for a in kept):
            kept.append(c)
    return kept


def fk_implied(snapshot: SchemaSnapshot) -> set[tuple[str, str, str]]:
    """Functional dependencies a composite foreign key proves: in `FOREIGN KEY (tenant_id, project_id)
    REFERENCES projects (tenant_id, id)`, `id` is unique in projects, so each project_id of the
    referencing row goes with exactly one tenant_id (the referenced row's) — project_id → tenant_id."""
    out: set[tuple[str, str, str]] = set()
    for t in snapshot.tables:
        for fk in t.foreign_keys:
            ref = fk.references
            if ref is None or len(fk.columns) < 2 or len(ref.columns) != len(fk.columns):
                continue
            target = snapshot.table(ref.table)
            if target is None:
                continue
            for i, rc in enumerate(ref.columns):
                if any(ix.valid and (ix.unique or ix.primary) and list(ix.columns) == [rc] and not ix.predicate
                       for ix in target.indexes):  # fmt: skip
                    out |= {(t.qualified, fk.columns[i], other) for j, other in enumerate(fk.columns) if j != i}
    return out


def implied_pairs(shapes: Mapping[str, QueryShape]) -> set[tuple[str, str, str]]:
    """(table, a, b) for every two columns some query compares by equality on the same table: the pairs a
    functional dependency would shorten (`a` → `b` to be checked on the data)."""
    out: set[tuple[str, str, str]] = set()
    for shape in shapes.values():
        for a in shape.accesses:
            cols = sorted({p.column for p in a.preds if p.kind == "eq" and p.column})
            out |= {(a.table, x, y) for x in cols for y in cols if x != y}
    return out


def template(shape: QueryShape) -> tuple:
    """A statement's structure without its literal values: literal variants of one query (the same
    statement with different parameter values inlined) share it, different queries do not."""
    return (shape.statement, tuple(
        (a.table, tuple(sorted((p.kind, p.column or "", p.expr or "", p.partner or "") for p in a.preds)),
         tuple(a.sort), tuple(a.group), a.limit) for a in shape.accesses))  # fmt: skip


def merge_includes(out: CandidateSet) -> None:
    """Two btree candidates for the same rows (same table and predicate) where one's keys lead the
    other's and the shorter carries INCLUDE columns (`reviews (product_id) INCLUDE (rating)` for a count
    and average, `(product_id, created_at DESC)` for the newest reviews): one index with the longer keys
    and the INCLUDE columns serves both — the first query reads it index-only by its leading key, the
    second in key order — for little more than the longer one alone. The merged candidate is added (and
    costed like any other); the greedy's longer-variant rule takes it where it is as good."""
    btrees = [c for c in out.candidates if c.method == "btree" and all(c.columns)]
    for short in btrees:
        if not short.include:
            continue
        for long in btrees:
            if (long is short or long.table != short.table or long.predicate != short.predicate or long.include
                    or len(long.keys) <= len(short.keys)
                    or [k.removesuffix(" DESC") for k in long.keys[: len(short.keys)]]
                    != [k.removesuffix(" DESC") for k in short.keys]):  # fmt: skip
                continue
            inc = tuple(c for c in short.include if c.strip('"') not in long.columns)
            if not inc:
                continue
            merged = Candidate(table=long.table, keys=long.keys, columns=long.columns, include=inc,
                               predicate=long.predicate, kind="covering" if long.kind in ("btree", "composite")
                               else long.kind)  # fmt: skip
            if merged in out.reasons:
                continue
            for q in sorted(out.queries.get(short, set()) | out.queries.get(long, set())):
                out.add(merged, f"{out.reasons[long]}; INCLUDE ({', '.join(inc)}) also answers what "
                                f"{short.signature} would, from the same index", q)  # fmt: skip


_PATTERN_OPS = re.compile(r"\s(text|varchar|bpchar)_pattern_ops\s*$", re.IGNORECASE)


def fold_pattern_ops(out: CandidateSet, shapes: Mapping[str, QueryShape]) -> None:
    """An expression key in the default operator class (`(lower(username))`, for `lower(username) = $1`)
    beside its pattern_ops twin (`(lower(username)) text_pattern_ops`, for `lower(username) LIKE 'ab%'`):
    the twin serves `=` as well, while the default one serves LIKE as a range only under the "C"
    collation — elsewhere the planner walks it in ORDER BY order filtering the prefix, reading every key
    below it (bench/oltp social, `mention_autocomplete` with the heuristic's default index: 305 ms against
    1.2 through the pattern_ops one, slower than no index). The default twin is dropped, unless some query
    sorts by the expression or ranges over it without a prefix LIKE on it (what only the default order
    serves)."""
    for cand in list(out.reasons):
        if cand.method != "btree" or not any(col is None and _PATTERN_OPS.search(k) for k, col in zip(cand.keys, cand.columns)):
            continue
        twin = cand.model_copy(update={"keys": tuple(_PATTERN_OPS.sub("", k) if col is None else k
                                                      for k, col in zip(cand.keys, cand.columns))})  # fmt: skip
        if twin not in out.reasons:
            continue
        exprs = {without_opclass(k).lower() for k, col in zip(cand.keys, cand.columns) if col is None and _PATTERN_OPS.search(k)}
        if any(_needs_default_order(a, exprs) for shape in shapes.values() for a in shape.accesses if a.table == cand.table):
            continue
        out.risky.setdefault(twin, f"{', '.join(sorted(exprs))} in the default operator class: the pattern_ops twin "
                                   "serves `=` as well, and this one serves LIKE only as a filter outside the \"C\" "
                                   "collation — an ordered walk of it reads every key below the prefix")  # fmt: skip
        out.queries.setdefault(cand, set()).update(out.queries.pop(twin, set()))
        del out.reasons[twin]


def _needs_default_order(access: TableAccess, exprs: set[str]) -> bool:
    """The access sorts by, or ranges over, one of `exprs` without a prefix LIKE on it."""
    prefixed = {f"({p.expr})".lower() for p in access.preds if p.kind == "like_prefix" and p.expr}
    used = {f"({p.expr})".lower() for p in access.preds if p.kind == "expr_range" and p.expr}
    if access.order_key is not None:
        used.add(f"({access.order_key[0]})".lower())
    return any(e in used and e not in prefixed for e in exprs)


def generate(
    shapes: Mapping[str, QueryShape], snapshot: SchemaSnapshot, stats: StatsMap,
    implied: set[tuple[str, str, str]] | None = None,
) -> CandidateSet:
    """Every candidate for every query, minus those an existing index already covers. `implied`: functional
    dependencies (table, a, b) found on the data (a sample), added to those composite foreign keys prove."""
    out = CandidateSet()
    out.implied = fk_implied(snapshot) | set(implied or ())
    # a column that one query compares to different literals (`country = 'MT'`, `country = 'US'`: the same
    # statement with its parameters inlined, as a log or literal statements show it) takes a parameter's
    # values: none of them is a constant of the application to put in a partial predicate. Different
    # queries each with a constant of their own (`status = 'paid'` in the shipping queue, `status =
    # 'delivered'` in a purchase check) are the application's constants: each may be a partial predicate.
    seen: dict[tuple[tuple, str, str], set[str]] = {}
    for shape in shapes.values():
        fp = template(shape)
        for access in shape.accesses:
            for p in access.preds:
                if p.kind == "eq" and p.constant and p.column and p.value is not None:
                    seen.setdefault((fp, access.table, p.column), set()).add(p.value)
                elif p.kind == "in" and p.values and p.column:
                    # the same statement with different lists (`= ANY('{booked,confirmed}')`, `= ANY('{cancelled}')`)
                    # is a parameter array inlined, not a list the application fixed
                    seen.setdefault((fp, access.table, p.column), set()).add(",".join(sorted(set(p.values))))
    out.varying = {(t, c) for (_fp, t, c), values in seen.items() if len(values) > 1}
    for qid, shape in shapes.items():
        for access in shape.accesses:
            for_access(access, qid, snapshot, stats, out)
    merge_includes(out)
    fold_pattern_ops(out, shapes)
    for cand in list(out.reasons):
        table = snapshot.table(cand.table)
        existing = covering_index(table, cand) if table else None
        if existing is not None:
            out.covered[cand] = existing.name
            del out.reasons[cand]
            out.queries.pop(cand, None)
            continue
        unique = _unique_prefix(table, cand) if table and cand.include else None
        if unique is not None:
            out.risky[cand] = (f"it repeats {unique.name}'s unique key only to answer from the index: each key "
                               "finds at most one row, so it saves one heap page per lookup for a second copy of "
                               "the key and the INCLUDE columns on every write")  # fmt: skip
            del out.reasons[cand]
            out.queries.pop(cand, None)
    return out


def _unique_prefix(table: Table, cand: Candidate) -> Index | None:
    """An existing unique index whose columns are all among `cand`'s leading plain keys."""
    lead = [c for c in cand.columns]
    for ix in table.indexes:
        cols = list(ix.columns)
        if (ix.unique or ix.primary) and ix.valid and not ix.predicate and cols and None not in cols \
                and set(cols) <= set(lead[: len(cols)]):  # fmt: skip
            return ix
    return None


# --------------------------------------------------------------------------------------------
# Does an existing index already cover a candidate?
# --------------------------------------------------------------------------------------------

_CAST = re.compile(r"::[a-z_ ]+(\([0-9, ]*\))?(\[\])?")
_CAST_FN = re.compile(r"cast\(\s*([^()]*?)\s+as\s+[^()]+?\)")
_OPS = re.compile(r"\s+[a-z0-9_.]+_ops\b")


def norm_key(text: str) -> str:
    """Comparable key text: casts, quotes, parentheses, ASC, NULLS order and case removed."""
    t = text.lower()
    while True:
        stripped = _CAST_FN.sub(r"\1", t)
        if stripped == t:
            break
        t = stripped
    t = _CAST.sub("", t)
    t = t.replace('"', "").replace("(", "").replace(")", "")
    t = re.sub(r"\s+asc\b", "", t)
    t = re.sub(r"\s+nulls\s+(first|last)", "", t)
    t = re.sub(r"\s+desc\b", " desc", t)
    return re.sub(r"\s+", " ", t).strip()


def _base(key: str) -> str:
    """A normalised key without operator class and direction."""
    return _OPS.sub("", key).removesuffix(" desc").replace(" ", "")


def _full(key: str) -> str:
    return key.replace(" ", "")


def norm_predicate(text: str | None) -> str | None:
    return None if text is None else _full(norm_key(text))


def existing_keys(index: Index) -> list[str]:
    """Normalised key texts of an existing index, direction and operator class included."""
    return [norm_key(k) for k in index_keys(index).keys]


def _flip(keys: list[str]) -> list[str]:
    return [k.removesuffix(" desc") if k.endswith(" desc") else k + " desc" for k in keys]


def covers(index: Index, cand: Candidate) -> bool:
    """`index` serves every lookup `cand` would: same method, the candidate's keys are its leading
    keys (all directions flipped counts too), the candidate's INCLUDE columns are in it, and a
    compatible predicate (none, or the same)."""
    if not (index.valid and index.ready) or index.method != cand.method:
        return False
    if index.predicate and norm_predicate(index.predicate) != norm_predicate(cand.predicate):
        return False
    have = existing_keys(index)
    want = [norm_key(k) for k in cand.keys]
    if cand.method in ("gin", "brin", "hash"):
        if [_base(k) for k in have] != [_base(k) for k in want]:
            return False
    else:
        lead = [_full(k) for k in have[: len(want)]]
        if lead != [_full(k) for k in want] and lead != [_full(k) for k in _flip(want)]:
            return False
    stored = {_base(k) for k in have} | {_base(norm_key(c)) for c in index.include}
    return all(_base(norm_key(c)) in stored for c in cand.include)


def covering_index(table: Table, cand: Candidate) -> Index | None:
    return next((i for i in table.indexes if covers(i, cand)), None)


def _binds(access: TableAccess, key: str) -> bool:
    """`access` compares `key` (a column, or an expression) strictly to a constant or a parameter: in its
    WHERE, or in one branch of an OR across columns (the BitmapOr arm an index of that branch serves: the
    planner proves a partial index from the arm's own clauses)."""
    want = canon(key).strip('"')
    if want in {canon(k).strip('"') for k in strict_keys(access.preds)}:
        return True
    return any(want in {canon(k).strip('"') for k in strict_keys(branch)} for group in access.ors for branch in group)


def _null_share(table: str, key: str, column: str | None, stats: StatsMap) -> float | None:
    if column is not None:
        st = stats.get((table, column))
        return st.null_frac if st is not None else None
    expr = expression_of(key, None)
    sampled = lookup_expr(stats, table, expr) if expr else None
    return sampled.null_frac if sampled is not None else None


def _term_key(key: str, column: str | None) -> str | None:
    """How a key is written in `… IS NOT NULL`: the column, or the expression in one pair of parentheses."""
    if column is not None:
        return _q(column)
    expr = expression_of(key, None)
    if expr is None:
        return None
    return f"({unwrap(expr)})"


def not_null_partials(out: CandidateSet, shapes: Mapping[str, QueryShape], snapshot: SchemaSnapshot,
                      stats: StatsMap) -> None:  # fmt: skip
    """A btree candidate with a key that is NULL in a large share of the rows (NOT_NULL_PARTIAL_MIN: an
    optional phone number, a payment provider's reference only some payments get, a JSON field most
    events lack) which every query asking for the candidate compares strictly — `phone = $1`, `ref IN
    (…)`, a range — becomes partial: `WHERE phone IS NOT NULL`. A btree stores a row for every NULL key
    that no such lookup can reach (deduplicated into posting lists when it can, a full tuple per row when
    it cannot: INCLUDE columns, a several-column key); the strict clause implies `phone IS NOT NULL`, so
    the planner uses the smaller index for exactly the same lookups (for a `$n` parameter too), and writes
    of rows without a phone skip it. A query reading the column any other way (an ORDER BY without a
    filter, `IS NULL`) asks for its own full candidate, so nothing it needs is lost. Run after the
    expression sample (an expression's NULL share comes from it); MySQL has no partial indexes and does
    not call it. A rewritten candidate that an existing index already covers is dropped."""
    renamed: dict[Candidate, Candidate] = {}
    shares: dict[Candidate, list[tuple[str, float]]] = {}
    for c in out.candidates:
        if c.method != "btree" or not c.keys:
            continue
        asking = [q for q in out.queries.get(c, set()) if q in shapes]
        terms: list[tuple[str, float]] = []
        for key, column in zip(c.keys, c.columns):
            term_key = _term_key(key, column)
            if term_key is None:
                continue
            term = f"{term_key} IS NOT NULL"
            if c.predicate and canon(term) in {canon(t) for t in re.split(r"\s+AND\s+", c.predicate, flags=re.I)}:
                continue
            share = _null_share(c.table, key, column, stats)
            if share is None or share < NOT_NULL_PARTIAL_MIN:
                continue
            if asking and all(any(a.table == c.table and _binds(a, term_key) for a in shapes[q].accesses) for q in asking):
                terms.append((term, share))
        if terms:
            where = " AND ".join([*([c.predicate] if c.predicate else []), *(t for t, _ in terms)])
            renamed[c] = c.model_copy(update={
                "predicate": where, "kind": "partial" if c.kind in ("btree", "composite", "covering") else c.kind,
            })  # fmt: skip
            shares[c] = terms
    if not renamed:
        return
    reasons, queries, probes = out.reasons, out.queries, out.probes
    out.reasons, out.queries, out.probes = {}, {}, {}
    for c, why in reasons.items():
        new = renamed.get(c)
        if new is None:
            out.reasons.setdefault(c, why)
        else:
            said = ", ".join(f"{t} ({100 * f:.0f} % of the rows are NULL there)" for t, f in shares[c])
            out.reasons.setdefault(new, f"{why}; partial on {said}: the lookups compare it strictly, so no NULL row "
                                        "is ever read through it")  # fmt: skip
        out.queries.setdefault(new or c, set()).update(queries.get(c, set()))
        if c in probes:
            out.probes.setdefault(new or c, {}).update(probes[c])
    out.partners = {renamed.get(c, c): frozenset(renamed.get(p, p) for p in ps) for c, ps in out.partners.items()}
    for new in set(renamed.values()):
        table = snapshot.table(new.table)
        existing = covering_index(table, new) if table else None
        if existing is not None:
            out.covered[new] = existing.name
            out.reasons.pop(new, None)
            out.queries.pop(new, None)
