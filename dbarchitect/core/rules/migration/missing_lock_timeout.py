"""
## What it does
Flags the first statement that requests a lock blocking writes or reads (SHARE or stronger) on an
existing table when no `SET lock_timeout` ran earlier in the session.

## Why is this bad?
A lock request waits in a queue. While an ALTER TABLE waits behind one long-running query, every
later query on the table waits behind the ALTER, even plain SELECTs: a harmless migration turns
into an outage. With `lock_timeout` the statement gives up after a few seconds and can be retried.
PostgreSQL 17 also has `transaction_timeout` to cap the whole transaction.

## Example
```sql
ALTER TABLE users ADD COLUMN nickname text;
```

## Use instead
```sql
SET lock_timeout = '3s';
SET statement_timeout = '15min';
ALTER TABLE users ADD COLUMN nickname text;   -- retry with backoff on lock timeout
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, finding, lock_words, short
from dbarchitect.core.migration.models import LOCK_RANK, lock_conflicts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="missing-lock-timeout",
    code="MG025",
    family="migration",
    severity=Severity.warning,
    summary="A blocking lock is requested without lock_timeout: it can queue every query behind it.",
)


def _matview(rel, stmt, mig) -> bool:
    """Nothing writes to a materialized view but REFRESH: a lock that lets reads through blocks no one."""
    facts = mig.facts(rel)
    if facts is not None:
        return facts.kind == "materialized_view"
    return stmt.prediction.kind == "RefreshMatViewStmt"


def check(stmt, mig):
    if stmt.lock_timeout or not stmt.prediction.locks:
        return
    memo = mig.scratch(RULE)
    if memo.get("fired"):
        return
    # a relation the catalog does not have (DROP ... IF EXISTS of nothing) is not locked: a no-op waits for no one
    strong = {r: m for r, m in stmt.prediction.locks.items() if LOCK_RANK[m] >= LOCK_RANK["ShareLock"]
              and not (_matview(r, stmt, mig) and not lock_conflicts(m, "AccessShareLock"))
              and not (mig.ctx.online and r in mig.ctx.known_missing)}
    if not strong:
        return
    if stmt.prediction.kind.startswith(("LockStmt",)):
        return
    memo["fired"] = True
    rel, mode = max(strong.items(), key=lambda kv: LOCK_RANK[kv[1]])
    extra = "\nSET transaction_timeout = '10min';  -- PostgreSQL 17+" if mig.pg_version >= 17 else ""
    yield finding(
        RULE, stmt, mig, obj=rel, why="no SET lock_timeout precedes the first blocking lock",
        message=f"Statement {stmt.index} requests {lock_words(mode)} on {short(rel, mig.ctx)} with no lock_timeout: "
        "if a long query holds the table, this statement waits, and every later query on the table waits "
        "behind it.",
        fix=f"{LOCK_TIMEOUT_SQL}\nSET statement_timeout = '15min';{extra}\n-- at the top of the migration; retry on "
        "lock timeout with backoff",
    )
