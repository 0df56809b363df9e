"""
## What it does
Flags a foreign key whose columns are not exactly the leading key columns (in any order) of a
valid index the foreign-key check can use on the referencing table: a btree, a hash index for a
one-column key, not partial (or partial only on `<fk column> IS NOT NULL`, which every lookup by
the key implies). A composite primary key `(post_id, tag_id)` covers a foreign key on `post_id` but
not one on `tag_id`; INCLUDE columns are not keys and cover nothing; an index still being built or
left invalid by a failed `CREATE INDEX CONCURRENTLY` covers nothing either.

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
CREATE TABLE post_tags (post_id bigint REFERENCES posts, tag_id bigint REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));   -- nothing leads with tag_id
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY comments_post_id_idx ON comments (post_id);
CREATE INDEX CONCURRENTLY post_tags_tag_id_idx ON post_tags (tag_id);
```
An index whose leading columns already are the foreign key's (the composite primary key
`(post_id, tag_id)` for `post_id`) covers it; no extra index is needed. The fix comes with its undo
(`DROP INDEX CONCURRENTLY ...`). review_schema and review_indexes both run this rule.

## References
splinter 0001; postgres-checkup H003; supabase/splinter #90 (composite PK false positive);
pgMustard "foreign key trigger" tip.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, index_name
from dbarchitect.core.rules.schema._indexes import create_with_undo, fk_supporting_index

RULE = RuleMeta(
    name="foreign-key-without-index",
    code="SD002",
    family="schema",
    severity=Severity.warning,
    summary="A foreign key has no index leading with its columns: parent deletes and joins scan the child table.",
)


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue  # the parent's (partitioned) index is what matters
        for fk in t.foreign_keys:
            if not fk.columns or fk_supporting_index(t, fk.columns):
                continue
            ref = fk.references.table if fk.references else "its parent"
            action = fk.references.on_delete if fk.references else "NO ACTION"
            rows = t.estimated_rows
            size = f" ({rows:,} rows)" if rows > 0 else ""
            out.append(
                RULE.finding(
                    message=(
                        f"Foreign key {fk.name} on {t.qualified}({', '.join(fk.columns)}) has no index: every DELETE "
                        f"or key UPDATE on {ref} scans {t.qualified}{size} to check ON DELETE {action}, and joins "
                        f"from {ref} to {t.name} cannot use an index."
                    ),
                    obj=f"{t.qualified}.{fk.name}",
                    fix=create_with_undo(t, index_name(t.name, fk.columns, "idx"), fk.columns),
                    evidence=[
                        ctx.evidence(
                            f"no valid index on {t.qualified} leads with ({', '.join(fk.columns)})",
                            constraint=fk.name,
                            columns=fk.columns,
                            references=ref,
                            indexes={i.name: list(i.columns) for i in t.indexes},
                        )
                    ],
                )
            )
    return out
