"""
## What it does
Flags `UNION` (which removes duplicates) where `UNION ALL` may be what is meant.

## Why is this bad?
`UNION` sorts or hashes the combined result of every branch to remove duplicates. When the
branches cannot overlap (different tables, disjoint filters on a key) or duplicates are harmless,
that work is wasted, and on large results it spills to disk.

## Example
```sql
SELECT id FROM posts WHERE status = 'draft'
UNION
SELECT id FROM posts WHERE status = 'archived';
```

## Use instead
```sql
SELECT id FROM posts WHERE status = 'draft'
UNION ALL
SELECT id FROM posts WHERE status = 'archived';
```
Only when the branches are disjoint and each is duplicate-free, or duplicates are acceptable.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="union-distinct",
    code="QR010",
    family="query",
    severity=Severity.info,
    summary="UNION deduplicates the combined result; UNION ALL does not.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for union in ctx.statement.find_all(exp.Union):
        if union.args.get("distinct") is False:
            continue
        out.append(
            ctx.finding(
                RULE,
                "UNION sorts or hashes the combined rows of all branches to remove duplicates.",
                fix="Use UNION ALL if the branches cannot return the same row, or if duplicates are acceptable.",
                evidence=[static("UNION = UNION ALL followed by DISTINCT over every column.")],
            )
        )
    return out
