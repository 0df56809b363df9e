"""Sequential scan discarding most rows: a filter an index could have applied instead.

## What it does
Flags (Parallel) Seq Scans whose `Rows Removed by Filter` (over all loops) is more than twice the
rows they return and more than half the rows they read, on a table big enough to matter (rows
read x width above 24 KiB). Proposes an index on the filter's columns (equality first, then one
range column) and, with a connection, checks whether such an index already exists.

## Why is this bad?
The scan reads every row to keep a few. Its cost grows with the table, not with the result: the
same query gets slower every month.

## Example
```
Seq Scan on orders  (actual rows=20 loops=1)
  Filter: ((customer_id = 42) AND (status = 'open'))
  Rows Removed by Filter: 1999980
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY ON orders (customer_id, status);
```
A partial index (`WHERE status = 'open'`) when one value is rare; an expression index for
`lower(email) = ...`. When an index exists but is not used, look for a cast on the column (type or
collation mismatch) or a predicate that is not selective.

## References
depesz INDEXABLE_SEQSCAN; PEV2 filter badge; pganalyze Slow Scan; pgMustard Index Potential.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, who
from dbarchitect.core.plan.predicates import local_columns, suggest_index
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="seq-scan-discarding-rows",
    code="PL008",
    family="plan",
    severity=Severity.warning,
    summary="A sequential scan read many rows only to discard most of them in its filter.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type != "Seq Scan" or not n.get("Filter"):
            continue
        removed, kept = n.removed_by_filter, n.rows
        seen = removed + kept
        if seen <= 0:
            continue
        share_removed = removed / seen
        if removed <= T("seqscan_removed_vs_rows") * kept or share_removed < T("seqscan_removed_share"):
            continue
        if seen * max(n.plan_width, 1) <= T("seqscan_min_bytes"):
            continue
        yield build(ctx, n, removed, kept, share_removed)


def build(ctx: PlanContext, n, removed: float, kept: float, share_removed: float) -> Insight:
    cols = local_columns(n.get("Filter"), n.alias, n.relation)
    index = suggest_index(n.relation, n.schema, cols, ctx.catalog)
    message = f"{who(n)} read {fmt_rows(removed + kept)} rows to keep {fmt_rows(kept)} ({pct(share_removed)} discarded by its filter)"
    if ctx.timed:
        message += f", {pct(ctx.share(n.exclusive_ms))} of the time"
    message += "."
    catalog = []
    if index is not None and index.existing:
        message += (
            f" An index ({index.existing}) on these columns exists but was not used: check for a cast or collation "
            "mismatch on the column, or a predicate the index cannot serve."
        )
        catalog.append(
            Evidence(
                kind="catalog",
                detail=f"Index {index.existing} on {index.table} already covers the filter's leading column.",
                data={"index": index.existing, "table": index.table},
            )
        )
    if index is not None and index.existing:
        fix = (
            f"{index.existing} already indexes these columns: make the predicate match it (no cast or function on the "
            f"column, the column's own type and collation), or index the expression the filter uses. "
            f"Otherwise: {index.sql}"
        )
    elif index is not None:
        fix = index.sql
        if len(index.columns) > 1:
            fix += " (equality columns first, then the range column)"
    else:
        fix = "The filter has no column a B-tree can serve directly (OR branches or complex expressions): index each OR branch, or rewrite as UNION."
    severe = share_removed >= T("seqscan_removed_share_warning") and (not ctx.timed or ctx.share(n.exclusive_ms) >= T("seqscan_share_warning"))
    return Insight(
        node=n,
        severity=Severity.warning if severe else Severity.advice,
        message=message,
        fix=fix,
        proof={
            "Filter": n.get("Filter"),
            "Rows Removed by Filter (total)": removed,
            "Actual Rows (total)": kept,
            "Plan Width": n.plan_width,
        },
        saving_ms=n.exclusive_ms * share_removed if ctx.timed else None,
        index=index,
        catalog=catalog,
    )
