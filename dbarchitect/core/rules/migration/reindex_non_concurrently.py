"""
## What it does
Flags `REINDEX` without `CONCURRENTLY`.

## Why is this bad?
REINDEX holds SHARE on the table (writes wait) and ACCESS EXCLUSIVE on each index being rebuilt, so
queries that would use the index wait too, for the whole rebuild. PostgreSQL 12 added
`REINDEX ... CONCURRENTLY`, which builds a new index alongside and swaps it in. Before 12, build a
replacement with `CREATE INDEX CONCURRENTLY` and drop the old one.

## Example
```sql
REINDEX INDEX orders_customer_idx;
```

## Use instead
```sql
REINDEX INDEX CONCURRENTLY orders_customer_idx;  -- PostgreSQL 12+, outside a transaction
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="reindex-non-concurrently",
    code="MG015",
    family="migration",
    severity=Severity.warning,
    summary="REINDEX without CONCURRENTLY blocks writes and queries using the index.",
)
OPS = {OpKind.REINDEX}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.REINDEX):
        if op.concurrent or (op.table and not mig.preexisting(op.table, stmt)):
            continue
        target = op.detail.target
        what = short(op.name, mig.ctx) if op.name else "the objects"
        if mig.pg_version >= 12:
            keyword = {"index": "INDEX", "table": "TABLE"}.get(target, "SCHEMA")
            fix = f"REINDEX {keyword} CONCURRENTLY {what};  -- outside a transaction block"
        else:
            fix = (f"-- PostgreSQL {mig.pg_version} has no REINDEX CONCURRENTLY:\n"
                   f"CREATE INDEX CONCURRENTLY {what}_new ON ... (same definition);\n"
                   f"DROP INDEX CONCURRENTLY {what};\nALTER INDEX {what}_new RENAME TO {what};")
        table = describe(mig, op.table) if op.table else "the table"
        yield finding(
            RULE, stmt, mig, obj=op.table or op.name, why="REINDEX holds SHARE on the table and ACCESS EXCLUSIVE on "
            "each index it rebuilds",
            message=f"REINDEX {what} holds SHARE on {table} and ACCESS EXCLUSIVE on each rebuilt index: writes and "
            "queries that use the index wait for the whole rebuild.",
            fix=fix,
        )
