"""
## What it does
Flags joins that use a join buffer — MariaDB's block nested loop (`block-nl-join`, BNL/BNLH), MySQL's
`Using join buffer (Block Nested Loop | hash join)` — which means the joined table has no usable
index on the join key.

## Why is this bad?
For each buffer-full of rows from the earlier tables the server scans the whole joined table: the
work is rows(left) x rows(right) comparisons (or a hash table built from the whole right side),
where an index on the join column would make each match one lookup.

## Example
```sql
SELECT … FROM customers c JOIN orders o ON o.total = c.credit;  -- no index on either column
```

## Use instead
```sql
ALTER TABLE customers ADD INDEX customers_credit_idx (credit), ALGORITHM=INPLACE, LOCK=NONE;
```
"""

from __future__ import annotations

import re

from dbarchitect.core.rules.mysql_plan._common import MyInsight, MyPlanContext, Severity, add_index_sql, rule

RULE = rule(
    "mysql-join-buffer", "MY205", Severity.warning,
    "A join uses a join buffer (block nested loop / hash join): the join key has no index.",
)  # fmt: skip

_SIDE = re.compile(r"`?(?P<alias>\w+)`?\.`?(?P<col>\w+)`?")


def check(ctx: MyPlanContext) -> list[MyInsight]:
    out = []
    for n in ctx.plan.nodes:
        if "join_buffer" not in n.flags:
            continue
        cond = n.join_condition or ""
        cols = [m.group("col") for m in _SIDE.finditer(cond) if n.table and m.group("alias") == n.table]
        target = n.extra.get("real_table") or n.table
        fix = (
            add_index_sql(target, cols[:1])
            if cols and target
            else "-- index the join column of the joined table so each row is found by a lookup"
        )
        out.append(
            MyInsight(
                node=n,
                severity=Severity.warning,
                message=(
                    f"{n.table or 'A table'} is joined through a join buffer ({n.extra.get('join_type', 'BNL')})"
                    + (f" on {cond}" if cond else "")
                    + f": ~{n.examined:,.0f} row combinations examined"
                    + (f" and {probes * eff:,.0f} row comparisons" if (probes := n.extra.get("join_probes")) and (eff := n.extra.get("join_effective_rows")) else "")
                    + " because no index serves the join key."
                ),
                fix=fix,
                proof={"join_type": n.extra.get("join_type"), "join_condition": cond, "rows_examined": n.examined,
                       "loops": n.loops, "join_probes": n.extra.get("join_probes"),
                       "join_effective_rows": n.extra.get("join_effective_rows")},  # fmt: skip
                saving_rows=n.examined,
                saving_ms=n.time_ms,
                object=n.table,
            )
        )
    return out
