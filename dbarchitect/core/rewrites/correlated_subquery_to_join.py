"""Correlated scalar subquery in the select list -> grouped LEFT JOIN, or LEFT JOIN LATERAL.

`(SELECT agg(...) FROM c WHERE c.fk = p.id AND q)` becomes a LEFT JOIN to
`(SELECT c.fk, agg(...) FROM c WHERE q GROUP BY c.fk)`; COUNT turns into COALESCE(count, 0) since
no group means 0, not NULL. `(SELECT e FROM c WHERE ... ORDER BY ... LIMIT 1)` becomes
`LEFT JOIN LATERAL (...) ON TRUE` (PostgreSQL). Only bare select-list items are rewritten: a
subquery inside CASE/COALESCE or any expression stays where it is (it runs only when reached).
The catalogue ranks this rewrite "verify": it is offered unverified until a run confirms it.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, qualified, unique_alias
from dbarchitect.core.rules.query._facts import conjuncts, ident_name, where_of

NAME = "correlated-subquery-to-join"
IMPLEMENTS = "correlated-subquery"  # the query rule whose finding this rewrite fixes
AGGREGATES = (exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg, exp.ArrayAgg, exp.LogicalAnd, exp.LogicalOr)


def _correlation(ctx: RewriteContext, sub: exp.Select) -> tuple[exp.EQ, exp.Column, exp.Column, list] | None:
    """The single `inner = outer` conjunct, its inner and outer columns, and the other conjuncts."""
    scope = ctx.facts.scope_of(sub)
    if scope is None or scope.expression is not sub:
        return None
    found, rest = None, []
    for term in conjuncts(where_of(sub)):
        outer_cols = [c for c in term.find_all(exp.Column) if (r := ctx.facts.resolve(c)) is None or r.scope is not scope]
        if not outer_cols:
            rest.append(term)
            continue
        if found is not None or not isinstance(term, exp.EQ):
            return None
        sides = [term.this, term.expression]
        if not all(isinstance(s, exp.Column) for s in sides):
            return None
        refs = [ctx.facts.resolve(s) for s in sides]
        if any(r is None for r in refs):
            return None
        inner = [s for s, r in zip(sides, refs) if r.scope is scope]
        outer = [s for s, r in zip(sides, refs) if r.scope is not scope]
        if len(inner) != 1 or len(outer) != 1:
            return None
        found = (term, inner[0], outer[0])
    if found is None:
        return None
    for node in [*sub.expressions, *(sub.args.get(k) for k in ("order",) if sub.args.get(k))]:
        for col in node.find_all(exp.Column):
            ref = ctx.facts.resolve(col)
            if ref is None or ref.scope is not scope:
                return None
    return (*found, rest)


def correlated_subquery_to_join(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for outer in ctx.tree.find_all(exp.Select):
        if outer.args.get("group") or outer.args.get("having") or outer.args.get("from_") is None:
            continue
        if any(a.find_ancestor(exp.Select) is outer for a in outer.find_all(exp.AggFunc, exp.Window)):
            continue
        for item in outer.expressions:
            subq = item.this if isinstance(item, exp.Alias) else item
            if not isinstance(subq, exp.Subquery) or not isinstance(subq.this, exp.Select):
                continue
            sub = subq.this
            if any(sub.args.get(k) for k in ("group", "having", "joins", "with", "distinct", "offset")):
                continue
            from_ = sub.args.get("from_")
            if from_ is None or not isinstance(from_.this, exp.Table) or len(sub.expressions) != 1:
                continue
            corr = _correlation(ctx, sub)
            if corr is None:
                continue
            term, inner_col, outer_col, rest = corr
            value = sub.expressions[0]
            value_expr = value.this if isinstance(value, exp.Alias) else value
            out_name = item.alias if isinstance(item, exp.Alias) else value.alias_or_name or "value"
            outer_q = qualified(ctx, outer_col)
            inner_q = qualified(ctx, inner_col)
            if outer_q is None or inner_q is None:
                continue
            alias = unique_alias(ctx.tree, f"{ident_name(from_.this.alias_or_name)}_{'agg' if isinstance(value_expr, AGGREGATES) else 'lat'}")
            if isinstance(value_expr, AGGREGATES) and not sub.args.get("order") and not sub.args.get("limit"):
                key = exp.to_identifier(inner_q.name)

                def mutate(twin, item=item, sub=sub, inner_q=inner_q, outer_q=outer_q, rest=rest, value_expr=value_expr,
                           alias=alias, out_name=out_name, key=key):
                    derived = exp.select(exp.alias_(inner_q.copy(), key.copy()), exp.alias_(value_expr.copy(), out_name)) \
                        .from_(twin(sub).args["from_"].this.copy())
                    cond = and_all([r.copy() for r in rest])
                    if cond is not None:
                        derived = derived.where(cond)
                    derived = derived.group_by(inner_q.copy())
                    read = exp.column(out_name, table=alias)
                    if isinstance(value_expr, exp.Count):
                        read = exp.Coalesce(this=read, expressions=[exp.Literal.number(0)])
                    twin(item).replace(exp.alias_(read, out_name))
                    twin(outer).join(exp.Subquery(this=derived, alias=exp.TableAlias(this=exp.to_identifier(alias))),
                                     on=exp.EQ(this=exp.column(key.copy(), table=alias), expression=outer_q.copy()),
                                     join_type="LEFT", copy=False)

                shape = "grouped LEFT JOIN" + (" with COALESCE(count, 0)" if isinstance(value_expr, exp.Count) else "")
            elif sub.args.get("limit") is not None and ctx.dialect == "postgres" and _limit_one(sub):

                def mutate(twin, item=item, sub=sub, alias=alias, out_name=out_name, value=value, value_expr=value_expr):
                    lateral = twin(sub).copy()
                    lateral.set("expressions", [exp.alias_(value_expr.copy(), out_name)])
                    twin(item).replace(exp.alias_(exp.column(out_name, table=alias), out_name))
                    twin(outer).join(exp.Lateral(this=exp.Subquery(this=lateral), alias=exp.TableAlias(this=exp.to_identifier(alias))),
                                     on=exp.true(), join_type="LEFT", copy=False)

                shape = "LEFT JOIN LATERAL ... ON TRUE"
            else:
                continue
            sql = ctx.edit([outer], mutate)
            out.append(Rewrite(
                name=NAME, code="QR003", title=f"Correlated scalar subquery to {shape}", safety="unverified",
                condition=("The subquery returns at most one row per outer row (an aggregate without GROUP BY, or "
                           "LIMIT 1), is a bare select-list item (not inside CASE), and correlates by one equality."),
                before=subq.sql(ctx.dialect), after=shape, sql=sql, evidence=[],
            ))
    return out


def _limit_one(sub: exp.Select) -> bool:
    limit = sub.args.get("limit")
    value = limit.expression if limit is not None else None
    return isinstance(value, exp.Literal) and str(value.this) == "1"
