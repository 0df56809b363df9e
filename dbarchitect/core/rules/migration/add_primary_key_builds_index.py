"""
## What it does
Flags `ADD PRIMARY KEY` on an existing table when it builds its own index, or when its columns are
not yet proven NOT NULL.

## Why is this bad?
The primary key's unique index is built under ACCESS EXCLUSIVE, and any nullable key column gets
an implicit SET NOT NULL that scans the table under the same lock. Build the index concurrently,
prove NOT NULL with a validated CHECK first, and let the constraint adopt the index: then ACCESS
EXCLUSIVE is held only for an instant.

## Example
```sql
ALTER TABLE events ADD PRIMARY KEY (id);
```

## Use instead
```sql
ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;
ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;   -- separate transaction
ALTER TABLE events ALTER COLUMN id SET NOT NULL;             -- proven, no scan
CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id); -- outside a transaction
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-primary-key-builds-index",
    code="MG017",
    family="migration",
    severity=Severity.error,
    summary="ADD PRIMARY KEY builds its index (and checks NOT NULL) under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_CONSTRAINT}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT):
        d = op.detail
        if d.contype != "primary_key" or not mig.preexisting(op.table, stmt):
            continue
        nullable = d.nullable or []
        if d.using_index and not nullable:
            continue
        t = sql_rel(op.table, mig.ctx)
        cols = d.columns or ([op.column] if op.column else [])
        collist = ", ".join(ident(c) for c in cols)
        name = ident(op.name or f"{op.table.split('.')[-1]}_pkey")
        steps = []
        for c in nullable:
            nn = ident(f"{op.table.split('.')[-1]}_{c}_not_null")
            steps += [f"ALTER TABLE {t} ADD CONSTRAINT {nn} CHECK ({ident(c)} IS NOT NULL) NOT VALID;",
                      f"ALTER TABLE {t} VALIDATE CONSTRAINT {nn};  -- separate transaction",
                      f"ALTER TABLE {t} ALTER COLUMN {ident(c)} SET NOT NULL;  -- proven, no scan"]
        if not d.using_index:
            steps.append(f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {t} ({collist});  -- outside a transaction")
        steps.append(f"ALTER TABLE {t} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX "
                     f"{ident(d.using_index) if d.using_index else name};")
        what = []
        if not d.using_index:
            what.append("builds its unique index")
        if nullable:
            what.append(f"scans for NULLs in {', '.join(nullable)}" if mig.ctx.online or d.using_index
                        else "checks every row for NULLs unless the columns are already NOT NULL")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="the primary key's index build and NOT NULL check run under "
            "ACCESS EXCLUSIVE",
            message=f"ADD PRIMARY KEY ({collist}) {' and '.join(what)} on {describe(mig, op.table)} under ACCESS "
            "EXCLUSIVE: reads and writes wait until it ends.",
            fix="\n".join(steps),
        )
