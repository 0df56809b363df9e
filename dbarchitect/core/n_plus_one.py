"""N+1 detection (pure): from an ordered list of statements, or from pg_stat_statements rows.

A *lookup* is a single-table SELECT whose WHERE holds `col = <value>` (plus constant conditions).
It is an N+1 when it repeats with different values after a query over the related table: the
catalog's foreign keys say how the two relate (has-many: `posts.user_id` -> `users.id`;
belongs-to: `users.id` <- `posts.user_id`); without a catalog, `<name>_id` column naming is used
and the finding says so. The proposed replacement is one batched query (`= ANY($1)`), one JOIN
with the parent query, and for has-many the `json_agg` shape that returns one row per parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.core.safe_text import clean_message
from dbarchitect.core.models import Evidence, Finding, SchemaSnapshot
from dbarchitect.core.rules.query._facts import conjuncts, ident_name, is_constant, strip_parens, where_of
from dbarchitect.core.rules.query.qr031_n_plus_one import RULE

MIN_REPEATS = 3  # distinct values in a statement list
MIN_CALLS = 20  # pg_stat_statements calls of the lookup
MIN_RATIO = 10.0  # lookup calls per parent call


class StatementStat(BaseModel):
    """One pg_stat_statements row (text normalised by the server: constants become $n)."""

    query: str
    calls: int
    rows: int = 0
    total_ms: float = 0.0
    mean_ms: float = 0.0
    queryid: int | None = None


class NPlusOne(BaseModel):
    kind: Literal["has_many", "belongs_to"] = Field(description="Children per parent, or the parent of each child.")
    lookup: str = Field(description="The repeated statement, as first seen.")
    table: str
    column: str
    calls: int = Field(description="How often the lookup ran (statements seen, or pg_stat_statements calls).")
    values: list[str] = Field(default_factory=list, description="Values looked up (from a statement list).")
    parent: str | None = Field(default=None, description="The query whose rows drive the loop.")
    parent_calls: int | None = None
    ratio: float | None = Field(default=None, description="Lookup calls per parent call.")
    batched: str = Field(description="One statement replacing all the lookups.")
    join: str | None = Field(default=None, description="Parent and lookup in one JOIN.")
    json_agg: str | None = Field(default=None, description="One row per parent with its children as JSON (has-many).")
    evidence: list[Evidence] = Field(default_factory=list)


class NPlusOneReport(BaseModel):
    source: Literal["statements", "pg_stat_statements"]
    catalog: bool
    patterns: list[NPlusOne] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    unread: dict[str, str] = Field(default_factory=dict, description="Statement (queryid) -> the parser's reason it was not checked.")


# ------------------------------------------------------------------------------------------------
# Shapes
# ------------------------------------------------------------------------------------------------


@dataclass
class Lookup:
    select: exp.Select
    table: exp.Table
    column: str
    eq: exp.EQ
    value: exp.Expression


@dataclass
class Relation:
    kind: Literal["has_many", "belongs_to"]
    parent_table: str  # the table of the driving query
    parent_column: str  # its column that feeds the lookup value
    proof: Evidence


def lookup_shape(tree: exp.Expression) -> Lookup | None:
    """A single-table SELECT filtered by exactly one `col = constant` (other terms constant too)."""
    if not isinstance(tree, exp.Select) or tree.args.get("joins") or tree.args.get("group") or tree.args.get("with"):
        return None
    from_ = tree.args.get("from_")
    if from_ is None or not isinstance(from_.this, exp.Table) or tree.find(exp.Subquery):
        return None
    found = None
    for term in conjuncts(where_of(tree)):
        if isinstance(term, exp.EQ):
            left, right = strip_parens(term.this), strip_parens(term.expression)
            if isinstance(right, exp.Column) and is_constant(left):
                left, right = right, left
            if isinstance(left, exp.Column) and is_constant(right):
                if found is not None:
                    return None
                found = Lookup(tree, from_.this, ident_name(left.this), term, right)
                continue
        if term.find(exp.Column) is None:
            return None
    return found


def fingerprint(tree: exp.Expression) -> str:
    """The statement with every literal and parameter replaced by `?`."""
    copy = tree.copy()
    for node in list(copy.find_all(exp.Literal, exp.Placeholder, exp.Parameter)):
        if node.parent is not None:
            node.replace(exp.Placeholder())
    return copy.sql("postgres")


def _tables_read(tree: exp.Expression) -> list[str]:
    return [ident_name(t.this) for t in tree.find_all(exp.Table)]


def relation(lookup: Lookup, snapshot: SchemaSnapshot | None) -> list[Relation]:
    """How a lookup's table relates to the table a driving query would read."""
    table_name = ident_name(lookup.table.this)
    out: list[Relation] = []
    table = snapshot.table(table_name) if snapshot is not None else None
    if table is not None:
        for fk in table.foreign_keys:
            if fk.columns == [lookup.column] and fk.references is not None:
                out.append(Relation("has_many", fk.references.table.split(".")[-1], fk.references.columns[0],
                                    Evidence(kind="catalog", detail=f"{fk.name}: {table.qualified}({lookup.column}) "
                                             f"REFERENCES {fk.references.table}({', '.join(fk.references.columns)}).",
                                             data={"constraint": fk.name})))
        for child, fk in snapshot.referencing(table):
            if fk.references and fk.references.columns == [lookup.column] and len(fk.columns) == 1:
                out.append(Relation("belongs_to", child.name, fk.columns[0],
                                    Evidence(kind="catalog", detail=f"{fk.name}: {child.qualified}({fk.columns[0]}) "
                                             f"REFERENCES {table.qualified}({lookup.column}).", data={"constraint": fk.name})))
        return out
    if lookup.column.endswith("_id"):
        stem = lookup.column[:-3]
        for parent in (stem + "s", stem + "es", stem):
            out.append(Relation("has_many", parent, "id", Evidence(kind="static", detail=(
                f"By naming, {table_name}.{lookup.column} refers to {parent}.id (no catalog to confirm)."))))
    elif lookup.column == "id":
        singular = table_name[:-1] if table_name.endswith("s") else table_name
        out.append(Relation("belongs_to", "", f"{singular}_id", Evidence(kind="static", detail=(
            f"By naming, {singular}_id columns refer to {table_name}.id (no catalog to confirm)."))))
    return out


