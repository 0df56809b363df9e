"""Workload statements: which ones can be costed, and `$n` parameters bound to representative
values from pg_stats (PostgreSQL < 16 has no EXPLAIN (GENERIC_PLAN))."""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlglot
from pglast import parse_sql
from sqlglot import exp

from dbarchitect.core.indexing.models import ColumnStats
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


def bind_from_stats(
    sql: str, snapshot: SchemaSnapshot, stats: Mapping[tuple[str, str], ColumnStats]
) -> tuple[str | None, dict[str, str]]:
    """(`sql` with every `$n` replaced by a representative value, the values) — or (None, partial
    values) when some parameter's column cannot be found."""
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
        while isinstance(node, (exp.Paren, exp.Cast, exp.Tuple)):
            if isinstance(node, exp.Tuple) and position is None:
                position = next((i for i, e in enumerate(node.expressions) if e is child), None)
            node, child = node.parent, node
        if isinstance(node, exp.Limit):
            values[n] = "10"
            continue
        if isinstance(node, exp.Offset):
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
        value = _pick(stats[(owners[0], col.name)], type(node))
        if value is not None:
            values[n] = _quote(value) if not isinstance(node, (exp.Like, exp.ILike)) else _quote(value + "%")
    bound = {f"${n}": v for n, v in sorted(values.items())}
    if set(values) != set(wanted):
        return None, bound
    return substitute(sql, values), bound
