"""
## What it does
Advises on tables that inherit from another table through `INHERITS` (not declarative
partitioning, which PostgreSQL also records in `pg_inherits`).

## Why is this bad?
Inheritance looks like object orientation but does not behave like it: UNIQUE and PRIMARY KEY
constraints and indexes apply to each table separately (two "unique" ids, one in the parent and
one in the child, coexist), a foreign key to the parent does not see the children's rows, and
queries on the parent silently include the children unless written with `ONLY`. For splitting a
big table PostgreSQL has declarative partitioning; for shared columns, plain composition.

## Example
```sql
CREATE TABLE vehicles (id bigint PRIMARY KEY, make text);
CREATE TABLE cars (doors smallint) INHERITS (vehicles);
```

## Use instead
```sql
CREATE TABLE vehicles (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, make text NOT NULL,
                       kind text NOT NULL CHECK (kind IN ('car', 'truck')));
CREATE TABLE cars (vehicle_id bigint PRIMARY KEY REFERENCES vehicles ON DELETE CASCADE,
                   doors smallint NOT NULL);
```

## References
PostgreSQL wiki, "Don't Do This: table inheritance"; PostgreSQL docs, "Inheritance: Caveats".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qt

RULE = RuleMeta(
    name="table-inheritance",
    code="SD025",
    family="schema",
    severity=Severity.advice,
    summary="A table uses INHERITS: keys, uniqueness and foreign keys do not span parent and children.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of or not t.inherits:
            continue
        parents = ", ".join(t.inherits)
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} inherits from {parents}: primary keys, UNIQUE constraints and indexes do not span "
                    "parent and child, foreign keys to the parent ignore this table's rows, and queries on the parent "
                    "include them unless written with ONLY."
                ),
                obj=t.qualified,
                fix=(
                    "-- model the shared part as its own table referenced by a foreign key (or use declarative\n"
                    "-- partitioning if the goal was splitting a large table); then detach:\n"
                    + "\n".join(f"ALTER TABLE {qt(t)} NO INHERIT {p};" for p in t.inherits)
                ),
                evidence=[ctx.evidence(f"pg_inherits: {t.qualified} -> {parents} (not a partition)", parents=t.inherits)],
            )
        )
    return out
