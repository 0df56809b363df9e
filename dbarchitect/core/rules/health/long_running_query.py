"""A query has been running for a long time.

## What it does
Flags active sessions whose current statement started 60 seconds ago or more (`pg_stat_activity`),
a warning from 5 minutes.

## Why is this bad?
A long query holds its snapshot (vacuum cannot clean behind it), its locks (DDL queues behind it,
and everything else behind the DDL), and often a connection the pool needs.

## Example
```
pid 5150 active for 47 min: SELECT ... FROM events e JOIN ... ORDER BY ...
```

## Use instead
```sql
SELECT pg_cancel_backend(5150);  -- cancels the statement, keeps the session
ALTER ROLE app SET statement_timeout = '30s';
```
then explain the query (explain_query) and fix its plan.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration

RULE = RuleMeta(
    name="long-running-query",
    code="HL008",
    family="health",
    severity=Severity.advice,
    summary="A statement has been running for more than a minute.",
)
CHECK = "connections"
MIN_S = 60


def check(facts: HealthFacts):
    for s in facts.sessions or []:
        if s.database != facts.database or s.pid == facts.own_pid or s.state != "active" or (s.query_age_s or 0) < MIN_S:
            continue
        if s.backend_type != "client backend":
            continue
        query = (s.query or "").strip().replace("\n", " ")[:200]
        yield RULE.finding(
            severity=Severity.warning if s.query_age_s >= 300 else Severity.advice, obj=f"pid {s.pid}",
            message=f"Session {s.pid} ({s.user}) has been running one statement for {duration(s.query_age_s)}: {query!r}.",
            fix=(f"SELECT pg_cancel_backend({s.pid});  -- cancels the statement only\n"
                 f"-- then: explain_query on it; and a ceiling: ALTER ROLE {s.user} SET statement_timeout = '60s';"),
            evidence=[catalog(f"pg_stat_activity row of pid {s.pid}", pid=s.pid, query_age_s=s.query_age_s,
                              wait_event=s.wait_event, user=s.user)],
        )
