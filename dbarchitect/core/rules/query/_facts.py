"""What the catalog proves about the columns and tables a query mentions.

Query rules and rewrites ask the same questions: which table does this column come from, can it be
NULL here, is this set of columns a key, is the table big enough to matter, which indexes lead with
this column. `QueryFacts` answers them from a parsed statement and an optional `SchemaSnapshot`;
every positive answer comes with the `Evidence` that proves it, so a caller can cite it. Without a
snapshot every catalog question answers "unknown" (None), never "yes".

The detection a rule shares with the rewrite that fixes it (`core/rewrites/*`, whose `IMPLEMENTS`
names the rule) lives here too, at the end: rewrites import this module, never a rule module.
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


def terms(node: exp.Expression | None, kind: type[exp.Connector]) -> list[exp.Expression]:
    """The operands of a chain of `kind` (AND / OR), left to right, parentheses unwrapped. Iterative:
    a 50,000-term OR chain is a 50,000-deep tree."""
    out: list[exp.Expression] = []
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        n = n.unnest() if isinstance(n, exp.Paren) else n
        if isinstance(n, kind):
            stack += [n.expression, n.this]  # `this` is popped first: source order
        else:
            out.append(n)
    return out


def conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    """Top-level AND terms of a predicate (parentheses unwrapped)."""
    return terms(node, exp.And)


def disjuncts(node: exp.Expression) -> list[exp.Expression]:
    """Top-level OR terms of a predicate (parentheses unwrapped)."""
    return terms(node, exp.Or)


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


# Detection shared by the query rules and the rewrites that implement them ------------------------


# QR001 (not-in-subquery)
def null_proofs(facts: QueryFacts, node: exp.Not) -> tuple[Evidence | None, Evidence | None, exp.Expression | None]:
    """NOT NULL evidence for the outer operand and the subquery's output column (None = not proven)."""
    in_ = node.this
    query = in_.args.get("query")
    select = query.this if isinstance(query, exp.Subquery) else query
    outer = in_.this
    inner = select.expressions[0] if isinstance(select, exp.Select) and len(select.expressions) == 1 else None
    inner = inner.this if isinstance(inner, exp.Alias) else inner
    x = facts.not_null(outer) if isinstance(outer, exp.Column) else None
    y = facts.not_null(inner) if isinstance(inner, exp.Column) else None
    return x, y, inner


def not_in_subqueries(statement: exp.Expression) -> list[exp.Not]:
    return [n for n in statement.find_all(exp.Not) if isinstance(n.this, exp.In) and n.this.args.get("query")]


# QR002 (in-subquery)
def unique_in_subquery(facts: QueryFacts, in_: exp.In):
    """(subquery select, key column, uniqueness evidence) when the IN subquery reads a unique key."""
    query = in_.args.get("query")
    select = query.this if isinstance(query, exp.Subquery) else query
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    if any(select.args.get(k) for k in ("group", "having", "limit", "offset", "joins", "with")):
        return None
    key = select.expressions[0]
    if not isinstance(key, exp.Column) or not isinstance(select.args.get("from_").this, exp.Table):
        return None
    ref = facts.resolve(key)
    if ref is None or ref.table is None or ref.scope.expression is not select:
        return None
    proof = facts.unique_key(ref.table, [ref.name], require_not_null=False)
    return (select, key, proof) if proof is not None else None


# QR008 (redundant-distinct)
SET_RETURNING = {"unnest", "generate_series", "jsonb_array_elements", "json_array_elements", "regexp_matches",
                 "jsonb_each", "json_each", "jsonb_object_keys", "json_object_keys", "string_to_table"}


def distinct_proof(facts: QueryFacts, select: exp.Select) -> list[Evidence] | None:
    """Catalog evidence that every row of `select` is already distinct, or None."""
    distinct = select.args.get("distinct")
    if distinct is None or distinct.args.get("on") or select.args.get("group"):
        return None
    for item in select.expressions:
        if item.find(exp.Unnest, exp.Explode, exp.GenerateSeries, exp.AggFunc, exp.Window):
            return None
        if any(isinstance(f, exp.Anonymous) and f.name.lower() in SET_RETURNING for f in item.find_all(exp.Anonymous)):
            return None
    scope = facts.scope_of(select)
    if scope is None or scope.expression is not select:
        return None
    selected: dict[str, set[str]] = {}
    for item in select.expressions:
        col = item.this if isinstance(item, exp.Alias) else item
        if isinstance(col, exp.Column) and not isinstance(col.this, exp.Star):
            ref = facts.resolve(col)
            if ref is not None and ref.scope is scope:
                selected.setdefault(ref.alias, set()).add(ref.name)
    proofs = []
    for alias, source in scope.sources.items():
        if not isinstance(source, exp.Table):
            return None
        table = facts.table(source)
        if table is None:
            return None
        proof = facts.unique_key(table, selected.get(ident_name(alias), set()))
        if proof is None:
            return None
        proofs.append(proof)
    return proofs or None


