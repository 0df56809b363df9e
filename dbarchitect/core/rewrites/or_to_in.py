"""`a = 1 OR a = 2` -> `a IN (1, 2)`: an identity of SQL, NULLs included."""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.rewrites._base import Rewrite, RewriteContext
from dbarchitect.core.rules.query._facts import disjuncts, equality_groups, static, strip_parens, top_or_chains

NAME = "or-to-in"
IMPLEMENTS = "or-on-same-column"  # the query rule whose finding this rewrite fixes


def _values(term: exp.Expression) -> list[exp.Expression]:
    if isinstance(term, exp.In):
        return list(term.expressions)
    left = strip_parens(term.this)
    return [term.expression if isinstance(left, exp.Column) else term.this]


def _same_kind(values: list[exp.Expression]) -> bool:
    kinds = set()
    for v in values:
        v = strip_parens(v)
        kinds.add("string" if isinstance(v, exp.Literal) and v.is_string else
                  "number" if isinstance(v, exp.Literal) else "param" if isinstance(v, (exp.Placeholder, exp.Parameter)) else "other")
    return len(kinds - {"param"}) <= 1 and "other" not in kinds


def or_to_in(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for chain in top_or_chains(ctx.tree):
        groups = {c: t for c, t in equality_groups(chain).items() if _same_kind([v for x in t for v in _values(x)])}
        if not groups:
            continue
        terms = disjuncts(chain)

        def mutate(twin, chain=chain, terms=terms, groups=groups):
            firsts = {id(ts[0]): ts for ts in groups.values()}
            dropped = {id(t) for ts in groups.values() for t in ts[1:]}
            new_terms = []
            for term in terms:
                if id(term) in dropped:
                    continue
                if id(term) in firsts:
                    ts = firsts[id(term)]
                    col = term.this if isinstance(term, exp.In) or isinstance(strip_parens(term.this), exp.Column) else term.expression
                    values = [twin(v).copy() for t in ts for v in _values(t)]
                    new_terms.append(exp.In(this=twin(col).copy(), expressions=values))
                else:
                    new_terms.append(twin(term).copy())
            new = new_terms[0]
            for t in new_terms[1:]:
                new = exp.Or(this=new, expression=t)
            target = twin(chain)
            if len(new_terms) > 1 and not isinstance(target.parent, (exp.Where, exp.Paren, exp.Or)) and target.parent is not None:
                new = exp.Paren(this=new)
            target.replace(new)

        sql = ctx.edit([chain], mutate)
        cols = ", ".join(groups)
        out.append(Rewrite(
            name=NAME, code="QR011", title=f"OR of equalities on {cols} to IN", safety="proven",
            condition="Every merged term is `column = constant` on the same column.",
            before=chain.sql(ctx.dialect), after=f"{cols} IN (...)", sql=sql,
            evidence=[static("a = x OR a = y is defined as a IN (x, y), under three-valued logic too.")],
        ))
    return out
