"""
## What it does
Flags indexes with exactly the same key parts (columns and prefix lengths, in order) and the same
type as another index on the table. The one kept is the primary key, else a unique one, else the
first by name.

## Why is this bad?
MySQL lets you create the same index twice (it warns, nothing more). Every copy is maintained on
every INSERT, UPDATE and DELETE, takes buffer-pool memory and disk, and the optimizer gains
nothing from it.

## Example
```sql
CREATE TABLE users (id int PRIMARY KEY, email varchar(200), KEY a (email), KEY b (email));
```

## Use instead
```sql
ALTER TABLE users DROP INDEX b, ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_index._common import drop_with_undo
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, key_parts, rule

RULE = rule(
    "mysql-duplicate-index", "MY007", Severity.warning,
    "Two indexes have the same key parts: every write maintains both, reads use one.",
)  # fmt: skip


def _kind(i) -> str:
    return i.mysql.index_type if i.mysql else i.method


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        ordered = sorted(t.indexes, key=lambda i: (not i.primary, not i.unique, i.name))
        kept: dict[tuple, str] = {}
        for i in ordered:
            key = (_kind(i), key_parts(i))
            if key not in kept:
                kept[key] = i.name
                continue
            if i.unique and not i.primary:
                # a second UNIQUE over the same parts still enforces nothing new, but keep the advice soft
                pass
            out.append(
                RULE.finding(
                    message=f"{t.qualified} index {i.name} duplicates {kept[key]} ({', '.join(i.expressions)}): every write maintains both.",
                    fix=drop_with_undo(t, i),
                    evidence=[ctx.evidence(f"{i.definition} equals the key of {kept[key]}", index=i.name, duplicate_of=kept[key])],
                    obj=f"{t.qualified}.{i.name}",
                )
            )
    return out
