"""
## What it does
Flags a SELECT CTE that nothing references.

## Why is this bad?
It is dead code that readers must still understand. PostgreSQL never evaluates an unreferenced
SELECT CTE, so deleting it is always safe; a data-modifying CTE (`INSERT/UPDATE/DELETE ... RETURNING`)
runs even when unreferenced, so it is not flagged.

## Example
```sql
WITH stale AS (SELECT id FROM posts WHERE updated_at < now() - interval '1 year')
SELECT count(*) FROM posts;
```

## Use instead
```sql
SELECT count(*) FROM posts;
```
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import ident_name
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unused-cte",
    code="QR006",
    family="query",
    severity=Severity.advice,
    summary="A CTE that nothing references.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for cte in ctx.statement.find_all(exp.CTE):
        if not isinstance(cte.this, (exp.Select, exp.SetOperation)):
            continue
        name = ident_name(cte.alias)
        used = any(
            ident_name(t.this) == name and not t.args.get("db") and t.find_ancestor(exp.CTE) is not cte
            for t in ctx.statement.find_all(exp.Table)
        )
        if not used:
            out.append(
                ctx.finding(
                    RULE,
                    f"CTE {name} is never referenced.",
                    fix=f"Delete the CTE {name}.",
                    evidence=[static(f"No FROM or JOIN refers to {name}; PostgreSQL does not evaluate it.")],
                    obj=name,
                )
            )
    return out
