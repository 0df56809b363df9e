"""
## What it does
Flags indexes whose key would exceed the storage engine's limit once their text columns are
stored as utf8mb4 (4 bytes a character): 3072 bytes for InnoDB with the DYNAMIC or COMPRESSED row
format, 767 bytes for COMPACT or REDUNDANT, 1000 bytes for MyISAM and Aria.

## Why is this bad?
`ALTER TABLE … CONVERT TO CHARACTER SET utf8mb4` then fails with "Specified key was too long"
half-way through a migration, and a `VARCHAR(255)` unique key that fits in utf8mb3 (765 bytes)
does not in utf8mb4 (1020 bytes) on COMPACT tables. Tables already in utf8mb4 near the limit
cannot gain one more column in the index.

## Example
```sql
CREATE TABLE users (id int PRIMARY KEY, email varchar(255), UNIQUE KEY (email))
  ROW_FORMAT=COMPACT DEFAULT CHARSET=utf8mb3;
```

## Use instead
```sql
ALTER TABLE users ROW_FORMAT=DYNAMIC;  -- 3072-byte keys, then convert to utf8mb4
```
Or index a prefix (`KEY (email(191))`) where uniqueness is not needed, or shorten the column.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, data_type, key_part_chars, qt, rule

RULE = rule(
    "utf8mb4-index-length-limit", "MY010", Severity.warning,
    "An index's key exceeds the engine's byte limit at utf8mb4's 4 bytes per character.",
)  # fmt: skip

FIXED_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8, "date": 3,
               "datetime": 8, "timestamp": 4, "decimal": 8, "float": 4, "double": 8}  # fmt: skip


def limit_of(engine: str, row_format: str) -> int:
    e, rf = engine.lower(), row_format.lower()
    if e in ("myisam", "aria"):
        return 1000
    if rf in ("compact", "redundant"):
        return 767
    return 3072


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if not t.mysql:
            continue
        limit = limit_of(t.mysql.engine or "InnoDB", t.mysql.row_format or "Dynamic")
        for i in t.indexes:
            if (i.mysql and i.mysql.index_type in ("FULLTEXT", "SPATIAL")) or not i.columns:
                continue
            total, texty = 0, False
            for k, name in enumerate(i.columns):
                chars = key_part_chars(t, i, k)
                col = t.column(name) if name else None
                if chars is not None:
                    total += chars * 4 + 2
                    texty = True
                elif col is not None:
                    total += FIXED_BYTES.get(data_type(col), 8)
            if not texty or total <= limit:
                continue
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified} index {i.name} ({', '.join(i.expressions)}) needs {total} bytes at utf8mb4, over the "
                        f"{limit}-byte limit of {t.mysql.engine} {t.mysql.row_format}: converting to utf8mb4 (or adding to it) fails."
                    ),
                    fix=(
                        f"ALTER TABLE {qt(t)} ROW_FORMAT=DYNAMIC;  -- raises InnoDB's limit to 3072 bytes"
                        if limit == 767
                        else f"-- index a prefix of the longest column, or shorten it, before converting {qt(t)} to utf8mb4"
                    ),
                    evidence=[ctx.evidence(f"{i.definition}: {total} bytes at 4 bytes/char; limit {limit}",
                                           bytes=total, limit=limit)],  # fmt: skip
                    obj=f"{t.qualified}.{i.name}",
                )
            )
    return out
