"""JIT overhead: compiling the query took a large share of its execution time.

## What it does
Reads the plan's `JIT` section: when `Timing.Total` (generation + inlining + optimization +
emission) is at least 10 % of `Execution Time` and at least 2 ms.

## Why is this bad?
JIT pays off for long analytic queries. It is triggered by the estimated cost
(`jit_above_cost`), so an over-estimated short query may spend more time compiling than running.
Inlining and optimization are the expensive parts.

## Example
```
JIT:
  Functions: 3
  Timing: Generation 0.3 ms, Inlining 103.8 ms, Optimization 25.2 ms, Emission 22.5 ms, Total 151.9 ms
Execution Time: 511.8 ms
```

## Use instead
```sql
ALTER DATABASE app SET jit = off;               -- OLTP workloads rarely gain
-- or only compile what is really expensive
ALTER DATABASE app SET jit_above_cost = 500000;
ALTER DATABASE app SET jit_inline_above_cost = 5000000;
ALTER DATABASE app SET jit_optimize_above_cost = 5000000;
```
Fix the over-estimates that inflate the cost.

## References
pgMustard JIT Compilation; PostgreSQL JIT documentation.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_ms, pct
from dbarchitect.core.plan.render import jit_timing
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="jit-overhead",
    code="PL018",
    family="plan",
    severity=Severity.warning,
    summary="JIT compilation took a large share of the execution time.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed or not ctx.plan.jit or ctx.plan.execution_ms is None:
        return
    parts = jit_timing(ctx.plan)
    total = parts.get("Total", 0.0)
    share = ctx.share(total)
    if total < T("jit_min_ms") or share < T("jit_share"):
        return
    expensive = sorted(((k, v) for k, v in parts.items() if k != "Total"), key=lambda kv: kv[1], reverse=True)
    detail = ", ".join(f"{k} {fmt_ms(v)}" for k, v in expensive[:2] if v > 0)
    yield Insight(
        node=None,
        severity=Severity.warning if share >= T("jit_share_warning") else Severity.advice,
        message=(
            f"JIT compilation took {fmt_ms(total)}, {pct(share)} of the execution time ({detail}), "
            f"for {ctx.plan.jit.get('Functions', '?')} functions."
        ),
        fix=(
            "For short queries turn JIT off (SET jit = off; or ALTER DATABASE ... SET jit = off), or raise "
            "jit_above_cost, jit_inline_above_cost and jit_optimize_above_cost so only long queries compile; "
            "fix over-estimates that inflate the cost."
        ),
        proof={"JIT Timing": parts, "Execution Time": ctx.plan.execution_ms, "Functions": ctx.plan.jit.get("Functions")},
        saving_ms=total,
    )
