"""
## What it does
Flags `DROP INDEX` without `CONCURRENTLY` for an index that existed before the migration.

## Why is this bad?
A plain DROP INDEX takes ACCESS EXCLUSIVE on the index's table: the drop itself is quick, but the
lock request queues behind any running query on the table and every later query queues behind it.
`DROP INDEX CONCURRENTLY` waits for running transactions without blocking anyone. It cannot drop
an index that backs a constraint (drop the constraint instead) and must run outside a transaction.

## Example
```sql
DROP INDEX orders_status_idx;
```

## Use instead
```sql
DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="drop-index-non-concurrently",
    code="MG014",
    family="migration",
    severity=Severity.warning,
    summary="DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.",
)
OPS = {OpKind.DROP_INDEX}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.DROP_INDEX):
        if op.concurrent or not mig.preexisting(op.name, stmt):
            continue
        facts = mig.facts(op.table)
        idx = next((i for i in facts.indexes if i.name == op.name), None) if facts else None
        table = describe(mig, op.table) if op.table else "its table"
        if idx is not None and idx.constraint:
            fix = f"ALTER TABLE {short(op.table, mig.ctx)} DROP CONSTRAINT {idx.constraint};  -- the index backs it"
        else:
            fix = f"DROP INDEX CONCURRENTLY IF EXISTS {short(op.name, mig.ctx)};  -- outside a transaction block"
        yield finding(
            RULE, stmt, mig, obj=op.table or op.name, why="DROP INDEX takes ACCESS EXCLUSIVE on the table",
            message=f"DROP INDEX {short(op.name, mig.ctx)} takes ACCESS EXCLUSIVE on {table}: it queues behind running "
            "queries and every later read and write queues behind it.",
            fix=fix,
        )
