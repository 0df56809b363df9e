"""What a query asks of each table it reads: equality, range, join, sort and group columns,
function predicates, containment and text search, and the columns it reads.

The query is parsed with sqlglot (PostgreSQL dialect) and its columns are qualified against the
catalog snapshot, so an unqualified `p_partkey` in a correlated subquery is attributed to the
table that really has it (the outer `part`), not to any table that happens to be in scope. A
column of an enclosing query, a `$n` parameter or a literal is a value known when the scan runs:
an index can look it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

from dbarchitect.core.indexing.workload import spaced_params
from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.rules.query._facts import terms

PredKind = Literal[
    "eq", "in", "null", "range", "like_prefix", "like_infix", "contains", "fts", "join", "expr_eq", "expr_range"
]


@dataclass
class Pred:
    kind: PredKind
    column: str | None = None
    expr: str | None = None  # key text of an expression predicate, e.g. lower(email)
    value: str | None = None  # the literal, when compared to one
    constant: bool = False  # compared to a literal (not a parameter or an outer column)
    param: bool = False  # compared to a `$n` parameter: one value per execution, not per outer row
    partner: str | None = None  # join: the other table
    sql: str = ""  # the predicate as written (columns unqualified), for partial-index WHERE
    # `in`: the listed constants of `col IN ('a', 'b')` / `col = ANY('{a,b}')` (written in the query text, so
    # fixed by the application, unlike a `$n` array); None for a parameter or a list with non-constants
    values: tuple[str, ...] | None = None


@dataclass
class TableAccess:
    """One table read by one query block."""

    table: str  # schema.name
    alias: str
    preds: list[Pred] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    group: list[str] = field(default_factory=list)
    referenced: set[str] = field(default_factory=set)
    limit: bool = False
    # the block's first ORDER BY key when it is this table's: (column name or expression text, descending)
    order_key: tuple[str, bool] | None = None
    # ORs across columns (`phone = $2 OR email = $3`): per OR, per branch, what that branch asks of this
    # table. Every branch must be served by an index of its own for a BitmapOr (`candidates.or_branches`).
    ors: list[list[list[Pred]]] = field(default_factory=list)

    def columns(self, *kinds: str) -> list[str]:
        out: list[str] = []
        for p in self.preds:
            if p.kind in kinds and p.column and p.column not in out:
                out.append(p.column)
        return out


# Operators that never pass a NULL: `=`, IN / `= ANY`, `<`, BETWEEN, LIKE 'x%' (with an expression on the left too)
STRICT_KINDS = ("eq", "in", "range", "like_prefix", "expr_eq", "expr_range")


def strict_keys(preds: list[Pred]) -> set[str]:
    """The keys — a column's name, or `(expression)` for an expression — that one of `preds` compares to a
    constant or a `$n` parameter with a strict operator. Such a clause is never true for a NULL, so the
    planner proves a partial index's `key IS NOT NULL` from it (predtest.c: a strict clause implies its
    argument is not null). Comparisons with an outer row's column are left out (join clauses; proven in
    fewer plans)."""
    out: set[str] = set()
    for p in preds:
        if p.kind not in STRICT_KINDS or not (p.constant or p.param):
            continue
        if p.column:
            out.add(p.column)
        elif p.expr:
            out.add(f"({p.expr})")
    return out


@dataclass
class QueryShape:
    accesses: list[TableAccess] = field(default_factory=list)
    statement: str = "select"
    error: str | None = None
    limit: int | None = None  # the outermost block's LIMIT (a `$n` counts as 10, as it is bound for costing)

    @property
    def tables(self) -> set[str]:
        return {a.table for a in self.accesses}


def _schema_mapping(snapshot: SchemaSnapshot) -> dict:
    out: dict[str, dict[str, dict[str, str]]] = {}
    for t in snapshot.tables:
        out.setdefault(t.schema_name, {})[t.name] = {c.name: "TEXT" for c in t.columns}
    return out


def _strip(node: exp.Expression) -> str:
    """SQL text of an expression with its column qualifiers removed (as an index key is written)."""
    copy = node.copy()
    for col in copy.find_all(exp.Column):
        col.set("table", None)
        col.set("db", None)
    return copy.sql(dialect="postgres")


def _is_param(node: exp.Expression) -> bool:
    """`$n` (or a tuple / cast of them): a value fixed for the whole execution."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Tuple):
        return bool(node.expressions) and all(_is_param(e) for e in node.expressions)
    return isinstance(node, (exp.Parameter, exp.Placeholder))


