"""A large table still uses the default autovacuum scale factors.

## What it does
Flags tables of a million rows or more without a per-table `autovacuum_vacuum_scale_factor` while
the global one is 0.1 or more (default 0.2), with the number of dead rows that must pile up before
autovacuum starts.

## Why is this bad?
With 0.2, a 50-million-row table waits for 10 million dead rows before it is vacuumed: each run is
long and heavy, and meanwhile the table bloats and its statistics drift.

## Example
```
public.events: 50,000,000 rows → autovacuum after 10,000,050 dead rows
```

## Use instead
```sql
ALTER TABLE public.events SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02);
-- SHARE UPDATE EXCLUSIVE lock, catalog only: no rewrite
```
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname

RULE = RuleMeta(
    name="autovacuum-scale-factor-large-table",
    code="HL019",
    family="health",
    severity=Severity.advice,
    summary="A table of a million rows or more relies on the default autovacuum scale factor.",
)
CHECK = "config"
MIN_ROWS = 1_000_000


def check(facts: HealthFacts):
    factor = facts.number("autovacuum_vacuum_scale_factor", 0.2)
    threshold = facts.number("autovacuum_vacuum_threshold", 50)
    if factor < 0.1:
        return
    for t in facts.tables:
        rows = t.reltuples if t.reltuples >= 0 else t.live  # ANALYZE's count; n_live_tup may lag or double-count
        if rows < MIN_ROWS or "autovacuum_vacuum_scale_factor" in t.options or not t.autovacuum_enabled:
            continue
        trigger = threshold + factor * rows
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} has {rows:,.0f} rows and the global autovacuum_vacuum_scale_factor {factor:g}: "
                     f"autovacuum waits for {trigger:,.0f} dead rows before it starts."),
            fix=(f"ALTER TABLE {qname(t.schema_name, t.name)} SET (autovacuum_vacuum_scale_factor = 0.01, "
                 "autovacuum_analyze_scale_factor = 0.02);  -- SHARE UPDATE EXCLUSIVE lock, catalog only, no rewrite"),
            evidence=[catalog(f"reltuples of {t.qualified} and autovacuum settings", rows=rows, scale_factor=factor,
                              threshold=threshold, dead_rows_to_trigger=round(trigger))],
        )
