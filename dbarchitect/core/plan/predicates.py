"""Read a plan node's predicates (Filter, Index Cond...) into columns an index could serve.

Plan expressions are PostgreSQL's own deparsed SQL, so pglast reads them after two substitutions
(`SubPlan n` and PG18's `(InitPlan n).colN` are not SQL). Each column gets a kind: `eq` for
equality and IN lists, `range` for comparisons, BETWEEN and LIKE, `null` for IS [NOT] NULL,
`or` when it sits under an OR (a single B-tree cannot serve it), `expr` for an expression such
as `lower(email)` (an expression index can).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pglast import ast, enums, parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream

from dbarchitect.core.sql.ident import quote_ident
from dbarchitect.core.models import SchemaSnapshot, Table
from dbarchitect.core.plan.report import IndexSuggestion

_RANGE_OPS = {"<", ">", "<=", ">=", "~~", "~~*", "^@"}
_EQ_OPS = {"="}
_KIND_ORDER = {"eq": 0, "null": 1, "range": 2, "expr": 3, "or": 4}


@dataclass(frozen=True, slots=True)
class PredicateColumn:
    name: str  # column name, or the expression text for kind "expr"
    kind: str  # eq | range | null | or | expr
    qualifier: str | None = None


def _sanitize(expr: str) -> str:
    expr = re.sub(r"\(InitPlan \d+\)\.col\d+", "$0", expr)
    expr = re.sub(r"\((?:hashed )?SubPlan \d+\)|(?:hashed )?SubPlan \d+", "NULL", expr)
    return expr


def _column_of(node) -> tuple[str | None, str] | None:
    """(qualifier, column) when `node` is a column reference, looking through casts."""
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.ColumnRef):
        names = [f.sval for f in node.fields if isinstance(f, ast.String)]
        if not names:
            return None
        return (names[-2] if len(names) >= 2 else None, names[-1])
    return None


def _mentions_columns(node) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()

    def visit(n):
        if isinstance(n, ast.ColumnRef):
            col = _column_of(n)
            if col:
                found.add(col)
            return
        if isinstance(n, ast.Node):
            for name in n:
                visit(getattr(n, name))
        elif isinstance(n, tuple):
            for x in n:
                visit(x)

    visit(node)
    return found


@lru_cache(maxsize=4096)
def predicate_columns(expr: str) -> tuple[PredicateColumn, ...]:
    """The columns of a predicate with the way the predicate uses them (see module docstring)."""
    try:
        stmt = parse_sql(f"SELECT 1 WHERE {_sanitize(expr)}")[0].stmt
    except ParseError:
        return ()
    out: list[PredicateColumn] = []

    def add(col: tuple[str | None, str], kind: str) -> None:
        out.append(PredicateColumn(name=col[1], kind=kind, qualifier=col[0]))

    def comparison(lhs, rhs, kind: str, whole) -> None:
        lcol, rcol = _column_of(lhs), _column_of(rhs)
        if lcol and not rcol:
            add(lcol, kind)
        elif rcol and not lcol:
            add(rcol, kind)
        elif lcol and rcol:  # a join condition: both sides
            add(lcol, kind)
            add(rcol, kind)
        else:
            side = lhs if _mentions_columns(lhs) else rhs
            cols = _mentions_columns(side)
            if cols and isinstance(side, (ast.FuncCall, ast.A_Expr, ast.CoalesceExpr)):
                q = next(iter(cols))[0]
                out.append(PredicateColumn(name=RawStream()(side), kind="expr", qualifier=q))

    def visit(n, under_or: bool) -> None:
        if isinstance(n, ast.BoolExpr):
            is_or = n.boolop == enums.BoolExprType.OR_EXPR
            for a in n.args:
                visit(a, under_or or is_or or n.boolop == enums.BoolExprType.NOT_EXPR)
            return
        if under_or:
            for col in sorted(_mentions_columns(n), key=lambda c: (c[0] or "", c[1])):
                add(col, "or")
            return
        if isinstance(n, ast.A_Expr):
            op = n.name[-1].sval if n.name else ""
            if n.kind == enums.A_Expr_Kind.AEXPR_OP:
                kind = "eq" if op in _EQ_OPS else "range" if op in _RANGE_OPS else None
                if kind:
                    comparison(n.lexpr, n.rexpr, kind, n)
            elif n.kind == enums.A_Expr_Kind.AEXPR_OP_ANY and op in _EQ_OPS:
                comparison(n.lexpr, n.rexpr, "eq", n)
            elif n.kind in (enums.A_Expr_Kind.AEXPR_BETWEEN, enums.A_Expr_Kind.AEXPR_LIKE, enums.A_Expr_Kind.AEXPR_ILIKE):
                col = _column_of(n.lexpr)
                if col:
                    add(col, "range")
            elif n.kind == enums.A_Expr_Kind.AEXPR_IN:
                col = _column_of(n.lexpr)
                if col:
                    add(col, "eq")
            return
        if isinstance(n, ast.NullTest):
            col = _column_of(n.arg)
            if col:
                add(col, "null")
            return
        col = _column_of(n)
        if col:  # a boolean column used as a predicate
            add(col, "eq")

    visit(stmt.whereClause, False)
    return tuple(out)


def local_columns(expr: str | None, alias: str | None, relation: str | None) -> list[PredicateColumn]:
    """Columns of `expr` that belong to the scanned relation (unqualified or qualified by its alias)."""
    if not expr:
        return []
    own = {alias, relation} - {None}
    seen: set[tuple[str, str]] = set()
    out = []
    for c in predicate_columns(expr):
        if c.qualifier is not None and c.qualifier not in own:
            continue
        if (c.name, c.kind) in seen:
            continue
        seen.add((c.name, c.kind))
        out.append(c)
    return out


def _key_text(col: PredicateColumn) -> str:
    return f"({col.name})" if col.kind == "expr" else quote_ident(col.name)


def index_columns(cols: list[PredicateColumn]) -> list[PredicateColumn]:
    """Order key columns as a B-tree wants them: equality first, then one range column."""
    usable = [c for c in cols if c.kind != "or"]
    ordered = sorted(usable, key=lambda c: _KIND_ORDER[c.kind])
    out: list[PredicateColumn] = []
    names: set[str] = set()
    seen_range = False
    for c in ordered:
        if c.name in names:
            continue
        if c.kind in ("range", "expr") and seen_range:
            continue  # after the first range column a B-tree cannot seek on more
        names.add(c.name)
        out.append(c)
        seen_range = seen_range or c.kind == "range"
    return out


def table_of(snapshot: SchemaSnapshot | None, name: str | None) -> Table | None:
    if snapshot is None or not name:
        return None
    return snapshot.table(name)


def existing_index(table: Table | None, columns: list[str]) -> str | None:
    """A valid index of `table` whose leading keys are `columns` in some order (the catalog check)."""
    if table is None or not columns:
        return None
    want = set(columns)
    for idx in table.indexes:
        if not idx.valid:
            continue
        keys = [c for c in idx.columns[: len(columns)] if c]
        if len(keys) == len(columns) and set(keys) == want:
            return idx.name
    for idx in table.indexes:
        if idx.valid and idx.columns and idx.columns[0] in want:
            return idx.name
    return None


def suggest_index(
    relation: str | None,
    schema: str | None,
    cols: list[PredicateColumn],
    snapshot: SchemaSnapshot | None = None,
    trailing: list[str] | None = None,
) -> IndexSuggestion | None:
    """A CREATE INDEX for `cols` on `relation` (plus `trailing` columns, e.g. the ORDER BY key)."""
    if not relation:
        return None
    keys = index_columns(cols)
    key_texts = [_key_text(c) for c in keys]
    for t in trailing or ():
        if t not in key_texts and quote_ident(t) not in key_texts:
            key_texts.append(t if t.startswith("(") else quote_ident(t))
    if not key_texts:
        return None
    table = f"{quote_ident(schema)}.{quote_ident(relation)}" if schema else quote_ident(relation)
    catalog_table = table_of(snapshot, f"{schema}.{relation}" if schema else relation)
    if catalog_table is not None and not schema:
        table = f"{quote_ident(catalog_table.schema_name)}.{quote_ident(relation)}"
    sql = f"CREATE INDEX CONCURRENTLY ON {table} ({', '.join(key_texts)});"
    plain = [c.name for c in keys if c.kind != "expr"]
    return IndexSuggestion(
        table=table,
        columns=key_texts,
        sql=sql,
        existing=existing_index(catalog_table, plain) if plain else None,
    )


def order_by_columns(sql: str | None) -> list[str]:
    """The ORDER BY keys of the statement's top-level SELECT, as index key texts (`created DESC`)."""
    if not sql:
        return []
    try:
        stmt = parse_sql(sql)[0].stmt
    except (ParseError, IndexError):
        return []
    out = []
    for sort in getattr(stmt, "sortClause", None) or ():
        col = _column_of(sort.node)
        if col is None:
            return out
        text = quote_ident(col[1])
        if sort.sortby_dir == enums.SortByDir.SORTBY_DESC:
            text += " DESC"
        out.append(text)
    return out
