"""
## What it does
Advises on text columns whose names say they hold a list: `tags`, `categories`, `emails`,
`phone_numbers`, `*_ids`, `*_list`, `*_csv`. A name is only a hint (hence advice): check a few
values for commas or semicolons.

## Why is this bad?
A comma-separated list in one column breaks first normal form: no foreign key can check the
items, finding rows with one item takes `LIKE '%,42,%'` (no index, wrong on the first and last
item), counting or removing an item means string surgery in every writer, and the list's length
is capped by nothing.

## Example
```sql
CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids text);   -- '3,17,42'
```

## Use instead
A junction table with foreign keys (and the reverse index); or, for plain labels without their
own table, an array with a GIN index:
```sql
CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts ON DELETE CASCADE,
    tag_id  bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_id_idx ON post_tags (tag_id);
ALTER TABLE posts DROP COLUMN tag_ids;   -- once its items are rows of post_tags
```

## References
SQLCheck 1001 (multi-valued attribute); Karwin, "SQL Antipatterns", "Jaywalking".
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, col_obj, columns_where, is_text, matches_name

RULE = RuleMeta(
    name="delimited-list-column",
    code="SD021",
    family="schema",
    severity=Severity.advice,
    summary="A text column's name says it holds a list: comma-separated values break first normal form.",
)

LIST_NAMES = {"tags", "categories", "emails", "phones", "phone_numbers", "ids", "keywords", "labels", "roles",
              "permissions", "recipients", "attachments", "urls", "items", "members"}  # fmt: skip
LIST_SUFFIXES = ("_ids", "_list", "_csv", "_tags", "_emails", "_codes")


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t, c in columns_where(snapshot, ctx, lambda c: is_text(c) and matches_name(c.name, LIST_NAMES, LIST_SUFFIXES)):
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{c.name} is {c.type} with a name that promises several values: if it holds a "
                    "delimited list, no foreign key checks the items and finding one takes an unindexable LIKE."
                ),
                obj=col_obj(t, c.name),
                fix=(
                    f"-- check: SELECT count(*) FILTER (WHERE {c.name} ~ '[,;|]') FROM {t.qualified};\n"
                    f"-- then move the items to a junction table (one row per item, with a foreign key), or to a\n"
                    f"-- text[] column with a GIN index when the items have no table of their own"
                ),
                evidence=[ctx.evidence(f"{t.qualified}.{c.name} is {c.type} and named like a list", type=c.type)],
            )
        )
    return out
