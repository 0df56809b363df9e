"""
## What it does
Flags `SELECT DISTINCT a.... FROM a JOIN b ...` where the select list reads only `a`: the join is
there to test existence and DISTINCT removes the duplicates it created.

## Why is this bad?
The join first multiplies each `a` row by its matches in `b` (every comment of every post), then
DISTINCT sorts or hashes them all away. A semi-join (`EXISTS`) stops at the first match.

## Example
```sql
SELECT DISTINCT u.id, u.email FROM users u JOIN posts p ON p.user_id = u.id;
```

## Use instead
```sql
SELECT u.id, u.email FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id);
```
Dropping DISTINCT as well is only equivalent when the select list holds a unique NOT NULL key of
`a`; otherwise keep `SELECT DISTINCT ... WHERE EXISTS`, which is always equivalent.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import QueryFacts, ident_name
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="distinct-over-join",
    code="QR009",
    family="query",
    severity=Severity.advice,
    summary="DISTINCT removing the duplicates of a join that only tests existence.",
)


def existence_joins(facts: QueryFacts, select: exp.Select) -> tuple[str, list[exp.Join]] | None:
    """(kept alias, inner joins only used for existence) for SELECT DISTINCT over one table's columns."""
    distinct = select.args.get("distinct")
    joins = select.args.get("joins") or []
    if distinct is None or distinct.args.get("on") or not joins or select.args.get("group"):
        return None
    if any(isinstance(e, exp.Star) for e in select.expressions) or select.find(exp.AggFunc, exp.Window):
        return None
    from_ = select.args.get("from_")
    if from_ is None or not isinstance(from_.this, exp.Table):
        return None
    kept = ident_name(from_.this.alias_or_name)
    for join in joins:
        if (join.side or "") or join.kind not in ("", "INNER") or not join.args.get("on"):
            return None
        if join.args.get("using") or not isinstance(join.this, (exp.Table, exp.Subquery)):
            return None
    outside = list(select.expressions) + [n for k in ("order", "qualify") if (n := select.args.get(k))]
    for node in outside:
        for col in node.find_all(exp.Column):
            if isinstance(col.this, exp.Star):
                if ident_name(col.args.get("table")) != kept:
                    return None
                continue
            ref = facts.resolve(col)
            if ref is None or ref.alias != kept:
                return None
    return kept, joins


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        found = existence_joins(ctx.facts, select)
        if found is None:
            continue
        kept, joins = found
        names = ", ".join(ctx.sql(j.this) for j in joins)
        out.append(
            ctx.finding(
                RULE,
                f"DISTINCT undoes the row multiplication of joining {names}, whose columns are never selected: "
                f"every {kept} row is produced once per match, then deduplicated.",
                fix=f"Test existence instead: SELECT ... FROM {kept} WHERE EXISTS (SELECT 1 FROM {names} WHERE <join condition>).",
                evidence=[static(f"The select list reads only {kept}; the join feeds DISTINCT nothing but duplicates.")],
            )
        )
    return out
