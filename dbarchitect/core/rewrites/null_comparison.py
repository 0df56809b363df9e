"""`x = NULL` -> `x IS NULL`, `x <> NULL` -> `x IS NOT NULL`: advisory, it changes the result on purpose."""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext
from dbarchitect.core.rules.query._facts import null_comparisons, static

NAME = "null-comparison-to-is-null"
IMPLEMENTS = "comparison-with-null"  # the query rule whose finding this rewrite fixes


def null_comparison(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node in null_comparisons(ctx.tree):
        other = node.this if isinstance(node.expression, exp.Null) else node.expression
        negate = isinstance(node, exp.NEQ)

        def mutate(twin, node=node, other=other, negate=negate):
            twin(node).replace(exp.Is(this=twin(other).copy(), expression=exp.Null(), negate=negate or None))

        sql = ctx.edit([node], mutate)
        after = f"{other.sql(ctx.dialect)} IS {'NOT ' if negate else ''}NULL"
        out.append(Rewrite(
            name=NAME, code="QR021", title=f"{node.sql(ctx.dialect)} to {after}", safety="advisory",
            condition="None: this is a bug fix, not an equivalence.",
            changes=f"The original condition is never TRUE; `{after}` matches the rows it was presumably meant to.",
            before=node.sql(ctx.dialect), after=after, sql=sql,
            evidence=[static("A comparison with NULL yields NULL for every row.")],
        ))
    return out
