"""
## What it does
Flags `ADD COLUMN ... NOT NULL` without a default on a table that already exists.

## Why is this bad?
Every existing row would get NULL, which the constraint forbids: on a table with rows the
statement fails outright. Even on an empty table, application code that is still running and
inserts without naming the new column starts failing the moment the migration commits.

## Example
```sql
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN tenant_id bigint;          -- nullable, instant
-- deploy code that writes tenant_id, backfill in batches, then prove NOT NULL:
ALTER TABLE users ADD CONSTRAINT users_tenant_id_nn CHECK (tenant_id IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_tenant_id_nn;
ALTER TABLE users ALTER COLUMN tenant_id SET NOT NULL;
```
Or give the column a constant default, which PostgreSQL 11+ adds without a rewrite.
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-column-not-null-without-default",
    code="MG002",
    family="migration",
    severity=Severity.error,
    summary="ADD COLUMN NOT NULL without a default fails on a non-empty table and breaks running inserts.",
)
OPS = {OpKind.ADD_COLUMN}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN):
        d = op.detail
        if not mig.preexisting(op.table, stmt) or not d.not_null:
            continue
        if d.volatility is not None or d.serial or d.identity or d.generated:
            continue
        facts = mig.facts(op.table)
        empty = facts is not None and facts.rows == 0
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        consequence = ("the table is empty today, so it succeeds, but running inserts that omit the column fail"
                       if empty else "it fails on the first existing row (column contains null values), "
                       "and once it succeeds every insert that omits the column fails")
        nn = ident(f"{op.table.split('.')[-1]}_{op.column}_not_null")
        yield finding(
            RULE, stmt, mig, obj=op.table, severity=Severity.warning if empty else None,
            why="existing rows would hold NULL in a NOT NULL column",
            message=f"ADD COLUMN {op.column} NOT NULL without a default on {describe(mig, op.table)}: {consequence}.",
            fix=f"ALTER TABLE {t} ADD COLUMN {c} {d.type.display};\n"
            f"-- deploy writers, backfill in batches, then:\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {nn} CHECK ({c} IS NOT NULL) NOT VALID;\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {nn};  -- separate transaction\n"
            f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
            f"ALTER TABLE {t} DROP CONSTRAINT {nn};",
        )
