"""
## What it does
Flags `LEFT JOIN r ... WHERE r.col = value`: a WHERE condition that rejects the NULL rows the outer
join adds, turning it into an inner join.

## Why is this bad?
Usually a bug: the author wanted "all left rows, plus r where it matches", but rows without a
match have NULL in `r.col`, fail the WHERE and disappear. If an inner join was meant, say so.

## Example
```sql
SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.status = 'published';
```

## Use instead
Keep every user (condition in ON):
```sql
SELECT u.id, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id AND p.status = 'published';
```
or state the inner join: `JOIN posts p ON p.user_id = u.id WHERE p.status = 'published'`.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import COMPARISONS, conjuncts, ident_name, where_of
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="left-join-filtered-in-where",
    code="QR026",
    family="query",
    severity=Severity.warning,
    summary="A WHERE condition on the right table of a LEFT JOIN turns it into an inner join.",
)

STRICT = COMPARISONS + (exp.In, exp.Like, exp.ILike, exp.Between)


def null_rejecting_terms(select: exp.Select, alias: str) -> list[exp.Expression]:
    """WHERE conjuncts that are NULL/FALSE whenever every column of `alias` is NULL."""
    out = []
    for term in conjuncts(where_of(select)):
        if not isinstance(term, STRICT) or term.find(exp.Coalesce, exp.Case, exp.Subquery, exp.Or, exp.Is):
            continue
        operand = term.this
        cols = list(operand.find_all(exp.Column))
        if isinstance(operand, exp.Column) and ident_name(operand.args.get("table")) == alias:
            out.append(term)
        elif isinstance(term, COMPARISONS) and cols and isinstance(term.expression, exp.Column) and \
                ident_name(term.expression.args.get("table")) == alias:
            out.append(term)
    return out


def outer_joins_filtered(select: exp.Select) -> list[tuple[exp.Join, str, list[exp.Expression]]]:
    out = []
    for join in select.args.get("joins") or []:
        if (join.side or "").upper() != "LEFT":
            continue
        alias = ident_name(join.this.alias_or_name)
        terms = null_rejecting_terms(select, alias)
        if terms:
            out.append((join, alias, terms))
    return out


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        for join, alias, terms in outer_joins_filtered(select):
            cond = " AND ".join(ctx.sql(t) for t in terms)
            out.append(ctx.finding(
                RULE,
                f"`WHERE {cond}` is never TRUE for the NULL rows `LEFT JOIN {ctx.sql(join.this)}` adds, so the "
                "outer join behaves as an inner join: rows without a match disappear.",
                fix=f"Move `{cond}` into the ON clause to keep unmatched rows, or write an inner JOIN if that is what is meant.",
                evidence=[static(f"{cond} is NULL when {alias}'s columns are NULL (null-rejecting).")],
            ))
    return out
