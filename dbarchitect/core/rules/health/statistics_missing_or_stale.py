"""A table has no planner statistics, or many rows changed since it was last analyzed.

## What it does
Flags tables with rows that were never analyzed (no `pg_stats`, `reltuples = -1`), and tables where
`n_mod_since_analyze` exceeds both 1,000 rows and 20 % of the table while the planner's row count
(`reltuples`) is 20 % or more off the live rows — typically after a bulk load before autovacuum's
analyze caught up.

## Why is this bad?
Without statistics the planner guesses row counts and selectivities: wrong join orders, nested
loops over thousands of rows, seq scans instead of indexes (and the reverse).

## Example
```sql
CREATE TABLE staging AS SELECT ...;  -- 5 million rows, never analyzed
```

## Use instead
```sql
ANALYZE public.staging;  -- SHARE UPDATE EXCLUSIVE lock; samples 30,000 rows × default_statistics_target/100
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname

RULE = RuleMeta(
    name="statistics-missing-or-stale",
    code="HL005",
    family="health",
    severity=Severity.advice,
    summary="A table was never analyzed, or changed a lot since its last ANALYZE.",
)
CHECK = "vacuum"
MIN_CHANGED = 1_000
MIN_SHARE = 0.2


def check(facts: HealthFacts):
    for t in facts.tables:
        rows = max(t.live, int(t.reltuples), 0)
        name = qname(t.schema_name, t.name)
        if t.last_analyze is None and rows > 0:
            yield RULE.finding(
                severity=Severity.warning if rows >= 10_000 else Severity.advice, obj=t.qualified,
                message=f"{t.qualified} has about {rows:,} rows and has never been analyzed: the planner guesses its row counts.",
                fix=f"ANALYZE {name};  -- SHARE UPDATE EXCLUSIVE lock (reads and writes continue); samples the table",
                evidence=[catalog(f"pg_stat_user_tables.last_analyze/last_autoanalyze of {t.qualified} are null",
                                  live_rows=t.live, reltuples=t.reltuples, modified_since_analyze=t.mod_since_analyze)],
            )
        elif (t.last_analyze is not None and t.mod_since_analyze >= MIN_CHANGED
              and t.mod_since_analyze >= MIN_SHARE * max(rows, 1)
              # the planner's row count (reltuples, set by ANALYZE) is off: a load the statistics have not seen
              and abs(t.live - max(t.reltuples, 0)) >= MIN_SHARE * max(t.live, t.reltuples, 1)):
            yield RULE.finding(
                obj=t.qualified,
                message=(f"{t.mod_since_analyze:,} rows of {t.qualified} changed since its last ANALYZE ({t.last_analyze}); the "
                         f"planner still counts {max(t.reltuples, 0):,.0f} rows where there are {t.live:,}: its statistics are stale."),
                fix=f"ANALYZE {name};  -- SHARE UPDATE EXCLUSIVE lock; samples the table",
                evidence=[catalog(f"pg_stat_user_tables.n_mod_since_analyze of {t.qualified}",
                                  modified_since_analyze=t.mod_since_analyze, live_rows=t.live, reltuples=t.reltuples,
                                  last_analyze=t.last_analyze)],
            )
