"""
## What it does
Flags `CREATE INDEX` without `CONCURRENTLY` on a table that existed before the migration.

## Why is this bad?
A plain index build holds a SHARE lock for its whole duration: reads continue, but every INSERT,
UPDATE and DELETE on the table waits until the build ends, minutes on a large table.
`CREATE INDEX CONCURRENTLY` takes SHARE UPDATE EXCLUSIVE and lets writes go on; it must run outside
a transaction block, and if it fails it leaves an INVALID index to drop before retrying. On a
partitioned table CONCURRENTLY is not allowed: build each partition's index concurrently, then
attach them to an index created `ON ONLY` the parent.

## Example
```sql
CREATE INDEX orders_customer_idx ON orders (customer_id);
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id);
-- on failure: DROP INDEX CONCURRENTLY orders_customer_idx; then retry
```
"""

from dbarchitect.core.migration.analyze import deparse
from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="create-index-non-concurrently",
    code="MG012",
    family="migration",
    severity=Severity.error,
    summary="CREATE INDEX without CONCURRENTLY blocks writes for the whole build.",
)
OPS = {OpKind.CREATE_INDEX}


def _concurrent_sql(node) -> str:
    sql = deparse(node)
    sql = sql.replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX CONCURRENTLY ", 1)
    sql = sql.replace("CREATE INDEX ", "CREATE INDEX CONCURRENTLY ", 1)
    if " IF NOT EXISTS " not in sql and node.idxname:
        sql = sql.replace("CONCURRENTLY ", "CONCURRENTLY IF NOT EXISTS ", 1)
    return sql + ";"


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.CREATE_INDEX):
        if op.concurrent or op.detail.noop or not mig.preexisting(op.table, stmt):
            continue
        if getattr(op.node, "relation", None) is not None and op.node.relation.inh is False:
            continue  # ON ONLY parent: an invalid shell index, no build (partitions get theirs CONCURRENTLY)
        facts = mig.facts(op.table)
        if facts is not None and facts.kind == "materialized_view":
            continue  # SHARE blocks only REFRESH on a materialized view; its readers continue
        if facts is not None and facts.kind == "partitioned_table":
            name = op.node.idxname or "parent_idx"
            fix = (f"CREATE INDEX {name} ON ONLY {short(op.table, mig.ctx)} (...);  -- invalid until all attached\n"
                   f"-- for each partition p:\nCREATE INDEX CONCURRENTLY p_idx ON p (...);\n"
                   f"ALTER INDEX {name} ATTACH PARTITION p_idx;")
        else:
            fix = _concurrent_sql(op.node) + "\n-- outside a transaction block; on failure DROP INDEX CONCURRENTLY the " \
                "INVALID index and retry"
        yield finding(
            RULE, stmt, mig, obj=op.table, why="CREATE INDEX holds SHARE on the table for the whole build",
            message=f"CREATE INDEX without CONCURRENTLY holds a SHARE lock on {describe(mig, op.table)} for the whole "
            "build: every INSERT, UPDATE and DELETE waits until it ends (reads continue).",
            fix=fix,
        )
