"""Poor read efficiency: a scan touched far more pages than the rows it produced justify (bloat).

## What it does
With BUFFERS, flags Index Scans, Index Only Scans and Bitmap Heap Scans that touched ten or more
8 kB blocks per row read (at least 500 blocks), and Seq Scans that found fewer than two rows per
block. With a connection, adds the table's dead-tuple count.

## Why is this bad?
Pages full of dead rows (bloat) or an index whose entries point all over the table make every row
cost several page reads. The query reads megabytes to return kilobytes.

## Example
```
Index Scan using events_created_idx on events  (actual rows=120)
  Buffers: shared hit=3 read=9210
```

## Use instead
```sql
VACUUM (ANALYZE) events;                    -- reclaim dead rows
REINDEX INDEX CONCURRENTLY events_created_idx;   -- rebuild a bloated index
-- heavily bloated tables: pg_repack, or CLUSTER in a maintenance window
```
A covering index (`INCLUDE`) avoids the heap entirely.

## References
pgMustard Read Efficiency.
"""

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="poor-read-efficiency",
    code="PL015",
    family="plan",
    severity=Severity.advice,
    summary="A scan touched many more pages than the rows it read justify (bloat, poor locality).",
)

_INDEX_SCANS = ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")


def check(ctx: PlanContext):
    if not (ctx.analyzed and ctx.plan.has_buffers):
        return
    for n in ctx.executed():
        if n.node_type not in _INDEX_SCANS and n.node_type != "Seq Scan":
            continue
        # a bitmap heap scan's index reads sit in its Bitmap Index Scan children
        blocks = n.blocks(exclusive=n.node_type != "Bitmap Heap Scan")
        seen = n.rows + n.removed_by_filter + n.removed_by_recheck
        if blocks < T("read_min_blocks"):
            continue
        if n.node_type == "Seq Scan":
            per_block = seen / blocks
            if per_block >= T("seqscan_rows_per_block"):
                continue
            detail = f"{who(n)} found only {per_block:.1f} rows per 8 kB page ({fmt_rows(seen)} rows in {fmt_rows(blocks)} pages)"
            waste = 1 - per_block / T("seqscan_rows_per_block")
        else:
            per_row = blocks / max(seen, 1)
            if per_row < T("read_blocks_per_row"):
                continue
            detail = f"{who(n)} touched {fmt_rows(blocks)} pages for {fmt_rows(seen)} rows ({per_row:,.0f} pages per row)"
            waste = 1 - T("read_blocks_per_row") / per_row / 2
        catalog = []
        table = ctx.table(n)
        if table is not None:
            st = table.stats
            catalog.append(
                Evidence(
                    kind="catalog",
                    detail=f"{table.qualified}: {st.dead_tuples:,} dead vs {st.live_tuples:,} live tuples.",
                    data={"n_dead_tup": st.dead_tuples, "n_live_tup": st.live_tuples, "pages": table.pages},
                )
            )
        rel = n.qualified_relation or "the table"
        fix = f"VACUUM (ANALYZE) {rel};"
        if n.index_name:
            fix += f" If the index is bloated: REINDEX INDEX CONCURRENTLY {n.index_name};"
        fix += " For heavy table bloat: pg_repack (online) or VACUUM FULL in a maintenance window."
        yield Insight(
            node=n,
            severity=Severity.advice,
            message=detail + ": dead rows (bloat) or poor locality make each row cost many page reads.",
            fix=fix,
            proof={
                "Shared Hit Blocks": n.exclusive_buffers.get("Shared Hit Blocks"),
                "Shared Read Blocks": n.exclusive_buffers.get("Shared Read Blocks"),
                "Rows read (total)": seen,
            },
            saving_ms=n.exclusive_ms * max(0.0, min(1.0, waste)) if ctx.timed else None,
            catalog=catalog,
        )