# QR009 (distinct-over-join)
def existence_joins(facts: QueryFacts, select: exp.Select) -> tuple[str, list[exp.Join]] | None:
    """(kept alias, inner joins only used for existence) for SELECT DISTINCT over one table's columns."""
    distinct = select.args.get("distinct")
    joins = select.args.get("joins") or []
    if distinct is None or distinct.args.get("on") or not joins or select.args.get("group"):
        return None
    if any(isinstance(e, exp.Star) for e in select.expressions) or select.find(exp.AggFunc, exp.Window):
        return None
    from_ = select.args.get("from_")
    if from_ is None or not isinstance(from_.this, exp.Table):
        return None
    kept = ident_name(from_.this.alias_or_name)
    for join in joins:
        if (join.side or "") or join.kind not in ("", "INNER") or not join.args.get("on"):
            return None
        if join.args.get("using") or not isinstance(join.this, (exp.Table, exp.Subquery)):
            return None
    outside = list(select.expressions) + [n for k in ("order", "qualify") if (n := select.args.get(k))]
    for node in outside:
        for col in node.find_all(exp.Column):
            if isinstance(col.this, exp.Star):
                if ident_name(col.args.get("table")) != kept:
                    return None
                continue
            ref = facts.resolve(col)
            if ref is None or ref.alias != kept:
                return None
    return kept, joins


# QR011 (or-on-same-column)
def equality_groups(node: exp.Or) -> dict[str, list[exp.Expression]]:
    """Disjuncts of an OR chain grouped by the column they test with `=` or IN (list)."""
    groups: dict[str, list[exp.Expression]] = {}
    for term in disjuncts(node):
        col = None
        if isinstance(term, exp.EQ):
            left, right = strip_parens(term.this), strip_parens(term.expression)
            if isinstance(left, exp.Column) and is_constant(right):
                col = left
            elif isinstance(right, exp.Column) and is_constant(left):
                col = right
        elif isinstance(term, exp.In) and not term.args.get("query") and isinstance(term.this, exp.Column):
            if all(is_constant(e) for e in term.expressions):
                col = term.this
        if col is not None:
            groups.setdefault(col.sql(), []).append(term)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def top_or_chains(statement: exp.Expression) -> list[exp.Or]:
    """OR nodes that are not themselves operands of a larger OR chain."""
    out = []
    for node in statement.find_all(exp.Or):
        parent = node.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        if not isinstance(parent, exp.Or):
            out.append(node)
    return out


# QR013 (function-on-column)
WRAPPERS = (exp.Date, exp.Cast, exp.TryCast, exp.Extract, exp.TimestampTrunc, exp.DateTrunc, exp.Lower,
            exp.Upper, exp.Trim, exp.Substring, exp.Anonymous, exp.Coalesce, exp.Abs, exp.Length)


def wrapped_column(side: exp.Expression) -> exp.Column | None:
    side = strip_parens(side)
    if isinstance(side, WRAPPERS) and not isinstance(side, exp.Column):
        return single_column(side)
    return None


# QR014 (arithmetic-on-column)
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)


def column_and_operand(node: exp.Expression) -> tuple[exp.Column, exp.Literal, bool] | None:
    """(column, numeric literal, column_is_left) for `col op lit` or `lit op col`."""
    node = strip_parens(node)
    if not isinstance(node, ARITHMETIC):
        return None
    left, right = strip_parens(node.this), strip_parens(node.expression)
    if isinstance(left, exp.Column) and isinstance(right, exp.Literal) and not right.is_string:
        return left, right, True
    if isinstance(right, exp.Column) and isinstance(left, exp.Literal) and not left.is_string:
        return right, left, False
    return None


# QR021 (comparison-with-null)
def null_comparisons(statement: exp.Expression) -> list[exp.Expression]:
    return [
        n for n in statement.find_all(exp.EQ, exp.NEQ)
        if isinstance(n.expression, exp.Null) or isinstance(n.this, exp.Null)
    ]


# QR022 (having-on-group-key)
SAFE_NODES = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.And, exp.Or, exp.Not,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Neg, exp.Placeholder, exp.Parameter, exp.Cast, exp.DataType, exp.Tuple,
)