def _array_literals(node: exp.Expression) -> tuple[str, ...] | None:
    """The constants of `ARRAY['a', 'b']` or `'{a,b}'` (possibly cast), or None (a `$n`, a column, …)."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Array):
        vals = [_literal(e) for e in node.expressions]
        return tuple(vals) if vals and all(v is not None for v in vals) else None  # type: ignore[arg-type]
    if isinstance(node, exp.Literal) and node.is_string:
        text = node.this.strip()
        if not (text.startswith("{") and text.endswith("}")) or "{" in text[1:-1] or not text[1:-1].strip():
            return None
        return tuple(v.strip().strip('"') for v in text[1:-1].split(","))
    return None


def _param_prefix(node: exp.Expression) -> bool:
    """`$1 || '%'` (or `concat($1, '%')`, `lower($1) || '%'`): a pattern that starts with a `$n` — or a
    function of `$n`s alone — followed by a literal: a prefix search whatever the bound value, unless the
    application passes a leading wildcard in it."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.DPipe):
        parts = [node.this, node.expression]
    elif isinstance(node, exp.Concat):
        parts = list(node.expressions)
    else:
        return False
    last = _literal(parts[-1]) if len(parts) == 2 else None
    return last is not None and (_is_param(parts[0]) or _param_function(parts[0]))


def _param_function(node: exp.Expression) -> bool:
    """`lower($1)`, `trim($1::text)`: a function whose value depends on parameters alone."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    return (isinstance(node, exp.Func) and not isinstance(node, (exp.DPipe, exp.Concat))
            and node.find(exp.Column) is None and node.find(exp.Parameter, exp.Placeholder) is not None)  # fmt: skip


def backslash_escaped(pattern: str, escape: str) -> str:
    """A LIKE pattern written with ESCAPE `escape` (`''`: none) rewritten with the default backslash escape."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            out.append("\\" + pattern[i + 1])
            i += 2
            continue
        out.append("\\\\" if ch == "\\" else ch)
        i += 1
    return "".join(out)


def like_prefix_text(pattern: str | None) -> str | None:
    """The fixed text a LIKE pattern starts with (up to its first unescaped `%` or `_`, backslash escapes
    resolved), or None when unknown (a parameter) or empty."""
    if pattern is None:
        return None
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
            continue
        if ch in "%_":
            break
        out.append(ch)
        i += 1
    return "".join(out) or None


def _literal(node: exp.Expression) -> str | None:
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, exp.Boolean):
        return "true" if node.this else "false"
    return None


class _Resolver:
    def __init__(self, scope: Scope, snapshot: SchemaSnapshot, default_schema: str):
        self.scope = scope
        self.tables: dict[str, str] = {}  # alias -> schema.name
        self.columns: dict[str, set[str]] = {}
        for alias, source in scope.sources.items():
            if isinstance(source, exp.Table):
                t = snapshot.table(f"{source.db}.{source.name}" if source.db else source.name)
                if t is None and not source.db:
                    t = snapshot.table(f"{default_schema}.{source.name}")
                if t is not None:
                    self.tables[alias] = t.qualified
                    self.columns[alias] = {c.name for c in t.columns}

    def local(self, col: exp.Column) -> str | None:
        """The alias of this block's base table the column belongs to, or None (outer, derived, unknown)."""
        if col.table:
            return col.table if col.table in self.tables else None
        owners = [a for a, cols in self.columns.items() if col.name in cols]
        if len(owners) == 1 and not any(col.name in _derived_cols(s) for s in self.scope.sources.values()):
            return owners[0]
        return None

    def local_columns(self, node: exp.Expression) -> list[tuple[str, exp.Column]]:
        out = []
        for n in node.walk(prune=lambda x: isinstance(x, (exp.Subquery, exp.Select)) and x is not node):
            if isinstance(n, exp.Column):
                alias = self.local(n)
                if alias is not None:
                    out.append((alias, n))
        return out


def _derived_cols(source) -> set[str]:
    if isinstance(source, Scope) and isinstance(source.expression, exp.Select):
        return set(source.expression.named_selects)
    return set()


def _conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    return terms(node, exp.And)


_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE)


