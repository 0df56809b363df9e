"""
## What it does
Flags columns declared (or changed to) type `json`.

## Why is this bad?
`json` stores the text as written and has no equality operator: `DISTINCT`, `UNION`, `GROUP BY`
and unique indexes on it fail, and every access re-parses the text. `jsonb` is parsed once,
supports equality, containment and GIN indexes.

## Example
```sql
ALTER TABLE events ADD COLUMN payload json;
```

## Use instead
```sql
ALTER TABLE events ADD COLUMN payload jsonb;
```
"""

from dbarchitect.core.migration.kit import finding, ident, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="json-column",
    code="MG031",
    family="migration",
    severity=Severity.advice,
    summary="A json column has no equality operator; use jsonb.",
)
OPS = {OpKind.ADD_COLUMN, OpKind.TABLE_COLUMN, OpKind.ALTER_TYPE}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN, OpKind.TABLE_COLUMN, OpKind.ALTER_TYPE):
        spec = op.detail.new if op.kind == OpKind.ALTER_TYPE else op.detail.type
        if spec.name != "json":
            continue
        yield finding(
            RULE, stmt, mig, obj=f"{op.table}.{op.column}", why="json has no equality operator",
            message=f"Column {short(op.table, mig.ctx)}.{op.column} is json: DISTINCT, UNION, GROUP BY and unique "
            "indexes on it fail, and every read re-parses the text.",
            fix=f"-- declare it as jsonb instead:\n{ident(op.column)} jsonb{'[]' if spec.array else ''}",
        )
