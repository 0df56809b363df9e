"""
## What it does
Flags `ADD COLUMN` of type `serial`, `bigserial` or `smallserial` on an existing table.

## Why is this bad?
A serial column is an integer with `DEFAULT nextval(...)`, and `nextval` is volatile: PostgreSQL
fills every existing row with its own number by rewriting the table and all its indexes under
ACCESS EXCLUSIVE. Static linters usually treat this as a style issue; it is an outage on a big table.

## Example
```sql
ALTER TABLE events ADD COLUMN seq bigserial;
```

## Use instead
```sql
CREATE SEQUENCE events_seq_seq;
ALTER TABLE events ADD COLUMN seq bigint;                                   -- instant
ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
ALTER TABLE events ALTER COLUMN seq SET DEFAULT nextval('events_seq_seq'); -- new rows only
-- backfill existing rows in batches: UPDATE events SET seq = nextval('events_seq_seq') WHERE ...
```
Or build a new table with the column and copy the data over.
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-column-serial",
    code="MG003",
    family="migration",
    severity=Severity.error,
    summary="ADD COLUMN serial/bigserial rewrites the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_COLUMN}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN):
        if not op.detail.serial or not mig.preexisting(op.table, stmt):
            continue
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        base = "bigint" if op.detail.type.name == "int8" else op.detail.type.display
        seq = ident(f"{op.table.split('.')[-1]}_{op.column}_seq")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="a serial default calls nextval(), a volatile function, for every row",
            message=f"ADD COLUMN {op.column} {op.detail.type.display} numbers every existing row: it rewrites "
            f"{describe(mig, op.table)} and all its indexes under ACCESS EXCLUSIVE, so reads and writes wait "
            "for the whole rewrite.",
            fix=f"CREATE SEQUENCE {seq};\nALTER TABLE {t} ADD COLUMN {c} {base};\n"
            f"ALTER SEQUENCE {seq} OWNED BY {t}.{c};\n"
            f"ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT nextval('{seq}');\n"
            f"-- backfill in batches: UPDATE {t} SET {c} = nextval('{seq}') WHERE {c} IS NULL AND <key range>;",
        )
