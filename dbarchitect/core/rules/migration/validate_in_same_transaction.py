"""
## What it does
Flags `VALIDATE CONSTRAINT` in the same transaction as the `ADD CONSTRAINT ... NOT VALID` it
validates.

## Why is this bad?
`NOT VALID` followed by `VALIDATE` only helps because the strong lock of the ADD is released
before the long scan of the VALIDATE. In one transaction the ADD's lock (ACCESS EXCLUSIVE for a
CHECK, SHARE ROW EXCLUSIVE for a foreign key) is held until COMMIT, so the scan runs under it:
exactly the outage the pattern was meant to avoid. Migration runners that wrap each file in a
transaction cause this silently.

## Example
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_qty_positive;
COMMIT;
```

## Use instead
```sql
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT VALID;
COMMIT;
-- next transaction, or the next migration file:
ALTER TABLE orders VALIDATE CONSTRAINT orders_qty_positive;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="validate-in-same-transaction",
    code="MG011",
    family="migration",
    severity=Severity.error,
    summary="VALIDATE CONSTRAINT in the transaction that added it NOT VALID keeps the strong lock during the scan.",
)
OPS = {OpKind.VALIDATE_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.VALIDATE_CONSTRAINT):
        if not op.detail.same_tx or not mig.preexisting(op.table, stmt):
            continue
        t = sql_rel(op.table, mig.ctx)
        how = "the runner's transaction" if mig.assume_in_transaction and not stmt.explicit_tx else "this transaction"
        yield finding(
            RULE, stmt, mig, obj=op.table, why="locks are held until the end of the transaction",
            message=f"VALIDATE CONSTRAINT {op.name} runs in {how}, which already holds the strong lock taken by "
            f"ADD CONSTRAINT ... NOT VALID: the scan of {describe(mig, op.table)} runs under it and writes "
            "(for a CHECK also reads) wait for the whole validation.",
            fix=f"COMMIT;  -- end the transaction that added the constraint\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {ident(op.name)};  -- in its own transaction or a later migration",
        )
