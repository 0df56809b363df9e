"""
## What it does
Flags comparisons that do arithmetic on a column against a constant: `c + 1 > 5`, `price * 2 = 10`.

## Why is this bad?
Like a function, arithmetic on the column hides it from its index and from its statistics. Moving
the constant to the other side keeps the column bare.

## Example
```sql
SELECT * FROM orders WHERE quantity + 1 > 5;
```

## Use instead
```sql
SELECT * FROM orders WHERE quantity > 4;
```
Exact only for integer and numeric columns (floating point rounds), which the catalog must show.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import COMPARISONS, column_and_operand, nodes_in_predicates, oriented
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="arithmetic-on-column",
    code="QR014",
    family="query",
    severity=Severity.advice,
    summary="Arithmetic on a column in a comparison keeps its index from being used.",
)

def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for cmp in nodes_in_predicates(ctx.statement, *COMPARISONS):
        o = oriented(cmp)
        if o is None or column_and_operand(o[1]) is None:
            continue
        col = column_and_operand(o[1])[0]
        ref = ctx.facts.resolve(col)
        evidence = []
        if ref is not None and ref.table is not None:
            if ctx.negligible(ref.table):
                continue
            evidence += ctx.size_evidence(ref.table)
        evidence.append(static(f"The index on {col.sql()} orders the column, not `{ctx.sql(o[1])}`."))
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(cmp)}` computes on {col.sql()} for every row instead of comparing the column itself.",
            fix="Move the constant to the other side of the comparison (rewrite_query does it for integer and numeric columns).",
            evidence=evidence,
        ))
    return out
