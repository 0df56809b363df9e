"""Workload statements: which ones can be costed, and `$n` parameters bound to representative
values from pg_stats (PostgreSQL < 16 has no EXPLAIN (GENERIC_PLAN))."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import NamedTuple

import sqlglot
from pglast import parse_sql
from sqlglot import exp

from dbarchitect.core.indexing.models import ColumnStats, WorkloadQuery
from dbarchitect.core.models import SchemaSnapshot

COSTABLE = {"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"}
_PARAM = re.compile(r"\$(\d+)\b")


def costable(sql: str) -> str | None:
    """None when `sql` is one SELECT/INSERT/UPDATE/DELETE (WITH included), else why not."""
    try:
        stmts = parse_sql(sql)
    except Exception as exc:  # noqa: BLE001 - pglast.parser.ParseError and friends
        return f"not valid PostgreSQL: {str(exc).splitlines()[0][:200]}"
    if not stmts:
        return "no statement (empty, or only whitespace and comments)"
    if len(stmts) != 1:
        return f"{len(stmts)} statements: give one statement per workload entry"
    kind = type(stmts[0].stmt).__name__
    if kind not in COSTABLE:
        return f"{kind.removesuffix('Stmt')} statements have no plan to improve with an index"
    return None


def parameters(sql: str) -> list[int]:
    return sorted({int(m.group(1)) for m in _PARAM.finditer(_without_strings(sql))})


def _without_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", lambda m: " " * len(m.group(0)), sql)


def spaced_params(sql: str) -> str:
    """`$n` followed by a space (outside string literals): sqlglot reads `($2,$3)` as a dollar-quoted string."""
    masked = _without_strings(sql)
    out, last = [], 0
    for m in _PARAM.finditer(masked):
        out.append(sql[last : m.end()] + " ")
        last = m.end()
    out.append(sql[last:])
    return "".join(out)


def substitute(sql: str, values: Mapping[int, str]) -> str:
    """Replace `$n` (outside string literals) by the given SQL literal texts."""
    masked = _without_strings(sql)
    out, last = [], 0
    for m in _PARAM.finditer(masked):
        n = int(m.group(1))
        if n in values:
            out.append(sql[last : m.start()])
            out.append(values[n])
            last = m.end()
    out.append(sql[last:])
    return "".join(out)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Use(NamedTuple):
    """How a `$n` meets its column: the comparison, whether literals are concatenated around it (`'%' ||
    $2 || '%'`), whether it is an array compared element-wise (`= ANY($1::int[])`), whether it is an upper
    bound paired with a lower bound on the same column (`>= $1 AND < $2`, `BETWEEN $1 AND $2`), and its
    place among the parameters compared the same way with that column (`IN ($1, $2, $3)`); for an array
    column, its element type and whether the parameter is an element or the whole array; whether the
    comparison is negated (`NOT ILIKE $1`). `paired` is set on both bounds of a pair."""

    op: type
    concatenated: bool = False
    array: bool = False
    paired: bool = False
    nth: int = 0
    elem: str | None = None  # the element type when the column is an array (`integer` for integer[])
    element: bool = False  # … and the parameter is one element of it (`ARRAY[$1]`, `$1 = ANY(tags)`)
    negated: bool = False
    rows: float = 0.0  # the column's table's estimated rows (0: unknown)


# an array parameter on a column whose most common values hold this share of the rows takes the commonest
ARRAY_MCV_SHARE = 0.95


def _pick(stats: ColumnStats, use: Use) -> str | None:
    """A representative value: a lower bound near the top of the histogram (a recent window), an upper
    bound near its bottom — or its top when a lower bound is given too, so that the range holds rows —
    else a middle value (the next ones spread over the histogram for a list; an array on a status-like
    column takes its commonest values)."""
    hist, mcv, op = stats.histogram_bounds, stats.most_common_vals, use.op
    if use.paired and op in (exp.GT, exp.GTE, exp.LT, exp.LTE) and len(hist) < 2:
        return None  # no order to draw a range that holds rows from (most common values are unordered)
    if use.elem is not None:  # an array column: a stored array, or its first element
        stored = (hist or mcv or [None])[len(hist or mcv or [None]) // 2]
        return _first_element(stored) if use.element and stored else stored
    if op in (exp.GT, exp.GTE) and hist:
        # paired with an upper bound (the last bound): strictly below it, however short the histogram
        return hist[min(len(hist) - (2 if use.paired else 1), int(len(hist) * 0.9))]
    if op in (exp.LT, exp.LTE) and hist:
        return hist[-1] if use.paired else hist[int(len(hist) * 0.1)]
    if use.array and mcv and sum(stats.most_common_freqs) >= ARRAY_MCV_SHARE:
        # a list on a status-like column (the common values hold nearly every row): the commonest ones,
        # where a key on the column followed by a sort reads most of the rows and an ordered walk does not
        return mcv[use.nth % len(mcv)]
    values = hist or mcv
    if not values:
        return None
    value = values[(len(values) // 2 + use.nth * max(1, len(values) // 7)) % len(values)]
    if op is exp.JSONBContainsTopKey:  # `attrs ? $1`: a key of the stored document, not the document
        doc = _json(value)
        return next(iter(doc)) if isinstance(doc, dict) and doc else None
    if op in (exp.RegexpLike, exp.RegexpILike):  # the stored text as a regular expression matching itself
        return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", value)
    if op in (exp.Like, exp.ILike):
        # the stored text taken literally (its `%`, `_` and backslashes escaped): a prefix of it, or the
        # part a pattern built around the parameter puts its wildcards around
        value = re.sub(r"([\\%_])", r"\\\1", value)
        return value if use.concatenated else value + "%"
    return value


def _json(text: str | None) -> object:
    """`text` read as JSON, or None."""
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _first_element(literal: str) -> str | None:
    """The first element of an array literal's text (`{3,17}` → `3`, `{"a b",c}` → `a b`)."""
    inner = literal.strip()[1:-1] if literal.strip().startswith("{") else ""
    if not inner:
        return None
    if inner.startswith('"'):
        m = re.match(r'"((?:[^"\\]|\\.)*)"', inner)
        return re.sub(r"\\(.)", r"\1", m.group(1)) if m else None
    return inner.split(",", 1)[0].strip() or None


