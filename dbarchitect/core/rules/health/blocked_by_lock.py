"""A session waits for a lock held by another session.

## What it does
Lists sessions with `pg_blocking_pids(pid)` not empty, how long they have waited, and each blocker's
state and query — so the root of a lock queue (often an idle-in-transaction session or a DDL
statement queued behind a long query) is named.

## Why is this bad?
Lock waits pile up: an `ALTER TABLE` waiting for ACCESS EXCLUSIVE blocks every later query on the
table, and the whole application stalls behind one forgotten transaction.

## Example
```
pid 7001 waits 95 s (Lock/relation) for pid 6990 (idle in transaction): ALTER TABLE orders ADD COLUMN ...
```

## Use instead
```sql
SELECT pg_terminate_backend(6990);  -- the blocker, after checking what it is doing
SET lock_timeout = '5s';            -- in migrations: fail fast instead of queueing
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, duration

RULE = RuleMeta(
    name="blocked-by-lock",
    code="HL009",
    family="health",
    severity=Severity.warning,
    summary="A session is blocked by another session's lock.",
)
CHECK = "connections"


def check(facts: HealthFacts):
    by_pid = {s.pid: s for s in facts.sessions or []}
    for s in facts.sessions or []:
        if s.database != facts.database or not s.blocked_by:
            continue
        blockers = [by_pid.get(p) for p in s.blocked_by]
        described = "; ".join(
            f"pid {p} ({b.state}, {(b.query or '').strip()[:120]!r})" if b else f"pid {p}"
            for p, b in zip(s.blocked_by, blockers)
        )
        yield RULE.finding(
            severity=Severity.error if (s.query_age_s or 0) >= 300 else Severity.warning, obj=f"pid {s.pid}",
            message=(f"Session {s.pid} ({s.user}) has waited {duration(s.query_age_s)} on a {s.wait_event or 'lock'} "
                     f"for {described}. Its statement: {(s.query or '').strip()[:160]!r}."),
            fix="\n".join(f"SELECT pg_terminate_backend({p});  -- the blocker; rolls back its transaction" for p in s.blocked_by)
                + "\nSET lock_timeout = '5s';  -- for DDL: fail fast instead of queueing",
            evidence=[catalog(f"pg_blocking_pids({s.pid})", pid=s.pid, blocked_by=s.blocked_by,
                              blockers=[{"pid": b.pid, "state": b.state, "query": (b.query or "")[:200]} for b in blockers if b],
                              waiting_s=s.query_age_s)],
        )
