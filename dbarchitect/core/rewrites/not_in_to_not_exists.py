"""NOT IN (subquery) -> NOT EXISTS: proven only when both sides are provably NOT NULL.

`x NOT IN (SELECT y FROM t WHERE p)` and `NOT EXISTS (SELECT 1 FROM t WHERE p AND t.y = x)` agree
exactly when neither x nor y can be NULL. Otherwise they differ (NOT IN returns nothing once y has a
NULL; a NULL x is never returned) and the rewrite is offered as advisory: usually the bug fix.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, qualified
from dbarchitect.core.rules.query._facts import ident_name, not_in_subqueries, null_proofs, where_of

NAME = "not-in-to-not-exists"
IMPLEMENTS = "not-in-subquery"  # the query rule whose finding this rewrite fixes
SIMPLE_BLOCKERS = ("group", "having", "limit", "offset", "joins", "with", "qualify")


def not_in_to_not_exists(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node in not_in_subqueries(ctx.tree):
        in_ = node.this
        query = in_.args["query"]
        select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(select, exp.Select) or any(select.args.get(k) for k in SIMPLE_BLOCKERS):
            continue
        if select.find(exp.AggFunc, exp.Window) or not isinstance(in_.this, exp.Column):
            continue
        from_ = select.args.get("from_")
        if from_ is None or not isinstance(from_.this, exp.Table):
            continue
        outer = qualified(ctx, in_.this)
        x_proof, y_proof, inner = null_proofs(ctx.facts, node)
        if outer is None or not isinstance(inner, exp.Column):
            continue
        inner_names = {ident_name(from_.this.alias_or_name)}
        if ident_name(outer.args["table"]) in inner_names:
            continue  # the outer qualifier would be captured by the subquery's own table
        inner_col = qualified(ctx, inner) or inner.copy()

        def mutate(twin, select=select, node=node, inner_col=inner_col, outer=outer):
            sub = twin(select).copy()
            sub.set("distinct", None)
            sub.set("order", None)
            sub.set("expressions", [exp.Literal.number(1)])
            sub.set("where", None)
            cond = and_all([where_of(twin(select)).copy() if where_of(select) is not None else None,
                            exp.EQ(this=inner_col.copy(), expression=outer.copy())])
            sub.where(cond, copy=False)
            twin(node).replace(exp.Not(this=exp.Exists(this=sub)))

        sql = ctx.edit([node], mutate)
        after = f"NOT EXISTS (SELECT 1 FROM ... WHERE ... {inner_col.sql(ctx.dialect)} = {outer.sql(ctx.dialect)})"
        condition = f"Both {in_.this.sql(ctx.dialect)} and {inner.sql(ctx.dialect)} are NOT NULL."
        if x_proof is not None and y_proof is not None:
            out.append(Rewrite(
                name=NAME, code="QR001", title="NOT IN (subquery) to NOT EXISTS", safety="proven",
                condition=condition, before=node.sql(ctx.dialect), after=after, sql=sql,
                evidence=[x_proof, y_proof],
            ))
        else:
            missing = [n.sql(ctx.dialect) for n, p in ((in_.this, x_proof), (inner, y_proof)) if p is None]
            out.append(Rewrite(
                name=NAME, code="QR001", title="NOT IN (subquery) to NOT EXISTS", safety="advisory",
                condition=condition,
                changes=(f"Not proven NOT NULL: {', '.join(missing)}. If the subquery yields a NULL, the original "
                         "returns no rows while NOT EXISTS returns every row without a match; rows whose "
                         f"{in_.this.sql(ctx.dialect)} is NULL are returned by NOT EXISTS, never by NOT IN."),
                before=node.sql(ctx.dialect), after=after, sql=sql,
                evidence=[p for p in (x_proof, y_proof) if p is not None],
            ))
    return out
