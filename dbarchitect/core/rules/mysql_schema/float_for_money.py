"""
## What it does
Flags FLOAT and DOUBLE (REAL) columns whose names say they hold money: price, amount, total,
cost, balance, fee, tax, salary…

## Why is this bad?
Binary floating point cannot represent most decimal fractions: `0.1 + 0.2` is not `0.3`, sums of
many prices drift by cents, and `WHERE amount = 19.99` misses rows. `FLOAT` keeps only about 7
significant digits, so 123456.78 is already stored as 123456.78125.

## Example
```sql
CREATE TABLE invoices (id int PRIMARY KEY, total float NOT NULL);
```

## Use instead
```sql
ALTER TABLE invoices MODIFY total decimal(12,2) NOT NULL;
```
Or store integer cents in a BIGINT.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, data_type, is_money_name, qi, qt, rule

RULE = rule(
    "float-for-money", "MY004", Severity.warning,
    "A money-like column is FLOAT/DOUBLE: sums drift by cents, equality tests miss rows.",
)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for c in t.columns:
            if data_type(c) not in ("float", "double", "real", "double precision") or not is_money_name(c.name):
                continue
            null = " NOT NULL" if c.not_null else ""
            out.append(
                RULE.finding(
                    message=f"{t.qualified}.{c.name} holds money in {c.type}: binary floats round decimal amounts, so sums drift and equality misses.",
                    fix=f"ALTER TABLE {qt(t)} MODIFY {qi(c.name)} decimal(12,2){null};",
                    evidence=[ctx.evidence(f"{t.qualified}.{c.name} is {c.type}", type=c.type)],
                    obj=f"{t.qualified}.{c.name}",
                )
            )
    return out
