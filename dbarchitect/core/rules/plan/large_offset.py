"""Large OFFSET: the query computes rows only to throw them away before the page it returns.

## What it does
Flags a `Limit` whose input produced at least a thousand more rows than the Limit returned (the
OFFSET), when the SQL text (if given) has an OFFSET.

## Why is this bad?
OFFSET n still produces, sorts and discards n rows. Page 1000 of a list costs 1000 times page
1, and the pages drift when rows are inserted meanwhile.

## Example
```
Limit  (actual rows=20)
  ->  Index Scan using orders_pkey on orders  (actual rows=100020)
```
for `SELECT ... ORDER BY id LIMIT 20 OFFSET 100000`.

## Use instead
Keyset (seek) pagination: remember the last key of the previous page.
```sql
SELECT ... FROM orders WHERE id > $last_seen_id ORDER BY id LIMIT 20;
```

## References
pganalyze Large Offset; Use The Index, Luke (paging through results).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, plain_children, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="large-offset",
    code="PL013",
    family="plan",
    severity=Severity.advice,
    summary="A LIMIT discarded a large OFFSET of rows its input produced.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed or ctx.sql_has("offset") is False:
        return
    for n in ctx.executed():
        kids = plain_children(n)
        if n.node_type != "Limit" or not kids:
            continue
        child = kids[0]
        skipped = child.rows - n.rows
        if skipped < T("offset_min_rows"):
            continue
        frac = skipped / child.rows if child.rows > 0 else 0.0
        saving = child.total_ms * frac if ctx.timed else None
        message = f"{who(n)} skipped {fmt_rows(skipped)} rows to return {fmt_rows(n.rows)} (an OFFSET)"
        if ctx.timed:
            message += f"; producing them took {pct(ctx.share(saving or 0))} of the time"
        message += "."
        keys = next((c.get("Sort Key") for c in child.walk() if c.get("Sort Key")), None)
        key = ", ".join(keys) if keys else "the sort key"
        yield Insight(
            node=n,
            severity=Severity.warning if ctx.timed and ctx.share(saving or 0) >= T("offset_share_warning") else Severity.advice,
            message=message,
            fix=(
                f"Use keyset pagination: WHERE ({key}) > (<last row's values>) ORDER BY {key} LIMIT {fmt_rows(n.rows)}; "
                "with an index on the sort key each page costs the same."
            ),
            proof={"Limit Actual Rows": n.rows, "Input Actual Rows": child.rows},
            saving_ms=saving,
        )
