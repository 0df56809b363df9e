"""
## What it does
Flags tables with more than 6 indexes whose workload is mostly writes: rows inserted, updated and
deleted (`pg_stat_user_tables`) make up at least half of writes plus scans, with at least 1,000
rows written since the statistics were reset. Indexes never scanned are listed as the first to
reconsider.

## Why is this bad?
Each index is one more structure to update on every INSERT, on every DELETE's later vacuum, and
on every UPDATE that changes an indexed column (which also rules out HOT updates). On a write-
heavy table the indexes, not the table, set the write throughput, the WAL volume and the
replication lag.

## Example
```sql
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint, session_id bigint,
                     kind text, source text, payload_type text, country text, created_at timestamptz);
CREATE INDEX events_user_id_idx ON events (user_id);
CREATE INDEX events_session_id_idx ON events (session_id);
CREATE INDEX events_kind_idx ON events (kind);
CREATE INDEX events_source_idx ON events (source);
CREATE INDEX events_payload_type_idx ON events (payload_type);
CREATE INDEX events_country_idx ON events (country);
CREATE INDEX events_created_at_idx ON events (created_at);
CREATE INDEX events_user_created_idx ON events (user_id, created_at);   -- 9 indexes with the key
-- a write-heavy workload: rows written by the thousand, hardly any scan
INSERT INTO events (user_id, kind, created_at) SELECT g % 500, 'view', now() FROM generate_series(1, 5000) g;
```

## Use instead
Drop the indexes that no query uses (`idx_scan = 0` over a representative period, checked on the
replicas too), merge single-column indexes into one composite index that serves the same
queries, and keep the write path lean:
```sql
DROP INDEX CONCURRENTLY events_payload_type_idx;   -- never scanned
DROP INDEX CONCURRENTLY events_country_idx;        -- never scanned
DROP INDEX CONCURRENTLY events_user_id_idx;        -- events_user_created_idx leads with user_id
```

## References
SQLCheck 2004 (too many indexes); pghero unused indexes; the seed's "over-indexing" warning.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, concurrently, qname

RULE = RuleMeta(
    name="many-indexes-on-write-heavy-table",
    code="SD019",
    family="schema",
    severity=Severity.warning,
    summary="A write-heavy table carries many indexes: each one is paid for on every write.",
)

NEEDS = frozenset({"workload"})
MAX_INDEXES = 6  # beyond this a write-heavy table spends more on index upkeep than on its heap
MIN_WRITES = 1_000
WRITE_SHARE = 0.5


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        s = t.stats
        writes = s.inserts + s.updates + s.deletes
        scans = s.seq_scans + s.idx_scans
        if len(t.indexes) <= MAX_INDEXES or writes < MIN_WRITES or writes / (writes + scans) < WRITE_SHARE:
            continue
        unused = [i for i in t.indexes if i.scans == 0 and not i.unique and not i.primary and not i.constraint]
        fix = (
            "-- never scanned since the statistics were reset; confirm on replicas before dropping\n"
            + "\n".join(f"DROP INDEX {concurrently(t)}IF EXISTS {qname(t.schema_name, i.name)};" for i in unused)
            if unused
            else "-- every index is used: look for single-column indexes that one composite index could replace"
        )
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} has {len(t.indexes)} indexes and a write-heavy workload ({writes:,} rows written "
                    f"against {scans:,} scans): every insert updates all {len(t.indexes)}"
                    + (f", and {len(unused)} of them were never scanned." if unused else ".")
                ),
                obj=t.qualified,
                fix=fix,
                evidence=[
                    ctx.evidence(
                        f"{len(t.indexes)} indexes; {writes} rows inserted/updated/deleted vs {scans} scans",
                        indexes=len(t.indexes),
                        inserts=s.inserts,
                        updates=s.updates,
                        deletes=s.deletes,
                        scans=scans,
                        unused=[i.name for i in unused],
                    )
                ],
            )
        )
    return out
