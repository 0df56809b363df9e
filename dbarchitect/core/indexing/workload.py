"""Workload statements: which ones can be costed, and `$n` parameters bound to representative
values from pg_stats (PostgreSQL < 16 has no EXPLAIN (GENERIC_PLAN))."""

from __future__ import annotations

import re
from collections.abc import Mapping

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


def _pick(stats: ColumnStats, op: type) -> str | None:
    hist, mcv = stats.histogram_bounds, stats.most_common_vals
    if op in (exp.GT, exp.GTE) and hist:
        return hist[min(len(hist) - 1, int(len(hist) * 0.9))]
    if op in (exp.LT, exp.LTE) and hist:
        return hist[int(len(hist) * 0.1)]
    if hist:
        return hist[len(hist) // 2]
    if mcv:
        return mcv[len(mcv) // 2]
    return None


# a column whose most common value holds at least this share of the rows, and COMMON_MIN_RATIO × an average
# value's, has a "common side" (a huge tenant) that one representative value does not show
COMMON_MIN_SHARE = 0.01
COMMON_MIN_RATIO = 10.0


def _common(stats: ColumnStats, op: type) -> str | None:
    """The most common value of a skewed column compared by equality (None: no common side to show)."""
    if op not in (exp.EQ, exp.In) or not stats.most_common_vals or not stats.most_common_freqs:
        return None
    top = stats.most_common_freqs[0]
    distinct = stats.distinct(1e6)
    if top < COMMON_MIN_SHARE or top < COMMON_MIN_RATIO * (1.0 - stats.null_frac) / max(distinct, 1.0):
        return None
    return stats.most_common_vals[0]


def bind_common(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """`bind_from_stats`, but each `$n` compared by equality to a skewed column (a tenant holding 8 % of
    the rows) bound to that column's most common value: the query's common side, which the representative
    (histogram) value — a typical small tenant — never shows. (None, {}) when no parameter has one."""
    common = _bind(sql, snapshot, stats, _common)
    if not common[1]:
        return None, {}
    rare_sql, rare = bind_from_stats(sql, snapshot, stats)
    if rare_sql is None:
        return None, {}
    values = {int(k[1:]): v for k, v in {**rare, **common[1]}.items()}
    return substitute(sql, values), {f"${n}": v for n, v in sorted(values.items())}


def bind_from_stats(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """(`sql` with every `$n` replaced by a representative value, the values) — or (None, partial
    values) when some parameter's column cannot be found."""
    return _bind(sql, snapshot, stats, _pick, complete=True)


def _bind(sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats], pick, complete: bool = False
          ) -> tuple[str | None, dict[str, str]]:  # fmt: skip
    """`$n` → a value `pick(column stats, comparison)` chooses. With `complete`, LIMIT/OFFSET take 10/0 and
    the SQL is returned only when every parameter got a value; otherwise only the picked ones are listed."""
    wanted = parameters(sql)
    if not wanted:
        return sql, {}
    try:
        tree = sqlglot.parse_one(spaced_params(sql), read="postgres")
    except Exception:  # noqa: BLE001
        return None, {}
    aliases: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        table = snapshot.table(f"{t.db}.{t.name}" if t.db else t.name)
        if table is not None:
            aliases[t.alias_or_name] = table.qualified
    values: dict[int, str] = {}
    for p in tree.find_all(exp.Parameter):
        try:
            n = int(p.this.this if isinstance(p.this, exp.Literal) else p.name)
        except (TypeError, ValueError):
            continue
        node, child = p.parent, p
        position = None
        # through parentheses, casts, tuples and a function of the parameter alone (`lower($2)`) to the comparison
        while isinstance(node, (exp.Paren, exp.Cast, exp.Tuple)) or (
            isinstance(node, exp.Func) and not isinstance(node, (exp.Any, exp.All)) and node.find(exp.Column) is None
        ):  # fmt: skip
            if isinstance(node, exp.Tuple) and position is None:
                position = next((i for i, e in enumerate(node.expressions) if e is child), None)
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
        owners = [aliases[col.table]] if col.table in aliases else [
            q for q in set(aliases.values()) if (t := snapshot.table(q)) is not None and t.column(col.name)]  # fmt: skip
        if len(owners) != 1 or (owners[0], col.name) not in stats:
            continue
        value = pick(stats[(owners[0], col.name)], type(node))
        if value is not None:
            values[n] = _quote(value) if not isinstance(node, (exp.Like, exp.ILike)) else _quote(value + "%")
    bound = {f"${n}": v for n, v in sorted(values.items())}
    if set(values) != set(wanted):
        return None, bound
    return substitute(sql, values), bound


def with_common_sides(workload: list[WorkloadQuery], shapes: Mapping[str, object], snapshot: SchemaSnapshot,
                      stats: Mapping[tuple[str, str], ColumnStats], notes: list[str]
                      ) -> tuple[list[WorkloadQuery], dict[str, object]]:  # fmt: skip
    """A `$n` query is costed with one representative value per parameter (a histogram value: a typical,
    small tenant) or the generic plan's average — never with the huge tenant that holds 8 % of the rows,
    where an index the small one does not need (a composite for its top-N, an OR's branch indexes) is what
    keeps it from a scan. Each query with an equality parameter on such a skewed column (`_common`) is
    costed twice, half its weight each: as given, and as `<id>.common` with that column's most common
    value (the other parameters as bound). The notes say which."""
    out: list[WorkloadQuery] = []
    shaped = dict(shapes)
    for q in workload:
        out.append(q)
        if not parameters(q.sql):
            continue
        common_sql, values = bind_common(q.sql, snapshot, stats)
        if common_sql is None or common_sql == q.explain_sql:
            continue
        half = q.weight / 2
        q.weight = half
        twin = q.model_copy(update={"id": f"{q.id}.common", "weight": half, "explain_sql": common_sql,
                                    "bound_parameters": values})  # fmt: skip
        out.append(twin)
        shaped[twin.id] = shapes[q.id]
        shown = ", ".join(f"{k} = {v}" for k, v in values.items() if q.bound_parameters.get(k) != v)
        notes.append(f"{q.id}: costed twice, half its weight each — with representative values and, as {twin.id}, "
                     f"with the most common value of a skewed column ({shown}): a plan for a small value hides "
                     "what the largest one needs")  # fmt: skip
    return out, shaped
