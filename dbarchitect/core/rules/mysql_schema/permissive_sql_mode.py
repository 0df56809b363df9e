"""
## What it does
Reads the server's global `sql_mode` (what every application session starts with) and flags it
when strict mode is off (neither STRICT_TRANS_TABLES nor STRICT_ALL_TABLES), when
ALLOW_INVALID_DATES is on, or when NO_ENGINE_SUBSTITUTION is off.

## Why is this bad?
Without strict mode MySQL changes data instead of refusing it: a 300-character string is cut to
the column's 255 with only a warning, 'abc' becomes 0 in an integer column, an out-of-range
number is clamped, and a missing NOT NULL value becomes '' or 0. ALLOW_INVALID_DATES stores
2024-02-31. Without NO_ENGINE_SUBSTITUTION, `CREATE TABLE … ENGINE=InnoDB` silently creates a
MyISAM table when InnoDB is unavailable.

## Example
```sql
SET GLOBAL sql_mode = 'NO_ENGINE_SUBSTITUTION';
```

## Use instead
```sql
SET PERSIST sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';
-- MariaDB: SET GLOBAL … and the same line under [mysqld] in my.cnf
```
Test the application first: statements that relied on silent truncation start failing.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, rule

NEEDS = frozenset({"server"})

RULE = rule(
    "permissive-sql-mode", "MY011", Severity.warning,
    "The server's sql_mode lets MySQL truncate, clamp or invent values instead of refusing bad data.",
)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    facts = snapshot.mysql
    if facts is None:
        return []
    mode = facts.global_sql_mode or facts.sql_mode
    flags = {m.strip().upper() for m in mode.split(",") if m.strip()}
    problems = []
    if not flags & {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES"}:
        problems.append("strict mode is off (too-long strings are cut, bad numbers become 0, with a warning only)")
    if "ALLOW_INVALID_DATES" in flags:
        problems.append("ALLOW_INVALID_DATES stores dates such as 2024-02-31")
    if "NO_ENGINE_SUBSTITUTION" not in flags:
        problems.append("without NO_ENGINE_SUBSTITUTION an unavailable engine silently becomes the default one")
    if not problems:
        return []
    wanted = sorted((flags - {"ALLOW_INVALID_DATES"}) | {"STRICT_TRANS_TABLES", "NO_ENGINE_SUBSTITUTION",
                                                         "ERROR_FOR_DIVISION_BY_ZERO"})  # fmt: skip
    keyword = "PERSIST" if facts.flavor == "MySQL" else "GLOBAL"
    return [
        RULE.finding(
            message=f"The server's sql_mode ({mode or 'empty'}) is permissive: {'; '.join(problems)}.",
            fix=f"SET {keyword} sql_mode = '{','.join(wanted)}';  -- and in my.cnf [mysqld]; test the application first",
            evidence=[ctx.evidence(f"@@GLOBAL.sql_mode = '{mode}'", sql_mode=mode)],
            obj="server",
        )
    ]
