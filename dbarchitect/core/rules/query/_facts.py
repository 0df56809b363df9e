"""What the catalog proves about the columns and tables a query mentions.

Query rules and rewrites ask the same questions: which table does this column come from, can it be
NULL here, is this set of columns a key, is the table big enough to matter, which indexes lead with
this column. `QueryFacts` answers them from a parsed statement and an optional `SchemaSnapshot`;
every positive answer comes with the `Evidence` that proves it, so a caller can cite it. Without a
snapshot every catalog question answers "unknown" (None), never "yes".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from dbarchitect.core.models import Column, Evidence, Index, SchemaSnapshot, Table

# Below this many rows a sequential scan reads a few hundred 8 kB pages at most (well under a
# millisecond from cache): access-path advice about such a table is noise, not a finding.
SMALL_TABLE_ROWS = 10_000

INTEGER_TYPES = {"smallint", "integer", "bigint", "int2", "int4", "int8"}
EXACT_TYPES = INTEGER_TYPES | {"numeric", "decimal"}
CHAR_TYPES = ("character varying", "varchar", "text", "character", "char", "citext", "bpchar", "name")
TIMESTAMP_TYPES = ("timestamp without time zone", "timestamp with time zone", "date")


def ident_name(node: exp.Expression | str | None) -> str:
    """Identifier text as PostgreSQL folds it: unquoted names fold to lower case."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, exp.Identifier):
        return node.this if node.quoted else node.this.lower()
    return node.name.lower()


def base_type(type_text: str) -> str:
    """`character varying(255)` -> `character varying`; `numeric(10,2)` -> `numeric`."""
    return re.sub(r"\(.*\)", "", type_text).strip().lower()


def conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    """Top-level AND terms of a predicate (parentheses unwrapped)."""
    if node is None:
        return []
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.And):
        return conjuncts(node.this) + conjuncts(node.expression)
    return [node]


def disjuncts(node: exp.Expression) -> list[exp.Expression]:
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.Or):
        return disjuncts(node.this) + disjuncts(node.expression)
    return [node]


