"""
## What it does
Flags `ORDER BY random()` (MySQL `RAND()`) over a table that is not small.

## Why is this bad?
To pick a few random rows it reads every row, draws a random number for each and sorts them all.

## Example
```sql
SELECT * FROM posts ORDER BY random() LIMIT 5;
```

## Use instead
```sql
SELECT * FROM posts TABLESAMPLE SYSTEM (1) LIMIT 5;      -- block sample, fast, clustered
SELECT * FROM posts TABLESAMPLE BERNOULLI (1) LIMIT 5;   -- row sample, reads every page
```
or pick random keys in the id range and fetch them by index. The sampling distribution differs.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="order-by-random",
    code="QR019",
    family="query",
    severity=Severity.advice,
    summary="ORDER BY random() reads and sorts the whole table to pick a few rows.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        order = select.args.get("order")
        if order is None or not any(
            isinstance(o.this, exp.Rand) or (isinstance(o.this, exp.Anonymous) and o.this.name.lower() in ("random", "rand"))
            for o in order.expressions
        ):
            continue
        scope = ctx.facts.scope_of(select)
        tables = [ctx.facts.table(s) for s in scope.sources.values() if isinstance(s, exp.Table)] if scope else []
        if tables and all(t is not None and ctx.negligible(t) for t in tables):
            continue
        evidence = [static("ORDER BY random() draws a number per row and sorts every row.")]
        evidence += [e for t in tables if t is not None for e in ctx.size_evidence(t)]
        out.append(ctx.finding(
            RULE,
            "ORDER BY random() reads and sorts every row to return a few.",
            fix="Use TABLESAMPLE SYSTEM/BERNOULLI (a different sampling distribution), or probe random keys by index.",
            evidence=evidence,
        ))
    return out
