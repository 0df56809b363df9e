"""`(SELECT count(*) ...) > 0` -> `EXISTS (SELECT 1 ...)`; `= 0` -> `NOT EXISTS`.

count is never NULL and EXISTS is never NULL, so both forms agree wherever they stand. For
count(col), only rows with a non-NULL col count, so `col IS NOT NULL` joins the subquery's WHERE.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, grouped
from dbarchitect.core.rules.query._facts import FLIPPED, existence_test, static, where_of

NAME = "count-to-exists"
IMPLEMENTS = "count-for-existence"  # the query rule whose finding this rewrite fixes


def count_to_exists(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node in list(ctx.tree.find_all(*FLIPPED)):
        found = existence_test(node)
        if found is None:
            continue
        select, count, exists = found
        counted = count.this
        extra = None
        if counted is not None and not isinstance(counted, exp.Star) and not (isinstance(counted, exp.Literal) and not counted.is_string):
            extra = exp.Is(this=counted.copy(), expression=exp.Null(), negate=True)

        def mutate(twin, node=node, select=select, extra=extra, exists=exists):
            sub = twin(select).copy()
            sub.set("expressions", [exp.Literal.number(1)])
            where = where_of(sub)
            sub.set("where", None)
            cond = and_all([where.copy() if where is not None else None, extra])
            if cond is not None:
                sub.where(cond, copy=False)
            new = exp.Exists(this=sub)
            target = twin(node)
            target.replace(grouped(new if exists else exp.Not(this=new), target.parent))

        sql = ctx.edit([node], mutate)
        out.append(Rewrite(
            name=NAME, code="QR025", title=("count > 0 to EXISTS" if exists else "count = 0 to NOT EXISTS"),
            safety="proven", condition="The subquery has no GROUP BY, HAVING, LIMIT or DISTINCT.",
            before=node.sql(ctx.dialect), after=("EXISTS" if exists else "NOT EXISTS") + " (SELECT 1 ...)", sql=sql,
            evidence=[static("count(...) is never NULL: count > 0 is TRUE exactly when a counted row exists.")],
        ))
    return out
