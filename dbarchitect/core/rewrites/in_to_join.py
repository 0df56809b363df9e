"""IN (subquery) -> JOIN when the subquery column is a unique key, else -> EXISTS.

In a WHERE conjunct, `x IN (SELECT k FROM t WHERE p)` keeps the rows with at least one match.
A JOIN on `t.k = x` keeps the same rows and multiplies none when `k` is unique in `t` (a catalog
fact); NULL keys never match either way. Without uniqueness, EXISTS is the identity (PostgreSQL
plans IN and EXISTS alike as a semi-join; other engines may not).
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, qualified, qualify_all, resolvable
from dbarchitect.core.rules.query._facts import conjuncts, ident_name, static, unique_in_subquery, where_of

NAME = "in-subquery-to-join"
IMPLEMENTS = "in-subquery"  # the query rule whose finding this rewrite fixes


def _sites(ctx: RewriteContext):
    for select in ctx.tree.find_all(exp.Select):
        for term in conjuncts(where_of(select)):
            if isinstance(term, exp.In) and term.args.get("query") and isinstance(term.this, exp.Column):
                yield select, term


def in_to_join(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for outer, in_ in _sites(ctx):
        query = in_.args["query"]
        sub = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(sub, exp.Select) or len(sub.expressions) != 1 or not isinstance(sub.expressions[0], exp.Column):
            continue
        if any(sub.args.get(k) for k in ("group", "having", "limit", "offset", "joins", "with", "distinct")):
            continue
        from_ = sub.args.get("from_")
        outer_from = outer.args.get("from_")
        if from_ is None or not isinstance(from_.this, exp.Table) or outer_from is None or sub.find(exp.AggFunc, exp.Window):
            continue
        x = qualified(ctx, in_.this)
        k = qualified(ctx, sub.expressions[0])
        scope = ctx.facts.scope_of(outer)
        inner_alias = ident_name(from_.this.alias_or_name)
        if x is None or k is None or scope is None or inner_alias in scope.sources:
            continue
        found = unique_in_subquery(ctx.facts, in_)
        if found is not None and resolvable(ctx, [outer]):
            proof = found[2]

            def mutate(twin, outer=outer, in_=in_, sub=sub, x=x, k=k, from_=from_):
                qualify_all(ctx, [outer], twin)
                new_outer = twin(outer)
                stars = [e for e in new_outer.expressions if isinstance(e, exp.Star)]
                for star in stars:
                    star.replace(exp.Column(this=exp.Star(), table=exp.to_identifier(_outer_alias(outer))))
                on = and_all([where_of(twin(sub)).copy() if where_of(sub) is not None else None,
                              exp.EQ(this=k.copy(), expression=x.copy())])
                _drop_term(twin(in_))
                new_outer.join(twin(from_).this.copy(), on=on, copy=False)

            sql = ctx.edit([outer], mutate)
            out.append(Rewrite(
                name=NAME, code="QR002", title="IN (subquery) on a unique key to JOIN", safety="proven",
                condition=f"{k.sql(ctx.dialect)} is unique, so the join adds no duplicate rows.",
                before=in_.sql(ctx.dialect), after=f"JOIN {from_.this.sql(ctx.dialect)} ON {k.sql(ctx.dialect)} = {x.sql(ctx.dialect)}",
                sql=sql, evidence=[proof],
            ))
            continue

        def mutate_exists(twin, in_=in_, sub=sub, x=x, k=k):
            new_sub = twin(sub).copy()
            new_sub.set("expressions", [exp.Literal.number(1)])
            new_sub.set("order", None)
            new_sub.set("where", None)
            new_sub.where(and_all([where_of(twin(sub)).copy() if where_of(sub) is not None else None,
                                   exp.EQ(this=k.copy(), expression=x.copy())]), copy=False)
            twin(in_).replace(exp.Exists(this=new_sub))

        sql = ctx.edit([in_], mutate_exists)
        out.append(Rewrite(
            name="in-subquery-to-exists", code="QR002", title="IN (subquery) to EXISTS", safety="proven",
            condition="The IN is a WHERE conjunct, where FALSE and NULL both reject the row.",
            before=in_.sql(ctx.dialect), after=f"EXISTS (SELECT 1 FROM ... WHERE ... {k.sql(ctx.dialect)} = {x.sql(ctx.dialect)})",
            sql=sql,
            evidence=[static("In a WHERE conjunct, x IN (SELECT k ... WHERE p) = EXISTS (SELECT 1 ... WHERE p AND k = x).")],
        ))
    return out


def _outer_alias(select: exp.Select) -> str:
    return select.args["from_"].this.alias_or_name


def _drop_term(term: exp.Expression) -> None:
    """Remove a WHERE conjunct from its AND chain (or the WHERE itself)."""
    parent = term.parent
    while isinstance(parent, exp.Paren):
        term, parent = parent, parent.parent
    if isinstance(parent, exp.Where):
        parent.pop()
    elif isinstance(parent, exp.And):
        other = parent.expression if parent.this is term else parent.this
        parent.replace(other)
