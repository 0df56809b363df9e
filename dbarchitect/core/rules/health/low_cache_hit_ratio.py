"""Too many of the database's block reads miss shared_buffers.

## What it does
From `pg_stat_database`: `blks_hit / (blks_hit + blks_read)` below 95 % once at least 10,000 blocks
were read since the statistics reset.

## Why is this bad?
Every miss is a read from the OS cache or disk; on an OLTP database a ratio below ~99 % usually
means the working set does not fit in `shared_buffers`, or queries scan far more than they need.

## Example
```
blks_hit 1,200,000, blks_read 400,000: 75 % hit ratio
```

## Use instead
Find the scans with top_queries (order_by="io") and fix them first; then size shared_buffers
(`ALTER SYSTEM SET shared_buffers = '4GB'` — needs a restart), about 25 % of RAM.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration

RULE = RuleMeta(
    name="low-cache-hit-ratio",
    code="HL013",
    family="health",
    severity=Severity.advice,
    summary="The buffer cache hit ratio of the database is below 95 %.",
)
CHECK = "cache"
MIN_READS = 10_000


def check(facts: HealthFacts):
    hit, read = facts.blks_hit, facts.blks_read
    if hit is None or read is None or read < MIN_READS:
        return
    ratio = hit / (hit + read)
    if ratio >= 0.95:
        return
    sb = facts.setting("shared_buffers")
    yield RULE.finding(
        obj=facts.database,
        message=(f"Only {ratio:.1%} of block reads in {facts.database} were served by shared_buffers ({hit:,} hits, "
                 f"{read:,} reads in {duration(facts.stats_age_s)} since the statistics reset)."),
        fix=("-- first the queries that read most: top_queries(order_by='io'); then, if the working set is larger:\n"
             "ALTER SYSTEM SET shared_buffers = '<25% of RAM>';  -- needs a restart"),
        evidence=[catalog("pg_stat_database blks_hit / blks_read", blks_hit=hit, blks_read=read, ratio=round(ratio, 4),
                          shared_buffers=(sb.value + (sb.unit or "")) if sb else None, stats_reset=facts.stats_reset)],
    )
