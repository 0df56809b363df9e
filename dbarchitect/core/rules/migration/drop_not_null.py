"""
## What it does
Flags `ALTER COLUMN ... DROP NOT NULL` on a table that existed before the migration.

## Why is this bad?
The statement is instant (brief ACCESS EXCLUSIVE), but readers that rely on the column never
being NULL (application code, reports, constraints in other systems) start receiving NULLs once
new writers use the freedom.

## Example
```sql
ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;
```

## Use instead
Deploy the readers that handle NULL first, then relax the constraint (and say so):
```sql
SET lock_timeout = '3s';
-- every release reading shipped_at handles NULL:
-- dbarchitect:ignore drop-not-null
ALTER TABLE orders ALTER COLUMN shipped_at DROP NOT NULL;
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="drop-not-null",
    code="MG023",
    family="migration",
    severity=Severity.advice,
    summary="DROP NOT NULL lets NULLs reach readers that assume none.",
)
OPS = {OpKind.DROP_NOT_NULL}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.DROP_NOT_NULL):
        if not mig.preexisting(op.table, stmt):
            continue
        yield finding(
            RULE, stmt, mig, obj=f"{op.table}.{op.column}", why="readers may assume the column is never NULL",
            message=f"DROP NOT NULL on {op.column} of {describe(mig, op.table)}: code that assumes the column is never "
            "NULL breaks once writers store NULLs.",
            fix=f"-- release readers that handle NULL first, then:\n{LOCK_TIMEOUT_SQL}\n"
            f"ALTER TABLE {sql_rel(op.table, mig.ctx)} ALTER COLUMN {ident(op.column)} DROP NOT NULL;",
        )
