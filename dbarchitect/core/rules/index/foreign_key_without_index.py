"""
## What it does
Flags a foreign key whose columns are not exactly the leading key columns (in any order) of a
valid, non-partial btree index on the referencing table. A composite primary key `(post_id, tag_id)`
covers a foreign key on `post_id` but not one on `tag_id`; INCLUDE columns are not keys and cover
nothing.

## Why is this bad?
Every DELETE of a parent row (and UPDATE of its key) looks for child rows; without such an index
that is a sequential scan of the child per parent row, under lock, multiplied by ON DELETE CASCADE.
Joins from parent to children pay the same.

## Example
```sql
CREATE TABLE post_tags (post_id bigint REFERENCES posts, tag_id bigint REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));   -- nothing leads with tag_id
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY post_tags_tag_id_idx ON post_tags (tag_id);
```

## References
splinter 0001; postgres-checkup H003; supabase/splinter #90 (composite PK false positive).
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, Index, SchemaSnapshot, Severity, Table
from dbarchitect.core.rules.index._common import IndexContext, finding
from dbarchitect.core.rules.registry import RuleMeta
from dbarchitect.core.rules.schema._common import concurrently, index_name, qi, qname, qt

RULE = RuleMeta(
    name="foreign-key-without-index",
    code="IX005",
    family="index",
    severity=Severity.warning,
    summary="A foreign key has no index leading with its columns: parent deletes scan the child table.",
)


def supporting_index(table: Table, columns: list[str]) -> Index | None:
    n = len(columns)
    for i in table.indexes:
        if not (i.valid and i.ready) or i.predicate or i.method != "btree":
            continue
        lead = i.columns[:n]  # key columns only: INCLUDE columns are not in Index.columns
        if len(lead) == n and None not in lead and set(lead) == set(columns):
            return i
    return None


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        if t.partition_of:
            continue
        for fk in t.foreign_keys:
            if not fk.columns or supporting_index(t, fk.columns):
                continue
            ref = fk.references.table if fk.references else "its parent"
            name = index_name(t.name, fk.columns, "idx")
            create = f"CREATE INDEX {concurrently(t)}{qi(name)} ON {qt(t)} ({', '.join(qi(c) for c in fk.columns)});"
            undo = f"DROP INDEX {concurrently(t)}IF EXISTS {qname(t.schema_name, name)};"
            out.append(
                finding(
                    RULE,
                    message=(f"Foreign key {fk.name} on {t.qualified}({', '.join(fk.columns)}) has no index leading "
                             f"with its columns: each DELETE or key UPDATE on {ref} scans {t.qualified} "
                             f"({t.estimated_rows:,} rows), and joins from {ref} cannot use an index."),  # fmt: skip
                    obj=f"{t.qualified}.{fk.name}",
                    fix=f"{create}\n-- undo: {undo}",
                    evidence=[ctx.evidence(f"no valid non-partial btree on {t.qualified} leads with "
                                           f"({', '.join(fk.columns)})", constraint=fk.name, columns=fk.columns,
                                           indexes={i.name: [c for c in i.columns] for i in t.indexes})],  # fmt: skip
                )
            )
    return out
