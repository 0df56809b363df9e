"""Cost hotspot (plain EXPLAIN): one node carries most of the plan's estimated cost.

## What it does
Without ANALYZE, flags the node whose exclusive estimated cost (its total cost minus its
children's) is at least half of the plan's total cost (graded at 90 %), in a plan costing at
least 10,000, when no other insight points at the node.

## Why is this bad?
Without actual times the estimated cost is the only guide to where the time will go. Costs are
estimates: confirm with EXPLAIN ANALYZE when the statement is safe to run.

## Example
```
Sort  (cost=33189.64..33689.64 rows=200000)
  ->  Seq Scan on orders  (cost=0.00..3274.00 rows=200000)
```

## Use instead
Look at this node first; run `EXPLAIN (ANALYZE, BUFFERS)` to confirm where the time really goes.

## References
PEV2 (cost colouring, 10 / 40 / 90 %).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, pct, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="cost-hotspot",
    code="PL023",
    family="plan",
    severity=Severity.advice,
    summary="Without ANALYZE: one node carries most of the estimated cost.",
)

SUPPORTING = True


def check(ctx: PlanContext):
    total = ctx.plan.total_cost
    if ctx.analyzed or total < T("cost_hotspot_min_cost"):
        return
    for n in ctx.plan.nodes:
        if n.disabled:
            continue
        share = n.exclusive_cost / total
        if share < T("hotspot_share"):
            continue
        yield Insight(
            node=n,
            severity=Severity.warning if share >= T("hotspot_share_warning") else Severity.advice,
            message=f"{who(n)} carries {pct(share)} of the estimated cost ({n.exclusive_cost:,.0f} of {total:,.0f}).",
            fix="Start here; confirm with EXPLAIN (ANALYZE, BUFFERS) when the statement is safe to run.",
            proof={"Exclusive cost": n.exclusive_cost, "Total Cost": total, "Plan Rows": n.plan_rows},
        )
