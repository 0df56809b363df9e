"""Drop DISTINCT when the select list holds a unique NOT NULL key of every table (a catalog fact)."""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext
from dbarchitect.core.rules.query._facts import distinct_proof

NAME = "remove-redundant-distinct"
IMPLEMENTS = "redundant-distinct"  # the query rule whose finding this rewrite fixes


def remove_redundant_distinct(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for select in ctx.tree.find_all(exp.Select):
        proofs = distinct_proof(ctx.facts, select)
        if not proofs:
            continue
        sql = ctx.edit([select], lambda twin, select=select: twin(select).set("distinct", None))
        out.append(Rewrite(
            name=NAME, code="QR008", title="Remove DISTINCT over a unique key", safety="proven",
            condition="The select list contains a unique, NOT NULL key of every table in FROM.",
            before="SELECT DISTINCT", after="SELECT", sql=sql, evidence=proofs,
        ))
    return out
