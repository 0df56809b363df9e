"""Statistics of index expressions, from a row sample of the table.

An expression (`(payload->>'request_id')`, `date(created_at)`) has no pg_stats until an index on it
exists and the table is analyzed. Without them:
- its size is guessed: HypoPG sizes every key as one tuple per row with a generous width (the request
  id: 333 MB estimated, 159 MB built), and knows nothing of deduplication (PostgreSQL 13+), which stores
  a repeating key once with a posting list of 6-byte heap pointers (`payments (tenant_id, status,
  date(created_at))`: 342 MB estimated, 52 MB built: tenant × status × day keys repeat);
- its selectivity is the planner's default for an unknown expression (0.5 % for an equality,
  DEFAULT_EQ_SEL), so a near-unique key looks weak and a four-valued one (`payload->>'source'`) looks
  selective; judged through the underlying column instead, `date(created_at)` inherits the timestamp's
  near-uniqueness (one row per value) although a day holds thousands.

ANALYZE itself works from a row sample (30,000 rows at the default statistics target): this module
does the same for the expressions the candidates and queries use — one read-only query per table
over a Bernoulli sample of about `SAMPLE_ROWS` rows (`sample_sql`, run by the live layer under a
statement_timeout) — and turns the counts into pg_stats-like figures (`from_sample`): distinct values
by ANALYZE's own estimator (Haas & Stokes' Duj1, analyze.c): D = n·d / (n − f1 + f1·n/N), n sampled
non-null rows, d distinct among them, f1 seen exactly once, N rows of the table; the most common values
with their sampled frequencies (values seen at least twice), the null fraction, the average stored
width (pg_column_size) and the expression's type. `size.btree_size` and the heuristic estimate use
them as they use a column's pg_stats.
Key tuples are not sampled: a 1 % sample cannot count the distinct keys of a skewed tuple (Duj1 gave
126 k, GEE 224 k, for the 994 k distinct `(tenant_id, status, date(created_at))` of the booking
payments: most keys hold two or three rows and are never seen); `size` models them from the leading
column's most-common values instead.
A Bernoulli sample (not SYSTEM's whole blocks): on a physically ordered column the rows of one block
share their values and a block sample undercounts the distinct keys (see `size`'s note on TPC-H's
l_orderkey); the price is one pass over the table's pages per table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from dbarchitect.core.indexing.models import Candidate, ColumnStats

SAMPLE_ROWS = 30_000  # as ANALYZE at default_statistics_target 100
MAX_MCV = 20


class SampledStats(ColumnStats):
    """pg_stats-like figures of an expression computed on a row sample."""

    type_name: str = ""  # pg_typeof of the expression
    sampled: int = 0  # rows in the sample
    table_rows: float = 0.0

    def note(self, rows: float) -> str:
        return (f"{self.column}: {self.distinct(rows):,.0f} distinct values in {rows:,.0f} rows, "
                f"{self.avg_width} bytes wide (a sample of {self.sampled:,} rows)")  # fmt: skip


def canon(text: str) -> str:
    """An expression's text, comparable across its spellings: lower case, no spaces, no outer
    parentheses, no DESC/ASC."""
    t = re.sub(r"\s+(desc|asc)(\s+nulls\s+(first|last))?\s*$", "", text.strip(), flags=re.IGNORECASE)
    return unwrap(re.sub(r"\s+", "", t.lower()))


def unwrap(text: str) -> str:
    """`text` without the parentheses that enclose all of it: `((a ->> 'b'))` → `a ->> 'b'`."""
    t = text.strip()
    while t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        t = t[1:-1].strip()
    return t


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def expr_key(table: str, text: str) -> tuple[str, str]:
    """The stats-map key of an expression of `table` (never a column name: it starts with 'expr:')."""
    return table, "expr:" + canon(text)


_OPCLASS = re.compile(r"\s+[a-z_][a-z0-9_]*_ops\s*$", re.IGNORECASE)


def without_opclass(key: str) -> str:
    """A key's text without its DESC/ASC and operator class: `(lower(username)) text_pattern_ops` →
    `(lower(username))`."""
    k = re.sub(r"\s+(DESC|ASC)\s*$", "", key.strip(), flags=re.IGNORECASE)
    return _OPCLASS.sub("", k).strip()


def has_opclass(key: str) -> bool:
    k = re.sub(r"\s+(DESC|ASC)\s*$", "", key.strip(), flags=re.IGNORECASE)
    return _OPCLASS.search(k) is not None


def expression_of(key: str, column: str | None) -> str | None:
    """The expression text of a candidate key (without DESC or an operator class), None for a plain
    column or a GIN opclass key."""
    if column is not None:
        return None
    k = without_opclass(key)
    return k if k.startswith("(") else None


def targets(candidates: Iterable[Candidate], exprs: Iterable[tuple[str, str]] = ()) -> dict[str, list[str]]:
    """Per table, the expressions to sample: btree candidates' expression keys and the queries'
    expression predicates `exprs` = (table, text)."""
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    pairs = [(t, e if e.startswith("(") else f"({e})") for t, e in exprs]
    pairs += [(c.table, e) for c in candidates if c.method == "btree"
              for k, col in zip(c.keys, c.columns) if (e := expression_of(k, col))]  # fmt: skip
    for table, text in pairs:
        k = expr_key(table, text)
        if k not in seen:
            seen.add(k)
            out.setdefault(table, []).append(text)
    return out


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sample_sql(table: str, table_rows: float, exprs: list[str]) -> str:
    """One read-only query: a Bernoulli sample of ~SAMPLE_ROWS rows (REPEATABLE, so two runs agree),
    then per expression [rows, nulls, avg width, type, distinct, seen once, MCVs, their counts]. The
    texts are the candidates' own SQL (the same text CREATE INDEX would run)."""
    schema, _, name = table.partition(".")
    pct = min(100.0, 100.0 * SAMPLE_ROWS / max(table_rows, 1.0))
    cols = []
    for e in exprs:
        grouped = "(SELECT v, count(*) c FROM x WHERE v IS NOT NULL GROUP BY v)"
        top = f"(SELECT v, c FROM {grouped} g WHERE c > 1 ORDER BY c DESC LIMIT {MAX_MCV})"
        cols.append(
            f"(WITH x AS MATERIALIZED (SELECT {e} AS v FROM s) SELECT ARRAY[(SELECT count(*) FROM x)::text, "
            f"(SELECT count(*) FROM x WHERE v IS NULL)::text, "
            f"(SELECT coalesce(avg(pg_column_size(v)), 0) FROM x WHERE v IS NOT NULL)::text, "
            f"(SELECT coalesce(max(pg_typeof(v)::text), '') FROM x WHERE v IS NOT NULL), "
            f"(SELECT count(*) FROM {grouped} g)::text, (SELECT count(*) FROM {grouped} g WHERE c = 1)::text, "
            f"(SELECT array_agg(v::text ORDER BY c DESC) FROM {top} t)::text, "
            f"(SELECT array_agg(c ORDER BY c DESC) FROM {top} t)::text])"
        )
    return (f"WITH s AS MATERIALIZED (SELECT * FROM {_ident(schema)}.{_ident(name)} TABLESAMPLE BERNOULLI ({pct:.6f}) "
            f"REPEATABLE (42)) SELECT (SELECT count(*) FROM s), " + ", ".join(cols))  # fmt: skip


