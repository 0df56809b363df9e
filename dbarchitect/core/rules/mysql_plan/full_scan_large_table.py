"""
## What it does
Flags full table scans (access type `ALL`, "Table scan on …") and full index scans (`index`)
that read at least 10,000 rows to apply a condition, and proposes an index on the columns the attached condition
tests (equality columns first, then ranges).

## Why is this bad?
A full scan reads every row of the table on every execution: its cost grows with the table, so
a query that is fast today becomes the slowest one on the server as data grows, and it evicts
useful pages from the buffer pool on the way.

## Example
```sql
SELECT * FROM orders WHERE note = 'n77';  -- type=ALL, rows=100100, filtered 0.001 %
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_note_idx (note), ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.rules.mysql_plan._common import (
    LARGE_TABLE_ROWS, MyInsight, MyPlanContext, Severity, add_index_sql, condition_columns, node_saving, rule,
)  # fmt: skip

SUPERSEDED_BY = ("MY205", "MY206")  # the join-buffer / dependent-subquery insight on the same node says more

RULE = rule(
    "mysql-full-scan-large-table", "MY201", Severity.warning,
    "A full table (or index) scan reads a large table on every execution.",
)  # fmt: skip


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    for n in ctx.plan.nodes:
        if n.access not in ("ALL", "index") or not n.table or not n.condition:
            continue  # no condition: the statement asks for every row (an aggregate, an export); MY202/MY203 say the rest
        table_rows = ctx.table_rows(n) or (n.rows_actual if n.rows_actual is not None else n.rows_est) or 0
        if table_rows < LARGE_TABLE_ROWS:
            continue
        eq, rng = condition_columns(n.condition, n.table)
        kept = n.kept_share
        if not ctx.plan.analyzed and kept == 1.0 and n.condition:
            kept = None  # filtered=100 with a condition: the optimizer has no statistics on it, not "keeps all"
        share = 1.0 - (kept if kept is not None else 0.5)
        rows, ms = node_saving(n, share)
        what = "full index scan" if n.access == "index" else "full table scan"
        kept_txt = f", keeping {kept:.3%} of them" if kept is not None and kept < 1 else ""
        fix = (
            add_index_sql(n.extra.get("real_table") or n.table, eq + rng[:1])
            if eq or rng
            else "-- add a WHERE clause on an indexed column, or an index matching the query's filter and order"
        )
        out.append(
            MyInsight(
                node=n,
                severity=Severity.warning if n.access == "ALL" else Severity.advice,
                message=(
                    f"{what.capitalize()} of {n.table}: {n.examined:,.0f} rows examined"
                    + (f" over {n.loops:g} loops" if n.loops > 1 else "")
                    + f"{kept_txt}."
                ),
                fix=fix,
                proof={"access_type": n.access, "rows_examined": n.examined, "kept_share": kept, "table_rows": table_rows,
                       "condition": n.condition},  # fmt: skip
                saving_rows=rows,
                saving_ms=ms,
                object=n.table,
            )
        )
    return out
