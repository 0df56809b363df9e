"""
## What it does
Flags tables stored in a non-transactional engine: MyISAM, Aria, MEMORY, ARCHIVE, CSV.

## Why is this bad?
These engines ignore transactions and foreign keys: a failed multi-row write leaves half of it in
place, ROLLBACK does nothing, and a crash can leave MyISAM tables marked crashed until repaired.
MyISAM and Aria lock the whole table for every write, so one slow UPDATE stalls every reader.
MEMORY tables lose their rows at each restart. InnoDB has been the default engine since MySQL 5.5.

## Example
```sql
CREATE TABLE payments (id int PRIMARY KEY, amount decimal(12,2)) ENGINE=MyISAM;
```

## Use instead
```sql
ALTER TABLE payments ENGINE=InnoDB;  -- rebuilds the table: run it in a quiet window or with pt-online-schema-change / gh-ost
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, qt, rule

RULE = rule(
    "non-transactional-engine", "MY001", Severity.warning,
    "A table uses MyISAM, Aria, MEMORY or another engine without transactions, crash safety or foreign keys.",
)  # fmt: skip

ENGINES = {"myisam", "aria", "memory", "heap", "archive", "csv", "merge", "mrg_myisam"}


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        engine = (t.mysql.engine or "") if t.mysql else ""
        if engine.lower() not in ENGINES:
            continue
        lost = " and loses every row when the server restarts" if engine.lower() in ("memory", "heap") else ""
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} uses {engine}: no transactions, no foreign keys, table-level locks for writes{lost}; "
                    "a failed or interrupted write leaves partial changes."
                ),
                fix=f"ALTER TABLE {qt(t)} ENGINE=InnoDB;  -- a table rebuild: schedule it, or use gh-ost/pt-online-schema-change",
                evidence=[ctx.evidence(f"information_schema.tables.engine = {engine}", engine=engine, rows=t.estimated_rows)],
                obj=t.qualified,
            )
        )
    return out
