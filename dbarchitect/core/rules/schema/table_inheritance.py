"""
## What it does
Advises on tables that other tables inherit from through `INHERITS` (not declarative
partitioning, which PostgreSQL also records in `pg_inherits`): one finding per parent, listing its
children. The fix never detaches a child (`NO INHERIT` would hide its rows from the parent's queries).

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
from dbarchitect.core.rules.schema._common import ReviewContext

RULE = RuleMeta(
    name="table-inheritance",
    code="SD025",
    family="schema",
    severity=Severity.advice,
    summary="A table uses INHERITS: keys, uniqueness and foreign keys do not span parent and children.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    """One finding per inheritance parent, listing its children (legacy partitioning has hundreds)."""
    children: dict[str, list[str]] = {}
    for t in ctx.tables(snapshot):
        if t.partition_of or not t.inherits:
            continue
        for p in t.inherits:
            children.setdefault(p if "." in p else f"{t.schema_name}.{p}", []).append(t.qualified)
    out = []
    for parent, kids in sorted(children.items()):
        shown = ", ".join(kids[:10]) + (f" … (+{len(kids) - 10} more)" if len(kids) > 10 else "")
        out.append(
            RULE.finding(
                message=(
                    f"{parent} has {len(kids)} inheritance child table(s) ({shown}): primary keys, UNIQUE constraints "
                    "and indexes do not span parent and children, foreign keys to the parent ignore the children's "
                    "rows, and every ALTER of the parent recurses into each child."
                ),
                obj=parent,
                fix=(
                    "-- keep the children attached (NO INHERIT would hide their rows from every query on the parent).\n"
                    "-- If the goal was splitting a large table, move to declarative partitioning in a planned\n"
                    "-- migration: a new table PARTITION BY the routing column, each child re-created or attached as\n"
                    "-- a partition with its CHECK as the bound, the application switched, then the old parent dropped."
                ),
                evidence=[ctx.evidence(f"pg_inherits: {len(kids)} child table(s) of {parent} (not partitions)",
                                       parent=parent, children=kids[:50], count=len(kids))],  # fmt: skip
            )
        )
    return out
