"""
## What it does
Flags TIMESTAMP columns. Their range ends at 2038-01-19 03:14:07 UTC (a signed 32-bit count of
seconds). Columns whose names suggest future dates (expires_at, valid_until, due_at, ends_at,
scheduled_for…) are warnings; others are advice.

## Why is this bad?
Inserting a later value fails in strict mode, or stores `0000-00-00 00:00:00` otherwise. A
subscription that ends "in 15 years", a certificate's expiry or a far-future sentinel already
reaches past 2038 today. TIMESTAMP also converts values through the session time zone, which
surprises applications that connect with different zones.

## Example
```sql
CREATE TABLE licences (id int PRIMARY KEY, expires_at timestamp NOT NULL);
```

## Use instead
```sql
ALTER TABLE licences MODIFY expires_at datetime NOT NULL;  -- store UTC, convert in the application
```
"""

from __future__ import annotations

import re

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, data_type, qi, qt, rule

RULE = rule(
    "timestamp-2038-limit", "MY005", Severity.advice,
    "A TIMESTAMP column cannot hold dates after 2038-01-19; DATETIME can.",
)  # fmt: skip

FUTURE = re.compile(r"(expir|valid_?until|valid_?to|due|ends?_|_end|until|scheduled|deadline|renew|retire)", re.I)


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for c in t.columns:
            if data_type(c) != "timestamp":
                continue
            future = bool(FUTURE.search(c.name))
            null = " NOT NULL" if c.not_null else " NULL"
            default = f" DEFAULT {c.default}" if c.default is not None else ""
            on_update = f" ON UPDATE {c.mysql.on_update}" if c.mysql and c.mysql.on_update else ""
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified}.{c.name} is TIMESTAMP: values after 2038-01-19 03:14:07 UTC cannot be stored"
                        + (" — and its name suggests future dates." if future else ".")
                    ),
                    fix=f"ALTER TABLE {qt(t)} MODIFY {qi(c.name)} datetime{null}{default}{on_update};",
                    evidence=[ctx.evidence(f"{t.qualified}.{c.name} is {c.type}", type=c.type)],
                    obj=f"{t.qualified}.{c.name}",
                    severity=Severity.warning if future else None,
                )
            )
    return out
