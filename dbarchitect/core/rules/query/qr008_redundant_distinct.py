"""
## What it does
Flags `SELECT DISTINCT` whose select list already contains a unique, NOT NULL key of every table
in the FROM clause.

## Why is this bad?
Such rows are distinct by construction, so DISTINCT only adds a sort or hash over the whole result
(and often hides the real intent of the query).

## Example
```sql
SELECT DISTINCT id, email FROM users;   -- id is the primary key
```

## Use instead
```sql
SELECT id, email FROM users;
```
A UNIQUE constraint alone is not enough: it allows several NULLs, which DISTINCT would fold.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.rules.query._facts import distinct_proof
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="redundant-distinct",
    code="QR008",
    family="query",
    severity=Severity.advice,
    summary="DISTINCT over a select list that already holds a unique NOT NULL key of every table.",
)

def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        proofs = distinct_proof(ctx.facts, select)
        if proofs:
            out.append(
                ctx.finding(
                    RULE,
                    "DISTINCT cannot remove anything here: the select list holds a unique NOT NULL key of "
                    "every table, so it only adds a sort or hash.",
                    fix="Drop DISTINCT.",
                    evidence=proofs,
                )
            )
    return out
