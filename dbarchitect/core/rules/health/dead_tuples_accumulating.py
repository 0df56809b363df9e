"""Dead rows pile up in a table faster than (auto)vacuum removes them.

## What it does
Flags tables (autovacuum on) with at least 10,000 dead rows making up 20 % or more of the table,
per `pg_stat_user_tables.n_dead_tup`, with when they were last vacuumed.

## Why is this bad?
Dead rows are read and skipped by every scan, keep indexes larger than needed and turn into bloat
that only `VACUUM FULL` or a rebuild gives back. Usually autovacuum is too slow for the table's
churn (scale factor too large, cost limit too low) or blocked by a long transaction.

## Example
```
public.jobs: n_live_tup 40,000, n_dead_tup 160,000, last autovacuum 3 days ago
```

## Use instead
```sql
VACUUM (ANALYZE, VERBOSE) public.jobs;
ALTER TABLE public.jobs SET (autovacuum_vacuum_scale_factor = 0.02);
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname

RULE = RuleMeta(
    name="dead-tuples-accumulating",
    code="HL004",
    family="health",
    severity=Severity.advice,
    summary="A table holds many dead rows that vacuum has not removed yet.",
)
CHECK = "vacuum"
MIN_DEAD = 10_000
MIN_SHARE = 0.2


def check(facts: HealthFacts):
    for t in facts.tables:
        total = t.live + t.dead
        if not t.autovacuum_enabled or t.dead < MIN_DEAD or total == 0 or t.dead / total < MIN_SHARE:
            continue
        share = t.dead / total
        name = qname(t.schema_name, t.name)
        yield RULE.finding(
            severity=Severity.warning if share >= 0.5 else Severity.advice, obj=t.qualified,
            message=(f"{t.qualified} holds {t.dead:,} dead rows ({share:.0%} of its rows); last vacuumed "
                     f"{t.last_vacuum or 'never'}. Scans read them and the table bloats."),
            fix=(f"VACUUM (ANALYZE, VERBOSE) {name};  -- SHARE UPDATE EXCLUSIVE lock: reads and writes continue\n"
                 f"ALTER TABLE {name} SET (autovacuum_vacuum_scale_factor = 0.02);  -- catalog only; vacuum it sooner"),
            evidence=[catalog(f"pg_stat_user_tables for {t.qualified}", dead_rows=t.dead, live_rows=t.live,
                              dead_share=round(share, 3), last_vacuum=t.last_vacuum)],
        )
