"""ORDER BY + LIMIT walking the wrong index: the planner reads an index in sort order, hoping to
find the LIMIT's rows early, and filters away far more rows than it keeps.

## What it does
Flags a `Limit` over an Index Scan (or Index Only Scan) with a `Filter` that discarded at least
100 rows per row the LIMIT returned. The index was chosen because it delivers the ORDER BY, not
because it matches the WHERE clause. Proposes an index on (filter columns, sort columns).

## Why is this bad?
The planner assumes matching rows are spread evenly through the index. When they cluster at the
far end (or are rare), the scan walks most of the index before the LIMIT is satisfied: a query
that should take a millisecond takes seconds, and only for some parameter values.

## Example
```
Limit  (actual rows=10)
  ->  Index Scan using orders_created_idx on orders  (actual rows=10)
        Filter: (customer_id = 42)
        Rows Removed by Filter: 1480211
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY ON orders (customer_id, created_at);
-- or stop the planner from using the sort index for this query
SELECT ... ORDER BY created_at + interval '0' LIMIT 10;
```
Fixing the filter's estimate (CREATE STATISTICS) also stops the gamble.

## References
pganalyze Query Advisor (ORDER BY + LIMIT index).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import PlanContext, fmt_rows, plain_children
from dbarchitect.core.plan.predicates import order_by_columns
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rules.plan.inefficient_index_scan import build
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="limit-walks-wrong-index",
    code="PL010",
    family="plan",
    severity=Severity.warning,
    summary="ORDER BY + LIMIT walks an index in sort order and filters away most rows.",
)

SUPERSEDES = ("PL009", "PL001")


def _sort_columns(ctx: PlanContext, scan) -> list[str]:
    table = ctx.table(scan)
    if table is not None:
        idx = next((i for i in table.indexes if i.name == scan.index_name), None)
        if idx is not None:
            return [c for c in idx.expressions or idx.columns if c]
    return order_by_columns(ctx.sql)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for limit in ctx.executed():
        kids = plain_children(limit)
        if limit.node_type != "Limit" or not kids:
            continue
        scan = kids[0]
        while scan.node_type in ("Result", "Gather Merge") and plain_children(scan):
            scan = plain_children(scan)[0]
        if scan.node_type not in ("Index Scan", "Index Only Scan") or not scan.get("Filter"):
            continue
        removed = scan.removed_by_filter
        if removed < T("limit_walk_factor") * max(limit.rows, 1):
            continue
        share_removed = removed / (removed + scan.rows) if removed + scan.rows > 0 else 0.0
        ins = build(ctx, scan, removed, "Filter", share_removed, trailing=_sort_columns(ctx, scan))
        ins.message = (
            f"To return {fmt_rows(limit.rows)} rows, LIMIT (node {limit.id}) walked {scan.index_name} on "
            f"{scan.target} (node {scan.id}) in sort order and discarded {fmt_rows(removed)} rows in the filter: the "
            f"index serves the ORDER BY, not the WHERE clause, and the matching rows were far along it."
        )
        ins.fix = (
            (ins.index.sql + " (filter columns first, then the ORDER BY columns)") if ins.index is not None else ""
        ) + " Or make the sort key an expression (ORDER BY col + 0) so the planner stops walking this index."
        ins.severity = Severity.warning
        yield ins
