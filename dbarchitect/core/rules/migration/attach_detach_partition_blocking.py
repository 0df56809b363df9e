"""
## What it does
Flags `DETACH PARTITION` without `CONCURRENTLY`, and `ATTACH PARTITION` when nothing proves the
partition's rows already fit its bounds.

## Why is this bad?
DETACH takes ACCESS EXCLUSIVE on the parent and the partition: every query on the whole
partitioned table waits. PostgreSQL 14 added `DETACH ... CONCURRENTLY` (SHARE UPDATE EXCLUSIVE,
outside a transaction). ATTACH takes SHARE UPDATE EXCLUSIVE on the parent (PostgreSQL 12+) but
ACCESS EXCLUSIVE on the partition, and scans it to check the bounds unless a validated CHECK
constraint already implies them.

## Example
```sql
ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
```

## Use instead
```sql
ALTER TABLE measurements_2024 ADD CONSTRAINT m2024_bounds
  CHECK (logdate >= '2024-01-01' AND logdate < '2025-01-01') NOT VALID;
ALTER TABLE measurements_2024 VALIDATE CONSTRAINT m2024_bounds;   -- separate transaction
ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE measurements_2024 DROP CONSTRAINT m2024_bounds;
-- and for detaching (PostgreSQL 14+):
ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="attach-detach-partition-blocking",
    code="MG029",
    family="migration",
    severity=Severity.warning,
    summary="DETACH without CONCURRENTLY locks the whole partitioned table; ATTACH scans the partition.",
)
OPS = {OpKind.ATTACH_PARTITION, OpKind.DETACH_PARTITION}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.DETACH_PARTITION):
        if op.concurrent or not mig.preexisting(op.table, stmt):
            continue
        parent, child = short(op.table, mig.ctx), short(op.name, mig.ctx)
        fix = (f"ALTER TABLE {parent} DETACH PARTITION {child} CONCURRENTLY;  -- outside a transaction block"
               if mig.pg_version >= 14 else
               f"-- PostgreSQL {mig.pg_version} has no DETACH CONCURRENTLY: run it with SET lock_timeout in a quiet "
               "window, or upgrade to 14+")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="DETACH takes ACCESS EXCLUSIVE on parent and partition",
            message=f"DETACH PARTITION {child} takes ACCESS EXCLUSIVE on {describe(mig, op.table)} and the partition: "
            "every read and write of the partitioned table waits.",
            fix=fix,
        )
    for op in stmt.ops_of(OpKind.ATTACH_PARTITION):
        child = op.detail.child
        if op.detail.proven or not mig.preexisting(child, stmt) or not mig.preexisting(op.table, stmt):
            continue
        c = short(child, mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=child, why="no validated CHECK on the partition implies its bounds",
            message=f"ATTACH PARTITION scans {describe(mig, child)} under ACCESS EXCLUSIVE to check its bounds (the "
            f"parent {short(op.table, mig.ctx)} gets SHARE UPDATE EXCLUSIVE): the partition is unavailable during "
            "the scan.",
            fix=f"ALTER TABLE {c} ADD CONSTRAINT {c}_bounds CHECK (<partition bound as a predicate>) NOT VALID;\n"
            f"ALTER TABLE {c} VALIDATE CONSTRAINT {c}_bounds;  -- separate transaction\n{stmt.sql};\n"
            f"ALTER TABLE {c} DROP CONSTRAINT {c}_bounds;",
        )