def _analyze_conjunct(c: exp.Expression, res: _Resolver, acc: dict[str, TableAccess]) -> None:
    text = _strip(c)
    if isinstance(c, exp.Or):
        _analyze_or(c, res, acc)
        return
    if isinstance(c, exp.Not):
        return
    escape = "\\"
    if isinstance(c, exp.Escape) and isinstance(c.this, (exp.Like, exp.ILike)):
        # `LIKE 'x!%%' ESCAPE '!'`: the LIKE itself, its pattern read with that escape character
        written = _literal(c.expression)
        if written is None or len(written) > 1:
            return
        escape, c = written, c.this
    if isinstance(c, exp.EQ) and isinstance(c.this, exp.Any):
        c = exp.EQ(this=c.expression, expression=c.this)
    if isinstance(c, exp.EQ) and isinstance(c.expression, exp.Any):
        # col = ANY(array): an IN-list (several index ranges), of constants when the array is written out
        col, arr = c.this, c.expression.this
        if isinstance(col, exp.Column) and res.local(col) and not res.local_columns(arr):
            vals = _array_literals(arr)
            acc[res.local(col)].preds.append(Pred("in", column=col.name, values=vals, constant=vals is not None,
                                                  param=_is_param(arr), sql=text))  # fmt: skip
        return
    if isinstance(c, (exp.EQ, *_RANGE)):
        left, right = c.this, c.expression
        lcols, rcols = res.local_columns(left), res.local_columns(right)
        if lcols and rcols:
            la, ra = {a for a, _ in lcols}, {a for a, _ in rcols}
            if (
                isinstance(c, exp.EQ)
                and isinstance(left, exp.Column)
                and isinstance(right, exp.Column)
                and la != ra
            ):
                a1, a2 = la.pop(), ra.pop()
                acc[a1].preds.append(Pred("join", column=left.name, partner=res.tables[a2], sql=text))
                acc[a2].preds.append(Pred("join", column=right.name, partner=res.tables[a1], sql=text))
            return
        if not lcols and rcols:
            left, right, lcols = right, left, rcols
        if not lcols or len({a for a, _ in lcols}) != 1:
            return
        alias = lcols[0][0]
        value = _literal(right)
        constant = value is not None
        param = _is_param(right)
        if isinstance(left, exp.Column):
            kind = "eq" if isinstance(c, exp.EQ) else "range"
            acc[alias].preds.append(Pred(kind, column=left.name, value=value, constant=constant, param=param, sql=text))
        elif isinstance(left, exp.Tuple) and not isinstance(c, exp.EQ):
            # keyset pagination: (created_at, id) < ($2, $3) is a range on the leading column, continued
            # by the others in the same order (an index on them, in that order, reads the next page)
            first = left.expressions[0] if left.expressions else None
            if isinstance(first, exp.Column) and all(isinstance(e, exp.Column) for e in left.expressions):
                acc[alias].preds.append(Pred("range", column=first.name, param=param, sql=text))
        elif not isinstance(left, (exp.Subquery, exp.Select)):
            kind = "expr_eq" if isinstance(c, exp.EQ) else "expr_range"
            acc[alias].preds.append(Pred(kind, expr=_strip(left), value=value, constant=constant, param=param, sql=text))
        return
    if isinstance(c, exp.Between) and isinstance(c.this, exp.Column) and res.local(c.this):
        if not res.local_columns(c.args["low"]) and not res.local_columns(c.args["high"]):
            acc[res.local(c.this)].preds.append(Pred("range", column=c.this.name, sql=text))
        return
    if isinstance(c, exp.In) and isinstance(c.this, exp.Column) and res.local(c.this):
        alias = res.local(c.this)
        if c.args.get("query") is not None:
            acc[alias].preds.append(Pred("join", column=c.this.name, partner=None, sql=text))
        elif not any(res.local_columns(e) for e in c.expressions):
            vals = [_literal(e) for e in c.expressions]
            const = bool(vals) and all(v is not None for v in vals)
            acc[alias].preds.append(Pred("in", column=c.this.name, values=tuple(vals) if const else None,  # type: ignore[arg-type]
                                         constant=const, param=all(_is_param(e) for e in c.expressions), sql=text))
        return
    if isinstance(c, exp.Is) and isinstance(c.this, exp.Column) and res.local(c.this):
        if isinstance(c.expression, exp.Null):
            acc[res.local(c.this)].preds.append(Pred("null", column=c.this.name, value=None, constant=True, sql=text))
        return
    if isinstance(c, (exp.Like, exp.ILike)):
        if c.args.get("negate"):
            return  # NOT LIKE keeps most rows: no index serves it
        target = c.this
        pattern = _literal(c.expression)
        if pattern is not None and escape != "\\":
            pattern = backslash_escaped(pattern, escape)
        cols = res.local_columns(target)
        if len({a for a, _ in cols}) != 1 or res.local_columns(c.expression):
            return
        alias = cols[0][0]
        prefix_param = pattern is None and isinstance(c, exp.Like) and _param_prefix(c.expression)
        if isinstance(c, exp.Like) and (prefix_param or (pattern and not pattern.startswith(("%", "_")))):
            # a prefix search (`username LIKE 'ab%'`, `lower(username) LIKE $1 || '%'`): a range of the key
            # in a pattern_ops (or "C"-collated) btree on the column or the same expression
            col = target.name if isinstance(target, exp.Column) else None
            acc[alias].preds.append(Pred("like_prefix", column=col, expr=None if col else _strip(target), value=pattern,
                                         constant=pattern is not None, param=bool(prefix_param), sql=text))  # fmt: skip
        elif pattern is None or pattern.strip("%_"):
            col = target.name if isinstance(target, exp.Column) else None
            acc[alias].preds.append(Pred("like_infix", column=col, expr=None if col else _strip(target), sql=text))
            if col is None and isinstance(c, exp.Like) and _is_param(c.expression):
                # `lower(username) LIKE $1`: the value may be a prefix or an infix pattern. Its representative
                # binding is a stored value followed by `%` (`workload._pick`), its rare side an infix: both
                # the trigram and the prefix's pattern_ops index are candidates, and an ordered walk on the
                # expression is priced as a prefix search of unknown position (`limit.prefix_walk`)
                acc[alias].preds.append(Pred("like_prefix", expr=_strip(target), param=True, sql=text))
        return
    if isinstance(c, (exp.ArrayContainsAll, exp.ArrayOverlaps)) or (
        isinstance(c, exp.Binary) and c.key in ("jsonbcontains", "arraycontained", "jsonbhaskey")
    ):
        target = c.this
        if isinstance(target, exp.Column) and res.local(target) and not res.local_columns(c.expression):
            acc[res.local(target)].preds.append(Pred("contains", column=target.name, sql=text))
        return
    if isinstance(c, exp.MatchAgainst):
        for vec in c.expressions:
            cols = res.local_columns(vec)
            if cols and len({a for a, _ in cols}) == 1:
                acc[cols[0][0]].preds.append(Pred("fts", expr=_strip(vec), sql=text))
        return


