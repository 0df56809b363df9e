"""`random_page_cost` is left at 4, the value for spinning disks.

## What it does
Flags `random_page_cost` ≥ 4 (the default) when `seq_page_cost` is 1: the planner then prices a
random page read four times a sequential one.

## Why is this bad?
On SSDs and cloud volumes (and whenever the data is cached) random reads cost about the same as
sequential ones; with 4 the planner picks sequential scans and bitmap scans over index scans that
would be faster.

## Example
```
random_page_cost = 4, seq_page_cost = 1
```

## Use instead
```sql
ALTER SYSTEM SET random_page_cost = 1.1; SELECT pg_reload_conf();  -- reload, no restart
```
(keep 4 only on spinning disks; test with explain_query before and after).
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog

RULE = RuleMeta(
    name="random-page-cost-default",
    code="HL017",
    family="health",
    severity=Severity.info,
    summary="random_page_cost is at the spinning-disk default of 4.",
)
CHECK = "config"


def check(facts: HealthFacts):
    rpc = facts.setting("random_page_cost")
    if rpc is None or rpc.number < 4 or facts.number("seq_page_cost", 1) != 1:
        return
    yield RULE.finding(
        obj=f"{facts.database}:random_page_cost",
        message=(f"random_page_cost is {rpc.value} (source: {rpc.source}): the planner assumes spinning disks and "
                 "under-uses indexes on SSD or cloud storage."),
        fix="ALTER SYSTEM SET random_page_cost = 1.1;  -- on SSD/cloud storage; reload (SELECT pg_reload_conf()), no restart",
        evidence=[catalog("pg_settings.random_page_cost", random_page_cost=rpc.number, seq_page_cost=facts.number("seq_page_cost", 1),
                          source=rpc.source)],
    )