# a word no stored text or document holds (no common trigram either): what a search for something rare binds
RARE_WORD = "qzxjv"
# an array element no row holds, by element type: the type's least value, or the rare word
_RARE_ELEMENT = {"smallint": "-32768", "integer": "-2147483648", "bigint": "-9223372036854775808",
                 "text": RARE_WORD, "character varying": RARE_WORD, "citext": RARE_WORD}  # fmt: skip
_ARRAY_SEARCH = (exp.ArrayOverlaps, exp.ArrayContainsAll, exp.EQ)
# comparisons where the parameter is searched for inside a value (GIN / trigram territory): what an
# application passes there is mostly rare — one bound value from the histogram shows only the common case
_SEARCH = (exp.Like, exp.ILike, exp.RegexpLike, exp.RegexpILike, exp.MatchAgainst)
_CONTAINS = (exp.ArrayContainsAll, exp.JSONBContainsTopKey)


def _rare(stats: ColumnStats, use: Use) -> str | None:
    """A value matching (almost) nothing for a parameter searched for inside a column: a pattern or
    full-text word no row holds, a jsonb document with a stored key and a value no row has; None for
    every other comparison; for an array column an element no row holds (the element type's least value,
    or the rare word for text)."""
    op = use.op
    if use.negated:  # NOT ILIKE '%x%', NOT (tags && $1): every row but a few
        return None
    if use.elem is not None:  # an array column searched for an element (`&&`, `@>`, `$1 = ANY(tags)`)
        rare = _RARE_ELEMENT.get(re.sub(r"\(.*\)", "", use.elem).strip())
        if rare is None or op not in _ARRAY_SEARCH or (op is exp.EQ and not use.element):
            return None
        return rare if use.element else "{" + rare + "}"
    if use.array:
        return None
    if op in _SEARCH:
        return RARE_WORD if use.concatenated or op not in (exp.Like, exp.ILike) else f"%{RARE_WORD}%"
    if op in _CONTAINS:
        doc = _json(_pick(stats, Use(exp.EQ)))
        if op is exp.JSONBContainsTopKey:
            return RARE_WORD if isinstance(doc, dict) else None
        if isinstance(doc, dict):
            return json.dumps({next(iter(doc), RARE_WORD): RARE_WORD})
    return None


