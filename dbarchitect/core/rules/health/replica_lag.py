"""A standby replays far behind the primary.

## What it does
Reads `pg_stat_replication` on the primary: flags standbys whose `replay_lag` exceeds 60 seconds
or whose replay position is 1 GB or more behind the current WAL.

## Why is this bad?
Reads served by the replica are stale, a failover loses or waits for the missing WAL, and the
primary keeps that WAL on disk.

## Example
```
standby replica1 (10.0.0.12): replay_lag 00:04:12, 3.2 GB behind
```

## Use instead
Find the bottleneck (network, replica I/O, long queries on the replica with
`hot_standby_feedback`/`max_standby_streaming_delay`); `pg_stat_replication` shows write/flush/replay lag separately.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration, size

RULE = RuleMeta(
    name="replica-lag",
    code="HL012",
    family="health",
    severity=Severity.warning,
    summary="A standby replays WAL far behind the primary.",
)
CHECK = "replication"


def check(facts: HealthFacts):
    for r in facts.replicas or []:
        lag_s, lag_b = r.replay_lag_s or 0, r.lag_bytes or 0
        if lag_s < 60 and lag_b < (1 << 30):
            continue
        yield RULE.finding(
            obj=r.application or r.client,
            message=(f"Standby {r.application or '?'} ({r.client or 'local'}, {r.state}) replays {duration(lag_s)} and "
                     f"{size(lag_b)} behind the primary."),
            fix=("-- on the standby: check I/O and conflicts (pg_stat_database_conflicts); on the primary:\n"
                 "SELECT application_name, write_lag, flush_lag, replay_lag FROM pg_stat_replication;"),
            evidence=[catalog("pg_stat_replication", replay_lag_s=lag_s, lag_bytes=lag_b, state=r.state)],
        )
