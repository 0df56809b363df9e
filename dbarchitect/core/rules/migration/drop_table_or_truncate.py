"""
## What it does
Flags `DROP TABLE` / `DROP MATERIALIZED VIEW` of a relation that existed before the migration,
`DROP SCHEMA`, `DROP DATABASE` and `TRUNCATE` (with extra emphasis on `CASCADE`).

## Why is this bad?
These statements delete data irreversibly. TRUNCATE and DROP also take ACCESS EXCLUSIVE, and
`CASCADE` extends the damage to every table that references the target through a foreign key or
every object inside the schema, usually more than the author had in mind.

## Example
```sql
TRUNCATE orders CASCADE;
```

## Use instead
Back up first, check the table is really unused or empty, and name every table explicitly:
```sql
SELECT count(*) FROM orders;
-- backed up and checked unused; an explicit list, no CASCADE:
-- dbarchitect:ignore drop-table-or-truncate
TRUNCATE orders, order_items;
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="drop-table-or-truncate",
    code="MG022",
    family="migration",
    severity=Severity.error,
    summary="DROP TABLE/SCHEMA/DATABASE and TRUNCATE destroy data irreversibly.",
)
OPS = {OpKind.DROP_TABLE, OpKind.DROP_SCHEMA, OpKind.DROP_DATABASE, OpKind.TRUNCATE}


def _referencing(mig, rel):
    f = mig.facts(rel)
    return f.referenced_by if f else []


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.DROP_TABLE, OpKind.TRUNCATE):
        if not mig.preexisting(op.table, stmt):
            continue
        cascade = op.detail.cascade
        refs = _referencing(mig, op.table)
        verb = "TRUNCATE" if op.kind == OpKind.TRUNCATE else f"DROP {(op.detail.objtype or 'table').upper()}"
        extra = ""
        if cascade:
            extra = (f" CASCADE also empties or drops {', '.join(short(r, mig.ctx) for r in refs)}" if refs
                     else " CASCADE extends it to every object that depends on it")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="the data is deleted irreversibly",
            message=f"{verb} {describe(mig, op.table)} deletes its data irreversibly under ACCESS EXCLUSIVE.{extra}",
            fix=f"-- back up first (pg_dump -t {op.table}), check it is unused:\nSELECT count(*) FROM {op.table};\n"
            f"{verb} {short(op.table, mig.ctx)}{' /* list dependent tables explicitly */' if cascade else ''};",
        )
    for op in stmt.ops_of(OpKind.DROP_SCHEMA, OpKind.DROP_DATABASE):
        what = "schema" if op.kind == OpKind.DROP_SCHEMA else "database"
        yield finding(
            RULE, stmt, mig, obj=op.name, why="the data is deleted irreversibly",
            message=f"DROP {what.upper()} {op.name} deletes every object and row in it irreversibly"
            + (", CASCADE included." if op.detail.cascade else "."),
            fix=f"-- back up the {what} first and drop its objects one by one so the list is reviewed",
        )
