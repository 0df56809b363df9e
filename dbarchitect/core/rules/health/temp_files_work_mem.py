"""Sorts, hashes and bitmaps spill to temporary files: `work_mem` is too small for the workload.

## What it does
From `pg_stat_database`: flags a database that wrote 100 MB or more of temporary files since the
statistics reset, with the count, the total and the current `work_mem`. Plans show the same as
`Sort Method: external merge`, hash batches > 1 or lossy bitmap heap blocks (explain_query).

## Why is this bad?
Temporary files turn in-memory operations into disk I/O; the queries that spill are often 10× slower.

## Example
```
temp_files 1,204, temp_bytes 38 GB, work_mem 4MB
```

## Use instead
```sql
ALTER ROLE reporting SET work_mem = '64MB';       -- for the role that spills; new sessions
ALTER SYSTEM SET work_mem = '16MB'; SELECT pg_reload_conf();  -- globally: per sort/hash node, per session
```
`top_queries(order_by="temp")` names the statements that spill.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration, size

RULE = RuleMeta(
    name="temp-files-work-mem",
    code="HL014",
    family="health",
    severity=Severity.advice,
    summary="Queries write large temporary files: work_mem is too small for them.",
)
CHECK = "config"
MIN_BYTES = 100 << 20


def check(facts: HealthFacts):
    if facts.temp_bytes is None or facts.temp_bytes < MIN_BYTES:
        return
    wm = facts.setting("work_mem")
    current_kb = wm.number if wm else 4096
    suggested = max(int(current_kb * 4 // 1024), 16)
    yield RULE.finding(
        obj=facts.database,
        message=(f"{facts.database} wrote {facts.temp_files:,} temporary files, {size(facts.temp_bytes)} in total, in "
                 f"{duration(facts.stats_age_s)} since the statistics reset; work_mem is {current_kb / 1024:g}MB."),
        fix=(f"-- which statements spill: top_queries(order_by='temp'); then for their role or globally:\n"
             f"ALTER SYSTEM SET work_mem = '{suggested}MB';  -- reload (SELECT pg_reload_conf()), no restart; "
             "per sort/hash node and session, so mind max_connections"),
        evidence=[catalog("pg_stat_database temp_files / temp_bytes", temp_files=facts.temp_files,
                          temp_bytes=facts.temp_bytes, work_mem_kb=current_kb, stats_reset=facts.stats_reset)],
    )
