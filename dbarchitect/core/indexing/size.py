"""Size of a btree index as CREATE INDEX builds it, from pg_stats and the catalog.

HypoPG (1.3) sizes a btree as one index tuple per row with generous widths. Two things make real
indexes smaller, and a budget spent on HypoPG's figure runs out early:
- deduplication (PostgreSQL 13+): equal keys are stored once, followed by a posting list of 6-byte
  heap TIDs, whenever every key column's operator class allows it ("equalimage": integers, dates,
  timestamps, text with a deterministic collation, …; not numeric, floats, jsonb, arrays, intervals)
  and there is no INCLUDE column. On a foreign-key column with 30 rows per value that is a 3–4×
  smaller index (TPC-H `lineitem (l_partkey)`: HypoPG 150 MB, built 43 MB);
- tight tuples: an index tuple is the 8-byte header plus the aligned key and INCLUDE data (a numeric
  of a few digits is 5 bytes), not HypoPG's padded widths (TPC-H `lineitem (l_orderkey) INCLUDE
  (l_quantity)`: HypoPG 259 MB, built 189 MB).

`btree_size` mirrors nbtsort:
- distinct keys D from pg_stats n_distinct (the product over key columns), capped at the rows N, at N
  when a unique key is among the columns, and at the referenced table's rows when the columns are a
  foreign key (distinct pairs of `lineitem (l_partkey, l_suppkey)` ≤ rows of partsupp); k = N / D rows
  per key, assumed evenly spread;
- a plain leaf tuple is MAXALIGN(8-byte header + key and INCLUDE data) plus a 4-byte line pointer;
  a posting tuple is MAXALIGN(MAXALIGN(header + key) + 6 × TIDs), and CREATE INDEX caps a posting
  tuple at 10 % of a page (≈ 130 TIDs for an int4 key), so a key with k rows takes ⌈k / cap⌉ of
  them — whichever of plain or posting is smaller (build-time dedup only merges when it saves space);
- leaf pages are filled to the default fillfactor 90 (8152 usable bytes less 819 left free), plus
  about 1 % for the inner pages and the metapage.

Partial indexes hold the rows their WHERE keeps (`predicate_fraction`: `col IS NULL` → null_frac,
`col = 'open'` → its most-common-value frequency, AND as a product, as the planner does), and the
distinct keys are capped at those rows; `lower(col)` / `upper(col)` keys are sized as the column.
It answers None — the caller keeps HypoPG's estimate — for other expressions and predicates,
non-btree indexes, column types of unknown layout and missing statistics. A deduplicating key on a
physically ordered column (|correlation| ≥ 0.5) with more distinct values than ANALYZE's sample can
see repeatedly is sized without deduplication (one tuple per row, an upper bound): ANALYZE samples
whole blocks, on such a column the rows of one block share their values, and n_distinct comes out
several times too low (TPC-H l_orderkey: 384 k for 1.5 M), which would make the index look far
smaller than it is.
`dedup_btree_size` is the same estimate restricted to indexes that deduplicate.
Measured against built indexes on TPC-H SF1 (`bench/tpch/README.md`, `tests/unit/index`) and the blog
sample (`tests/live/index`): within ±5 % for single keys, INCLUDE indexes and foreign-key pairs;
other several-column keys are overestimated when their columns are correlated (the product of
n_distinct), never underestimated by that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from dbarchitect.core.indexing.expr_stats import SampledStats, expression_of, has_opclass, lookup_expr, without_opclass
from dbarchitect.core.indexing.models import Candidate, ColumnStats
from dbarchitect.core.models import SchemaSnapshot, Table

BLOCK = 8192
PAGE_USABLE = BLOCK - 24 - 16  # page header, btree special space
LEAF_FREE = BLOCK * 10 // 100  # fillfactor 90: CREATE INDEX leaves 10 % of each leaf page free
MAX_POSTING = (BLOCK * 10 // 100) // 8 * 8 - 4  # nbtsort: MAXALIGN_DOWN(BLCKSZ / 10) - sizeof(ItemIdData)
TUPLE_HEADER = 8  # IndexTupleData
LINE_POINTER = 4
TID = 6
INNER_OVERHEAD = 1.01  # inner pages + metapage
CLUSTERED_CORRELATION = 0.5  # |pg_stats.correlation| from which ANALYZE's block sample undercounts …
CLUSTERED_MIN_DISTINCT = 1000  # … the distinct values, unless there are few enough to all be seen often

# Types whose default btree operator class has an equalimage support function (deduplication safe),
# with their alignment. Varlena types (text, bytea, …) are stored with a 1-byte header, unaligned.
_FIXED: dict[str, int] = {
    "smallint": 2, "integer": 4, "bigint": 8, "oid": 4, "date": 4, "boolean": 1, '"char"': 1,
    "timestamp without time zone": 8, "timestamp with time zone": 8, "time without time zone": 8,
    "uuid": 1, "money": 8,
}  # fmt: skip
# Types without equalimage (never deduplicated) whose layout is known: alignment, 0 = varlena
_OTHER: dict[str, int] = {"numeric": 0, "real": 4, "double precision": 8, "interval": 8, "jsonb": 0, "json": 0,
                          "inet": 0, "cidr": 0, "tsvector": 0, "bit varying": 0, "time with time zone": 8}
_VARLENA = ("text", "character varying", "character", "bytea", "name")
_DETERMINISTIC = {None, "default", "C", "POSIX", "ucs_basic", "pg_c_utf8"}


def _maxalign(n: float) -> float:
    return math.ceil(n / 8) * 8


def _layout(type_text: str) -> tuple[int, bool] | None:
    """(alignment, deduplication-safe) of a column type; alignment 0 = short varlena; None = unknown."""
    t = re.sub(r"\(.*?\)", "", type_text.lower()).strip()
    if t.endswith("[]"):
        return 0, False
    if t in _FIXED:
        return _FIXED[t], True
    if t in _VARLENA:
        return 0, True
    if t in _OTHER:
        return _OTHER[t], False
    return None


def _distinct_bound(table: Table, snapshot: SchemaSnapshot, rows: float, per_column: dict[str, float]) -> float:
    """Distinct keys: the product of the columns' n_distinct, capped at the rows and by the catalog —
    the columns of a foreign key take at most as many value combinations as the referenced table has
    rows (TPC-H `lineitem (l_partkey, l_suppkey)` → partsupp: 800 k pairs, not 194 k × 10 k)."""
    best = min(math.prod(per_column.values()), rows)
    for con in table.constraints:
        cols = set(con.columns)
        if not cols or not cols <= per_column.keys():
            continue
        if con.kind == "foreign_key" and con.references is not None:
            ref = snapshot.table(con.references.table)
            if ref is not None and ref.estimated_rows > 0:
                others = math.prod(d for c, d in per_column.items() if c not in cols)
                best = min(best, float(ref.estimated_rows) * others)
    return max(best, 1.0)


_TERM = re.compile(r"""^\s*"?(\w+)"?\s+(?:(IS\s+NOT\s+NULL)|(IS\s+NULL)|=\s*('(?:[^']|'')*'|TRUE|FALSE|-?\d+(?:\.\d+)?))\s*$""",
                   re.IGNORECASE)  # fmt: skip
