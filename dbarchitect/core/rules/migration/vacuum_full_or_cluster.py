"""
## What it does
Flags `VACUUM FULL` and `CLUSTER` in a migration.

## Why is this bad?
Both rewrite the table and all its indexes into new files while holding ACCESS EXCLUSIVE: the table
can be neither read nor written until the copy ends, and the disk needs room for a second copy.

## Example
```sql
VACUUM FULL orders;
```

## Use instead
Reclaim space online with `pg_repack` or `pg_squeeze` (extensions), or on PostgreSQL 19+
`REPACK (CONCURRENTLY)`. Plain `VACUUM` (no FULL) does not block reads or writes.
```sql
VACUUM (ANALYZE) orders;  -- marks dead rows reusable; reads and writes continue
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="vacuum-full-or-cluster",
    code="MG026",
    family="migration",
    severity=Severity.error,
    summary="VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.VACUUM, OpKind.CLUSTER}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.VACUUM, OpKind.CLUSTER):
        if op.kind == OpKind.VACUUM and not op.detail.full:
            continue
        if op.table and not mig.preexisting(op.table, stmt):
            continue
        verb = "VACUUM FULL" if op.kind == OpKind.VACUUM else "CLUSTER"
        target = describe(mig, op.table) if op.table else "every table it covers"
        name = short(op.table, mig.ctx) if op.table else "<table>"
        fix = (f"REPACK (CONCURRENTLY) {name};" if mig.pg_version >= 19
               else f"-- pg_repack --table={op.table or '<table>'} (online), or plain VACUUM {name};")
        yield finding(
            RULE, stmt, mig, obj=op.table, why=f"{verb} copies the table into new files",
            message=f"{verb} rewrites {target} and all its indexes under ACCESS EXCLUSIVE: reads and writes wait "
            "for the whole copy, which also needs disk for a second copy of the table.",
            fix=fix,
        )
