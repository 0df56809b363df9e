"""
## What it does
Flags `a = 1 OR a = 2 OR ...`: several equality tests of the same column joined by OR.

## Why is this bad?
It is longer than it needs to be, and before PostgreSQL 18 each branch becomes its own index scan
combined by a BitmapOr, where `a = ANY('{1,2}')` is one index scan.

## Example
```sql
SELECT * FROM posts WHERE status = 'draft' OR status = 'archived';
```

## Use instead
```sql
SELECT * FROM posts WHERE status IN ('draft', 'archived');
```
Always equivalent, NULLs included: `a IN (1, 2)` is defined as `a = 1 OR a = 2`.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import equality_groups, top_or_chains
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="or-on-same-column",
    code="QR011",
    family="query",
    severity=Severity.info,
    summary="Several `col = value` tests of one column joined by OR.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in top_or_chains(ctx.statement):
        for col, terms in equality_groups(node).items():
            out.append(
                ctx.finding(
                    RULE,
                    f"{len(terms)} equality tests of {col} joined by OR.",
                    fix=f"Write {col} IN (...) with all the values.",
                    evidence=[static("a = x OR a = y is by definition a IN (x, y), under three-valued logic too.")],
                )
            )
    return out
