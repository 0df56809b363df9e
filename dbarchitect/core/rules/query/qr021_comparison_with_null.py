"""
## What it does
Flags `col = NULL`, `col <> NULL`, `col != NULL` and `CASE col WHEN NULL ...`.

## Why is this bad?
A comparison with NULL is never TRUE, it is NULL: `WHERE col = NULL` returns no rows at all and
`CASE col WHEN NULL` never takes that branch. It is always a bug.

## Example
```sql
SELECT * FROM users WHERE deleted_at = NULL;
```

## Use instead
```sql
SELECT * FROM users WHERE deleted_at IS NULL;
```
The fix changes the result (that is the point): it returns the rows the author meant.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import null_comparisons
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="comparison-with-null",
    code="QR021",
    family="query",
    severity=Severity.error,
    summary="`= NULL` / `<> NULL` is never true.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in null_comparisons(ctx.statement):
        other = node.this if isinstance(node.expression, exp.Null) else node.expression
        fixed = f"{ctx.sql(other)} IS {'NOT ' if isinstance(node, exp.NEQ) else ''}NULL"
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(node)}` is NULL for every row, never TRUE: the condition matches nothing.",
            fix=f"Write {fixed}.",
            evidence=[static("Any comparison with NULL yields NULL under three-valued logic.")],
        ))
    for case in ctx.statement.find_all(exp.Case):
        if case.this is None:
            continue
        if any(isinstance(w.this, exp.Null) for w in case.args.get("ifs") or []):
            out.append(ctx.finding(
                RULE,
                f"`CASE {ctx.sql(case.this)} WHEN NULL` never matches: the simple CASE compares with =.",
                fix=f"Use a searched CASE: CASE WHEN {ctx.sql(case.this)} IS NULL THEN ...",
                evidence=[static("A simple CASE tests operand = value, which is NULL for a NULL value.")],
            ))
    return out
