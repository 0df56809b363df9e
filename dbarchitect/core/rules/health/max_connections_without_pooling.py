"""`max_connections` is set high, a substitute for a connection pooler.

## What it does
Flags `max_connections` above 300.

## Why is this bad?
Each connection is a process with its own memory (`work_mem` per sort, catalog caches); hundreds
of mostly idle connections cost memory and lock-manager and snapshot contention, and under load all
of them become active at once.

## Example
```
max_connections = 1000
```

## Use instead
A pooler (PgBouncer in transaction mode, or the application's pool) with a few connections per
CPU core; then `ALTER SYSTEM SET max_connections = 200` — needs a restart.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog

RULE = RuleMeta(
    name="max-connections-without-pooling",
    code="HL018",
    family="health",
    severity=Severity.advice,
    summary="max_connections is above 300: use a connection pooler instead.",
)
CHECK = "config"
HIGH = 300


def check(facts: HealthFacts):
    mc = facts.number("max_connections", 100)
    if mc <= HIGH:
        return
    yield RULE.finding(
        obj="server",
        message=(f"max_connections is {mc:.0f} ({facts.connections if facts.connections is not None else '?'} in use): "
                 "each connection is a process with its own memory; a pooler serves the same clients with far fewer."),
        fix="-- put PgBouncer (transaction mode) in front, then:\nALTER SYSTEM SET max_connections = 200;  -- needs a restart",
        evidence=[catalog("pg_settings.max_connections", max_connections=mc, connections=facts.connections)],
    )
