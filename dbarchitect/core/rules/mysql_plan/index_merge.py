"""
## What it does
Flags index merges (`type=index_merge`: union, sort-union or intersection of several indexes on
one table), usually from `a = ? OR b = ?` or from two single-column indexes both filtering.

## Why is this bad?
The server scans several indexes, merges their row ids and then fetches the rows: often slower
than one composite index, and the estimate behind it is fragile — plans flip between index merge
and a full scan as data changes. An intersection is a sign that a composite index is missing.

## Example
```sql
SELECT id FROM customers WHERE a = 7 AND b = 9;  -- KEY (a), KEY (b): index_merge intersect
```

## Use instead
```sql
ALTER TABLE customers ADD INDEX customers_a_b (a, b), ALGORITHM=INPLACE, LOCK=NONE;
-- for OR across columns: SELECT … WHERE a = 7 UNION SELECT … WHERE b = 9
```
"""

from __future__ import annotations

import json

from dbarchitect.core.rules.mysql_plan._common import MyInsight, MyPlanContext, Severity, rule

RULE = rule(
    "mysql-index-merge", "MY207", Severity.info,
    "The plan merges several indexes on one table; a composite index (or a UNION) is usually steadier.",
)  # fmt: skip


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    for n in ctx.plan.nodes:
        if "index_merge" not in n.flags:
            continue
        detail = n.extra.get("index_merge")
        text = json.dumps(detail) if isinstance(detail, (dict, list)) else str(detail or n.label)
        kind = "intersect" if "intersect" in text.lower() else "union"
        out.append(
            MyInsight(
                node=n,
                severity=Severity.advice if kind == "intersect" else Severity.info,
                message=(
                    f"{n.table or 'A table'} is read by an index merge ({kind}) of {', '.join(n.possible_keys) or 'several indexes'}: "
                    + ("a composite index on the filtered columns would be one range scan."
                       if kind == "intersect" else "an OR across columns; a UNION of two indexed queries is steadier.")  # fmt: skip
                ),
                fix=(
                    "-- ALTER TABLE … ADD INDEX (col_a, col_b) covering both conditions"
                    if kind == "intersect"
                    else "-- SELECT … WHERE a = ? UNION SELECT … WHERE b = ?"
                ),
                proof={"index_merge": kind, "keys": n.possible_keys, "rows": n.examined},
                saving_rows=n.examined * 0.1,
                saving_ms=(n.time_ms * 0.3) if n.time_ms else None,
                object=n.table,
            )
        )
    return out