def _drives(tree: exp.Expression, rel: Relation) -> bool:
    """Whether `tree` reads the rows that would feed the lookup's value."""
    if not isinstance(tree, exp.Select):
        return False
    if rel.parent_table:
        return rel.parent_table in _tables_read(tree)
    return any(ident_name(c.this) == rel.parent_column for c in tree.find_all(exp.Column)) or any(
        isinstance(e, exp.Star) for e in tree.expressions)


# ------------------------------------------------------------------------------------------------
# Replacements
# ------------------------------------------------------------------------------------------------


def _alias(select: exp.Select) -> str:
    return select.args["from_"].this.alias_or_name


def _requalify(select: exp.Select, alias: str) -> exp.Select:
    """A copy of a single-table SELECT whose table is aliased `alias` and whose columns are qualified by it."""
    copy = select.copy()
    old = ident_name(_alias(copy))
    table = copy.args["from_"].this
    table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    for col in copy.find_all(exp.Column):
        if not col.args.get("table") or ident_name(col.args["table"]) == old:
            col.set("table", exp.to_identifier(alias))
    for star in copy.find_all(exp.Star):
        if isinstance(star.parent, exp.Select):
            star.replace(exp.Column(this=exp.Star(), table=exp.to_identifier(alias)))
    return copy


