"""Remove ORDER BY from subqueries whose order nothing consumes (no LIMIT/OFFSET/DISTINCT ON)."""

from __future__ import annotations

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext
from dbarchitect.core.rules.query._facts import redundant_orders, static

NAME = "remove-subquery-order-by"
IMPLEMENTS = "order-by-in-subquery"  # the query rule whose finding this rewrite fixes


def remove_subquery_order_by(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for select in redundant_orders(ctx.tree):
        order = select.args["order"]
        sql = ctx.edit([select], lambda twin, select=select: twin(select).set("order", None))
        out.append(Rewrite(
            name=NAME, code="QR027", title="Remove ORDER BY from a subquery", safety="proven",
            condition="No LIMIT/OFFSET/DISTINCT ON in the subquery; the outer query tests membership, sorts itself, "
                      "or aggregates without depending on input order.",
            before=order.sql(ctx.dialect), after="", sql=sql,
            evidence=[static("SQL gives a subquery's row order no meaning unless LIMIT/OFFSET/DISTINCT ON consume it.")],
        ))
    return out
