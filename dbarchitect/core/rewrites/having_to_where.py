"""HAVING conditions on grouping columns -> WHERE (no aggregates, no grouping sets)."""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all
from dbarchitect.core.rules.query._facts import conjuncts, movable_terms, static

NAME = "having-to-where"
IMPLEMENTS = "having-on-group-key"  # the query rule whose finding this rewrite fixes


def having_to_where(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for select in ctx.tree.find_all(exp.Select):
        terms = movable_terms(select)
        if not terms:
            continue

        def mutate(twin, select=select, terms=terms):
            new = twin(select)
            moved = {id(t) for t in terms}
            keep = [twin(t).copy() for t in conjuncts(select.args["having"].this) if id(t) not in moved]
            new.set("having", exp.Having(this=and_all(keep)) if keep else None)
            new.where(and_all([twin(t).copy() for t in terms]), copy=False)

        sql = ctx.edit([select], mutate)
        text = " AND ".join(t.sql(ctx.dialect) for t in terms)
        out.append(Rewrite(
            name=NAME, code="QR022", title="Move HAVING conditions on group keys to WHERE", safety="proven",
            condition="The conditions read only GROUP BY columns, no aggregates, no volatile functions; no grouping sets.",
            before=f"HAVING {text}", after=f"WHERE {text}", sql=sql,
            evidence=[static("A condition on grouping columns has the same value on every row of a group.")],
        ))
    return out
