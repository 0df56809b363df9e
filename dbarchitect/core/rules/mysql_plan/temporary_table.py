"""
## What it does
Flags plans that build an internal temporary table (`Using temporary`, MariaDB's
`temporary_table`, MySQL's "Aggregate using temporary table" / "Materialize") from at least 1,000
rows: GROUP BY or DISTINCT on columns no index orders, UNION, derived tables.

## Why is this bad?
Every input row is written into the temporary table before any result is returned; beyond
`tmp_table_size`/`max_heap_table_size` it moves to disk, and TEXT/BLOB columns force it to disk
at once.

## Example
```sql
SELECT customer_id, count(*) FROM orders GROUP BY customer_id;  -- no index on customer_id
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_customer_id_idx (customer_id), ALGORITHM=INPLACE, LOCK=NONE;
```
With an index on the GROUP BY columns the server groups while reading in index order.
"""

from __future__ import annotations

from dbarchitect.core.rules.mysql_plan._common import MANY_ROWS, MyInsight, MyPlanContext, Severity, rule

RULE = rule(
    "mysql-temporary-table", "MY203", Severity.advice,
    "The plan writes rows into an internal temporary table (GROUP BY/DISTINCT without a usable index).",
)  # fmt: skip


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    nodes = ctx.plan.nodes
    for k, n in enumerate(nodes):
        if "temporary" not in n.flags or n.table:
            continue
        below = []
        for m in nodes[k + 1 :]:
            if m.depth <= n.depth:
                break
            below.append(m)
        # rows written into it: what the tables below produce (examined x kept), not what they read
        rows = max((m.examined * (m.kept_share if m.kept_share is not None else 1.0) for m in below if m.table),
                   default=n.examined)  # fmt: skip
        if rows < MANY_ROWS:
            continue
        out.append(
            MyInsight(
                node=n,
                severity=Severity.advice,
                message=f"{rows:,.0f} rows go through an internal temporary table ({n.label}) before any is returned.",
                fix="-- index the GROUP BY / DISTINCT columns (in that order) so rows are grouped while read in index order",
                proof={"rows_in": rows, "node": n.label},
                saving_rows=rows * 0.3,
                saving_ms=(n.time_ms * 0.5) if n.time_ms else None,
            )
        )
    return out