# a column whose most common value holds at least this share of the rows, and COMMON_MIN_RATIO × an average
# value's, has a "common side" (a huge tenant) that one representative value does not show
COMMON_MIN_SHARE = 0.01
COMMON_MIN_RATIO = 10.0
COMMON_MIN_ROWS = 1000


def _common(stats: ColumnStats, use: Use) -> str | None:
    """The most common value of a skewed column compared by equality, or an array column's most common
    element searched for (`tags @> ARRAY[$1]`, `labels && $2`: the popular tag, whose newest rows an ordered
    walk finds at once and a GIN lists by the thousands); None: no common side to show. Skewed: the value
    holds COMMON_MIN_RATIO × an average value's rows, and either COMMON_MIN_SHARE of the table or
    COMMON_MIN_ROWS rows (one follower of thousands of accounts among millions of follows: a join that fans
    out to thousands of rows is planned differently from one that reaches a dozen)."""
    if use.negated:
        return None
    if use.elem is not None:
        if use.op not in _ARRAY_SEARCH or (use.op is exp.EQ and not use.element) or not stats.most_common_elem_freqs:
            return None
        # pg_stats sorts the elements by value (for a binary search), not by frequency: the commonest is the
        # one with the greatest frequency wherever it stands
        freqs = stats.most_common_elem_freqs
        first = max(range(len(freqs)), key=lambda i: (freqs[i], -i))
        top, value = freqs[first], stats.most_common_elems[first]
        # an element's share is of the rows that hold it; pg_stats lists the elements above a frequency cut,
        # not how many there are: the least listed one stands for a typical element (every other is rarer)
        typical = min(stats.most_common_elem_freqs)
        if not _skewed(top, typical, use.rows):
            return None
        return value if use.element else "{" + _array_element(value) + "}"
    return common_value(stats, use.rows) if use.op in (exp.EQ, exp.In) else None


def common_value(stats: ColumnStats, rows: float) -> str | None:
    """The most common value of a column of `rows` rows (0: unknown) when it is skewed — the value a
    `.common` statement binds its parameter to —, else None."""
    if not stats.most_common_vals or not stats.most_common_freqs:
        return None
    top = stats.most_common_freqs[0]
    distinct = stats.distinct(rows or 1e6)
    if not _skewed(top, (1.0 - stats.null_frac) / max(distinct, 1.0), rows):
        return None
    return stats.most_common_vals[0]


def _array_element(value: str) -> str:
    """One element as array-literal text: quoted (backslash escapes) unless it is a plain word, so that
    `a,b`, `{x}`, `say "hi"` or the word NULL stay one element, as pg_stats listed it."""
    if re.fullmatch(r"[\w.:+-]+", value) and value.upper() != "NULL":
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _skewed(top: float, average: float, rows: float) -> bool:
    return top >= COMMON_MIN_RATIO * average and (top >= COMMON_MIN_SHARE or top * rows >= COMMON_MIN_ROWS)


def bind_common(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """`bind_from_stats`, but each `$n` compared by equality to a skewed column (a tenant holding 8 % of
    the rows) bound to that column's most common value: the query's common side, which the representative
    (histogram) value — a typical small tenant — never shows. (None, {}) when no parameter has one."""
    return _side(sql, snapshot, stats, _common)


def _side(sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats], *picks
          ) -> tuple[str | None, dict[str, str]]:  # fmt: skip
    """The representative binding overlaid with each pick's values in turn, later ones winning; (None, {})
    when the last pick binds nothing (the side does not exist) or some parameter has no value at all."""
    chosen = [_bind(sql, snapshot, stats, pick)[1] for pick in picks]
    if not chosen[-1]:
        return None, {}
    base_sql, base = bind_from_stats(sql, snapshot, stats)
    if base_sql is None:
        return None, {}
    values = {int(k[1:]): v for k, v in {**base, **{k: v for c in chosen for k, v in c.items()}}.items()}
    return substitute(sql, values), {f"${n}": v for n, v in sorted(values.items())}


