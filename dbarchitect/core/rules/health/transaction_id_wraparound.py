"""Transaction-ID (or multixact) age approaching the wraparound limit.

## What it does
Compares `age(datfrozenxid)` / `mxid_age(datminmxid)` of each database and `age(relfrozenxid)` /
`mxid_age(relminmxid)` of each table against `autovacuum_freeze_max_age` (200 million by default)
and `autovacuum_multixact_freeze_max_age`. Flags ages past half the limit, worse past the limit and
near 2 billion, where PostgreSQL stops accepting writes.

## Why is this bad?
Past `autovacuum_freeze_max_age` an anti-wraparound autovacuum runs that cannot be cancelled; if it
cannot keep up (long transactions, an abandoned replication slot, autovacuum starved), the
database refuses new transaction IDs at about 2^31 and must be vacuumed in single-user mode.

## Example
```
public.events: age(relfrozenxid) = 180,000,000, autovacuum_freeze_max_age = 200,000,000
```

## Use instead
```sql
VACUUM (FREEZE, VERBOSE) public.events;   -- no lock beyond SHARE UPDATE EXCLUSIVE; reads the whole table
```
and remove what holds back the horizon (idle transactions, inactive replication slots).

## References
PostgreSQL docs, 25.1.5 Preventing Transaction ID Wraparound Failures; postgres-mcp analyze_db_health.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qi, qname

RULE = RuleMeta(
    name="transaction-id-wraparound",
    code="HL001",
    family="health",
    severity=Severity.warning,
    summary="A database or table's transaction-ID or multixact age is near the wraparound limits.",
)
CHECK = "wraparound"
HARD_LIMIT = 2_000_000_000  # writes stop at 2^31 - 3,000,000 (about 2.1 billion)


def _judge(age: int, limit: float) -> Severity | None:
    if age >= 0.75 * HARD_LIMIT:
        return Severity.error
    if age >= limit:
        return Severity.warning
    if age >= limit / 2:
        return Severity.advice
    return None


def check(facts: HealthFacts):
    xlimit = facts.number("autovacuum_freeze_max_age", 200_000_000)
    mlimit = facts.number("autovacuum_multixact_freeze_max_age", 400_000_000)
    for db in facts.databases:
        for kind, age, limit in (("transaction-ID", db.xid_age, xlimit), ("multixact", db.mxid_age, mlimit)):
            sev = _judge(age, limit)
            if sev:
                yield RULE.finding(
                    severity=sev, obj=db.name,
                    message=(f"Database {db.name}'s oldest unfrozen {kind} age is {age:,} ({age / HARD_LIMIT:.0%} of the "
                             f"~2 billion at which writes stop; the freeze limit is {limit:,.0f})."),
                    fix=(f"-- in database {db.name}: vacuum the oldest tables first (see the per-table findings)\n"
                         f"VACUUM (FREEZE, VERBOSE);  -- SHARE UPDATE EXCLUSIVE locks only; reads every table, heavy I/O"),
                    evidence=[catalog(f"{kind} age of database {db.name}", age=age, freeze_max_age=limit, hard_limit=HARD_LIMIT)],
                )
    for t in facts.tables:
        for kind, age, limit in (("transaction-ID", t.xid_age, xlimit), ("multixact", t.mxid_age, mlimit)):
            sev = _judge(age, limit)
            if sev:
                yield RULE.finding(
                    severity=sev, obj=t.qualified,
                    message=(f"Table {t.qualified}'s {kind} age is {age:,} against autovacuum's freeze limit "
                             f"{limit:,.0f}; an anti-wraparound vacuum {'is due' if age >= limit else 'will be forced soon'}."),
                    fix=(f"VACUUM (FREEZE, VERBOSE) {qname(t.schema_name, t.name)};  -- SHARE UPDATE EXCLUSIVE lock "
                         f"(reads and writes continue); reads all {t.pages:,} pages"),
                    evidence=[catalog(f"age(rel{'frozenxid' if kind[0] == 't' else 'minmxid'}) of {t.qualified}",
                                      age=age, freeze_max_age=limit, pages=t.pages)],
                )
