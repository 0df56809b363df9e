"""
## What it does
Flags sorts the optimizer could not avoid with an index (`Using filesort`, MariaDB's `filesort`
node, MySQL's `Sort:` in a tree plan) over at least 1,000 rows.

## Why is this bad?
A filesort reads every qualifying row before it can return the first one, so `ORDER BY … LIMIT 10`
costs as much as the whole result; beyond `sort_buffer_size` it spills to temporary files on disk.

## Example
```sql
SELECT * FROM orders WHERE customer_id = 7 ORDER BY created_at DESC LIMIT 10;  -- KEY (customer_id) only
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_customer_created (customer_id, created_at), ALGORITHM=INPLACE, LOCK=NONE;
```
An index whose columns are the equality filters followed by the ORDER BY columns returns rows in order.
"""

from __future__ import annotations

from dbarchitect.core.rules.mysql_plan._common import MANY_ROWS, MyInsight, MyPlanContext, Severity, rule

RULE = rule("mysql-filesort", "MY202", Severity.advice, "The result is sorted after reading all of it (filesort).")


def _input_rows(ctx: MyPlanContext, k: int) -> float:
    node = ctx.plan.nodes[k]
    below = []
    for m in ctx.plan.nodes[k + 1 :]:
        if m.depth <= node.depth:
            break
        below.append(m)
    produced = [m.examined * (m.kept_share if m.kept_share is not None else 1.0) for m in below if m.table]
    return max(produced, default=node.examined)


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    for k, n in enumerate(ctx.plan.nodes):
        if "filesort" not in n.flags or (n.table and not n.label.lower().startswith("sort")):
            if not ("filesort" in n.flags and not n.table):
                continue
        rows = _input_rows(ctx, k)
        if rows < MANY_ROWS:
            continue
        key = n.extra.get("sort_key")
        out.append(
            MyInsight(
                node=n,
                severity=Severity.advice,
                message=f"{rows:,.0f} rows are sorted after being read (filesort{f' by {key}' if key else ''}): no index returns them in order.",
                fix="-- an index on (equality filter columns…, ORDER BY columns…) lets the server read rows in order and stop at the LIMIT",
                proof={"sorted_rows": rows, "sort_key": key, "node": n.label},
                saving_rows=rows * 0.2,
                saving_ms=(n.time_ms * 0.8) if n.time_ms else None,
            )
        )
    return out
