"""
## What it does
Flags InnoDB tables without a PRIMARY KEY (as advice when a UNIQUE index over NOT NULL columns
exists: InnoDB clusters on it and replicas can find rows by it, but it should be the primary key).

## Why is this bad?
InnoDB clusters every table by its primary key. Without one it uses the first UNIQUE NOT NULL
index, or else a hidden 6-byte row id drawn from one server-wide counter (a contention point
for all such tables). Row-based replication then finds each updated or deleted row on the
replica by a full table scan, so one `DELETE … WHERE` of 10,000 rows means 10,000 scans and
replication lag; Group Replication and many managed services refuse such tables outright.

## Example
```sql
CREATE TABLE page_views (page_id int NOT NULL, viewed_at datetime NOT NULL) ENGINE=InnoDB;
```

## Use instead
```sql
ALTER TABLE page_views ADD COLUMN id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, qi, qt, rule

RULE = rule(
    "innodb-table-without-primary-key", "MY003", Severity.warning,
    "An InnoDB table has no primary key: hidden row ids, full scans per row on replicas.",
)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        engine = (t.mysql.engine or "") if t.mysql else ""
        if engine.lower() != "innodb" or t.primary_key is not None:
            continue
        candidate = next(
            (
                i for i in t.indexes
                if i.unique and all(c and (col := t.column(c)) and col.not_null for c in i.columns)
                and not any(i.mysql and i.mysql.sub_parts)
            ),
            None,
        )  # fmt: skip
        if candidate:
            cols = ", ".join(qi(c) for c in candidate.columns if c)
            fix = f"ALTER TABLE {qt(t)} DROP INDEX {qi(candidate.name)}, ADD PRIMARY KEY ({cols});"
            note = f" UNIQUE {candidate.name} over NOT NULL columns can become the primary key."
        else:
            fix = f"ALTER TABLE {qt(t)} ADD COLUMN id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;"
            note = ""
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} is an InnoDB table without a primary key: rows are clustered on a hidden row id, "
                    f"and row-based replicas scan the table once per changed row.{note}"
                ),
                fix=fix,
                evidence=[ctx.evidence(f"no PRIMARY KEY on {t.qualified} (engine InnoDB)", rows=t.estimated_rows)],
                obj=t.qualified,
                # InnoDB clusters on a UNIQUE NOT NULL key and replicas can find rows by it: still worth a key
                severity=Severity.advice if candidate else None,
            )
        )
    return out
