"""
## What it does
Flags `ALTER TABLE ... DROP COLUMN` on a table that existed before the migration.

## Why is this bad?
PostgreSQL only marks the column dropped (a brief ACCESS EXCLUSIVE, no rewrite), but the data is
gone for good, and the running release, or an ORM that selects every column it knows, fails on the
missing column.

## Example
```sql
ALTER TABLE users DROP COLUMN legacy_flag;
```

## Use instead
Stop using the column first (e.g. Rails `ignored_columns`), deploy, check it holds nothing you
need, take a backup of its values, then drop it in a later migration:
```sql
SELECT count(*) FROM users WHERE legacy_flag IS NOT NULL;
-- no release reads legacy_flag any more and its values are backed up:
-- dbarchitect:ignore drop-column
ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="drop-column",
    code="MG021",
    family="migration",
    severity=Severity.warning,
    summary="DROP COLUMN destroys data and breaks code that still reads the column.",
)
OPS = {OpKind.DROP_COLUMN}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.DROP_COLUMN):
        if not mig.preexisting(op.table, stmt):
            continue
        if mig.column_added_before(op.table, op.column, stmt):
            continue  # added earlier by this migration: nothing to lose
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        yield finding(
            RULE, stmt, mig, obj=f"{op.table}.{op.column}", why="dropped column data cannot be recovered",
            message=f"DROP COLUMN {op.column} deletes its data in {describe(mig, op.table)} for good, and any running "
            "code or ORM model that still reads it fails.",
            fix=f"-- 1. release code that no longer uses {op.column} (ORM: ignore the column); 2. check and back up:\n"
            f"SELECT count(*) FROM {t} WHERE {c} IS NOT NULL;\n{LOCK_TIMEOUT_SQL}\n"
            f"ALTER TABLE {t} DROP COLUMN IF EXISTS {c};",
        )