_IN_LIST = re.compile(r"""^\s*"?(\w+)"?\s+IN\s*\(((?:\s*'(?:[^']|'')*'\s*,?)+)\)\s*$""", re.IGNORECASE)
_EXPR_NOT_NULL = re.compile(r"^(\(.*\))\s+IS\s+NOT\s+NULL$", re.IGNORECASE | re.DOTALL)
_CASE_FN = re.compile(r'^\(\s*(?:lower|upper)\(\s*"?(\w+)"?\s*\)\s*\)$', re.IGNORECASE)


def predicate_fraction(predicate: str, table: str, stats: Mapping[tuple[str, str], ColumnStats]) -> float | None:
    """Share of the rows a partial index's WHERE keeps, from pg_stats, or None when a term is not one
    of `col IS NULL`, `col IS NOT NULL`, `(expr) IS NOT NULL` (its sample), `col = <literal>`,
    `col IN ('<literal>', …)` joined by AND. The terms are taken
    as independent (the planner's clauselist_selectivity does the same)."""
    share = 1.0
    for term in re.split(r"\s+AND\s+", predicate.strip(), flags=re.IGNORECASE):
        e = _EXPR_NOT_NULL.match(term.strip())
        if e is not None:
            # `(payload ->> 'request_id') IS NOT NULL`: the expression's NULL share from its row sample
            sampled = lookup_expr(stats, table, e.group(1))
            if sampled is None:
                return None
            share *= 1.0 - sampled.null_frac
            continue
        listed = _IN_LIST.match(term.strip())
        if listed is not None:
            # `status IN ('pending', 'failed')`: the listed values' shares (most-common values, else the rest's)
            st = stats.get((table, listed.group(1)))
            if st is None:
                return None
            values = [v[1:-1].replace("''", "'") for v in re.findall(r"'(?:[^']|'')*'", listed.group(2))]
            if not values:
                return None
            share *= min(1.0, sum(f if (f := st.frequency(v)) is not None else st.eq_selectivity(1e9) for v in values))
            continue
        m = _TERM.match(term.strip().strip("()"))
        st = stats.get((table, m.group(1))) if m else None
        if st is None:
            return None
        if m.group(2):
            share *= 1.0 - st.null_frac
        elif m.group(3):
            share *= st.null_frac
        else:
            lit = m.group(4)
            value = lit[1:-1].replace("''", "'") if lit.startswith("'") else lit.lower()
            freq = st.frequency(value)
            if freq is None and value in ("true", "false"):
                freq = st.frequency(value[0])  # pg_stats prints booleans as t / f
            if freq is None:
                freq = st.eq_selectivity(1e9)  # not among the most common values: at most the rest's share
            share *= freq
    return max(share, 0.0)


