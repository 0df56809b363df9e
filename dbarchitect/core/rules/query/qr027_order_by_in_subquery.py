"""
## What it does
Flags ORDER BY inside an `IN`/`EXISTS` subquery, a derived table or a CTE when nothing consumes
the order: no LIMIT/OFFSET/FETCH, no DISTINCT ON, no order-sensitive aggregate above it.

## Why is this bad?
SQL does not promise that a subquery's order survives into the outer query; where the outer query
sorts, filters by membership or re-aggregates, the sort is pure cost.

## Example
```sql
SELECT * FROM users WHERE id IN (SELECT user_id FROM posts ORDER BY created_at);
```

## Use instead
```sql
SELECT * FROM users WHERE id IN (SELECT user_id FROM posts);
```
Keep it with LIMIT/OFFSET/DISTINCT ON, and where an outer `array_agg`/`string_agg`/`json_agg`
without its own ORDER BY relies on the input order.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import redundant_orders
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="order-by-in-subquery",
    code="QR027",
    family="query",
    severity=Severity.info,
    summary="ORDER BY in a subquery whose order nothing uses.",
)

def check(ctx: QueryContext) -> list[Finding]:
    return [
        ctx.finding(
            RULE,
            f"`ORDER BY {', '.join(ctx.sql(o) for o in select.args['order'].expressions)}` inside a subquery is "
            "sorted and then ignored: the outer query does not consume that order.",
            fix="Remove the ORDER BY from the subquery.",
            evidence=[static("No LIMIT/OFFSET/DISTINCT ON in the subquery; the outer query sorts, tests membership, "
                             "or aggregates order-insensitively.")],
        )
        for select in redundant_orders(ctx.statement)
    ]
