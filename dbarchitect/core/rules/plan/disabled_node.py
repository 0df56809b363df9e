"""Disabled plan node: the plan uses an operation that an `enable_*` setting switched off.

## What it does
Flags nodes marked `Disabled: true` (PostgreSQL 18) and, on older versions, nodes whose cost
carries the 1e10 `disable_cost` penalty while their children do not. Names the `enable_*`
settings the plan's `Settings` section shows as off.

## Why is this bad?
`enable_seqscan = off` and friends do not forbid an operation: they make it look prohibitively
expensive. When no alternative exists the planner uses it anyway, and the penalty distorts every
cost above it. Such settings, left on from a debugging session or set per role, cause strange
plans elsewhere.

## Example
```
Seq Scan on customers  (cost=10000000000.00..10000000412.00 rows=1)
  Filter: (name = 'x')
```

## Use instead
```sql
RESET enable_seqscan;       -- or the setting that is off
ALTER ROLE app RESET enable_seqscan;
```
Fix the reason the planner preferred the disabled operation (an index, statistics) instead.

## References
PEV2 (disabled badge); PostgreSQL 18 release notes.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, who
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="disabled-plan-node",
    code="PL025",
    family="plan",
    severity=Severity.warning,
    summary="The plan uses an operation an enable_* setting disabled.",
)


def check(ctx: PlanContext):
    off = sorted(k for k, v in ctx.plan.settings.items() if k.startswith("enable_") and v == "off")
    for n in ctx.plan.nodes:
        if not n.disabled:
            continue
        if off:
            hint = "Settings in this plan: " + ", ".join(f"{k} = off" for k in off) + "."
            fix = " ".join(f"RESET {k};" for k in off)
        else:
            hint = "An enable_* setting is off for this session or role."
            fix = "SHOW enable_seqscan; (and the other enable_* settings) then RESET the one that is off."
        yield Insight(
            node=n,
            severity=Severity.warning,
            message=f"{who(n)} is an operation the planner was told not to use; it was used anyway because no alternative existed. {hint}",
            fix=fix + " Then give the planner the alternative it lacked (an index, fresh statistics).",
            proof={"Total Cost": n.total_cost, "Disabled": n.get("Disabled", True)},
        )