def bind_from_stats(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """(`sql` with every `$n` replaced by a representative value, the values) — or (None, partial
    values) when some parameter's column cannot be found."""
    return _bind(sql, snapshot, stats, _pick, complete=True)


def _bind(sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats], pick, complete: bool = False
          ) -> tuple[str | None, dict[str, str]]:  # fmt: skip
    """`$n` → a value `pick(column stats, Use)` chooses. With `complete`, LIMIT/OFFSET take 10/0 and
    the SQL is returned only when every parameter got a value; otherwise only the picked ones are listed."""
    wanted = parameters(sql)
    if not wanted:
        return sql, {}
    try:
        tree = sqlglot.parse_one(spaced_params(sql), read="postgres")
    except Exception:  # noqa: BLE001
        return None, {}
    aliases = _aliases(tree, snapshot)
    values: dict[int, str] = {}
    found: list[tuple[int, tuple[str, str], Use]] = []
    for p in tree.find_all(exp.Parameter):
        try:
            n = int(p.this.this if isinstance(p.this, exp.Literal) else p.name)
        except (TypeError, ValueError):
            continue
        node, child = p.parent, p
        position, concatenated, array, element = None, False, False, False
        # through parentheses, casts, tuples, a function of the parameter alone (`lower($2)`), a
        # concatenation with literals (`'%' || $2 || '%'`, `concat($2, '%')`) and ANY / ALL of an array
        # parameter to the comparison
        while isinstance(node, (exp.Paren, exp.Cast, exp.Tuple)) or (
            isinstance(node, (exp.Func, exp.DPipe, exp.Any, exp.All)) and node.find(exp.Column) is None
        ):  # fmt: skip
            if isinstance(node, exp.Tuple) and position is None:
                position = next((i for i, e in enumerate(node.expressions) if e is child), None)
            concatenated = concatenated or isinstance(node, (exp.DPipe, exp.Concat))
            element = element or isinstance(node, exp.Array)
            array = array or isinstance(node, (exp.Any, exp.All)) or (
                isinstance(node, exp.Anonymous) and str(node.this).upper() in ("ANY", "ALL", "SOME"))  # fmt: skip
            node, child = node.parent, node
        if isinstance(node, exp.Limit):
            if complete:
                values[n] = "10"
            continue
        if isinstance(node, exp.Offset):
            if complete:
                values[n] = "0"
            continue
        if node is None:
            continue
        cols = [c for c in node.find_all(exp.Column)]
        if not cols:
            continue
        col = cols[0]
        # (created_at, id) < ($2, $3): each parameter takes the column at its own position
        other = node.this if isinstance(node, exp.Binary) and node.expression is child else getattr(node, "expression", None)
        if position is not None and isinstance(other, exp.Tuple) and position < len(other.expressions):
            if not isinstance(other.expressions[position], exp.Column):
                continue
            col = other.expressions[position]
        owners = _owners(col, aliases, snapshot)
        if len(owners) != 1 or (owners[0], col.name) not in stats:
            continue
        column = (t := snapshot.table(owners[0])) and t.column(col.name)
        kind = column.type if column else ""
        elem = kind[:-2] if kind.endswith("[]") else None
        # `$1 = ANY(tags)`: the parameter is one element of the array column
        element = elem is not None and (element or (isinstance(node, exp.EQ) and node.find(exp.Any) is not None))
        op = type(node)
        if isinstance(node, exp.Between):  # BETWEEN $1 AND $2: a lower and an upper bound
            op = exp.GTE if child is node.args.get("low") else exp.LTE
        outer = node.parent
        while isinstance(outer, exp.Paren):
            outer = outer.parent
        negated = bool(node.args.get("negate")) or isinstance(outer, exp.Not)
        found.append((n, (owners[0], col.name), Use(op, concatenated, array, elem=elem, element=element,
                                                      negated=negated, rows=float(t.estimated_rows) if t else 0.0)))
    bounds = (exp.GT, exp.GTE, exp.LT, exp.LTE)
    lower = {key for _, key, use in found if use.op in bounds[:2]}
    upper = {key for _, key, use in found if use.op in bounds[2:]}
    seen: dict[tuple, int] = {}
    for n, key, use in found:
        nth = seen[(key, use.op)] = seen.get((key, use.op), -1) + 1
        use = use._replace(paired=use.op in bounds and key in lower and key in upper, nth=nth)
        if use.array:  # a few distinct values as an array literal
            items = list(dict.fromkeys(v for i in range(3) if (v := pick(stats[key], use._replace(nth=i))) is not None))
            if items:
                values[n] = _quote("{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                                                  for v in items) + "}")  # fmt: skip
            continue
        value = pick(stats[key], use)
        if value is not None:
            values[n] = _quote(value)
    bound = {f"${n}": v for n, v in sorted(values.items())}
    if set(values) != set(wanted):
        return None, bound
    return substitute(sql, values), bound


