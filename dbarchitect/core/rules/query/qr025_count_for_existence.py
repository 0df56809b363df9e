"""
## What it does
Flags `(SELECT count(*) FROM ...) > 0` and its variants (`>= 1`, `<> 0`, `= 0`, `< 1`).

## Why is this bad?
To answer "is there at least one?" it counts every matching row. `EXISTS` stops at the first.

## Example
```sql
SELECT * FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 0;
```

## Use instead
```sql
SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id);
```
Equivalent wherever the comparison stands: count is never NULL, and EXISTS is never NULL.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import FLIPPED, existence_test
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="count-for-existence",
    code="QR025",
    family="query",
    severity=Severity.advice,
    summary="Counting every match to test whether one exists.",
)



def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in ctx.statement.find_all(*FLIPPED):
        found = existence_test(node)
        if found is None:
            continue
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(node)[:120]}` counts every matching row to decide whether there is one.",
            fix=("Use EXISTS (SELECT 1 ...)" if found[2] else "Use NOT EXISTS (SELECT 1 ...)") + "; rewrite_query writes it.",
            evidence=[static("count(...) is never NULL, so `count > 0` and EXISTS agree on every row.")],
        ))
    return out
