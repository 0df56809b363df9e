"""SELECT DISTINCT a... FROM a JOIN b ... -> SELECT [DISTINCT] a... FROM a WHERE EXISTS (... b ...).

When the select list reads only `a`, the inner joins only test existence. Moving them into EXISTS
and keeping DISTINCT is an identity (the same distinct projections of the `a` rows that have a
match). DISTINCT is dropped as well only when the select list holds a unique NOT NULL key of `a`
(a catalog fact): then each `a` row appears once either way.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, qualify_all, resolvable
from dbarchitect.core.rules.query._facts import conjuncts, existence_joins, ident_name, static, where_of

NAME = "distinct-join-to-exists"
IMPLEMENTS = "distinct-over-join"  # the query rule whose finding this rewrite fixes


def distinct_join_to_exists(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for select in ctx.tree.find_all(exp.Select):
        found = existence_joins(ctx.facts, select)
        if found is None:
            continue
        kept, joins = found
        scope = ctx.facts.scope_of(select)
        if scope is None or not resolvable(ctx, [select]):
            continue
        stay, move = [], []
        for term in conjuncts(where_of(select)):
            aliases = {ctx.facts.resolve(c).alias for c in term.find_all(exp.Column) if ctx.facts.resolve(c) is not None}
            (stay if aliases <= {kept} and not term.find(exp.Subquery) else move).append(term)
        key_proof = None
        table = ctx.facts.source_table(scope, kept)
        if table is not None:
            cols = {ref.name for e in select.expressions for c in e.find_all(exp.Column)
                    if (ref := ctx.facts.resolve(c)) is not None and ref.alias == kept}
            key_proof = ctx.facts.unique_key(table, cols)

        def mutate(twin, select=select, joins=joins, stay=stay, move=move, key_proof=key_proof):
            qualify_all(ctx, [select], twin)
            new = twin(select)
            first = twin(joins[0])
            sub = exp.select(exp.Literal.number(1)).from_(first.this.copy())
            for j in joins[1:]:
                sub = sub.join(twin(j).copy(), copy=False)
            cond = and_all([first.args["on"].copy()] + [twin(t).copy() for t in move])
            sub = sub.where(cond, copy=False)
            new.set("joins", None)
            new.set("where", None)
            new.where(and_all([twin(t).copy() for t in stay] + [exp.Exists(this=sub)]), copy=False)
            if key_proof is not None:
                new.set("distinct", None)

        sql = ctx.edit([select], mutate)
        names = ", ".join(ident_name(j.this.alias_or_name) for j in joins)
        if key_proof is not None:
            out.append(Rewrite(
                name=NAME, code="QR009", title="DISTINCT over a join to EXISTS, DISTINCT dropped", safety="proven",
                condition=f"The select list reads only {kept} and holds a unique NOT NULL key of it.",
                before=f"SELECT DISTINCT ... JOIN {names}", after="SELECT ... WHERE EXISTS (...)", sql=sql,
                evidence=[key_proof],
            ))
        else:
            out.append(Rewrite(
                name=NAME, code="QR009", title="DISTINCT over a join to DISTINCT ... WHERE EXISTS", safety="proven",
                condition=f"The select list reads only {kept}; the inner joins to {names} only test existence.",
                before=f"SELECT DISTINCT ... JOIN {names}", after="SELECT DISTINCT ... WHERE EXISTS (...)", sql=sql,
                evidence=[static("DISTINCT over a's columns of a JOIN b = DISTINCT over a's columns of a semi-join with b.")],
            ))
    return out