def _aliases(tree: exp.Expression, snapshot: SchemaSnapshot) -> dict[str, str]:
    """Alias (or name) → schema.table for the tables of the statement the snapshot knows."""
    out: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        table = snapshot.table(f"{t.db}.{t.name}" if t.db else t.name)
        if table is not None:
            out[t.alias_or_name] = table.qualified
    return out


def _owners(col: exp.Column, aliases: Mapping[str, str], snapshot: SchemaSnapshot) -> list[str]:
    """The tables of the statement that may hold `col` (one, when it resolves)."""
    if col.table in aliases:
        return [aliases[col.table]]
    return [q for q in set(aliases.values()) if (t := snapshot.table(q)) is not None and t.column(col.name)]


class LiteralSearch(NamedTuple):
    """A search predicate with a literal: its table, the predicate alone (for a row estimate), the literal
    as written in the statement and a value no row holds in its place."""

    table: str
    predicate: str
    written: str
    rare: str
    unsampled: bool = False  # no statistics describe it (a full-text vector not indexed): a fixed share


def literal_searches(sql: str, snapshot: SchemaSnapshot) -> list[LiteralSearch]:
    """The search predicates of a statement without parameters that compare a column with a string
    literal: an infix pattern (`ILIKE '%x%'`), jsonb containment of an object (`payload @> '{"k": "v"}'`),
    an array column overlapping or containing an array literal (`labels && '{250}'`), a full-text match
    with the query text written (`@@ plainto_tsquery('simple', 'word')`). Negated ones and
    literals written more than once are left out (the replacement must be unambiguous)."""
    if parameters(sql):
        return []
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except Exception:  # noqa: BLE001
        return []
    aliases = _aliases(tree, snapshot)
    out: list[LiteralSearch] = []
    for node in tree.find_all(exp.MatchAgainst):
        found = _literal_fts(node, sql, aliases, snapshot)
        if found is not None:
            out.append(found)
    for node in tree.find_all(exp.Like, exp.ILike, exp.ArrayContainsAll, exp.ArrayOverlaps):
        col, lit = node.this, node.expression
        while isinstance(lit, (exp.Cast, exp.Paren)):
            lit = lit.this
        if not isinstance(col, exp.Column) or not isinstance(lit, exp.Literal) or not lit.is_string:
            continue
        # `LIKE '%x!%%' ESCAPE '!'`: the escape clause wraps the LIKE, and belongs to the probed predicate
        whole = node.parent if isinstance(node.parent, exp.Escape) else node
        outer = whole.parent
        while isinstance(outer, exp.Paren):
            outer = outer.parent
        if node.args.get("negate") or isinstance(outer, exp.Not):
            continue
        owners = _owners(col, aliases, snapshot)
        column = (t := snapshot.table(owners[0])) and t.column(col.name) if len(owners) == 1 else None
        if not column:
            continue
        value, kind = lit.this, column.type
        rare = None
        if isinstance(node, (exp.Like, exp.ILike)):
            rare = f"%{RARE_WORD}%" if value.startswith("%") and len(value.strip("%")) >= 3 else None
        elif kind == "jsonb":
            doc = _json(value)
            rare = json.dumps({next(iter(doc)): RARE_WORD}) if isinstance(doc, dict) and doc else None
        elif kind.endswith("[]"):
            element = _RARE_ELEMENT.get(re.sub(r"\(.*\)", "", kind[:-2]).strip())
            rare = "{" + element + "}" if element else None
        written = _quote(value)
        if rare is None or sql.count(written) != 1:
            continue
        bare = whole.copy()
        for c in bare.find_all(exp.Column):
            c.set("table", None)
        out.append(LiteralSearch(owners[0], bare.sql(dialect="postgres"), written, _quote(rare)))
    return out


