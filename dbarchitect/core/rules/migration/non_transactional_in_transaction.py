"""
## What it does
Flags statements PostgreSQL refuses inside a transaction block when they run in one:
`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY`,
`DETACH PARTITION ... CONCURRENTLY`, `VACUUM`, `CREATE/DROP DATABASE`, `ALTER SYSTEM`. The
transaction is an explicit `BEGIN` in the file or the runner's (`assume_in_transaction`). A
multi-statement string sent in one simple query is also an implicit transaction.

## Why is this bad?
The statement fails with "cannot run inside a transaction block", and the rest of the migration
with it.

## Example
```sql
BEGIN;
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
COMMIT;
```

## Use instead
Run the statement in its own migration with the runner's transaction turned off
(`disable_ddl_transaction!`, `-- atlas:txmode none`, `atomic = False`, ...):
```sql
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
```
"""

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="non-transactional-in-transaction",
    code="MG013",
    family="migration",
    severity=Severity.error,
    summary="CONCURRENTLY, VACUUM and similar statements fail inside a transaction block.",
)


def check(stmt, mig):
    if stmt.prediction.transactional or not stmt.in_transaction:
        return
    where = "inside BEGIN ... COMMIT" if stmt.explicit_tx else "inside the migration runner's transaction"
    first = stmt.sql.split()[0:3]
    yield finding(
        RULE, stmt, mig, obj=next((o.table for o in stmt.ops if o.table), None),
        why="PostgreSQL rejects this statement in a transaction block",
        message=f"{' '.join(first)} ... runs {where}: PostgreSQL rejects it with \"cannot run inside a transaction "
        "block\" and the migration stops there.",
        fix="-- move it to its own migration file with the runner's transaction disabled, e.g.\n"
        "-- Rails: disable_ddl_transaction!  Django: atomic = False  Atlas: -- atlas:txmode none\n"
        f"{stmt.sql};",
    )
