"""Lossy bitmap: a Bitmap Heap Scan's bitmap outgrew work_mem and degraded to whole pages.

## What it does
Flags Bitmap Heap Scans with `Lossy Heap Blocks` > 0. A lossy page remembers only that some row
on it matched, so every row of the page is rechecked: the work is estimated as lossy pages × rows
per page (from the catalog, or observed in the scan), not only the `Rows Removed by Index Recheck`.

## Why is this bad?
The recheck evaluates the condition on every row of every lossy page: CPU work, and rows read
that the index had already excluded.

## Example
```
Bitmap Heap Scan on orders  (actual rows=30600)
  Recheck Cond: ((created >= '2020-01-01') AND (created <= '2021-06-01'))
  Rows Removed by Index Recheck: 91213
  Heap Blocks: exact=204 lossy=1070
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '8MB'; SELECT ...; COMMIT;   -- until the blocks are exact
```
A more selective index (or a narrower range) makes the bitmap smaller.

## References
pganalyze Lossy Bitmaps; pgMustard Lossy Bitmaps.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, suggest_work_mem, who
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="lossy-bitmap-heap-scan",
    code="PL007",
    family="plan",
    severity=Severity.advice,
    summary="A bitmap heap scan went lossy and rechecked whole pages.",
)

# a TIDBitmap page entry costs about 64 bytes (PagetableEntry + hash overhead)
_BYTES_PER_PAGE = 64


def tuples_per_page(ctx: PlanContext, n, seen: float, pages: float) -> tuple[float, str]:
    """Rows per heap page: from the catalog (reltuples / relpages) when known, else from the scan itself."""
    table = ctx.table(n)
    if table is not None and table.pages > 0 and table.reltuples > 0:
        return table.reltuples / table.pages, "from the catalog"
    return (seen / pages if pages > 0 else 0.0), "observed in this scan"


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type != "Bitmap Heap Scan":
            continue
        lossy = float(n.get("Lossy Heap Blocks") or 0)
        if lossy <= 0:
            continue
        exact = float(n.get("Exact Heap Blocks") or 0)
        removed = n.removed_by_recheck
        seen = n.rows + n.removed_by_filter + removed
        # every tuple of a lossy page is rechecked, not only those the recheck removes
        per_page, source = tuples_per_page(ctx, n, seen, lossy + exact)
        rechecked = min(lossy * per_page, seen) if seen > 0 else lossy * per_page
        waste = rechecked / seen if seen > 0 else lossy / (lossy + exact)
        message = (
            f"{who(n)} went lossy on {lossy:,.0f} of {lossy + exact:,.0f} heap pages: about {fmt_rows(rechecked)} rows "
            f"({lossy:,.0f} pages × ~{per_page:,.0f} rows per page, {source}) were rechecked, {fmt_rows(removed)} of them discarded."
        )
        kb = (lossy + exact) * _BYTES_PER_PAGE / 1024
        yield Insight(
            node=n,
            severity=Severity.warning if lossy >= exact else Severity.advice,
            message=message,
            fix=(
                f"Give the bitmap room for its {lossy + exact:,.0f} pages: BEGIN; SET LOCAL work_mem = "
                f"'{suggest_work_mem(kb * 2)}'; ...; COMMIT; or make the index condition more selective."
            ),
            proof={
                "Lossy Heap Blocks": lossy,
                "Exact Heap Blocks": exact,
                "Rows Removed by Index Recheck": n.get("Rows Removed by Index Recheck"),
                "Recheck Cond": n.get("Recheck Cond"),
                "rows per page": round(per_page, 1),
                "rows rechecked (estimate)": round(rechecked),
            },
            saving_ms=n.exclusive_ms * waste if ctx.timed else None,
        )
