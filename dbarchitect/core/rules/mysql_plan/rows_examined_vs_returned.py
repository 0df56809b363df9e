"""
## What it does
Flags index accesses that examine at least 1,000 rows and keep less than 10 % of them after the
attached condition (measured by `r_filtered` with ANALYZE, estimated by `filtered` otherwise).
Full scans are reported by mysql-full-scan-large-table instead.

## Why is this bad?
The index narrows the search, but not by the columns that decide: the server fetches each row
(often a random read into the clustered index) only to throw most away.

## Example
```sql
SELECT * FROM orders WHERE customer_id = 7 AND status = 'open';  -- KEY (customer_id): 5,000 rows read, 40 kept
```

## Use instead
```sql
ALTER TABLE orders ADD INDEX orders_customer_status (customer_id, status), ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.rules.mysql_plan._common import (
    MANY_ROWS, MyInsight, MyPlanContext, Severity, add_index_sql, condition_columns, rule,
)  # fmt: skip

RULE = rule(
    "mysql-rows-examined-vs-returned", "MY204", Severity.advice,
    "An access examines many rows and keeps few: the index does not match the filter.",
)  # fmt: skip

SUPERSEDED_BY = ("MY201", "MY205")
KEEP = 0.10


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    for n in ctx.plan.nodes:
        kept = n.kept_share
        if not n.table or kept is None or kept >= KEEP or n.examined < MANY_ROWS:
            continue
        eq, rng = condition_columns(n.condition, n.table)
        keyed = [c for c in n.extra.get("used_key_parts", []) if c not in eq]
        if n.access in ("ref", "eq_ref", "ref_or_null"):
            cols = keyed + eq + ([] if eq else rng[:1])  # the lookup's equality columns, then the condition's
        else:
            cols = eq + (keyed or rng)[:1]  # a range key goes after the condition's equalities
        fix = add_index_sql(n.extra.get("real_table") or n.table, cols) if eq or rng else None
        out.append(
            MyInsight(
                node=n,
                severity=Severity.advice,
                message=(
                    f"{n.table}: {n.examined:,.0f} rows examined, {kept:.2%} kept by the condition"
                    + (f" ({n.condition})" if n.condition else "")
                    + "."
                ),
                fix=fix or "-- extend the index with the columns of the attached condition",
                proof={"rows_examined": n.examined, "kept_share": kept, "access_type": n.access, "key": n.key},
                saving_rows=n.examined * (1 - kept),
                saving_ms=n.time_ms * (1 - kept) if n.time_ms is not None else None,
                object=n.table,
            )
        )
    return out
