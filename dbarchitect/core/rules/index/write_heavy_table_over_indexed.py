"""
## What it does
Flags tables that are written much more than they are read (rows inserted, updated and deleted at
least 10 times the scans, `pg_stat_user_tables`, at least 10,000 rows written) and carry more
than 4 indexes, listing the ones no scan has used as the first to drop.

## Why is this bad?
Every index is updated on every insert and on every update that is not HOT; on a write-heavy
table the indexes set the write throughput, WAL volume and replication lag. Each indexed column
an UPDATE touches also rules out HOT updates.

## Example
```sql
-- events: 5 million inserts, 30 scans, 7 indexes
```

## Use instead
```sql
DROP INDEX CONCURRENTLY events_payload_idx;  -- never scanned
```
Merge single-column indexes into one composite index where the queries allow.

## References
SQLCheck 2004 (too many indexes); pghero unused indexes.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext, drop_with_undo, is_enforcing
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="write-heavy-table-over-indexed",
    code="IX007",
    family="index",
    severity=Severity.advice,
    summary="A write-heavy table carries many indexes: each one is paid on every write.",
)

MAX_INDEXES = 4
MIN_WRITES = 10_000
WRITES_PER_SCAN = 10.0


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        s = t.stats
        writes = s.inserts + s.updates + s.deletes
        scans = s.seq_scans + s.idx_scans
        if len(t.indexes) <= MAX_INDEXES or writes < MIN_WRITES or writes < WRITES_PER_SCAN * max(scans, 1):
            continue
        unused = [i for i in t.indexes if i.scans == 0 and not is_enforcing(i)]
        fix = ("\n".join(drop_with_undo(t, i) for i in unused) if unused else
               "-- every index is used: replace single-column indexes by one composite index where queries allow")  # fmt: skip
        out.append(
            RULE.finding(
                message=(f"{t.qualified} has {len(t.indexes)} indexes and is write-heavy ({writes:,} rows written, "
                         f"{scans:,} scans): every insert updates all of them"
                         + (f"; {len(unused)} were never scanned ({', '.join(i.name for i in unused)})." if unused else ".")),  # fmt: skip
                obj=t.qualified,
                fix=fix,
                evidence=[ctx.evidence(f"{writes} rows written vs {scans} scans, {len(t.indexes)} indexes",
                                       writes=writes, scans=scans, indexes=len(t.indexes),
                                       unused=[i.name for i in unused])],  # fmt: skip
            )
        )
    return out