def _analyze_or(c: exp.Or, res: _Resolver, acc: dict[str, TableAccess]) -> None:
    """What every branch of an OR asks of a table holds for the whole OR: `a = 1 OR a = 2` acts as
    `a IN (1, 2)`; q19-style ORs of conjunctions that all join on the same key keep that join."""
    per_branch: list[dict[str, TableAccess]] = []
    for b in _or_branches(c):
        local = {alias: TableAccess(table=a.table, alias=alias) for alias, a in acc.items()}
        for part in _conjuncts(b):
            _analyze_conjunct(part, res, local)
        per_branch.append(local)
    for alias, a in acc.items():
        branches = [br[alias].preds for br in per_branch]
        if len(branches) > 1 and all(branches):
            a.ors.append([list(b) for b in branches])
        first = branches[0]
        for p in first:
            same = [next((q for q in preds if q.kind == p.kind and q.column == p.column and q.expr == p.expr), None)
                    for preds in branches[1:]]  # fmt: skip
            if any(q is None for q in same):
                continue
            if p.kind == "eq" and any(q.value != p.value or not q.constant for q in same):
                const = p.constant and all(q.constant for q in same)
                vals = tuple(dict.fromkeys([p.value, *(q.value for q in same)])) if const else None
                a.preds.append(Pred("in", column=p.column, values=vals, constant=const, sql=_strip(c)))  # type: ignore[arg-type]
            elif p.kind in ("eq", "join", "range", "in", "null", "expr_eq", "expr_range", "like_prefix"):
                keep = p.kind in ("join", "eq")  # an eq reaching here has the same literal in every branch
                a.preds.append(Pred(p.kind, column=p.column, expr=p.expr, value=p.value if keep else None,
                                    constant=p.constant and keep, partner=p.partner, sql=p.sql if keep else _strip(c)))  # fmt: skip


