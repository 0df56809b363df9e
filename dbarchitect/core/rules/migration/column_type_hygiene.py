"""
## What it does
Flags new columns whose type invites a later migration: `serial`/`bigserial` instead of identity,
a 4-byte `integer` key (`id` or `*_id`), `timestamp` without time zone, `varchar(n)` and `char(n)`.

## Why is this bad?
An integer key overflows at 2.1 billion, and widening it later rewrites the table (see
alter-column-type-rewrite). `timestamp` stores wall-clock time without the zone, so values shift
meaning when servers or users change zones. `char(n)` pads with spaces; `varchar(n)` limits are
business rules better kept in a CHECK that can change without a rewrite. Serial columns own a
sequence with looser permissions and semantics than SQL-standard identity columns.

## Example
```sql
CREATE TABLE orders (id serial PRIMARY KEY, placed_at timestamp, code char(8));
```

## Use instead
```sql
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  placed_at timestamptz,
  code text CHECK (length(code) = 8)
);
```
"""

from dbarchitect.core.migration.kit import finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="column-type-hygiene",
    code="MG032",
    family="migration",
    severity=Severity.advice,
    summary="serial, int keys, timestamp, varchar(n) and char(n) invite future rewrites or bugs.",
)
OPS = {OpKind.ADD_COLUMN, OpKind.TABLE_COLUMN}


def _advice(op) -> list[tuple[str, str]]:
    spec = op.detail.type
    col = (op.column or "").lower()
    out = []
    if op.detail.serial and op.kind == OpKind.TABLE_COLUMN:
        out.append(("serial creates a loosely owned sequence", "bigint GENERATED ALWAYS AS IDENTITY"))
    elif spec.name == "int4" and not spec.array and (col == "id" or col.endswith("_id")):
        out.append(("a 4-byte key overflows at 2,147,483,647 and widening it rewrites the table", "bigint"))
    if spec.name == "timestamp":
        out.append(("timestamp without time zone loses the zone of each value", "timestamptz"))
    if spec.name == "bpchar":
        out.append(("char(n) pads values with spaces", "text (with a CHECK on length if needed)"))
    if spec.name == "varchar" and spec.mods:
        out.append((f"varchar({spec.mods[0]}) puts a business rule in the type", "text CHECK (length(col) <= n)"))
    return out


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN, OpKind.TABLE_COLUMN):
        if op.kind == OpKind.ADD_COLUMN and op.detail.serial:
            continue  # MG003 covers it
        for why, better in _advice(op):
            yield finding(
                RULE, stmt, mig, obj=f"{op.table}.{op.column}", why=why,
                message=f"Column {short(op.table, mig.ctx)}.{op.column} {op.detail.type.display}: {why}.",
                fix=f"{op.column} {better}",
            )
