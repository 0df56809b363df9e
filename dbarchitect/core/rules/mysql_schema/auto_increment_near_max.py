"""
## What it does
Flags AUTO_INCREMENT columns whose next value (`information_schema.tables.auto_increment`) has
used more than half of the column type's range: a warning from 50 %, an error from 80 %. The fix
also says when the column is SIGNED (half its range unusable) or smaller than BIGINT.

## Why is this bad?
When the counter reaches the type's maximum every INSERT fails with "Duplicate entry … for key
PRIMARY" (or "Out of range"), and the application is down until the column is widened — an
ALTER that rebuilds the table, hours on a large one, and every foreign key column pointing at it
must be widened too.

## Example
```sql
CREATE TABLE events (id int NOT NULL AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1900000000;
```

## Use instead
```sql
ALTER TABLE events MODIFY id bigint unsigned NOT NULL AUTO_INCREMENT;  -- and widen the FK columns that reference it
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, int_max, qi, qt, rule

RULE = rule(
    "auto-increment-near-max", "MY006", Severity.warning,
    "An AUTO_INCREMENT column has used more than half of its type's range; INSERTs fail when it runs out.",
)  # fmt: skip

WARN, ERROR = 0.5, 0.8


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        nxt = t.mysql.auto_increment if t.mysql else None
        col = next((c for c in t.columns if c.mysql and c.mysql.auto_increment), None)
        if col is None or nxt is None:
            continue
        top = int_max(col)
        if not top:
            continue
        used = (nxt - 1) / top
        if used < WARN:
            continue
        refs = [f"{src.qualified}.{','.join(fk.columns)}" for src, fk in snapshot.referencing(t)]
        signed = "" if (col.mysql and col.mysql.unsigned) else " It is SIGNED: negative ids are never generated, so half the range is wasted."
        also = f" Widen the referencing columns too: {', '.join(refs)}." if refs else ""
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}.{col.name} ({col.type}) AUTO_INCREMENT is at {nxt - 1:,} of {top:,} ({used:.0%}); "
                    f"INSERTs fail when it reaches the maximum.{signed}{also}"
                ),
                fix=f"ALTER TABLE {qt(t)} MODIFY {qi(col.name)} bigint unsigned NOT NULL AUTO_INCREMENT;",
                evidence=[ctx.evidence(
                    f"information_schema.tables.auto_increment = {nxt} for {t.qualified}; {col.type} maximum {top}",
                    next_value=nxt, maximum=top, used=round(used, 4),
                )],  # fmt: skip
                obj=f"{t.qualified}.{col.name}",
                severity=Severity.error if used >= ERROR else None,
            )
        )
    return out
