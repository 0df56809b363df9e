"""
## What it does
Flags `ALTER TABLE ... SET LOGGED`, `SET UNLOGGED`, `SET ACCESS METHOD` and `SET TABLESPACE` on an
existing table.

## Why is this bad?
Each of these writes the table (and, for most, its indexes) into new files under ACCESS
EXCLUSIVE: the table is unavailable for the whole copy. SET UNLOGGED also means the table is
emptied after a crash and is not replicated.

## Example
```sql
ALTER TABLE events SET UNLOGGED;
```

## Use instead
Create a new table with the wanted storage, copy the rows in batches, and swap the names in a
short transaction; or schedule the statement in a maintenance window with `lock_timeout`.
```sql
CREATE UNLOGGED TABLE events_new (LIKE events INCLUDING ALL);
-- copy the rows in batches, then swap the names in one short transaction:
BEGIN;
SET LOCAL lock_timeout = '3s';
ALTER TABLE events RENAME TO events_old;
ALTER TABLE events_new RENAME TO events;
COMMIT;
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="alter-table-storage-rewrite",
    code="MG027",
    family="migration",
    severity=Severity.error,
    summary="SET LOGGED/UNLOGGED/ACCESS METHOD/TABLESPACE rewrites the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.SET_LOGGED, OpKind.SET_UNLOGGED, OpKind.SET_ACCESS_METHOD, OpKind.SET_TABLESPACE}
_WORDS = {OpKind.SET_LOGGED: "SET LOGGED", OpKind.SET_UNLOGGED: "SET UNLOGGED",
          OpKind.SET_ACCESS_METHOD: "SET ACCESS METHOD", OpKind.SET_TABLESPACE: "SET TABLESPACE"}


def check(stmt, mig):
    for op in stmt.ops_of(*OPS):
        if not mig.preexisting(op.table, stmt) or (not op.rewrite and op.kind != OpKind.SET_TABLESPACE):
            continue  # already so (SET LOGGED on a logged table, the access method it has): nothing is copied
        t = short(op.table, mig.ctx)
        unlogged = op.kind == OpKind.SET_UNLOGGED
        warn = " An unlogged table is emptied after a crash and not replicated." if unlogged else ""
        yield finding(
            RULE, stmt, mig, obj=op.table, why=f"{_WORDS[op.kind]} writes the table into new files",
            message=f"{_WORDS[op.kind]} rewrites {describe(mig, op.table)} under ACCESS EXCLUSIVE: reads and writes wait "
            f"for the whole copy.{warn}",
            fix=f"CREATE TABLE {t}_new (LIKE {t} INCLUDING ALL) /* with the new storage */;\n"
            f"-- copy in batches, keep in sync with a trigger, then swap in one short transaction:\n"
            f"BEGIN; ALTER TABLE {t} RENAME TO {t}_old; ALTER TABLE {t}_new RENAME TO {t}; COMMIT;",
        )
