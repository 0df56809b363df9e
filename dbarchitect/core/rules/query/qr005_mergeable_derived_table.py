"""
## What it does
Flags a derived table `FROM (SELECT ... FROM t WHERE p) s` that only filters and projects.

## Why is this bad?
It adds a level of nesting and an alias to read through and nothing else: PostgreSQL flattens it
into the outer query anyway. Other engines (MySQL before 5.7) materialize it into a temporary table.

## Example
```sql
SELECT s.id FROM (SELECT id, status FROM posts WHERE status = 'draft') s WHERE s.id > 10;
```

## Use instead
```sql
SELECT id FROM posts WHERE status = 'draft' AND id > 10;
```
Keep the derived table when it has GROUP BY, DISTINCT, LIMIT/OFFSET, window functions or set
operations: then it is not a plain filter.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="mergeable-derived-table",
    code="QR005",
    family="query",
    severity=Severity.info,
    summary="A derived table that only filters and projects can be merged into the outer query.",
)

BLOCKERS = ("group", "having", "distinct", "limit", "offset", "order", "joins", "with", "qualify")


def mergeable(select: exp.Select) -> bool:
    if any(select.args.get(k) for k in BLOCKERS):
        return False
    from_ = select.args.get("from_")
    if from_ is None or not isinstance(from_.this, exp.Table):
        return False
    return not any(select.find_all(exp.AggFunc, exp.Window, exp.Subquery, exp.Unnest, exp.Anonymous))


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for sub in ctx.statement.find_all(exp.Subquery):
        if not isinstance(sub.parent, (exp.From, exp.Join)) or sub.args.get("lateral"):
            continue
        if isinstance(sub.this, exp.Select) and mergeable(sub.this):
            out.append(
                ctx.finding(
                    RULE,
                    f"The derived table {sub.alias or '(unnamed)'} only filters and projects one table; it adds "
                    "nesting without changing the result.",
                    fix="Select from the table directly and move its WHERE into the outer query.",
                    evidence=[static("No GROUP BY, DISTINCT, LIMIT, window, aggregate or join inside the derived table.")],
                )
            )
    return out