def replacements(lookup: Lookup, rel: Relation, parent: exp.Select | None, snapshot: SchemaSnapshot | None,
                 dialect: str) -> tuple[str, str | None, str | None]:
    """(batched lookup, JOIN with the parent, json_agg shape) for one N+1 pattern."""
    batch = lookup.select.copy()
    eq = next(n for n in batch.find_all(exp.EQ) if n == lookup.eq)
    col = eq.this if isinstance(strip_parens(eq.this), exp.Column) else eq.expression
    if dialect == "postgres":
        eq.replace(exp.EQ(this=col.copy(), expression=exp.Anonymous(this="ANY", expressions=[exp.Parameter(this=exp.Literal.number(1))])))
    else:
        eq.replace(exp.In(this=col.copy(), expressions=[exp.Placeholder()]))
    batched = batch.sql(dialect)
    if parent is None or not isinstance(parent, exp.Select) or parent.args.get("joins") or parent.args.get("group") \
            or not isinstance(parent.args.get("from_").this if parent.args.get("from_") else None, exp.Table):
        return batched, None, None
    p_alias, c_alias = "p", "c"
    par = _requalify(parent, p_alias)
    child = _requalify(lookup.select, c_alias)
    position = next(i for i, t in enumerate(conjuncts(where_of(lookup.select))) if t is lookup.eq)
    extra = [t.copy() for i, t in enumerate(conjuncts(where_of(child))) if i != position]
    on = exp.EQ(this=exp.column(lookup.column, table=c_alias), expression=exp.column(rel.parent_column, table=p_alias))
    for t in extra:
        on = exp.And(this=on, expression=t)
    child_table = child.args["from_"].this.copy()
    taken = {ident_name(e.alias_or_name) for e in par.expressions}
    prefix = ident_name(lookup.table.this)
    outputs = [exp.alias_(e.copy(), f"{prefix}_{e.alias_or_name}") if ident_name(e.alias_or_name) in taken else e.copy()
               for e in child.expressions]
    join = par.copy()
    join.set("expressions", par.expressions + outputs)
    join = join.join(child_table, on=on, join_type="LEFT", copy=False)
    # One parent row per child row: fine for belongs-to (at most one match); for has-many a LIMIT
    # on the parent query would cut the joined rows instead of the parents.
    limited = any(parent.args.get(k) for k in ("limit", "offset", "distinct"))
    join_sql = None if rel.kind == "has_many" and limited else join.sql(dialect)
    if rel.kind != "has_many" or dialect != "postgres":
        return batched, join_sql, None
    parent_table = snapshot.table(ident_name(parent.args["from_"].this.this)) if snapshot else None
    key = parent_table.primary_key.columns if parent_table is not None and parent_table.primary_key else None
    agg_name = ident_name(lookup.table.this)
    stars = all(isinstance(e, exp.Column) and isinstance(e.this, exp.Star) for e in child.expressions)
    if stars:
        payload: exp.Expression = exp.to_identifier(c_alias)
    else:
        pairs = []
        for e in child.expressions:
            pairs += [exp.Literal.string(e.alias_or_name), e.this.copy() if isinstance(e, exp.Alias) else e.copy()]
        payload = exp.Anonymous(this="json_build_object", expressions=pairs)
    agg = exp.Coalesce(this=exp.Filter(this=exp.Anonymous(this="json_agg", expressions=[payload]),
                                       expression=exp.Where(this=exp.Is(this=exp.column(lookup.column, table=c_alias),
                                                                        expression=exp.Null(), negate=True))),
                       expressions=[exp.Literal.string("[]")])
    shaped = par.copy()
    shaped.set("expressions", par.expressions + [exp.alias_(agg, agg_name)])
    shaped = shaped.join(child_table.copy(), on=on.copy(), join_type="LEFT", copy=False)
    if key:
        group = [exp.column(k, table=p_alias) for k in key]
    else:
        group = [e.this.copy() if isinstance(e, exp.Alias) else e.copy() for e in par.expressions
                 if not isinstance(e, exp.Star) and not (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))]
    if not key and (not group or parent.args.get("order") or len(group) < len(par.expressions)):
        return batched, join_sql, None  # without a key, GROUP BY must hold every parent output
    shaped = shaped.group_by(*group, copy=False)
    return batched, join_sql, shaped.sql(dialect)


# ------------------------------------------------------------------------------------------------
# Detection
# ------------------------------------------------------------------------------------------------


def _finding(p: NPlusOne) -> Finding:
    driver = f" after `{p.parent[:100]}`" if p.parent else ""
    ratio = f" ({p.ratio:.0f} lookups per parent query)" if p.ratio else ""
    return Finding(
        rule=RULE.name, code=RULE.code, severity=RULE.severity, object=p.table,
        message=(f"N+1: `{p.lookup[:120]}` ran {p.calls} times, once per row{driver}{ratio}: "
                 f"{p.calls} round trips where one would do."),
        fix=p.json_agg or p.join or p.batched,
        evidence=p.evidence,
    )


