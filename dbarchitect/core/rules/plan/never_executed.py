"""Never executed: a part of the plan did not run at all.

## What it does
Reports each topmost node with `Actual Loops` = 0 (`(never executed)` in the text format),
with the number of nodes below it. The other insights ignore never-executed nodes.

## Why is this bad?
It is not: it is information. A branch skipped because its outer side returned no rows, a
partition pruned at run time or an InitPlan whose result was not needed cost nothing. It may also
mean the test data does not exercise the plan the production data will.

## Example
```
Hash Join  (actual rows=0 loops=1)
  ->  Seq Scan on orders  (never executed)
  ->  Hash  (actual rows=0 loops=1)
```

## Use instead
Nothing to fix. When the skipped part matters, run the query with parameters that exercise it.

## References
PEV2; depesz.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, who
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="never-executed-node",
    code="PL026",
    family="plan",
    severity=Severity.info,
    summary="Part of the plan never ran (Actual Loops = 0).",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.plan.nodes:
        if n.executed or (n.parent is not None and not n.parent.executed):
            continue
        below = sum(1 for _ in n.walk()) - 1
        yield Insight(
            node=n,
            severity=Severity.info,
            message=f"{who(n)} never executed" + (f", nor the {below} node(s) below it" if below else "") + ".",
            fix=None,
            proof={"Actual Loops": 0},
        )
