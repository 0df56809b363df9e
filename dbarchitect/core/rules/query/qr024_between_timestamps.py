"""
## What it does
Flags `ts BETWEEN 'YYYY-MM-DD' AND 'YYYY-MM-DD'` (and upper bounds like `'... 23:59:59'`) on a
timestamp column.

## Why is this bad?
BETWEEN includes both ends. The upper date means midnight at the start of that day, so
`BETWEEN '2024-01-01' AND '2024-01-31'` misses almost all of January 31st; `23:59:59` misses its
last second's fractions; and consecutive ranges both contain the shared midnight.

## Example
```sql
SELECT * FROM posts WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31';
```

## Use instead
```sql
SELECT * FROM posts WHERE created_at >= '2024-01-01' AND created_at < '2024-02-01';
```
This changes the result (it returns January 31st); that is the intended fix.

## References
PostgreSQL wiki, "Don't Do This: Don't use BETWEEN (especially with timestamps)".
"""

from __future__ import annotations

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import DATE_ONLY, strip_parens, timestamp_betweens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="between-timestamps",
    code="QR024",
    family="query",
    severity=Severity.warning,
    summary="BETWEEN with date bounds on a timestamp misses most of the last day.",
)

def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node, col, type_ in timestamp_betweens(ctx.statement, ctx.facts):
        high = strip_parens(node.args["high"]).this
        evidence: list[Evidence] = [static("BETWEEN is inclusive at both ends; a date bound means midnight.")]
        if type_ is not None:
            ref = ctx.facts.resolve(col)
            evidence.insert(0, Evidence(kind="catalog", detail=f"{ref.label} is {ref.column.type}.",
                                        data={"column": ref.label, "type": ref.column.type}))
        missed = "almost the whole last day" if DATE_ONLY.match(high) else "the fractions of the last second"
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(node)}` on a timestamp includes the upper bound {high!r} exactly and misses {missed}"
            + ("" if type_ else " (if the column is a timestamp)") + ".",
            fix=f"Use a half-open range: {col.sql()} >= <start> AND {col.sql()} < <day after the last day>.",
            evidence=evidence,
            severity=None if type_ else Severity.advice,
        ))
    return out
