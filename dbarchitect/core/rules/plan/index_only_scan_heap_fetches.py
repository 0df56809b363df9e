"""Heap fetches in an Index Only Scan: the visibility map is out of date, so the scan visits the
table after all.

## What it does
Flags Index Only Scans whose `Heap Fetches` exceed 40 % of the rows they read (graded at 90 %),
and at least a hundred.

## Why is this bad?
An index-only scan skips the table only for pages the visibility map marks all-visible. Pages
changed since the last VACUUM need a heap visit per row: the scan costs what an Index Scan costs,
while the planner counted on it being cheaper.

## Example
```
Index Only Scan using orders_customer_idx on orders  (actual rows=50000)
  Heap Fetches: 50000
```

## Use instead
```sql
VACUUM (ANALYZE) orders;
-- insert-mostly tables: let autovacuum visit them sooner (PG13+)
ALTER TABLE orders SET (autovacuum_vacuum_insert_scale_factor = 0.05);
```

## References
PEV2 (heap fetches 0 / 40 / 90 %).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="index-only-scan-heap-fetches",
    code="PL014",
    family="plan",
    severity=Severity.advice,
    summary="An Index Only Scan visited the heap for many rows (visibility map out of date).",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type != "Index Only Scan":
            continue
        fetches = float(n.get("Heap Fetches") or 0)  # a total, not per loop
        seen = n.rows + n.removed_by_filter
        if fetches < T("heap_fetch_min") or seen <= 0:
            continue
        ratio = min(1.0, fetches / seen)
        if ratio < T("heap_fetch_share"):
            continue
        rel = n.qualified_relation or "the table"
        yield Insight(
            node=n,
            severity=Severity.warning if ratio >= T("heap_fetch_share_warning") else Severity.advice,
            message=(
                f"{who(n)} fetched {fmt_rows(fetches)} heap rows for {fmt_rows(seen)} index entries ({pct(ratio)}): "
                "the visibility map is out of date, so the index-only scan is not index-only."
            ),
            fix=(
                f"VACUUM (ANALYZE) {rel}; and for a table that mostly receives inserts: "
                f"ALTER TABLE {rel} SET (autovacuum_vacuum_insert_scale_factor = 0.05);"
            ),
            proof={"Heap Fetches": fetches, "Actual Rows (total)": n.rows, "Index Name": n.index_name},
            saving_ms=n.exclusive_ms * ratio * T("heap_visit_saving_fraction") if ctx.timed else None,
        )