def _literal_fts(node: exp.MatchAgainst, sql: str, aliases: Mapping[str, str], snapshot: SchemaSnapshot
                 ) -> LiteralSearch | None:  # fmt: skip
    """`to_tsvector('simple', body) @@ plainto_tsquery('simple', 'word')` with the query text a string
    literal and the vector over one table's columns: the predicate alone and the word no row holds in the
    query text's place. Without an index on the vector's expression there are no statistics for it, and the
    planner takes a fixed share of the rows for any word (tsmatchsel's default, 0.5 %)."""
    query = node.this
    if not isinstance(query, exp.Anonymous) or not str(query.this).lower().endswith("tsquery") or not query.expressions:
        return None
    lit = query.expressions[-1]
    while isinstance(lit, (exp.Cast, exp.Paren)):
        lit = lit.this
    if not isinstance(lit, exp.Literal) or not lit.is_string or len(node.expressions) != 1:
        return None
    outer = node.parent
    while isinstance(outer, exp.Paren):
        outer = outer.parent
    if isinstance(outer, exp.Not):
        return None
    vector = node.expressions[0]
    owners = {o for col in vector.find_all(exp.Column) for o in _owners(col, aliases, snapshot)}
    written = _quote(lit.this)
    if len(owners) != 1 or sql.count(written) != 1:
        return None
    bare = node.copy()
    for col in bare.find_all(exp.Column):
        col.set("table", None)
    # a tsvector column has statistics of its own (its most common lexemes, sampled like any column's):
    # only a vector computed in the query has none
    return LiteralSearch(owners.pop(), bare.sql(dialect="postgres"), written, _quote(RARE_WORD),
                         unsampled=not isinstance(vector, exp.Column))


def bind_rare(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """`bind_from_stats`, but each `$n` searched for inside a column (`ILIKE $2`, `attrs @> $1`, `@@
    plainto_tsquery($1)`) bound to a value matching almost nothing (`_rare`) and each equality parameter on a
    skewed column to its most common value: the query's rare side — the largest tenant searching for
    something few rows hold, which reads the most without a GIN or trigram index. (None, {}) when no
    parameter is searched for."""
    return _side(sql, snapshot, stats, _common, _rare)


def with_sides(workload: list[WorkloadQuery], shapes: Mapping[str, object], snapshot: SchemaSnapshot,
               stats: Mapping[tuple[str, str], ColumnStats], notes: list[str]
               ) -> tuple[list[WorkloadQuery], dict[str, object]]:  # fmt: skip
    """A `$n` query is costed with one representative value per parameter (a histogram value: a typical,
    small tenant, a stored document) or the generic plan's average. That hides two sides an index is built
    for: the huge tenant holding 8 % of the rows (`_common`: where a composite for its top-N or an OR's
    branch indexes keep it from a scan) and a search for something rare (`_rare`: where a GIN or trigram
    index answers at once and anything else reads on until the end). A query with such parameters is
    costed as given and as `<id>.common` / `<id>.rare` (`bind_common`, `bind_rare`), its weight shared
    equally. The notes say which."""
    out: list[WorkloadQuery] = []
    shaped = dict(shapes)
    for q in workload:
        out.append(q)
        if not parameters(q.sql):
            continue
        twins = []
        for side, bind in (("common", bind_common), ("rare", bind_rare)):
            side_sql, values = bind(q.sql, snapshot, stats)
            if side_sql is not None and side_sql != q.explain_sql:
                twins.append((side, side_sql, values))
        if not twins:
            continue
        share = q.weight / (len(twins) + 1)
        q.weight = share
        for side, side_sql, values in twins:
            twin = q.model_copy(update={"id": f"{q.id}.{side}", "weight": share, "explain_sql": side_sql,
                                        "bound_parameters": values})  # fmt: skip
            out.append(twin)
            shaped[twin.id] = shapes[q.id]
            shown = ", ".join(f"{k} = {v}" for k, v in values.items() if q.bound_parameters.get(k) != v)
            what = ("the most common value of a skewed column: a plan for a small value hides what the largest "
                    "one needs" if side == "common" else
                    "a searched-for value no row holds: a search for something rare reads on to the end "
                    "without an index that finds it")  # fmt: skip
            notes.append(f"{q.id}: also costed as {twin.id} ({shown}), with {what}; the weight shared equally "
                         f"({len(twins) + 1} sides)")  # fmt: skip
    return out, shaped
