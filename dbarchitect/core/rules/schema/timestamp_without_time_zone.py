"""
## What it does
Flags columns of type `timestamp` (without time zone), arrays of it included.

## Why is this bad?
A `timestamp` stores a wall-clock reading with no zone: the same value means different instants
for a writer in Paris and a reader in New York, daylight-saving transitions make some values
ambiguous and others impossible, and comparing with `now()` silently converts through the
session's TimeZone. `timestamptz` stores an instant (UTC inside) and converts on the way out; it
costs the same eight bytes.

## Example
```sql
CREATE TABLE orders (placed_at timestamp NOT NULL DEFAULT now());
```

## Use instead
```sql
CREATE TABLE orders (placed_at timestamptz NOT NULL DEFAULT now());
-- an existing column, when its values were written in UTC:
ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz USING placed_at AT TIME ZONE 'UTC';
```
Keep `timestamp` only for a true "local" time with no place attached (a shop's opening hour),
and then say so in a comment.

## References
PostgreSQL wiki, "Don't Do This: timestamp (without time zone)"; squawk prefer-timestamptz.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    base_type,
    col_obj,
    columns_where,
    qi,
    type_change_fix,
    typmod,
)

RULE = RuleMeta(
    name="timestamp-without-time-zone",
    code="SD003",
    family="schema",
    severity=Severity.warning,
    summary="A column stores timestamp without time zone: instants become ambiguous wall-clock readings.",
)


def _is_naive(col) -> bool:
    return base_type(col.type).removesuffix("[]") == "timestamp without time zone"


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t, c in columns_where(snapshot, ctx, _is_naive):
        if c.generated:
            continue  # a generated column follows its expression; its inputs are what to fix
        precision = typmod(c.type)
        new = f"timestamp({precision}) with time zone" if precision else "timestamptz"
        if c.type.endswith("[]"):
            new += "[]"
            using = None
        else:
            using = f"{qi(c.name)} AT TIME ZONE 'UTC'"
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} is {c.type}: it records a wall-clock reading, not an instant, so "
                    "values written from sessions in different time zones cannot be compared and DST makes "
                    "some of them ambiguous."
                ),
                obj=col_obj(t, c.name),
                fix=type_change_fix(snapshot, ctx, t, c, new, using,
                                    ("assumes the stored values are UTC; state the zone they were written in",)),
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} has type {c.type}", type=c.type)],
            )
        )
    return out
