"""Connections in use approach `max_connections`.

## What it does
Compares the sessions in `pg_stat_activity` with `max_connections` minus the reserved superuser
slots: 80 % used is a warning, 95 % an error.

## Why is this bad?
At the limit new connections fail with `too many clients already`; every connection also costs
memory and contention, so raising the limit rarely helps as much as a pooler.

## Example
```
92 of 100 connections in use (3 reserved for superusers)
```

## Use instead
A connection pooler (PgBouncer in transaction mode) in front of the database, and
`idle_session_timeout` for forgotten sessions; `max_connections` itself needs a restart.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog

RULE = RuleMeta(
    name="connections-near-limit",
    code="HL010",
    family="health",
    severity=Severity.warning,
    summary="The sessions in use are close to max_connections.",
)
CHECK = "connections"


def check(facts: HealthFacts):
    if facts.connections is None:
        return
    maximum = facts.number("max_connections", 100)
    reserved = facts.number("superuser_reserved_connections", 3)
    usable = max(maximum - reserved, 1)
    share = facts.connections / usable
    if share < 0.8:
        return
    yield RULE.finding(
        severity=Severity.error if share >= 0.95 else Severity.warning, obj=facts.database,
        message=(f"{facts.connections} of {usable:.0f} usable connections are in use ({share:.0%}; max_connections "
                 f"{maximum:.0f}, {reserved:.0f} reserved): new clients will soon be refused."),
        fix=("-- put a pooler (PgBouncer, transaction mode) in front; end forgotten sessions:\n"
             "ALTER SYSTEM SET idle_session_timeout = '30min';  -- reload: SELECT pg_reload_conf();\n"
             f"-- raising max_connections (ALTER SYSTEM SET max_connections = {int(maximum * 1.5)}) needs a restart"),
        evidence=[catalog("pg_stat_activity count vs max_connections", connections=facts.connections,
                          max_connections=maximum, reserved=reserved)],
    )
