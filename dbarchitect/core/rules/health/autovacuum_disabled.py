"""A table with autovacuum switched off (`autovacuum_enabled = false`).

## What it does
Flags tables whose reloptions disable autovacuum, with their dead rows and the last (auto)vacuum;
a warning when dead rows have accumulated, advice otherwise.

## Why is this bad?
Nothing reclaims the dead rows left by UPDATE and DELETE: the table and its indexes bloat, scans
read dead tuples, index-only scans lose the visibility map, and statistics go stale. Only the
anti-wraparound vacuum still runs — late, and uncancellable.

## Example
```sql
ALTER TABLE events SET (autovacuum_enabled = false);  -- "to speed up the bulk load", never undone
```

## Use instead
```sql
ALTER TABLE events RESET (autovacuum_enabled);  -- SHARE UPDATE EXCLUSIVE lock, catalog only
VACUUM (ANALYZE) events;
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname

RULE = RuleMeta(
    name="autovacuum-disabled",
    code="HL003",
    family="health",
    severity=Severity.warning,
    summary="Autovacuum is switched off for a table, so its dead rows are never reclaimed.",
)
CHECK = "vacuum"


def check(facts: HealthFacts):
    for t in facts.tables:
        if t.autovacuum_enabled:
            continue
        total = t.live + t.dead
        share = t.dead / total if total else 0.0
        name = qname(t.schema_name, t.name)
        yield RULE.finding(
            severity=Severity.warning if t.dead > 0 else Severity.advice, obj=t.qualified,
            message=(f"Autovacuum is disabled on {t.qualified}: {t.dead:,} dead rows ({share:.0%} of the table) wait for "
                     f"a manual VACUUM; last vacuumed {t.last_vacuum or 'never'}."),
            fix=(f"ALTER TABLE {name} RESET (autovacuum_enabled);  -- SHARE UPDATE EXCLUSIVE lock, catalog only, no rewrite\n"
                 f"VACUUM (ANALYZE) {name};  -- no blocking lock; reads the table"),
            evidence=[catalog(f"reloptions of {t.qualified}", options=t.options, dead_rows=t.dead, live_rows=t.live,
                              last_vacuum=t.last_vacuum)],
        )