def _key_columns(cand: Candidate, stats: Mapping[tuple[str, str], ColumnStats] | None = None) -> list[str | SampledStats] | None:
    """The column behind each key: plain columns, lower()/upper() of one column (same width and
    distinct values as the column), and an expression whose sample `stats` holds (`expr_stats`);
    None for any other expression."""
    out: list[str | SampledStats] = []
    for key, col in zip(cand.keys, cand.columns):
        if col is None:
            m = _CASE_FN.match(without_opclass(key))
            sampled = lookup_expr(stats, cand.table, expr) if stats and (expr := expression_of(key, col)) else None
            if m is None and sampled is None:
                return None
            col = m.group(1) if m is not None else sampled
        out.append(col)
    return out


def _occupancy(lead: ColumnStats, rows: float, others: float) -> list[tuple[float, float]] | None:
    """(rows per key, keys) of a several-column key, spread by the leading column's values: each
    most-common value v holds N·f_v rows over at most `others` combinations of the later keys, of which
    others·(1 − e^(−N·f_v / others)) occur (occupancy of `others` cells by N·f_v uniform draws); the
    values outside the list share the rest. A skewed leading key (a few huge tenants, thousands of
    small ones) then gets the huge tenants' keys repeating — deduplicated — and the small ones' not:
    `payments (tenant_id, date(created_at))` 917 k distinct keys of 2.66 M rows, where the product of
    the distinct counts caps at one key per row."""
    if others <= 1 or rows <= 0:
        return None
    groups = []
    shares = list(lead.most_common_freqs)
    rest = max(0.0, 1.0 - lead.null_frac - sum(shares))
    n_rest = max(lead.distinct(rows) - len(shares), 0.0)
    items = [(f * rows, 1.0) for f in shares]
    if lead.null_frac > 0:
        items.append((lead.null_frac * rows, 1.0))
    if rest > 0 and n_rest >= 1:
        items.append((rest * rows / n_rest, n_rest))
    for r, count in items:
        if r <= 0:
            continue
        keys = max(1.0, min(r, others * (1.0 - math.exp(-r / others))))
        groups.append((r / keys, keys * count))
    return groups or None


