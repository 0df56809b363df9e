"""
## What it does
Flags `ADD CONSTRAINT ... UNIQUE` (or `ADD COLUMN ... UNIQUE`) on an existing table when the
constraint builds its own index instead of adopting one (`USING INDEX`).

## Why is this bad?
The unique index is built while ACCESS EXCLUSIVE is held: the table is unreadable and unwritable
for the whole build, and the statement fails at the end if duplicates exist. NOT VALID does not
apply to UNIQUE; the online path is an index built concurrently and then adopted by the
constraint, which takes ACCESS EXCLUSIVE only for an instant.

## Example
```sql
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
```

## Use instead
```sql
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);  -- outside a transaction
-- check it is valid (pg_index.indisvalid), then:
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-unique-constraint-builds-index",
    code="MG016",
    family="migration",
    severity=Severity.error,
    summary="ADD UNIQUE builds its index under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT):
        d = op.detail
        if d.contype != "unique" or d.using_index or not mig.preexisting(op.table, stmt):
            continue
        t = sql_rel(op.table, mig.ctx)
        cols = ", ".join(ident(c) for c in d.columns) or "<columns>"
        name = ident(op.name or f"{op.table.split('.')[-1]}_{'_'.join(d.columns)}_key")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="the constraint's index is built under ACCESS EXCLUSIVE",
            message=f"ADD UNIQUE ({cols}) builds its index on {describe(mig, op.table)} under ACCESS EXCLUSIVE: reads "
            "and writes wait for the whole build, and duplicates make it fail at the end.",
            fix=f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {t} ({cols});  -- outside a transaction\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};",
        )
