"""Parallel workers planned but not launched: the plan assumed help that never came.

## What it does
Flags Gather and Gather Merge nodes with `Workers Launched` below `Workers Planned`.

## Why is this bad?
The planner costed the plan for N workers; with fewer, the leader does their share alone and the
parallel part runs up to N+1 times slower. Workers come from a shared pool
(`max_parallel_workers`, `max_worker_processes`): at busy times queries get fewer or none.

## Example
```
Gather  (actual rows=1)
  Workers Planned: 2
  Workers Launched: 0
```

## Use instead
```sql
SHOW max_parallel_workers; SHOW max_worker_processes;   -- the pool
ALTER SYSTEM SET max_parallel_workers = 8;               -- within max_worker_processes
```
If the pool is exhausted at peak, fewer workers per gather
(`max_parallel_workers_per_gather`) spreads them; a plan that needs no parallelism needs no pool.

## References
PEV2 help text; pgMustard Parallelism.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, pct, plain_children, who
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="workers-not-launched",
    code="PL017",
    family="plan",
    severity=Severity.warning,
    summary="A Gather launched fewer parallel workers than planned.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type not in ("Gather", "Gather Merge"):
            continue
        planned = int(n.get("Workers Planned") or 0)
        launched = int(n.get("Workers Launched") or 0)
        if launched >= planned:
            continue
        parallel_ms = plain_children(n)[0].total_ms if plain_children(n) else 0.0
        # with all planned workers the parallel part would have taken (launched+1)/(planned+1) of it
        saving = parallel_ms * (1 - (launched + 1) / (planned + 1)) if ctx.timed else None
        message = f"{who(n)} planned {planned} parallel worker(s) but launched {launched}"
        if ctx.timed:
            message += f"; the parallel part ({pct(ctx.share(parallel_ms))} of the time) ran with {launched + 1} process(es)"
        message += "."
        settings = ctx.plan.settings
        hint = ", ".join(f"{k} = {v}" for k, v in settings.items() if "parallel" in k or "worker" in k)
        fix = (
            "The worker pool was exhausted or too small: check max_parallel_workers and max_worker_processes "
            "(SHOW max_parallel_workers;), raise them within the CPU count, or lower "
            "max_parallel_workers_per_gather so concurrent queries share the pool."
        )
        if hint:
            fix += f" Settings in this plan: {hint}."
        yield Insight(
            node=n,
            severity=Severity.warning if launched == 0 else Severity.advice,
            message=message,
            fix=fix,
            proof={"Workers Planned": planned, "Workers Launched": launched},
            saving_ms=saving,
        )
