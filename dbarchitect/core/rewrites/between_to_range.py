"""`ts BETWEEN '2024-01-01' AND '2024-01-31'` -> `ts >= '2024-01-01' AND ts < '2024-02-01'`.

Advisory: it changes the result on purpose. The original includes the upper bound's first instant
only (or stops at 23:59:59.000); the half-open range covers the whole last day.
"""

from __future__ import annotations

import datetime as dt

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, grouped
from dbarchitect.core.rules.query._facts import strip_parens, timestamp_betweens

NAME = "between-to-half-open-range"
IMPLEMENTS = "between-timestamps"  # the query rule whose finding this rewrite fixes


def between_to_range(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node, col, _type in timestamp_betweens(ctx.tree, ctx.facts):
        if isinstance(node.parent, exp.Not) or node.args.get("symmetric"):
            continue
        high = strip_parens(node.args["high"]).this
        day = dt.date.fromisoformat(high[:10]) + dt.timedelta(days=1)
        replacement = and_all([exp.GTE(this=col.copy(), expression=node.args["low"].copy()),
                               exp.LT(this=col.copy(), expression=exp.Literal.string(day.isoformat()))])

        def mutate(twin, node=node, replacement=replacement):
            target = twin(node)
            target.replace(grouped(replacement.copy(), target.parent))

        sql = ctx.edit([node], mutate)
        out.append(Rewrite(
            name=NAME, code="QR024", title="BETWEEN on a timestamp to a half-open range", safety="advisory",
            condition="None: this is a bug fix, not an equivalence.",
            changes=f"Rows from the rest of {high[:10]} (after its first instant, or after 23:59:59.000) are now included.",
            before=node.sql(ctx.dialect), after=replacement.sql(ctx.dialect), sql=sql,
        ))
    return out
