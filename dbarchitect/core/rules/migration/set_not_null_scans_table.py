"""
## What it does
Flags `ALTER COLUMN ... SET NOT NULL` on an existing table when nothing proves the column is
already non-null.

## Why is this bad?
PostgreSQL reads the whole table to check for NULLs while holding ACCESS EXCLUSIVE: reads and
writes wait for the scan. Since PostgreSQL 12 the scan is skipped when a validated
`CHECK (col IS NOT NULL)` already proves it; validating such a check needs only SHARE UPDATE
EXCLUSIVE. The rule looks for that proof in the catalog and earlier in the migration.

## Example
```sql
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
```

## Use instead
```sql
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- separate transaction:
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;   -- no scan: the check proves it
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="set-not-null-scans-table",
    code="MG008",
    family="migration",
    severity=Severity.error,
    summary="SET NOT NULL without a validated CHECK scans the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.SET_NOT_NULL}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.SET_NOT_NULL):
        if not op.scan or not mig.preexisting(op.table, stmt):
            continue
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        nn = ident(f"{op.table.split('.')[-1]}_{op.column}_not_null")
        if mig.pg_version >= 18:
            fix = (f"ALTER TABLE {t} ADD CONSTRAINT {nn} NOT NULL {c} NOT VALID;\n"
                   f"ALTER TABLE {t} VALIDATE CONSTRAINT {nn};  -- separate transaction, SHARE UPDATE EXCLUSIVE")
        elif mig.pg_version >= 12:
            fix = (f"ALTER TABLE {t} ADD CONSTRAINT {nn} CHECK ({c} IS NOT NULL) NOT VALID;\n"
                   f"ALTER TABLE {t} VALIDATE CONSTRAINT {nn};  -- separate transaction, SHARE UPDATE EXCLUSIVE\n"
                   f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;  -- proven by the check: no scan\n"
                   f"ALTER TABLE {t} DROP CONSTRAINT {nn};")
        else:
            fix = (f"-- PostgreSQL {mig.pg_version} cannot use a CHECK as proof; keep a validated\n"
                   f"ALTER TABLE {t} ADD CONSTRAINT {nn} CHECK ({c} IS NOT NULL) NOT VALID;\n"
                   f"ALTER TABLE {t} VALIDATE CONSTRAINT {nn};  -- instead of SET NOT NULL, until upgrading")
        proven = op.detail.proven and mig.pg_version < 12
        yield finding(
            RULE, stmt, mig, obj=op.table,
            why="no validated CHECK (col IS NOT NULL) proves the column" if not proven
            else f"PostgreSQL {mig.pg_version} ignores CHECK proofs for SET NOT NULL",
            message=f"SET NOT NULL on {op.column} scans {describe(mig, op.table)} under ACCESS EXCLUSIVE: reads and "
            "writes wait until every row has been checked for NULL.",
            fix=fix,
        )
