"""
## What it does
Flags ordinary and partitioned tables that have no PRIMARY KEY. A partition is judged through its
parent, so a partitioned table without a key is reported once.

## Why is this bad?
Without a key nothing stops two identical rows, and nothing lets you address one of them: an
UPDATE or DELETE by an ORM touches every copy. Logical replication cannot replicate UPDATE and
DELETE on the table (there is no replica identity), and most tools that sync or diff data need a
key to match rows.

## Example
```sql
CREATE TABLE audit_log (happened_at timestamptz, actor text, action text);
```

## Use instead
```sql
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL
);
```
When a natural key exists and is never updated, make it the primary key instead.

## References
PostgreSQL docs, "Primary Keys"; splinter 0004; schemalint require-primary-key.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qt

RULE = RuleMeta(
    name="table-without-primary-key",
    code="SD001",
    family="schema",
    severity=Severity.warning,
    summary="A table has no primary key: duplicate rows, no replica identity, no way to address one row.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of or t.primary_key is not None:
            continue
        unique_not_null = [
            c
            for c in t.constraints
            if c.kind == "unique" and c.columns and all((col := t.column(n)) and col.not_null for n in c.columns)
        ]
        if unique_not_null:
            u = unique_not_null[0]
            fix = (
                f"-- {u.name} is already UNIQUE over NOT NULL columns: promote it\n"
                f"ALTER TABLE {qt(t)} ADD CONSTRAINT {qi(t.name + '_pkey')} PRIMARY KEY USING INDEX {qi(u.index or u.name)};"
            )
            note = f" UNIQUE {u.name} on NOT NULL columns ({', '.join(u.columns)}) could serve as the key."
        else:
            fix = f"ALTER TABLE {qt(t)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
            note = ""
        rows = t.estimated_rows
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} has no primary key: duplicate rows cannot be prevented or told apart, and "
                    f"logical replication cannot ship its UPDATEs and DELETEs.{note}"
                ),
                obj=t.qualified,
                fix=fix,
                evidence=[ctx.evidence(f"no PRIMARY KEY constraint on {t.qualified}", rows=rows)],
            )
        )
    return out