def strip_parens(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def is_constant(node: exp.Expression) -> bool:
    """A literal, a bind parameter, or a cast of one."""
    node = strip_parens(node)
    if isinstance(node, exp.Cast):
        return is_constant(node.this)
    if isinstance(node, exp.Neg):
        return is_constant(node.this)
    return isinstance(node, (exp.Literal, exp.Placeholder, exp.Parameter, exp.Boolean))


def is_parameter(node: exp.Expression) -> bool:
    node = strip_parens(node)
    if isinstance(node, exp.Cast):
        node = node.this
    return isinstance(node, (exp.Placeholder, exp.Parameter))


def where_of(select: exp.Expression) -> exp.Expression | None:
    where = select.args.get("where")
    return where.this if where is not None else None


@dataclass
class ColumnRef:
    """A column reference resolved to its source in the query and, when known, to the catalog."""

    name: str
    alias: str
    table: Table | None
    column: Column | None
    scope: Scope

    @property
    def label(self) -> str:
        if self.table is not None:
            return f"{self.table.qualified}.{self.name}"
        return f"{self.alias}.{self.name}" if self.alias else self.name


class QueryFacts:
    """Catalog facts about one parsed statement. Cheap to build; build one per statement."""

    def __init__(self, root: exp.Expression, snapshot: SchemaSnapshot | None = None):
        self.root = root
        self.snapshot = snapshot
        try:
            self.scopes: list[Scope] = traverse_scope(root)
        except (SqlglotError, KeyError, ValueError):
            self.scopes = []
        self._by_expression = {id(s.expression): s for s in self.scopes}

    # ---------------------------------------------------------------- scopes and tables
    def scope_of(self, node: exp.Expression) -> Scope | None:
        """The scope (SELECT) a node belongs to."""
        cur: exp.Expression | None = node
        while cur is not None:
            scope = self._by_expression.get(id(cur))
            if scope is not None:
                return scope
            cur = cur.parent
        return None

    def table(self, node: exp.Table) -> Table | None:
        if self.snapshot is None or not isinstance(node, exp.Table):
            return None
        name = ident_name(node.this)
        schema = ident_name(node.args.get("db")) if node.args.get("db") else ""
        return self.snapshot.table(f"{schema}.{name}" if schema else name)

    def source_table(self, scope: Scope, alias: str) -> Table | None:
        source = scope.sources.get(alias)
        return self.table(source) if isinstance(source, exp.Table) else None

    def resolve(self, col: exp.Expression) -> ColumnRef | None:
        """Resolve a column to its source table (through enclosing scopes for correlated columns)."""
        if not isinstance(col, exp.Column) or isinstance(col.this, exp.Star):
            return None
        scope = self.scope_of(col)
        name = ident_name(col.this)
        qualifier = ident_name(col.args.get("table")) if col.args.get("table") else ""
        while scope is not None:
            if qualifier:
                if qualifier in scope.sources:
                    return self._ref(scope, qualifier, name)
            else:
                found = self._unqualified_source(scope, name)
                if found is not None:
                    return self._ref(scope, found, name)
            scope = scope.parent
        return None

    def _unqualified_source(self, scope: Scope, name: str) -> str | None:
        sources = list(scope.sources.items())
        if self.snapshot is not None:
            holders = []
            for alias, source in sources:
                if isinstance(source, exp.Table):
                    table = self.table(source)
                    if table is not None and table.column(name) is not None:
                        holders.append(alias)
                elif isinstance(source, Scope) and name in _output_names(source):
                    holders.append(alias)
            if len(holders) == 1:
                return holders[0]
            if holders:
                return None
        if len(sources) == 1 and scope.parent is None:
            return sources[0][0]
        if len(sources) == 1 and self.snapshot is None:
            return sources[0][0]
        return None

    def _ref(self, scope: Scope, alias: str, name: str) -> ColumnRef:
        table = self.source_table(scope, alias)
        column = table.column(name) if table is not None else None
        return ColumnRef(name=name, alias=alias, table=table, column=column, scope=scope)

    # ---------------------------------------------------------------- nullability
    def outer_join_nullable(self, scope: Scope, alias: str) -> bool:
        """True when `alias` sits on the NULL-supplying side of an outer join in its scope."""
        select = scope.expression
        if not isinstance(select, exp.Select):
            return False
        joins = select.args.get("joins") or []
        seen = [ident_name(select.args["from_"].this.alias_or_name)] if select.args.get("from_") else []
        for join in joins:
            joined = ident_name(join.this.alias_or_name)
            side = (join.side or "").upper()
            if side in ("LEFT", "FULL") and joined == alias:
                return True
            if side in ("RIGHT", "FULL") and alias in seen:
                return True
            seen.append(joined)
        return False

    def not_null(self, col: exp.Expression) -> Evidence | None:
        """Evidence that a column can never be NULL where it stands, or None (unknown / nullable)."""
        ref = self.resolve(col)
        if ref is None:
            return None
        if self.outer_join_nullable(ref.scope, ref.alias):
            return None
        filtered = self._filtered_not_null(ref, col)
        if filtered is not None:
            return filtered
        if ref.column is None or ref.table is None:
            return None
        if ref.column.not_null:
            return Evidence(
                kind="catalog",
                detail=f"{ref.label} is declared NOT NULL.",
                data={"table": ref.table.qualified, "column": ref.name, "attnotnull": True},
            )
        pattern = re.compile(rf"CHECK \(\(?\"?{re.escape(ref.name)}\"? IS NOT NULL\)?\)", re.I)
        for con in ref.table.constraints:
            if con.kind == "check" and con.validated and pattern.fullmatch(con.definition.strip()):
                return Evidence(
                    kind="catalog",
                    detail=f"{ref.label} is NOT NULL by the validated constraint {con.name}.",
                    data={"table": ref.table.qualified, "constraint": con.name},
                )
        return None

    def _filtered_not_null(self, ref: ColumnRef, col: exp.Expression) -> Evidence | None:
        """`col IS NOT NULL` (or a strict comparison with a constant) among the scope's WHERE terms."""
        select = ref.scope.expression
        for term in conjuncts(where_of(select)):
            target = None
            if isinstance(term, exp.Is) and term.args.get("negate") and isinstance(term.expression, exp.Null):
                target = term.this
            elif isinstance(term, exp.Not) and isinstance(term.this, exp.Is) and isinstance(term.this.expression, exp.Null):
                target = term.this.this
            if target is not None and isinstance(target, exp.Column):
                other = self.resolve(target)
                if other is not None and (other.alias, other.name) == (ref.alias, ref.name):
                    return Evidence(
                        kind="static",
                        detail=f"The query filters {ref.alias}.{ref.name} IS NOT NULL.",
                        data={"filter": term.sql("postgres")},
                    )
        return None

    # ---------------------------------------------------------------- keys
    def unique_key(self, table: Table, columns: Iterable[str], *, require_not_null: bool = True) -> Evidence | None:
        """Evidence that some PK/UNIQUE key of `table` lies within `columns` (NOT NULL when asked)."""
        cols = set(columns)
        candidates: list[tuple[str, list[str], bool, str]] = []
        for con in table.constraints:
            if con.kind in ("primary_key", "unique") and con.validated and not con.deferrable and con.columns:
                candidates.append((con.name, con.columns, con.nulls_not_distinct, con.definition))
        for idx in table.indexes:
            if (
                idx.unique
                and idx.valid
                and idx.ready
                and idx.predicate is None
                and idx.columns
                and all(c is not None for c in idx.columns)
                and not any(idx.name == c[0] for c in candidates)
            ):
                candidates.append((idx.name, [c for c in idx.columns if c], idx.nulls_not_distinct, idx.definition))
        for name, key, nulls_not_distinct, definition in sorted(candidates, key=lambda c: len(c[1])):
            if not set(key) <= cols:
                continue
            nullable = [c for c in key if not (table.column(c) and table.column(c).not_null)]
            if require_not_null and nullable and not nulls_not_distinct:
                continue
            detail = f"{name} makes ({', '.join(key)}) unique in {table.qualified}"
            if require_not_null:
                detail += " and every key column is NOT NULL"
            return Evidence(
                kind="catalog",
                detail=detail + ".",
                data={"table": table.qualified, "key": key, "constraint": name, "definition": definition},
            )
        return None

    def primary_key_columns(self, table: Table) -> list[str] | None:
        pk = table.primary_key
        return list(pk.columns) if pk is not None else None

    # ---------------------------------------------------------------- size and indexes
    def is_small(self, table: Table | None) -> bool:
        """True only when the catalog says the table holds fewer than SMALL_TABLE_ROWS rows."""
        if table is None:
            return False
        if table.reltuples >= 0:
            return table.reltuples < SMALL_TABLE_ROWS
        return 0 < table.stats.live_tuples < SMALL_TABLE_ROWS

    def indexes_leading(self, table: Table, column: str) -> list[Index]:
        return [
            i
            for i in table.indexes
            if i.valid and i.columns and i.columns[0] == column and i.method in ("btree", "hash", "brin")
        ]

    def any_index_on(self, table: Table, column: str) -> list[Index]:
        return [i for i in table.indexes if i.valid and column in [c for c in i.columns if c]]

    def expression_index_for(self, table: Table, expression_sql: str) -> Index | None:
        """An index whose key text mentions the same expression (whitespace/case-insensitive)."""
        want = re.sub(r"[\s()\"]", "", expression_sql).lower()
        for idx in table.indexes:
            for key in idx.expressions:
                if re.sub(r"[\s()\"]", "", key).lower() == want:
                    return idx
        return None

    def column_type(self, col: exp.Expression) -> str | None:
        ref = self.resolve(col)
        if ref is None or ref.column is None:
            return None
        return base_type(ref.column.type)


def _output_names(scope: Scope) -> set[str]:
    expr = scope.expression
    if isinstance(expr, exp.Select):
        return {ident_name(e.alias_or_name) for e in expr.expressions}
    return set()


def static(detail: str, **data: object) -> Evidence:
    """Evidence read from the statement text itself."""
    return Evidence(kind="static", detail=detail, data=dict(data))


def size_evidence(table: Table) -> Evidence:
    return Evidence(
        kind="catalog",
        detail=f"{table.qualified} holds about {table.estimated_rows:,} rows.",
        data={"table": table.qualified, "rows": table.estimated_rows},
    )


COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
FLIPPED = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}


