"""Inefficient index scan: the index finds many rows that a filter then throws away.

## What it does
Flags Index Scans, Index Only Scans and Bitmap Heap Scans whose `Rows Removed by Filter` (or, for
a bitmap that stayed exact, `Rows Removed by Index Recheck`) is over half of the rows they read
and at least a thousand. The index condition covers only part of the predicate. Proposes an index
whose keys cover the index condition and the filter, equality columns first.

## Why is this bad?
Each discarded row cost a heap visit (random I/O on a cold cache). The index narrows the search
but not enough: the rest is a scan in disguise.

## Example
```
Index Scan using orders_created_idx on orders  (actual rows=12)
  Index Cond: (created_at > '2024-01-01')
  Filter: (customer_id = 42)
  Rows Removed by Filter: 480211
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);  -- equality first, then range
```
Or a partial index for a fixed filter value; `INCLUDE` columns to make it index-only.

## References
pganalyze Inefficient Index; pgMustard Index Efficiency; PEV2 filter badge.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, who
from dbarchitect.core.plan.predicates import local_columns, suggest_index
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="inefficient-index-scan",
    code="PL009",
    family="plan",
    severity=Severity.warning,
    summary="An index scan reads many rows that its filter then discards.",
)

SCANS = ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")


def wasted(n) -> tuple[float, str]:
    """Rows the scan read and discarded, and by what (filter, or recheck of an exact bitmap)."""
    removed = n.removed_by_filter
    how = "Filter"
    if n.node_type == "Bitmap Heap Scan" and not float(n.get("Lossy Heap Blocks") or 0):
        if n.removed_by_recheck > removed:
            removed, how = n.removed_by_recheck, "Index Recheck"
    return removed, how


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type not in SCANS:
            continue
        removed, how = wasted(n)
        seen = removed + n.rows
        if removed < T("index_removed_min_rows") or seen <= 0:
            continue
        share_removed = removed / seen
        if share_removed < T("index_removed_share"):
            continue
        yield build(ctx, n, removed, how, share_removed)


def build(ctx: PlanContext, n, removed: float, how: str, share_removed: float, trailing=None) -> Insight:
    cond = n.get("Index Cond") or n.get("Recheck Cond")
    if n.node_type == "Bitmap Heap Scan" and not cond:
        cond = next((c.get("Index Cond") for c in n.walk() if c.get("Index Cond")), None)
    cols = local_columns(cond, n.alias, n.relation) + local_columns(n.get("Filter"), n.alias, n.relation)
    index = suggest_index(n.relation, n.schema, cols, ctx.catalog, trailing=trailing)
    via = f"via {n.index_name} " if n.index_name else ""
    message = (
        f"{who(n)} fetched {fmt_rows(removed + n.rows)} rows {via}and discarded {fmt_rows(removed)} "
        f"({pct(share_removed)}) in its {how.lower()}"
    )
    if ctx.timed:
        message += f", {pct(ctx.share(n.exclusive_ms))} of the time"
    message += ": the index condition covers only part of the predicate."
    catalog = []
    if index is not None and index.existing and index.existing != n.index_name:
        catalog.append(
            Evidence(
                kind="catalog",
                detail=f"Index {index.existing} on {index.table} leads with these columns but was not chosen.",
                data={"index": index.existing},
            )
        )
    fix = f"{index.sql}" if index is not None else "Index the filtered columns together with the index condition's columns."
    fix += " Or a partial index for a constant filter value."
    severe = share_removed >= T("index_removed_share_warning")
    return Insight(
        node=n,
        severity=Severity.warning if severe else Severity.advice,
        message=message,
        fix=fix,
        proof={
            "Index Name": n.index_name,
            "Index Cond": cond,
            "Filter": n.get("Filter"),
            f"Rows Removed by {how} (total)": removed,
            "Actual Rows (total)": n.rows,
        },
        saving_ms=n.exclusive_ms * share_removed if ctx.timed else None,
        index=index,
        catalog=catalog,
    )
