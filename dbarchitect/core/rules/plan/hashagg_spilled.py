"""HashAggregate spilled: a hash aggregate exceeded its memory and wrote partitions to disk (PG13+).

## What it does
Flags HashAggregate and MixedAggregate nodes with `HashAgg Batches` > 1 or `Disk Usage` > 0
(also in parallel workers). `Planned Partitions` > 0 means the planner expected it.

## Why is this bad?
Since PostgreSQL 13 a hash aggregate that outgrows `work_mem x hash_mem_multiplier` spills
groups to disk and re-reads them batch by batch, which costs I/O and repeated hashing.

## Example
```
HashAggregate  (actual rows=20000)
  Group Key: status, cid
  Planned Partitions: 4  Batches: 85  Memory Usage: 177kB  Disk Usage: 3600kB
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '16MB'; SELECT status, cid, count(*) FROM orders GROUP BY 1, 2; COMMIT;
ALTER ROLE reporting SET hash_mem_multiplier = 4;
```
Pre-aggregate in a subquery, or index the group key so a GroupAggregate streams it.

## References
pgMustard (HashAgg); pganalyze Sort/Hash spills; PostgreSQL 13 release notes.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, hashagg_spilled, pct, suggest_work_mem, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="hashagg-spilled-to-disk",
    code="PL005",
    family="plan",
    severity=Severity.warning,
    summary="A hash aggregate exceeded its memory and spilled to disk.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if not hashagg_spilled(n):
            continue
        batches = max([int(n.get("HashAgg Batches") or 1)] + [int(w.get("HashAgg Batches") or 1) for w in n.get("Workers") or ()])
        disk_kb = float(n.get("Disk Usage") or 0) + sum(float(w.get("Disk Usage") or 0) for w in n.get("Workers") or ())
        memory_kb = float(n.get("Peak Memory Usage") or 0)
        key = ", ".join(n.get("Group Key") or [])
        message = f"{who(n)} spilled to disk: {batches} batches, {disk_kb:,.0f} kB written"
        if ctx.timed:
            message += f"; it took {pct(ctx.share(n.exclusive_ms))} of the time"
        message += "."
        need = suggest_work_mem((disk_kb / max(1, n.processes) + memory_kb) * 2)
        fix = f"BEGIN; SET LOCAL work_mem = '{need}'; ...; COMMIT; (or raise hash_mem_multiplier for the role)."
        if key:
            fix += f" Or pre-aggregate earlier, or index ({key}) so a GroupAggregate streams the groups."
        yield Insight(
            node=n,
            severity=Severity.warning if ctx.share(n.exclusive_ms) >= T("hashagg_share_warning") or not ctx.timed else Severity.advice,
            message=message,
            fix=fix,
            proof={
                "HashAgg Batches": n.get("HashAgg Batches"),
                "Disk Usage": n.get("Disk Usage"),
                "Peak Memory Usage": memory_kb,
                "Planned Partitions": n.get("Planned Partitions"),
                "Group Key": n.get("Group Key"),
            },
            saving_ms=n.exclusive_ms * T("spill_saving_fraction") if ctx.timed else None,
        )
