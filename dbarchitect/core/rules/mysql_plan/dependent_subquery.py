"""
## What it does
Flags correlated subqueries that run once per outer row (`DEPENDENT SUBQUERY`, MariaDB's
`expression_cache` around a subquery, MySQL's `"dependent": true`), reporting the rows they
examine per execution and in total.

## Why is this bad?
The subquery's work is multiplied by the number of outer rows: a subquery scanning 100,000 rows,
run for 20 outer rows, reads two million. MariaDB's expression cache helps only when outer values
repeat.

## Example
```sql
SELECT c.id FROM customers c
 WHERE c.credit > (SELECT avg(o.total) FROM orders o WHERE o.customer_id = c.id);
```

## Use instead
```sql
SELECT c.id FROM customers c
  JOIN (SELECT customer_id, avg(total) AS avg_total FROM orders GROUP BY customer_id) o ON o.customer_id = c.id
 WHERE c.credit > o.avg_total;
-- and/or: ALTER TABLE orders ADD INDEX orders_customer_id_idx (customer_id);
```
"""

from __future__ import annotations

from dbarchitect.core.rules.mysql_plan._common import MyInsight, MyPlanContext, Severity, add_index_sql, condition_columns, rule

RULE = rule(
    "mysql-dependent-subquery", "MY206", Severity.warning,
    "A correlated subquery runs once per outer row; its work is multiplied by the outer row count.",
)  # fmt: skip


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    outer = [n for n in ctx.plan.nodes if n.table and "dependent" not in n.flags]
    outer_rows = 1.0
    for n in outer:
        produced = (n.rows_actual if n.rows_actual is not None else (n.rows_est or 1)) * (n.kept_share or 1.0)
        outer_rows = max(outer_rows, produced * n.loops)
    for n in ctx.plan.nodes:
        if "dependent" not in n.flags or not n.table:
            continue
        runs = n.loops if ctx.plan.analyzed and n.loops > 1 else outer_rows
        per_run = n.rows_actual if n.rows_actual is not None else (n.rows_est or 0)
        total = per_run * runs
        eq, _ = condition_columns(n.condition, n.table)
        fix = (
            "-- rewrite as a JOIN to a grouped derived table (see the rule's documentation)"
            + (f"; or index the correlation column: {add_index_sql(n.extra.get('real_table') or n.table, eq[:1])}" if eq and n.access in ("ALL", "index") else "")
        )
        out.append(
            MyInsight(
                node=n,
                severity=Severity.warning if total >= 10_000 else Severity.advice,
                message=(
                    f"A dependent subquery on {n.table} runs once per outer row (~{runs:,.0f} times), "
                    f"examining ~{per_run:,.0f} rows each: ~{total:,.0f} rows in all."
                ),
                fix=fix,
                proof={"runs": runs, "rows_per_run": per_run, "access_type": n.access, "condition": n.condition},
                saving_rows=total,
                saving_ms=n.time_ms,
                object=n.table,
            )
        )
    return out