def oriented(node: exp.Expression) -> tuple[type, exp.Expression, exp.Expression] | None:
    """A comparison as (operator class, non-constant side, constant side), flipping `5 < x` to `x > 5`."""
    if not isinstance(node, COMPARISONS):
        return None
    left, right = strip_parens(node.this), strip_parens(node.expression)
    if is_constant(right) and not is_constant(left):
        return type(node), left, right
    if is_constant(left) and not is_constant(right):
        return FLIPPED[type(node)], right, left
    return None


def predicate_roots(statement: exp.Expression) -> list[exp.Expression]:
    """Every WHERE, ON and HAVING condition in the statement (subqueries included)."""
    roots = []
    for node in statement.find_all(exp.Where, exp.Having):
        roots.append(node.this)
    for join in statement.find_all(exp.Join):
        if join.args.get("on") is not None:
            roots.append(join.args["on"])
    return roots


def nodes_in_predicates(statement: exp.Expression, *types: type) -> list[exp.Expression]:
    seen: set[int] = set()
    out = []
    for root in predicate_roots(statement):
        for node in root.find_all(*types):
            if id(node) not in seen:
                seen.add(id(node))
                out.append(node)
    return out


def single_column(node: exp.Expression) -> exp.Column | None:
    """The one column a (function-wrapped) expression reads, or None if it reads none or several."""
    cols = list(node.find_all(exp.Column))
    keys = {c.sql() for c in cols}
    return cols[0] if len(keys) == 1 else None
