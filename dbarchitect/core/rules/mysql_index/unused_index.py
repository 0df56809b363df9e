"""
## What it does
Flags secondary indexes no statement has read through since the server's usage counters started:
MySQL's `sys.schema_unused_indexes` (performance_schema's `table_io_waits_summary_by_index_usage`),
MariaDB's `information_schema.INDEX_STATISTICS` (kept only while `userstat=1`), on tables that were
read meanwhile (an unread table proves nothing). Primary, unique and
the only index a foreign key has are never flagged. Counters younger than 7 days, or no usage source
at all, give one info line saying usage is unknown, never a DROP.

## Why is this bad?
An unused index is maintained on every INSERT, UPDATE and DELETE, fills the buffer pool and the
backups, and slows ALTER TABLE. But counters restart with the server (and MariaDB's only count
while userstat is on), and a replica's reads are not counted on the primary: check both first.
MySQL 8 can hide an index before dropping it (`ALTER TABLE … ALTER INDEX … INVISIBLE`), MariaDB
10.6+ can ignore it (`ALTER TABLE … ALTER INDEX … IGNORED`).

## Example
```sql
-- sys.schema_unused_indexes lists shop.orders.orders_note after 30 days of uptime
CREATE INDEX orders_note ON orders (note);
```

## Use instead
```sql
ALTER TABLE shop.orders DROP INDEX orders_note, ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_index._common import (
    MySQLIndexContext, drop_with_undo, enforcing, fk_needs, index_key, rule,
)  # fmt: skip
from dbarchitect.core.units import human_bytes

RULE = rule(
    "mysql-unused-index", "MY402", Severity.advice,
    "A secondary index no statement has read through since the usage counters started.",
)  # fmt: skip

MIN_AGE_DAYS = 7  # younger counters cannot tell an unused index from one used weekly

SOURCE_TEXT = {
    "performance_schema": "performance_schema.table_io_waits_summary_by_index_usage (sys.schema_unused_indexes)",
    "userstat": "information_schema.INDEX_STATISTICS (userstat=1)",
}


def check(snapshot: SchemaSnapshot, ctx: MySQLIndexContext) -> list[Finding]:
    f = ctx.facts
    candidates = [(t, i) for t in ctx.tables(snapshot) for i in t.indexes
                  if not enforcing(i) and not fk_needs(t, i)]  # fmt: skip
    if not candidates:
        return []
    if f.usage_source is None:
        return [RULE.finding(
            severity=Severity.info,
            message=(
                f"Index usage is unknown: performance_schema is off and MariaDB's userstat is off, so none of the "
                f"{len(candidates)} secondary index(es) can be called unused. Nothing to drop on this evidence."
            ),
            fix="-- MySQL: performance_schema=ON in my.cnf (restart), then read sys.schema_unused_indexes after a week;\n"
                "-- MariaDB: SET GLOBAL userstat = 1; (and userstat=1 in my.cnf), then review_indexes after a week. No DROP yet.",
            evidence=[ctx.evidence(f.usage_detail or "no index usage source is enabled",
                                   secondary_indexes=len(candidates))],
        )]  # fmt: skip
    unused = [(t, i) for t, i in candidates
              if f.used.get(index_key(t, i), 0) == 0 and f.table_reads.get(t.qualified, 0) > 0]  # fmt: skip
    if not unused:
        return []
    source = SOURCE_TEXT[f.usage_source]
    age = f"{f.stats_age_days:.1f} days" if f.stats_age_days is not None else "an unknown time"
    if f.stats_age_days is None or f.stats_age_days < MIN_AGE_DAYS:
        names = [index_key(t, i) for t, i in unused]
        return [RULE.finding(
            severity=Severity.info,
            message=(
                f"{len(unused)} index(es) not read yet ({', '.join(names[:8])}{' …' if len(names) > 8 else ''}) cannot be "
                f"judged: {source} has counted for {age} (under {MIN_AGE_DAYS} days). Nothing to drop until it has."
            ),
            fix=f"-- review_indexes again after {MIN_AGE_DAYS} days of normal traffic (and check replicas); no DROP yet",
            evidence=[ctx.evidence(f"no reads through {len(unused)} index(es) in {source}; counting for {age}",
                                   indexes=names[:100], count=len(names), stats_age_days=f.stats_age_days)],
        )]  # fmt: skip
    out = []
    for t, i in unused:
        out.append(RULE.finding(
            message=(
                f"Index {i.name} on {t.qualified} ({human_bytes(i.size_bytes)}) was not read through in {age} of "
                f"{source}: it only costs writes, memory and space. Check replicas before dropping."
            ),
            fix=drop_with_undo(t, i),
            evidence=[ctx.evidence(f"{source}: 0 reads through {i.name} in {age}", index=i.name,
                                   size_bytes=i.size_bytes, stats_age_days=f.stats_age_days)],
            obj=f"{t.qualified}.{i.name}",
        ))  # fmt: skip
    return out
