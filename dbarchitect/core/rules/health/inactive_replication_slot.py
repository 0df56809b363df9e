"""A replication slot nobody consumes keeps WAL (and old rows) forever.

## What it does
Flags replication slots with `active = false` from `pg_replication_slots`, with the WAL they retain
(`pg_current_wal_lsn() - restart_lsn`) and their `wal_status`.

## Why is this bad?
An inactive slot pins WAL on disk until the disk fills and the server stops; a logical slot also
holds back `catalog_xmin`, so vacuum cannot clean the catalogs and wraparound approaches.

## Example
```
slot old_replica (physical) inactive, retains 48 GB of WAL, wal_status extended
```

## Use instead
```sql
SELECT pg_drop_replication_slot('old_replica');  -- if its consumer is gone for good
ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf();  -- a ceiling, no restart
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, size

RULE = RuleMeta(
    name="inactive-replication-slot",
    code="HL011",
    family="health",
    severity=Severity.warning,
    summary="An inactive replication slot retains WAL on disk.",
)
CHECK = "replication"


def check(facts: HealthFacts):
    for slot in facts.slots or []:
        if slot.active:
            continue
        retained = slot.retained_bytes
        sev = Severity.error if (retained or 0) >= (10 << 30) or slot.wal_status in ("unreserved", "lost") else Severity.warning
        yield RULE.finding(
            severity=sev, obj=slot.name,
            message=(f"Replication slot {slot.name} ({slot.slot_type}{', database ' + slot.database if slot.database else ''}) "
                     f"is inactive and retains {size(retained)} of WAL (wal_status {slot.wal_status or 'unknown'}); "
                     "it grows until the disk is full."),
            fix=(f"SELECT pg_drop_replication_slot('{slot.name}');  -- once its consumer is gone for good\n"
                 "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB';  -- a ceiling; reload: SELECT pg_reload_conf();"),
            evidence=[catalog(f"pg_replication_slots row {slot.name}", active=False, retained_bytes=retained,
                              wal_status=slot.wal_status, slot_type=slot.slot_type)],
        )
