"""
## What it does
Flags tables and columns whose character set is `utf8mb3` (what `utf8` means on MySQL ≤ 8.0 and
MariaDB), and databases whose default is.

## Why is this bad?
`utf8mb3` stores at most 3 bytes per character: emoji and other characters outside the Basic
Multilingual Plane (😀, many CJK extensions) are rejected in strict mode or silently truncated to
`?`/cut strings otherwise. MySQL deprecates `utf8mb3`, and mixing it with `utf8mb4` columns in a
join forces conversions that stop indexes from being used.

## Example
```sql
CREATE TABLE comments (id int PRIMARY KEY, body text) DEFAULT CHARSET=utf8;
```

## Use instead
```sql
ALTER TABLE comments CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
```
Check first that indexed VARCHAR columns still fit the index length limit at 4 bytes a character
(rule utf8mb4-index-length-limit).
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, qi, qt, rule

RULE = rule(
    "utf8mb3-character-set", "MY002", Severity.warning,
    "Text stored as utf8mb3 (MySQL's old 'utf8'): 4-byte characters such as emoji are rejected or mangled.",
)  # fmt: skip

OLD = {"utf8", "utf8mb3"}


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        cols = [c.name for c in t.columns if c.mysql and (c.mysql.charset or "").lower() in OLD]
        table_cs = (t.mysql.charset or "").lower() if t.mysql else ""
        if not cols and table_cs not in OLD:
            continue
        what = f"columns {', '.join(cols)}" if cols else "its default character set"
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} stores {what} as utf8mb3: emoji and other 4-byte characters are rejected "
                    "(strict mode) or mangled, and joins with utf8mb4 columns convert instead of using indexes."
                ),
                fix=f"ALTER TABLE {qt(t)} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
                evidence=[ctx.evidence(f"character set utf8mb3 on {t.qualified}", columns=cols, table_charset=table_cs)],
                obj=t.qualified,
            )
        )
    facts = snapshot.mysql
    if facts and facts.charset.lower() in OLD and ctx.schema in (None, snapshot.database) and snapshot.database:
        out.append(
            RULE.finding(
                message=f"Database {snapshot.database} defaults to utf8mb3: every table created without a charset inherits it.",
                fix=f"ALTER DATABASE {qi(snapshot.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;",
                evidence=[ctx.evidence("@@character_set_database = utf8mb3", charset=facts.charset)],
                obj=snapshot.database,
            )
        )
    return out
