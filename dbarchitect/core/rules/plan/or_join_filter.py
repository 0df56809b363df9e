"""Late OR join filter: a join condition with OR, applied after the join instead of driving it.

## What it does
Flags join nodes whose `Join Filter` contains an OR across columns of different relations and
removed at least a thousand rows, ten times more than it kept. An OR of join conditions cannot
drive a hash or merge join, nor an index lookup: the join compares every pair and filters late.

## Why is this bad?
The join degenerates into a cross product filtered row by row: its cost grows with the product of
both inputs.

## Example
```
Nested Loop  (actual rows=2000)
  Join Filter: ((o.customer_id = c.id) OR (o.referrer_id = c.id))
  Rows Removed by Join Filter: 39998000
```

## Use instead
```sql
SELECT ... FROM orders o JOIN customers c ON o.customer_id = c.id
UNION
SELECT ... FROM orders o JOIN customers c ON o.referrer_id = c.id;
```
Each branch can use its own index or hash join; UNION (or UNION ALL plus a dedup key) merges them.

## References
pganalyze Query Advisor (OR join conditions).
"""

import re

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, who
from dbarchitect.core.plan.predicates import predicate_columns
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="or-in-join-filter",
    code="PL012",
    family="plan",
    severity=Severity.warning,
    summary="An OR in a join condition forces a late join filter over a near cross product.",
)

_OR = re.compile(r"\bOR\b")


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        jf = n.get("Join Filter")
        if not jf or not _OR.search(str(jf)):
            continue
        removed = n.removed_by_join_filter
        if removed < T("or_join_removed_min") or removed < T("or_join_removed_factor") * max(n.rows, 1):
            continue
        qualifiers = {c.qualifier for c in predicate_columns(str(jf)) if c.kind == "or" and c.qualifier}
        if len(qualifiers) < 2:
            continue
        share_removed = removed / (removed + n.rows)
        message = (
            f"{who(n)} compared {fmt_rows(removed + n.rows)} row pairs and discarded {fmt_rows(removed)} "
            f"({pct(share_removed)}) in a join filter with OR"
        )
        if ctx.timed:
            message += f"; the join took {pct(ctx.share(n.total_ms))} of the time"
        message += "."
        yield Insight(
            node=n,
            severity=Severity.warning,
            message=message,
            fix=(
                "Split the OR into one query per join condition and combine them with UNION (or UNION ALL with a "
                "dedup key), so each branch can use a hash join or an index."
            ),
            proof={"Join Filter": jf, "Rows Removed by Join Filter (total)": removed, "Actual Rows (total)": n.rows},
            saving_ms=n.total_ms * share_removed if ctx.timed else None,
        )
