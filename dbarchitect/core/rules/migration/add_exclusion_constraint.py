"""
## What it does
Flags `ADD CONSTRAINT ... EXCLUDE` on an existing table.

## Why is this bad?
The exclusion constraint builds its index and checks every pair of rows while holding ACCESS
EXCLUSIVE. Unlike CHECK and FOREIGN KEY there is no `NOT VALID`, and unlike UNIQUE there is no
`USING INDEX` to adopt a concurrently built index, so there is no online way to add it to a
large, busy table.

## Example
```sql
ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
```

## Use instead
Add it when the table is created, or build a new table with the constraint, copy the rows in
batches and swap the tables in a short transaction. At the least, run it in a quiet window with
`SET lock_timeout`.
```sql
CREATE TABLE bookings_new (LIKE bookings INCLUDING ALL,
    CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&));
-- copy the rows in batches, then swap the names in one short transaction
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-exclusion-constraint",
    code="MG018",
    family="migration",
    severity=Severity.warning,
    summary="ADD EXCLUDE builds and checks under ACCESS EXCLUSIVE, with no online alternative.",
)
OPS = {OpKind.ADD_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT):
        if op.detail.contype != "exclude" or not mig.preexisting(op.table, stmt):
            continue
        yield finding(
            RULE, stmt, mig, obj=op.table, why="exclusion constraints have neither NOT VALID nor USING INDEX",
            message=f"ADD EXCLUDE builds its index and checks every row of {describe(mig, op.table)} under ACCESS "
            "EXCLUSIVE: reads and writes wait for the whole build, and PostgreSQL offers no NOT VALID or USING "
            "INDEX to avoid it.",
            fix=f"-- no online form exists: new table with the constraint + batched copy + swap, or a quiet window:\n"
            f"{LOCK_TIMEOUT_SQL}\n{stmt.sql};",
        )
