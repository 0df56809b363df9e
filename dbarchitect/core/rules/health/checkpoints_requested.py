"""Most checkpoints are forced by WAL volume instead of happening on schedule.

## What it does
From `pg_stat_bgwriter` (`pg_stat_checkpointer` on PG 17+): flags `checkpoints_req` exceeding
`checkpoints_timed` once there were at least 10 checkpoints.

## Why is this bad?
A requested checkpoint means `max_wal_size` was reached before `checkpoint_timeout`: checkpoints
come in bursts of I/O, and after each one every first change to a page writes a full-page image,
multiplying WAL volume.

## Example
```
checkpoints_timed 120, checkpoints_req 860, max_wal_size 1GB
```

## Use instead
```sql
ALTER SYSTEM SET max_wal_size = '8GB'; SELECT pg_reload_conf();  -- reload, no restart
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog

RULE = RuleMeta(
    name="checkpoints-requested",
    code="HL015",
    family="health",
    severity=Severity.advice,
    summary="Checkpoints are mostly forced by WAL volume: max_wal_size is too small.",
)
CHECK = "config"


def check(facts: HealthFacts):
    timed, req = facts.checkpoints_timed, facts.checkpoints_req
    if timed is None or req is None or timed + req < 10 or req <= timed:
        return
    mws = facts.setting("max_wal_size")
    current_mb = mws.number if mws else 1024
    yield RULE.finding(
        obj="server",
        message=(f"{req:,} of {timed + req:,} checkpoints were requested (WAL reached max_wal_size "
                 f"{current_mb:g}MB) rather than timed: bursts of I/O and extra full-page writes."),
        fix=f"ALTER SYSTEM SET max_wal_size = '{int(current_mb * 4)}MB';  -- reload (SELECT pg_reload_conf()), no restart",
        evidence=[catalog("pg_stat_bgwriter checkpoints_timed / checkpoints_req", checkpoints_timed=timed,
                          checkpoints_req=req, max_wal_size_mb=current_mb)],
    )
