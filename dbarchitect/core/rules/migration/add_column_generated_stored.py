"""
## What it does
Flags `ADD COLUMN ... GENERATED ALWAYS AS (expr) STORED` on an existing table.

## Why is this bad?
A stored generated column is computed and written for every existing row: PostgreSQL rewrites the
table and its indexes under ACCESS EXCLUSIVE. PostgreSQL 18 adds virtual generated columns, computed
on read, which need no rewrite.

## Example
```sql
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (qty * price) STORED;
```

## Use instead
```sql
-- PostgreSQL 18+: a virtual generated column (no rewrite):
--   ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (qty * price) VIRTUAL;
-- before 18: a plain column kept by a trigger, backfilled in batches
ALTER TABLE orders ADD COLUMN total numeric;
```
"""

from dbarchitect.core.migration.analyze import deparse
from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-column-generated-stored",
    code="MG005",
    family="migration",
    severity=Severity.error,
    summary="ADD COLUMN ... GENERATED ... STORED rewrites the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_COLUMN}


def _expr(cdef):
    for c in cdef.constraints or ():
        if getattr(c, "raw_expr", None) is not None and c.generated_when == "a":
            return deparse(c.raw_expr)
    return "<expression>"


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN):
        if not op.detail.generated or not mig.preexisting(op.table, stmt):
            continue
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        expr = _expr(op.node)
        typ = op.detail.type.display
        if mig.pg_version >= 18:
            fix = f"ALTER TABLE {t} ADD COLUMN {c} {typ} GENERATED ALWAYS AS ({expr}) VIRTUAL;  -- no rewrite"
        else:
            fix = (f"ALTER TABLE {t} ADD COLUMN {c} {typ};\n"
                   f"-- keep it with a BEFORE INSERT OR UPDATE trigger setting NEW.{c} := {expr}, then backfill\n"
                   f"UPDATE {t} SET {c} = {expr} WHERE {c} IS NULL AND <key range>;  -- in batches")
        yield finding(
            RULE, stmt, mig, obj=op.table, why="a stored generated column is computed and written for every row",
            message=f"ADD COLUMN {op.column} GENERATED ... STORED computes {expr} for every row: it rewrites "
            f"{describe(mig, op.table)} and all its indexes under ACCESS EXCLUSIVE, so reads and writes wait.",
            fix=fix,
        )
