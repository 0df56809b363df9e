"""
## What it does
Flags `ADD CONSTRAINT ... CHECK (...)` on an existing table without `NOT VALID`.

## Why is this bad?
Adding a validated check reads the whole table while holding ACCESS EXCLUSIVE, so reads and writes
wait for the scan. With `NOT VALID` the constraint is added instantly and enforced for new rows;
`VALIDATE CONSTRAINT`, run later in its own transaction, scans under SHARE UPDATE EXCLUSIVE, which
lets reads and writes continue.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;
-- separate transaction:
ALTER TABLE orders VALIDATE CONSTRAINT orders_qty_positive;
```
"""

from dbarchitect.core.migration.analyze import deparse
from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-check-constraint-validated",
    code="MG009",
    family="migration",
    severity=Severity.error,
    summary="ADD CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT):
        if op.detail.contype != "check" or op.not_valid or not mig.preexisting(op.table, stmt):
            continue
        t = sql_rel(op.table, mig.ctx)
        name = ident(op.name or f"{op.table.split('.')[-1]}_check")
        expr = deparse(op.detail.expr)
        yield finding(
            RULE, stmt, mig, obj=op.table, why="a validated CHECK is verified against every existing row",
            message=f"ADD CHECK ({expr}) scans {describe(mig, op.table)} under ACCESS EXCLUSIVE: reads and writes "
            "wait until every row is checked.",
            fix=f"ALTER TABLE {t} ADD CONSTRAINT {name} CHECK ({expr}) NOT VALID;\n"
            f"-- in a separate transaction (SHARE UPDATE EXCLUSIVE, reads and writes continue):\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {name};",
        )
