"""
## What it does
Flags indexes that no scan has used since the statistics were reset (`pg_stat_user_indexes.idx_scan = 0`)
on a table that was read meanwhile. Primary keys, unique and constraint-backing indexes are never
flagged: they enforce something. Only statistics at least 7 days old, on tables with traffic, can
say an index is unused; before that the rule answers one line saying why it cannot judge yet.

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

MIN_AGE_DAYS = 7  # younger statistics cannot tell an unused index from one used weekly
MIN_TRAFFIC = 100  # reads + written rows since the reset: below this a table's indexes cannot be judged


def check(snapshot: SchemaSnapshot, ctx: IndexContext) -> list[Finding]:
    out = []
    waiting: list[tuple] = []  # (table, index): unused so far, but the statistics cannot judge it yet
    young = ctx.stats_age_days is None or ctx.stats_age_days < MIN_AGE_DAYS
    for t in ctx.tables:
        reads = t.stats.seq_scans + t.stats.idx_scans
        writes = t.stats.inserts + t.stats.updates + t.stats.deletes
        if reads == 0:
            continue  # the table itself was never read: no evidence either way
        for i in t.indexes:
            if i.scans > 0 or is_enforcing(i) or not i.valid:
                continue
            if young or reads + writes < MIN_TRAFFIC:
                waiting.append((t, i))
                continue
            out.append(
                RULE.finding(
                    message=(
                        f"Index {i.name} on {t.qualified} ({human_bytes(i.size_bytes)}) was never scanned "
                        f"{ctx.stats_age_text()}, while the table was read {reads:,} times and written {writes:,} "
                        "rows: it only costs writes and space. Check replicas before dropping."
                    ),
                    obj=f"{t.schema_name}.{i.name}",
                    fix=drop_with_undo(t, i),
                    evidence=[ctx.evidence(f"pg_stat_user_indexes.idx_scan = 0 for {i.name}", index=i.name, scans=0,
                                           size_bytes=i.size_bytes, stats_age_days=ctx.stats_age_days,
                                           table_scans=reads)],  # fmt: skip
                )
            )
    if waiting:
        why = (f"the usage statistics are {ctx.stats_age_days:.1f} days old (under {MIN_AGE_DAYS})"
               if ctx.stats_age_days is not None else "the age of the usage statistics is unknown") if young else (
               f"their tables saw under {MIN_TRAFFIC} reads and writes since the reset")  # fmt: skip
        names = [f"{t.schema_name}.{i.name}" for t, i in waiting]
        out.append(
            RULE.finding(
                severity=Severity.info,
                message=(
                    f"{len(waiting)} index(es) not scanned yet ({', '.join(names[:8])}{' …' if len(names) > 8 else ''}) "
                    f"cannot be judged yet: {why}. Nothing to drop until they are."
                ),
                fix=f"-- review_indexes again after {MIN_AGE_DAYS} days of normal traffic (and check replicas); no DROP yet",
                evidence=[ctx.evidence(f"idx_scan = 0 on {len(waiting)} index(es); {ctx.stats_age_text()}",
                                       indexes=names[:100], count=len(names), stats_age_days=ctx.stats_age_days)],  # fmt: skip
            )
        )
    return out
