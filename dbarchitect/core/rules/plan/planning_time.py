"""Planning time dominant: PostgreSQL spent a large share of the statement's time planning it.

## What it does
Flags plans whose `Planning Time` is at least 5 ms and 10 % of planning + execution (graded at
40 % and 90 %).

## Why is this bad?
Planning is paid on every execution of an unprepared statement. Many joins (the planner searches
join orders), many partitions without pruning, or many indexes make it slow; for a fast query
it can be most of the time.

## Example
```
Planning Time: 48.3 ms
Execution Time: 0.9 ms
```

## Use instead
Prepared statements (or the driver's statement cache) plan once; partition pruning and fewer
partitions shrink the search; `join_collapse_limit` / `from_collapse_limit` cap the join-order
search; drop unused indexes.
```sql
PREPARE q(int) AS SELECT ...; EXECUTE q(42);
```

## References
PEV2 (10 / 40 / 90 %).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_ms, grade, pct
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="planning-time-dominant",
    code="PL019",
    family="plan",
    severity=Severity.warning,
    summary="Planning took a large share of the statement's total time.",
)


def check(ctx: PlanContext):
    planning = ctx.plan.planning_ms
    execution = ctx.plan.execution_ms
    if planning is None or execution is None or planning < T("planning_min_ms"):
        return
    share = planning / (planning + execution)
    if share < T("planning_share"):
        return
    joins = sum(1 for n in ctx.plan.nodes if n.node_type in ("Nested Loop", "Hash Join", "Merge Join"))
    scans = sum(1 for n in ctx.plan.nodes if n.relation)
    yield Insight(
        node=None,
        severity=grade(share, T("planning_share_warning"), T("planning_share_error")),
        message=(
            f"Planning took {fmt_ms(planning)}, {pct(share)} of planning + execution "
            f"({joins} joins, {scans} relation scans in the plan)."
        ),
        fix=(
            "Prepare the statement (PREPARE / the driver's statement cache) so it is planned once; with many "
            "partitions make sure they are pruned at plan time; with many joins lower join_collapse_limit "
            "or simplify the query."
        ),
        proof={"Planning Time": planning, "Execution Time": execution},
        saving_ms=planning,
        share=share,
    )
