"""Time hotspot: one node takes most of the statement's time and no other insight explains why.

## What it does
Flags the node whose exclusive time (its own, children excluded) is at least half of the total
(graded at 90 %) and at least 10 ms, when no other insight already points at that node.

## Why is this bad?
Optimising anything else cannot save more than the rest of the time. It is where to look first,
even when the reason is not one of the patterns dbarchitect recognises.

## Example
```
Hash Join  (actual time=3.1..1890.4 rows=8000000)   -- 85 % of the time in the join itself
```

## Use instead
Look at this node first: can it process fewer rows (filter earlier, aggregate before joining)?
Is its input estimated right? Would an index make a different operation possible?

## References
depesz and PEV2 (exclusive time colouring).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_ms, pct, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="time-hotspot",
    code="PL022",
    family="plan",
    severity=Severity.advice,
    summary="One node takes most of the execution time.",
)

SUPPORTING = True


def check(ctx: PlanContext):
    if not ctx.timed:
        return
    for n in ctx.executed():
        share = ctx.share(n.exclusive_ms)
        if share < T("hotspot_share") or n.exclusive_ms < T("hotspot_min_ms"):
            continue
        yield Insight(
            node=n,
            severity=Severity.warning if share >= T("hotspot_share_warning") else Severity.advice,
            message=f"{who(n)} takes {fmt_ms(n.exclusive_ms)}, {pct(share)} of the execution time, in its own work.",
            fix=(
                "Start here: make this node process fewer rows (filter or aggregate earlier), check its input "
                "estimate, and consider whether an index would allow a cheaper operation."
            ),
            proof={"Exclusive time (ms)": n.exclusive_ms, "Actual Rows (total)": n.rows, "Actual Loops": n.loops},
        )
