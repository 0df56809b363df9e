"""
## What it does
Flags foreign keys whose columns are not the leading columns (in any order) of a valid,
non-partial btree or hash index on the referencing table.

## Why is this bad?
Every DELETE of a parent row, and every UPDATE of its key, makes PostgreSQL look for child rows.
Without an index that lookup is a sequential scan of the child table, done once per parent row,
while holding locks; ON DELETE CASCADE multiplies it. Joins from the parent to its children pay
the same price. PostgreSQL creates an index for the referenced side (the key) but never for the
referencing side.

## Example
```sql
CREATE TABLE comments (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE
);
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY comments_post_id_idx ON comments (post_id);
```
An index whose leading columns already are the foreign key's (a composite primary key such as
`(post_id, tag_id)`) covers it; no extra index is needed.

## References
splinter 0001; postgres-checkup H003; pgMustard "foreign key trigger" tip.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity, Table
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import (
    ReviewContext,
    concurrently,
    finding,
    index_name,
    qi,
    qt,
    usable_indexes,
)

RULE = RuleMeta(
    name="foreign-key-without-index",
    code="SD002",
    family="schema",
    severity=Severity.warning,
    summary="A foreign key has no index on its columns: parent deletes and joins scan the child table.",
)


def covering_index(table: Table, columns: list[str]):
    """The first usable index whose leading len(columns) keys are exactly these columns."""
    n = len(columns)
    for idx in usable_indexes(table):
        if idx.predicate or idx.method not in ("btree", "hash"):
            continue
        if idx.method == "hash" and n != 1:
            continue
        lead = idx.columns[:n]
        if len(lead) == n and None not in lead and set(lead) == set(columns):
            return idx
    return None


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue  # the parent's (partitioned) index is what matters
        for fk in t.foreign_keys:
            if not fk.columns or covering_index(t, fk.columns):
                continue
            ref = fk.references.table if fk.references else "its parent"
            action = fk.references.on_delete if fk.references else "NO ACTION"
            cols = ", ".join(qi(c) for c in fk.columns)
            rows = t.estimated_rows
            size = f" ({rows:,} rows)" if rows > 0 else ""
            out.append(
                finding(
                    RULE,
                    ctx,
                    message=(
                        f"Foreign key {fk.name} on {t.qualified}({', '.join(fk.columns)}) has no index: every DELETE "
                        f"or key UPDATE on {ref} scans {t.qualified}{size} to check ON DELETE {action}, and joins "
                        f"from {ref} to {t.name} cannot use an index."
                    ),
                    obj=f"{t.qualified}.{fk.name}",
                    fix=(
                        f"CREATE INDEX {concurrently(t)}{qi(index_name(t.name, fk.columns, 'idx'))} "
                        f"ON {qt(t)} ({cols});"
                    ),
                    evidence=[
                        ctx.evidence(
                            f"no valid non-partial index on {t.qualified} leads with ({', '.join(fk.columns)})",
                            constraint=fk.name,
                            columns=fk.columns,
                            references=ref,
                            indexes=[i.name for i in t.indexes],
                        )
                    ],
                )
            )
    return out
