"""`statement_timeout` or `idle_in_transaction_session_timeout` is unset (0) for the database.

## What it does
Reads the settings a new session of this database gets (`pg_settings`, which includes
`ALTER DATABASE … SET` and `ALTER SYSTEM`); flags each of the two timeouts left at 0 (no limit).

## Why is this bad?
Without a ceiling one runaway query or one forgotten open transaction holds locks and snapshots
for hours: vacuum stalls, DDL queues, connections run out.

## Example
```
statement_timeout = 0, idle_in_transaction_session_timeout = 0
```

## Use instead
```sql
ALTER DATABASE app SET idle_in_transaction_session_timeout = '5min';  -- new sessions; no reload
ALTER ROLE app_user SET statement_timeout = '30s';  -- per role: batch jobs keep their own
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi

RULE = RuleMeta(
    name="timeouts-unset",
    code="HL016",
    family="health",
    severity=Severity.advice,
    summary="statement_timeout or idle_in_transaction_session_timeout is not set.",
)
CHECK = "config"
SUGGEST = {"idle_in_transaction_session_timeout": ("'5min'", "ALTER DATABASE"),
           "statement_timeout": ("'60s'", "ALTER ROLE <application role>")}


def check(facts: HealthFacts):
    for name, (value, _) in SUGGEST.items():
        s = facts.setting(name)
        if s is None or s.number != 0:
            continue
        where = (f"ALTER DATABASE {qi(facts.database)} SET {name} = {value};  -- applies to new sessions, no reload"
                 if name.startswith("idle") else
                 f"ALTER ROLE <application role> SET {name} = {value};  -- new sessions of that role; reports and "
                 "migrations keep their own (SET LOCAL)")
        yield RULE.finding(
            obj=f"{facts.database}:{name}",
            message=(f"{name} is 0 (no limit) for new sessions of {facts.database} (source: {s.source}): "
                     + ("a forgotten open transaction holds locks and vacuum's horizon indefinitely."
                        if name.startswith("idle") else "a runaway query runs, and holds its locks, indefinitely.")),
            fix=where,
            evidence=[catalog(f"pg_settings.{name}", setting=s.value, source=s.source)],
        )