def _bare(key: str) -> str:
    return re.sub(r"\s+(DESC|ASC)\s*$", "", key.strip(), flags=re.IGNORECASE)


def _pg_array(text: str | None) -> list[str]:
    """A one-dimensional text[] literal as Python strings (quotes and backslashes undone)."""
    if not text or text == "{}":
        return []
    body = text[1:-1]
    out, cur, quoted, i = [], [], False, 0
    while i < len(body):
        ch = body[i]
        if quoted:
            if ch == "\\" and i + 1 < len(body):
                cur.append(body[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cur.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ",":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def duj1(n: float, d: float, f1: float, rows: float) -> float:
    """ANALYZE's distinct estimator (analyze.c, Haas & Stokes Duj1), capped to [d, rows]."""
    if n <= 0 or d <= 0:
        return 0.0
    if n >= rows:
        return d
    denom = n - f1 + f1 * n / rows
    est = n * d / denom if denom > 0 else rows
    return min(max(est, d), rows)


def from_sample(table: str, table_rows: float, exprs: list[str], row: list) -> dict[tuple[str, str], SampledStats]:  # fmt: skip
    """The stats-map entries from `sample_sql`'s one result row."""
    out: dict[tuple[str, str], SampledStats] = {}
    n = float(row[0] or 0)
    if n <= 0:
        return out
    rate = min(1.0, n / max(table_rows, 1.0))
    for e, arr in zip(exprs, row[1: 1 + len(exprs)]):
        total, nulls, width, typ, d, f1, mcv, mcc = (list(arr) + [None] * 8)[:8]
        total, nulls, d, f1 = float(total), float(nulls), float(d), float(f1)
        nonnull = total - nulls
        distinct = duj1(nonnull, d, f1, table_rows * nonnull / max(total, 1.0))
        vals, counts = _pg_array(mcv), [float(x) for x in _pg_array(mcc)]
        nd = -distinct / table_rows if distinct > 0.1 * table_rows else distinct
        # no header correction: the values come out of a MATERIALIZED CTE, whose stored tuples already hold a
        # short (1-byte) varlena header below 127 bytes, as an index tuple does (request_id: 25 = 24 + 1)
        out[expr_key(table, e)] = SampledStats(
            table=table, column=canon(e), null_frac=nulls / max(total, 1.0), n_distinct=nd,
            avg_width=max(1, round(float(width))), most_common_vals=vals,
            most_common_freqs=[c / max(total, 1.0) for c in counts], type_name=typ or "", sampled=int(n),
            table_rows=table_rows,
        )  # fmt: skip
    return out


def lookup_expr(stats: Mapping[tuple[str, str], ColumnStats], table: str, text: str) -> SampledStats | None:
    st = stats.get(expr_key(table, text))
    return st if isinstance(st, SampledStats) else None
