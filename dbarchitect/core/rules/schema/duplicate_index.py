"""
## What it does
Flags an index that repeats another valid index of the same table: same access method, same keys
in the same order (with the same operator class, collation and direction) and the same predicate,
where the index kept also holds its INCLUDE columns and enforces at least as much. Among the copies
it keeps the primary key, then one that backs a constraint, then a unique index, then the one with
the most INCLUDE columns, then one that queries use, and flags the others. Two copies with different
INCLUDE columns both serve index-only scans the other cannot and are not flagged; an index left
invalid by a failed build is the invalid-index rule's business, not a copy.

## Why is this bad?
Every copy is written on every INSERT and on every UPDATE that is not HOT, takes disk, WAL,
backup and cache space, and is vacuumed, for no read that the other copy could not serve. It
usually comes from an ORM adding an index that a UNIQUE constraint already created.

## Example
```sql
CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);
CREATE INDEX users_email_idx ON users (email);      -- same keys as users_email_key
```

## Use instead
```sql
DROP INDEX CONCURRENTLY users_email_idx;
```
The fix comes with its undo (the index's own definition, built CONCURRENTLY; for a copy that backs a
constraint, the index and `ADD CONSTRAINT ... USING INDEX`). review_schema and review_indexes both
run this rule.

## References
splinter 0009 (duplicate index); pghero and pg-mcp duplicate indexes; postgres-checkup H004.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, index_keys
from dbarchitect.core.rules.schema._indexes import drop_with_undo, duplicate_indexes

RULE = RuleMeta(
    name="duplicate-index",
    code="SD017",
    family="schema",
    severity=Severity.warning,
    summary="Two indexes have the same keys and predicate: one of them only costs writes and space.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for i, keep in duplicate_indexes(t):
            k = index_keys(i)
            where = f" WHERE {k.predicate}" if k.predicate else ""
            extra = sorted(index_keys(keep).include - k.include)
            also = f" (which also INCLUDEs {', '.join(extra)})" if extra else ""
            out.append(
                RULE.finding(
                    message=(
                        f"Index {i.name} on {t.qualified} ({', '.join(k.keys)}){where} repeats {keep.name}{also}: "
                        "every write maintains both, and no query needs the second"
                        + (f" ({i.size_bytes:,} bytes)." if i.size_bytes else ".")
                    ),
                    obj=f"{t.schema_name}.{i.name}",
                    fix=drop_with_undo(t, i),
                    evidence=[
                        ctx.evidence(
                            f"{i.name} and {keep.name} have the same method, keys and predicate",
                            duplicate=i.definition or i.name,
                            kept=keep.definition or keep.name,
                            scans=i.scans,
                        )
                    ],
                )
            )
    return out
