"""
## What it does
Flags HAVING conditions that reference only grouping columns and no aggregate.

## Why is this bad?
HAVING filters after grouping: every row is read and aggregated first, and the groups are thrown
away afterwards. The same condition in WHERE filters rows before grouping and can use an index.

## Example
```sql
SELECT user_id, count(*) FROM posts GROUP BY user_id HAVING user_id > 100;
```

## Use instead
```sql
SELECT user_id, count(*) FROM posts WHERE user_id > 100 GROUP BY user_id;
```
Not with GROUPING SETS/ROLLUP/CUBE (grouping columns are NULL in super-aggregate rows), and not
for conditions with volatile functions (evaluated once per group instead of once per row).
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import movable_terms
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="having-on-group-key",
    code="QR022",
    family="query",
    severity=Severity.advice,
    summary="A HAVING condition on grouping columns belongs in WHERE.",
)

def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        for term in movable_terms(select):
            out.append(ctx.finding(
                RULE,
                f"`HAVING {ctx.sql(term)}` reads only grouping columns: every row is aggregated before the groups are discarded.",
                fix=f"Move `{ctx.sql(term)}` to WHERE.",
                evidence=[static("The condition reads only GROUP BY columns and no aggregate, so it is the same for every row of a group.")],
            ))
    return out
