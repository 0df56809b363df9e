"""
## What it does
Flags `CREATE TRIGGER` (and `CREATE OR REPLACE TRIGGER`) on a table that existed before the migration.

## Why is this bad?
Creating a trigger takes SHARE ROW EXCLUSIVE on the table: the statement is quick, but while it
waits for running transactions every INSERT, UPDATE and DELETE queues behind it. The trigger
function then runs on every write, so its cost lands on the write path.

## Example
```sql
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
```

## Use instead
```sql
SET lock_timeout = '3s';
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit();
```
Run it in a low-traffic window and retry on lock timeout.
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="create-trigger-on-existing-table",
    code="MG030",
    family="migration",
    severity=Severity.warning,
    summary="CREATE TRIGGER takes SHARE ROW EXCLUSIVE: writes queue behind it.",
)
OPS = {OpKind.CREATE_TRIGGER}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.CREATE_TRIGGER):
        if not mig.preexisting(op.table, stmt) or stmt.lock_timeout:
            continue  # with lock_timeout the wait for SHARE ROW EXCLUSIVE is bounded; the DDL itself is instant
        yield finding(
            RULE, stmt, mig, obj=op.table, why="CREATE TRIGGER takes SHARE ROW EXCLUSIVE on the table",
            message=f"CREATE TRIGGER {op.name} takes SHARE ROW EXCLUSIVE on {describe(mig, op.table)}: writes wait "
            "while it queues behind running transactions, and the trigger then runs on every write.",
            fix=None if stmt.lock_timeout else f"{LOCK_TIMEOUT_SQL}\n{stmt.sql};",
        )
