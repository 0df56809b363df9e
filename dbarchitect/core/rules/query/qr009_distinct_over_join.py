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

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import existence_joins
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="distinct-over-join",
    code="QR009",
    family="query",
    severity=Severity.advice,
    summary="DISTINCT removing the duplicates of a join that only tests existence.",
)


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
