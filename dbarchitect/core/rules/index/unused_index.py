"""
## What it does
Flags indexes that no scan has used since the statistics were reset (`pg_stat_user_indexes.idx_scan = 0`)
on a table that was read meanwhile. Primary keys, unique and constraint-backing indexes are never
flagged: they enforce something. The message states how old the statistics are.

## Why is this bad?
An unused index is written on every INSERT and non-HOT UPDATE, vacuumed, backed up and cached for
nothing. Statistics that are only hours old, or a replica that serves reads the primary never sees,
can make a needed index look unused: check the age and the replicas before dropping.

## Example
```sql
CREATE INDEX orders_note_idx ON orders (note);   -- idx_scan = 0 after 30 days
```

## Use instead
```sql
DROP INDEX CONCURRENTLY orders_note_idx;
-- undo: CREATE INDEX CONCURRENTLY orders_note_idx ON public.orders USING btree (note);
```

## References
splinter 0005; pghero unused indexes; postgres-checkup H002.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.index._common import IndexContext, drop_with_undo, is_enforcing
from dbarchitect.core.units import human_bytes
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unused-index",
    code="IX001",
    family="index",
    severity=Severity.advice,
    summary="An index no query has scanned since the statistics were reset.",
)

MIN_AGE_DAYS = 7  # younger statistics make the finding informational only


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables:
        if t.stats.seq_scans + t.stats.idx_scans == 0:
            continue  # the table itself was never read: no evidence either way
        for i in t.indexes:
            if i.scans > 0 or is_enforcing(i) or not i.valid:
                continue
            young = ctx.stats_age_days is None or ctx.stats_age_days < MIN_AGE_DAYS
            out.append(
                RULE.finding(
                    severity=Severity.info if young else None,
                    message=(
                        f"Index {i.name} on {t.qualified} ({human_bytes(i.size_bytes)}) was never scanned "
                        f"{ctx.stats_age_text()}, while the table was read {t.stats.seq_scans + t.stats.idx_scans:,} "
                        f"times and written {t.stats.inserts + t.stats.updates + t.stats.deletes:,} rows: it only costs "
                        "writes and space." + (" The statistics are young: confirm over a full business cycle and on "
                                               "replicas before dropping." if young else " Check replicas before dropping.")
                    ),  # fmt: skip
                    obj=f"{t.schema_name}.{i.name}",
                    fix=drop_with_undo(t, i),
                    evidence=[ctx.evidence(f"pg_stat_user_indexes.idx_scan = 0 for {i.name}", index=i.name, scans=0,
                                           size_bytes=i.size_bytes, stats_age_days=ctx.stats_age_days,
                                           table_scans=t.stats.seq_scans + t.stats.idx_scans)],  # fmt: skip
                )
            )
    return out
