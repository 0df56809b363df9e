"""
## What it does
Flags tables with no constraint at all: no primary key, UNIQUE, CHECK, foreign key or exclusion
constraint, and not one NOT NULL column.

## Why is this bad?
Such a table accepts anything: empty rows, duplicates, orphans, negative quantities. Whatever
rules the data follows live only in application code, where each writer may remember them
differently, and the first bad row is found by a report that no longer adds up. It is usually a
staging or import table that became permanent.

## Example
```sql
CREATE TABLE imported_orders (order_ref text, customer text, amount numeric, placed_at timestamptz);
```

## Use instead
```sql
CREATE TABLE imported_orders (
    order_ref text PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(12, 2) NOT NULL CHECK (amount >= 0),
    placed_at timestamptz NOT NULL
);
```
A deliberately raw landing table is better UNLOGGED and named as such (`staging_*`).

## References
The seed's quality checklist ("Constraints: NOT NULL, UNIQUE, CHECK"); SQLCheck 1003, 1005.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qt

RULE = RuleMeta(
    name="table-without-constraints",
    code="SD023",
    family="schema",
    severity=Severity.warning,
    summary="A table has no constraint of any kind, not even NOT NULL: it accepts any row at all.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of or t.persistence == "temporary" or not t.columns:
            continue
        if any(c.kind != "not_null" for c in t.constraints) or any(c.not_null for c in t.columns):
            continue
        if any(i.unique for i in t.indexes):
            continue
        lines = [f"ALTER TABLE {qt(t)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"]
        lines += [
            f"-- ALTER TABLE {qt(t)} ALTER COLUMN {qi(c.name)} SET NOT NULL;  -- for each column every row must have"
            for c in t.columns[:1]
        ]
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} has no constraint at all ({len(t.columns)} nullable columns, no key, no CHECK, no "
                    "foreign key): it accepts empty, duplicate and orphaned rows, and every rule about its data lives "
                    "only in application code."
                ),
                obj=t.qualified,
                fix="\n".join(lines),
                evidence=[ctx.evidence(f"{t.qualified}: 0 constraints, 0 NOT NULL columns", columns=len(t.columns))],
            )
        )
    return out
