"""
## What it does
Flags `ALTER TABLE ... RENAME COLUMN` on a table that existed before the migration.

## Why is this bad?
The rename itself is instant (a brief ACCESS EXCLUSIVE), but the application servers still running
the previous release query the old name and fail from the moment the migration commits until
every instance is redeployed. ORMs that cache column lists fail as well.

## Example
```sql
ALTER TABLE users RENAME COLUMN email TO email_address;
```

## Use instead
Expand and contract: add the new column, write both (trigger or application), backfill, switch
reads, and drop the old column in a later release. Or keep the database name and map it in the ORM.
```sql
ALTER TABLE users ADD COLUMN email_address text;
-- dual-write trigger + batched backfill; release reading email_address; later:
ALTER TABLE users DROP COLUMN email;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="rename-column",
    code="MG019",
    family="migration",
    severity=Severity.warning,
    summary="RENAME COLUMN breaks application code still using the old name.",
)
OPS = {OpKind.RENAME_COLUMN}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.RENAME_COLUMN):
        if not mig.preexisting(op.table, stmt):
            continue
        t = sql_rel(op.table, mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=f"{op.table}.{op.column}", why="running code addresses columns by name",
            message=f"RENAME COLUMN {op.column} TO {op.name} on {describe(mig, op.table)}: every running instance of "
            f"the current release that reads or writes {op.column} fails until it is redeployed.",
            fix=f"ALTER TABLE {t} ADD COLUMN {ident(op.name)} <same type>;\n"
            f"-- dual-write trigger, batched backfill, release reading {op.name}, then in a later migration:\n"
            f"ALTER TABLE {t} DROP COLUMN {ident(op.column)};",
        )
