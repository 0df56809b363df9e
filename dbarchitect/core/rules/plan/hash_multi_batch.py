"""Hash spilled into batches: the build side of a hash join did not fit in memory.

## What it does
Flags Hash nodes with `Hash Batches` > 1. When `Hash Batches` exceeds `Original Hash Batches`
the hash had to split again at run time because the planner under-estimated its input.

## Why is this bad?
A multi-batch hash join writes both of its inputs to temporary files in partitions and joins them
partition by partition: extra disk I/O on both sides, visible as temp blocks on the Hash Join.

## Example
```
Hash  (actual rows=20000)
  Buckets: 4096  Batches: 16  Memory Usage: 87kB
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '16MB'; SELECT ...; COMMIT;       -- scoped
ALTER ROLE reporting SET hash_mem_multiplier = 4;              -- hashes may use more than sorts
```
When the batches grew at run time, fix the estimate of the build side (ANALYZE, CREATE
STATISTICS); also make the build side smaller (select fewer columns, filter earlier).

## References
PEV2; pganalyze Hash Batches; pgMustard Operation on Disk.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, hash_batched, pct, suggest_work_mem, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="hash-multi-batch",
    code="PL004",
    family="plan",
    severity=Severity.warning,
    summary="A hash join's build side was split into batches on disk.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if not hash_batched(n):
            continue
        batches = int(n.get("Hash Batches"))
        original = int(n.get("Original Hash Batches") or batches)
        memory_kb = float(n.get("Peak Memory Usage") or 0)
        join = n.parent
        cost_ms = n.exclusive_ms + (join.exclusive_ms if join is not None else 0.0)
        grew = batches > original
        message = f"{who(n)} used {batches} batches"
        if grew:
            message += f" (planned {original}: it grew at run time, so its input was under-estimated)"
        if ctx.timed:
            message += f"; the hash and its join took {pct(ctx.share(cost_ms))} of the time"
        message += "."
        need = suggest_work_mem(memory_kb * batches * 1.5)
        fix = (
            f"Give the hash room for its {batches} batches of ~{memory_kb:,.0f} kB: BEGIN; SET LOCAL work_mem = '{need}'; ...; "
            "COMMIT; or raise hash_mem_multiplier for the role."
        )
        if grew:
            fix += " Fix the under-estimate of the build side (ANALYZE, CREATE STATISTICS) so the planner sizes it."
        yield Insight(
            node=n,
            severity=Severity.warning if grew or batches >= T("hash_batches_warning") else Severity.advice,
            message=message,
            fix=fix,
            proof={
                "Hash Batches": batches,
                "Original Hash Batches": original,
                "Peak Memory Usage": memory_kb,
                "Hash Buckets": n.get("Hash Buckets"),
            },
            saving_ms=cost_ms * T("spill_saving_fraction") if ctx.timed else None,
        )
