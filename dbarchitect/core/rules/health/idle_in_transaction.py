"""A session sits idle inside an open transaction.

## What it does
Lists sessions in state `idle in transaction` (or `… (aborted)`) from `pg_stat_activity`, with how
long the transaction has been open and idle and its last statement. Any duration is reported;
a minute or more is a warning, an hour an error.

## Why is this bad?
An open transaction holds its locks (blocking DDL and, behind it, every query on the table) and
its snapshot holds back the xmin horizon: vacuum cannot remove rows that died after it started,
everywhere in the database.

## Example
```
pid 4242 app=worker idle in transaction for 42 min: UPDATE accounts SET ... WHERE id = $1
```

## Use instead
```sql
SELECT pg_terminate_backend(4242);  -- rolls that transaction back
ALTER DATABASE app SET idle_in_transaction_session_timeout = '5min';
```
and fix the application path that does not commit (exceptions, waiting on I/O inside a transaction).
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration, qi

RULE = RuleMeta(
    name="idle-in-transaction",
    code="HL007",
    family="health",
    severity=Severity.warning,
    summary="A session holds a transaction open while doing nothing.",
)
CHECK = "connections"


def check(facts: HealthFacts):
    for s in facts.sessions or []:
        if s.database != facts.database or s.pid == facts.own_pid or not (s.state or "").startswith("idle in transaction"):
            continue
        idle = s.state_age_s or 0.0
        sev = Severity.error if idle >= 3600 else Severity.warning if idle >= 60 else Severity.advice
        query = (s.query or "").strip().replace("\n", " ")[:200]
        timeout = facts.setting("idle_in_transaction_session_timeout")
        yield RULE.finding(
            severity=sev, obj=f"pid {s.pid}",
            message=(f"Session {s.pid} ({s.user}@{s.database}, application {s.application or '-'}) is {s.state} for "
                     f"{duration(idle)}; its transaction is open for {duration(s.xact_age_s)}. Last statement: {query!r}. "
                     "It keeps its locks and holds back vacuum's horizon."),
            fix=(f"SELECT pg_terminate_backend({s.pid});  -- rolls back its transaction\n"
                 f"ALTER DATABASE {qi(s.database or facts.database)} SET idle_in_transaction_session_timeout = '5min';"
                 "  -- new sessions; no restart"),
            evidence=[catalog(f"pg_stat_activity row of pid {s.pid}", pid=s.pid, state=s.state, idle_s=round(idle, 1),
                              xact_age_s=s.xact_age_s, user=s.user, application=s.application,
                              idle_in_transaction_session_timeout=timeout.value if timeout else None)],
        )