def _estimate(cand: Candidate, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats],
              allow_dedup: bool = True) -> tuple[int, bool] | None:  # fmt: skip
    """(bytes, deduplicated) of `cand` as CREATE INDEX builds it, or None."""
    key_cols = _key_columns(cand, stats) if cand.method == "btree" and cand.columns else None
    if not key_cols:
        return None
    opclass = any(has_opclass(k) or (" " in k.strip().removesuffix(" DESC").strip() and not k.startswith("("))
                  for k in cand.keys)  # fmt: skip
    table = snapshot.table(cand.table)
    if table is None or table.estimated_rows <= 0:
        return None
    cols = {c.name: c for c in table.columns}
    rows = float(table.estimated_rows)
    if cand.predicate:
        share = predicate_fraction(cand.predicate, cand.table, stats)
        if share is None:
            return None
        rows = max(1.0, rows * share)
    per_column: dict[str, float] = {}
    data, dedup = 0.0, allow_dedup and not cand.include and not opclass
    unique = any(con.kind in ("primary_key", "unique") and con.columns and set(con.columns) <= set(cand.columns)
                 for con in table.constraints)  # fmt: skip
    leads: list[ColumnStats] = []
    for i, name in enumerate([*key_cols, *(k.strip('"') for k in cand.include)]):
        if isinstance(name, SampledStats):  # an expression, from its sample
            st, type_text, collation, key = name, name.type_name, None, name.column
        else:
            col, st = cols.get(name), stats.get((cand.table, name))
            if col is None or st is None:
                return None
            type_text, collation, key = col.type, col.collation, name
        layout = _layout(type_text)
        if layout is None:
            return None
        align, safe = layout
        if align:
            data = math.ceil(data / align) * align
        data += max(1, st.avg_width)
        if i >= len(cand.columns):
            continue
        leads.append(st)
        dedup = dedup and safe and collation in _DETERMINISTIC
        if dedup and not unique and (st.correlation is not None and abs(st.correlation) >= CLUSTERED_CORRELATION
                      and st.distinct(rows) > CLUSTERED_MIN_DISTINCT):  # fmt: skip
            dedup = False  # ANALYZE's block sample cannot tell by how much: sized as one tuple per row (an upper bound)
        per_column[key] = min(st.distinct(float(table.estimated_rows)), rows)
    key_tuple = _maxalign(TUPLE_HEADER + data)
    if dedup:
        distinct = rows if unique else _distinct_bound(table, snapshot, rows, per_column)
        groups = None
        if not unique and len(leads) >= 2 and leads[0].most_common_freqs and not cand.predicate:
            others = min(math.prod(list(per_column.values())[1:]), rows)
            groups = _occupancy(leads[0], rows, others)
            if groups is not None and sum(n for _, n in groups) > distinct:
                groups = None  # the catalog bounds the keys tighter (a foreign key): keep the uniform spread
        elif not unique and len(leads) == 1 and leads[0].null_frac > 0 and not _not_null(cand):
            # NULL keys are equal for deduplication: the NULL rows share one key's posting lists (~6 bytes a
            # row), the others spread over the distinct values — not every row spread evenly
            nulls = leads[0].null_frac * rows
            groups = [(nulls, 1.0), ((rows - nulls) / max(1.0, distinct), max(1.0, distinct))] if rows > nulls else None
        leaf_bytes = sum(n * _per_key(k, key_tuple) for k, n in (groups or [(rows / distinct, distinct)]))
    else:
        leaf_bytes = rows * (key_tuple + LINE_POINTER)
    pages = math.ceil(leaf_bytes / (PAGE_USABLE - LEAF_FREE) * INNER_OVERHEAD) + 1
    return pages * BLOCK, dedup


def _not_null(cand: Candidate) -> bool:
    """The partial predicate leaves out the leading key's NULLs."""
    lead = cand.columns[0] if cand.columns else None
    key = lead if lead is not None else (expression_of(cand.keys[0], None) if cand.keys else None)
    if not key or not cand.predicate:
        return False
    return any(_norm(t).endswith("isnotnull") and _norm(t)[: -len("isnotnull")].strip('"') == _norm(key).strip('"')
               for t in re.split(r"\s+AND\s+", cand.predicate, flags=re.IGNORECASE))  # fmt: skip


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def _per_key(k: float, key_tuple: float) -> float:
    """Leaf bytes of one key holding k rows: k plain tuples or posting tuples, whichever is smaller."""
    plain = k * (key_tuple + LINE_POINTER)
    per_posting = max(1, int((MAX_POSTING - key_tuple) // TID))
    postings = math.ceil(k / per_posting)
    posting = postings * (LINE_POINTER + key_tuple) + _maxalign(k * TID) + (postings - 1) * 4
    return min(plain, posting)


def btree_size(cand: Candidate, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]) -> int | None:
    """Estimated bytes of `cand` as CREATE INDEX builds it (deduplicated where it applies), or None."""
    est = _estimate(cand, snapshot, stats)
    return est[0] if est else None


def dedup_btree_size(cand: Candidate, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]) -> int | None:
    """`btree_size` where deduplication applies (plain keys of equalimage types), else None."""
    est = _estimate(cand, snapshot, stats)
    return est[0] if est and est[1] else None


def entry_btree_size(cand: Candidate, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]) -> int | None:
    """`btree_size` without deduplication: one tuple per row. Compares entry widths — whether a longer
    variant is "barely larger" than its prefix — without penalising a key that cannot deduplicate
    against the deduplicated size of its prefix."""
    est = _estimate(cand, snapshot, stats, allow_dedup=False)
    return est[0] if est else None