def movable_terms(select: exp.Select) -> list[exp.Expression]:
    """HAVING conjuncts that read only plain grouping columns with row-level, non-volatile operators."""
    having, group = select.args.get("having"), select.args.get("group")
    if having is None or group is None:
        return []
    if any(group.args.get(k) for k in ("grouping_sets", "cube", "rollup", "totals")):
        return []
    keys = {e.sql() for e in group.expressions if isinstance(e, exp.Column)}
    aliases = {e.alias for e in select.expressions if isinstance(e, exp.Alias)}
    out = []
    for term in conjuncts(having.this):
        cols = list(term.find_all(exp.Column))
        if not cols or any(c.sql() not in keys or (not c.table and c.name in aliases) for c in cols):
            continue
        if all(isinstance(n, SAFE_NODES) for n in term.walk()):
            out.append(term)
    return out


# QR024 (between-timestamps)
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


END_OF_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]23:59(:59(\.9+)?)?$")


def timestamp_betweens(statement: exp.Expression, facts: QueryFacts) -> list[tuple[exp.Between, exp.Column, str | None]]:
    """BETWEENs on a timestamp column (or one of unknown type) with date-only or end-of-day upper bounds."""
    out = []
    for node in nodes_in_predicates(statement, exp.Between):
        col = strip_parens(node.this)
        high = strip_parens(node.args["high"])
        if not isinstance(col, exp.Column) or not (isinstance(high, exp.Literal) and high.is_string):
            continue
        if not (DATE_ONLY.match(high.this) or END_OF_DAY.match(high.this)):
            continue
        type_ = facts.column_type(col)
        if type_ is not None and not type_.startswith("timestamp"):
            continue
        ref = facts.resolve(col)
        if type_ is None and ref is not None and ref.table is not None:
            continue  # the catalog knows the table but not this column: nothing to say
        out.append((node, col, type_))
    return out


# QR025 (count-for-existence)
# (operator, constant) -> True when it means "exists", False when it means "does not exist"
MEANING = {
    (exp.GT, 0): True, (exp.GTE, 1): True, (exp.NEQ, 0): True,
    (exp.EQ, 0): False, (exp.LT, 1): False, (exp.LTE, 0): False,
}


def existence_test(node: exp.Expression) -> tuple[exp.Select, exp.Count, bool] | None:
    """(counting subquery, its count, exists?) for an existence test written with count."""
    if type(node) not in FLIPPED:
        return None
    left, right = strip_parens(node.this), strip_parens(node.expression)
    op = type(node)
    if isinstance(left, exp.Literal):
        left, right, op = right, left, FLIPPED[op]
    if not (isinstance(left, exp.Subquery) and isinstance(right, exp.Literal)) or right.is_string:
        return None
    select = left.this
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    if any(select.args.get(k) for k in ("group", "having", "limit", "offset", "distinct", "qualify")):
        return None
    count = select.expressions[0]
    count = count.this if isinstance(count, exp.Alias) else count
    if not isinstance(count, exp.Count) or count.args.get("distinct") or isinstance(count.this, exp.Distinct):
        return None
    try:
        value = float(right.this)
    except ValueError:
        return None
    meaning = MEANING.get((op, value))
    if meaning is None:
        return None
    return select, count, meaning


# QR027 (order-by-in-subquery)
ORDER_SENSITIVE = ("array_agg", "string_agg", "json_agg", "jsonb_agg", "xmlagg", "group_concat",
                   "json_object_agg", "jsonb_object_agg")


def _order_sensitive(select: exp.Select) -> bool:
    for node in select.find_all(exp.AggFunc, exp.Anonymous, exp.Window):
        if isinstance(node, exp.Window):
            return True
        name = (node.sql_name() if isinstance(node, exp.AggFunc) else node.name).lower()
        if name in ORDER_SENSITIVE or isinstance(node, (exp.ArrayAgg, exp.GroupConcat)):
            if not node.find(exp.Order):
                return True
    return False


def redundant_orders(statement: exp.Expression) -> list[exp.Select]:
    """Subquery SELECTs whose ORDER BY nothing consumes."""
    out = []
    for select in statement.find_all(exp.Select):
        if select is statement or not select.args.get("order"):
            continue
        if select.args.get("limit") or select.args.get("offset") or select.args.get("fetch"):
            continue
        distinct = select.args.get("distinct")
        if distinct is not None and distinct.args.get("on"):
            continue
        holder = select.parent
        if isinstance(holder, exp.Subquery) and isinstance(holder.parent, (exp.In, exp.Exists)):
            out.append(select)
        elif isinstance(holder, (exp.In, exp.Exists)):
            out.append(select)
        elif isinstance(holder, (exp.Subquery, exp.CTE)) and not isinstance(holder.parent, exp.Union):
            outer = holder.find_ancestor(exp.Select)
            if isinstance(holder, exp.CTE):
                outer = statement if isinstance(statement, exp.Select) else None
            if outer is None or (isinstance(holder, exp.Subquery) and not isinstance(holder.parent, (exp.From, exp.Join))):
                continue
            if outer.args.get("order") and not _order_sensitive(outer) and not outer.args.get("limit"):
                out.append(select)
    return out
