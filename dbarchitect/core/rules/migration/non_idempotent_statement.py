"""
## What it does
Flags, in statements that run outside a transaction block, `CREATE` without `IF NOT EXISTS` and
`DROP` without `IF EXISTS` (tables, indexes, columns, schemas, sequences, extensions), when the
file has more than one statement.

## Why is this bad?
Without a transaction, a failure halfway leaves the earlier statements applied. Re-running the
file then fails on the first object that already exists, or is already gone. This matters most
for `CREATE INDEX CONCURRENTLY`, which must run outside a transaction and can leave an INVALID
index behind.

## Example
```sql
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
ALTER TABLE orders ADD COLUMN note text;
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;
```
"""

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="non-idempotent-statement",
    code="MG041",
    family="migration",
    severity=Severity.advice,
    summary="Outside a transaction, CREATE/DROP without IF [NOT] EXISTS makes a failed migration non-rerunnable.",
)
_CREATES = {OpKind.CREATE_TABLE, OpKind.CREATE_INDEX, OpKind.CREATE_SCHEMA, OpKind.CREATE_SEQUENCE,
            OpKind.CREATE_EXTENSION, OpKind.ADD_COLUMN}
_DROPS = {OpKind.DROP_TABLE, OpKind.DROP_INDEX, OpKind.DROP_COLUMN, OpKind.DROP_SCHEMA, OpKind.DROP_TYPE,
          OpKind.DROP_TRIGGER, OpKind.DROP_OTHER}
OPS = _CREATES | _DROPS


def check(stmt, mig):
    if stmt.in_transaction or len(mig.statements) < 2:
        return
    for op in stmt.ops_of(*OPS):
        if op.kind in _CREATES:
            if op.detail.if_not_exists or (op.kind == OpKind.CREATE_INDEX and not op.name):
                continue
            guard = "IF NOT EXISTS"
        else:
            if op.detail.if_exists or (op.kind == OpKind.DROP_COLUMN and getattr(op.node, "missing_ok", False)):
                continue
            guard = "IF EXISTS"
        yield finding(
            RULE, stmt, mig, obj=op.table or op.name, why="the statement fails when re-run after a partial failure",
            message=f"{stmt.sql.split('(')[0][:60].strip()} runs outside a transaction without {guard}: if the file "
            "fails later, re-running it fails here.",
            fix=f"-- add {guard}",
        )
        return