def _or_branches(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Paren):
        return _or_branches(node.this)
    if isinstance(node, exp.Or):
        return _or_branches(node.left) + _or_branches(node.right)
    return [node]


def _analyze_scope(scope: Scope, snapshot: SchemaSnapshot, default_schema: str) -> list[TableAccess]:
    sel = scope.expression
    if not isinstance(sel, exp.Select):
        return []
    res = _Resolver(scope, snapshot, default_schema)
    if not res.tables:
        return []
    acc = {alias: TableAccess(table=t, alias=alias) for alias, t in res.tables.items()}
    conds = _conjuncts(sel.args.get("where") and sel.args["where"].this)
    for j in sel.args.get("joins") or []:
        conds += _conjuncts(j.args.get("on"))
    for c in conds:
        _analyze_conjunct(c, res, acc)
    for col in scope.columns:
        alias = res.local(col)
        if alias is not None:
            acc[alias].referenced.add(col.name)
    has_limit = sel.args.get("limit") is not None
    order = sel.args.get("order")
    if order is not None and order.expressions:
        first = order.expressions[0]
        owners = {a for a, _ in res.local_columns(first.this)}
        if len(owners) == 1 and not isinstance(first.this, exp.Literal):
            node = first.this
            acc[owners.pop()].order_key = (node.name if isinstance(node, exp.Column) else _strip(node),
                                           bool(first.args.get("desc")))  # fmt: skip
    if order is not None:
        keys = []
        for o in order.expressions:
            node = o.this
            if isinstance(node, exp.Column) and res.local(node):
                keys.append((res.local(node), node.name, bool(o.args.get("desc"))))
            else:
                keys = []
                break
        if keys and len({a for a, _, _ in keys}) == 1:
            acc[keys[0][0]].sort = [(n, d) for _, n, d in keys]
    group = sel.args.get("group")
    if group is not None:
        gcols = [(res.local(g), g.name) for g in group.expressions if isinstance(g, exp.Column) and res.local(g)]
        if gcols and len({a for a, _ in gcols}) == 1 and len(gcols) == len(group.expressions):
            acc[gcols[0][0]].group = [n for _, n in gcols]
    for a in acc.values():
        a.limit = has_limit
    return list(acc.values())


def _limit_rows(tree: exp.Expression) -> int | None:
    node = tree.args.get("limit") if isinstance(tree, (exp.Select, exp.Union)) else None
    value = node.args.get("expression") if node is not None else None
    if value is None:
        return None
    lit = _literal(value)
    if lit is not None and lit.isdigit():
        return int(lit)
    return 10 if _is_param(value) else None


def analyze(sql: str, snapshot: SchemaSnapshot, default_schema: str = "public", dialect: str = "postgres") -> QueryShape:
    """The per-table access patterns of one statement (SELECT, or the WHERE of UPDATE/DELETE), read
    in sqlglot's `dialect` (expression keys are rendered as PostgreSQL text either way)."""
    try:
        tree = sqlglot.parse_one(spaced_params(sql) if dialect == "postgres" else sql, read=dialect)
    except Exception as exc:  # noqa: BLE001 - sqlglot raises several error types
        return QueryShape(error=f"sqlglot could not parse it: {str(exc).splitlines()[0][:200]}")
    statement = tree.key if tree.key in ("update", "delete", "insert") else "select"
    limit = _limit_rows(tree)
    if isinstance(tree, (exp.Update, exp.Delete)):
        # a DELETE/UPDATE finds its rows like `SELECT … FROM target WHERE …`
        target = tree.this
        where = tree.args.get("where")
        probe = exp.select("*").from_(target.copy())
        if where is not None:
            probe = probe.where(where.this.copy())
        tree = probe
    try:
        tree = qualify(
            tree,
            schema=_schema_mapping(snapshot),
            db=default_schema,
            dialect=dialect,
            validate_qualify_columns=False,
            quote_identifiers=False,
            expand_stars=False,
            identify=False,
        )
    except Exception:  # noqa: BLE001 - unqualified columns are then resolved per scope by name
        pass
    shape = QueryShape(statement=statement, limit=limit)
    try:
        for scope in traverse_scope(tree):
            shape.accesses.extend(_analyze_scope(scope, snapshot, default_schema))
    except Exception as exc:  # noqa: BLE001
        shape.error = f"could not analyse its structure: {str(exc).splitlines()[0][:200]}"
    return shape
