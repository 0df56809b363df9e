"""A table is much larger than its live rows need (estimated bloat).

## What it does
Estimates each table's expected size from its row count and average row width (`pg_stats`, plus
the 24-byte tuple header and line pointer, at its fillfactor) and flags tables of at least 10 MB
whose actual size is more than twice the estimate.

## Why is this bad?
Empty space left by deleted and updated rows is read by every sequential scan and kept in cache;
autovacuum makes it reusable but never gives it back to the operating system.

## Example
```
public.events: 2.1 GB on disk, about 600 MB expected from 4 million rows of 140 bytes
```

## Use instead
```sql
-- online, with the pg_repack extension: pg_repack --table public.events
VACUUM FULL public.events;  -- ACCESS EXCLUSIVE lock for the whole rewrite: a maintenance window
```
The estimate is statistical; confirm with `pgstattuple` before a rebuild.
"""

from __future__ import annotations

from dbarchitect.core.health.facts import HealthFacts
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.health._common import catalog, qname, size

RULE = RuleMeta(
    name="table-bloat",
    code="HL006",
    family="health",
    severity=Severity.advice,
    summary="A table takes more than twice the space its live rows need (estimate).",
)
CHECK = "vacuum"
MIN_BYTES = 10 << 20
PAGE = 8192


def expected_bytes(rows: float, width: float, fillfactor: int) -> float:
    per_row = width + 24 + 4  # tuple header + line pointer
    per_page = max(1.0, (PAGE - 24) * fillfactor / 100 // per_row)
    return max(1.0, rows / per_page) * PAGE


def check(facts: HealthFacts):
    for t in facts.tables:
        if t.size_bytes < MIN_BYTES or t.row_width is None or t.reltuples < 0:
            continue
        expected = expected_bytes(max(t.reltuples, 0), t.row_width, t.fillfactor)
        if t.size_bytes < 2 * expected:
            continue
        waste = t.size_bytes - expected
        yield RULE.finding(
            obj=t.qualified,
            message=(f"{t.qualified} takes {size(t.size_bytes)} where about {size(expected)} would hold its "
                     f"{t.reltuples:,.0f} rows of ~{t.row_width:.0f} bytes: ~{size(waste)} is empty space (estimate)."),
            fix=(f"-- online: pg_repack --table {t.qualified}  (brief ACCESS EXCLUSIVE at the swap)\n"
                 f"VACUUM FULL {qname(t.schema_name, t.name)};  -- ACCESS EXCLUSIVE lock for the whole rewrite"),
            evidence=[catalog(f"pg_class size vs rows × width for {t.qualified}", size_bytes=t.size_bytes,
                              expected_bytes=round(expected), reltuples=t.reltuples, row_width=t.row_width,
                              fillfactor=t.fillfactor)],
        )