def detect_in_trees(trees: list[exp.Expression], snapshot: SchemaSnapshot | None = None, dialect: str = "postgres",
                    min_repeats: int = MIN_REPEATS) -> NPlusOneReport:
    """N+1 patterns in an ordered list of parsed statements (an application log)."""
    groups: dict[str, list[tuple[int, Lookup]]] = {}
    for i, tree in enumerate(trees):
        shape = lookup_shape(tree)
        if shape is not None:
            groups.setdefault(fingerprint(tree), []).append((i, shape))
    values_of = {fp: list(dict.fromkeys(strip_parens(h.value).sql(dialect) for _, h in hits)) for fp, hits in groups.items()}
    loops = {fp for fp, values in values_of.items() if len(values) >= min_repeats}
    patterns = []
    for fp in loops:
        hits, values = groups[fp], values_of[fp]
        first_index, lookup = hits[0]
        parent, parent_rel = None, None
        for rel in relation(lookup, snapshot):
            parent = next((trees[j] for j in range(first_index - 1, -1, -1)
                           if fingerprint(trees[j]) not in loops and _drives(trees[j], rel)), None)
            if parent is not None:
                parent_rel = rel
                break
        rel = parent_rel or next(iter(relation(lookup, snapshot)), None)
        if rel is None:
            rel = Relation("has_many", "", "", Evidence(kind="static", detail="The same lookup repeats with different values."))
        batched, join, shaped = replacements(lookup, rel, parent if isinstance(parent, exp.Select) else None, snapshot, dialect)
        evidence = [Evidence(kind="static", detail=f"{len(hits)} statements differ only in the value of {lookup.column}.",
                             data={"values": values[:20], "count": len(hits)}), rel.proof]
        patterns.append(NPlusOne(
            kind=rel.kind, lookup=lookup.select.sql(dialect), table=ident_name(lookup.table.this), column=lookup.column,
            calls=len(hits), values=values[:50], parent=parent.sql(dialect) if parent is not None else None,
            parent_calls=1 if parent is not None else None, ratio=float(len(hits)) if parent is not None else None,
            batched=batched, join=join, json_agg=shaped, evidence=evidence,
        ))
    return NPlusOneReport(source="statements", catalog=snapshot is not None, patterns=patterns,
                          findings=[_finding(p) for p in patterns])


def detect_from_statements(statements: list[str], snapshot: SchemaSnapshot | None = None, dialect: str = "postgres",
                           min_repeats: int = MIN_REPEATS) -> NPlusOneReport:
    """N+1 patterns in an ordered list of SQL texts; unparsable entries are skipped."""
    trees = []
    for text in statements:
        try:
            parsed = [t for t in sqlglot.parse(text, read=dialect) if t is not None]
        except SqlglotError:
            continue
        trees.extend(parsed)
    return detect_in_trees(trees, snapshot, dialect, min_repeats)


def detect_from_stats(stats: list[StatementStat], snapshot: SchemaSnapshot | None = None, *,
                      min_calls: int = MIN_CALLS, min_ratio: float = MIN_RATIO) -> NPlusOneReport:
    """N+1 patterns in pg_stat_statements: a lookup called `min_ratio` times more than a query on the related table."""
    parsed, unread = [], {}
    for s in stats:
        try:
            tree = sqlglot.parse_one(s.query, read="postgres")
        except (SqlglotError, RecursionError) as exc:
            unread[str(s.queryid)] = clean_message(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
            continue
        if tree is not None:
            parsed.append((s, tree))
    patterns = []
    for stat, tree in parsed:
        lookup = lookup_shape(tree)
        if lookup is None or stat.calls < min_calls:
            continue
        best = None
        for rel in relation(lookup, snapshot):
            for other, other_tree in parsed:
                if other is stat or lookup_shape(other_tree) is not None and other.calls >= min_calls:
                    continue
                if not _drives(other_tree, rel) or other.calls * min_ratio > stat.calls:
                    continue
                if best is None or other.calls > best[0].calls:
                    best = (other, other_tree, rel)
        if best is None:
            continue
        other, other_tree, rel = best
        batched, join, shaped = replacements(lookup, rel, other_tree if isinstance(other_tree, exp.Select) else None,
                                             snapshot, "postgres")
        ratio = stat.calls / max(other.calls, 1)
        evidence = [
            Evidence(kind="execution", detail=f"pg_stat_statements: the lookup ran {stat.calls} times, the query on "
                     f"{rel.parent_table or 'the related table'} {other.calls} times ({ratio:.0f}x); "
                     f"{stat.rows / max(stat.calls, 1):.1f} rows per lookup.",
                     data={"lookup_queryid": stat.queryid, "parent_queryid": other.queryid, "lookup_calls": stat.calls,
                           "parent_calls": other.calls, "lookup_total_ms": round(stat.total_ms, 2)}),
            rel.proof,
        ]
        patterns.append(NPlusOne(
            kind=rel.kind, lookup=stat.query, table=ident_name(lookup.table.this), column=lookup.column,
            calls=stat.calls, parent=other.query, parent_calls=other.calls, ratio=round(ratio, 1),
            batched=batched, join=join, json_agg=shaped, evidence=evidence,
        ))
    return NPlusOneReport(source="pg_stat_statements", catalog=snapshot is not None, patterns=patterns, unread=unread,
                          findings=[_finding(p) for p in patterns])
