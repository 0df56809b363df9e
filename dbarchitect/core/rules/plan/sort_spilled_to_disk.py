"""Sort spilled to disk: a Sort (or Incremental Sort) did not fit in work_mem.

## What it does
Flags Sort and Incremental Sort nodes whose `Sort Method` is `external merge`/`external sort` or
whose `Sort Space Type` is `Disk` (also in parallel workers and incremental sort groups).

## Why is this bad?
An external sort writes runs to temporary files and merges them back: disk I/O, often several
times slower than the same sort in memory, and one of the commonest causes of slow reports.

## Example
```
Sort  (actual time=285..328 rows=200000)
  Sort Key: amount DESC
  Sort Method: external merge  Disk: 6688kB
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '32MB'; SELECT ... ORDER BY amount DESC; COMMIT;
-- or for the role or function that runs it
ALTER ROLE reporting SET work_mem = '32MB';
-- or let an index deliver the order
CREATE INDEX CONCURRENTLY ON orders (amount);
```
Raise work_mem scoped, never globally: every sort of every connection may use it. Selecting fewer
or narrower columns shrinks the sort; a LIMIT turns it into a top-N heapsort.

## References
depesz DISK_SORT; pganalyze Disk Sort; pgMustard Operation on Disk.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, pct, sort_spilled, suggest_work_mem, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="sort-spilled-to-disk",
    code="PL003",
    family="plan",
    severity=Severity.warning,
    summary="A sort did not fit in work_mem and spilled to temporary files.",
)


def _disk_kb(n) -> float:
    kb = float(n.get("Sort Space Used") or 0) if n.get("Sort Space Type") == "Disk" else 0.0
    kb += sum(float(w.get("Sort Space Used") or 0) for w in n.get("Workers") or () if w.get("Sort Space Type") == "Disk")
    for key in ("Full-sort Groups", "Pre-sorted Groups"):
        group = n.get(key)
        if isinstance(group, dict):
            kb += float((group.get("Sort Space Disk") or {}).get("Peak Sort Space Used") or 0)
    return kb


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if not sort_spilled(n):
            continue
        kb = _disk_kb(n)
        per_process = kb / max(1, n.processes)
        share = ctx.share(n.exclusive_ms) if ctx.timed else 0.0
        key = ", ".join(n.get("Sort Key") or [])
        message = (
            f"{who(n)} spilled {kb:,.0f} kB to disk ({n.get('Sort Method', 'external')})"
            + (f" and took {pct(share)} of the time" if ctx.timed else "")
            + "."
        )
        work_mem = suggest_work_mem(per_process * 3)
        fix = (
            f"Raise work_mem for this statement only: BEGIN; SET LOCAL work_mem = '{work_mem}'; ...; COMMIT; "
            f"(an in-memory sort needs ~2-3x the {per_process:,.0f} kB it wrote per process)."
        )
        if key:
            fix += f" Or serve the order from an index on ({key}); or sort fewer/narrower rows."
        yield Insight(
            node=n,
            severity=Severity.warning if share >= T("sort_share_warning") or not ctx.timed else Severity.advice,
            message=message,
            fix=fix,
            proof={
                "Sort Method": n.get("Sort Method"),
                "Sort Space Type": n.get("Sort Space Type"),
                "Sort Space Used": n.get("Sort Space Used"),
                "Sort Key": n.get("Sort Key"),
                "Temp Written Blocks": n.exclusive_buffers.get("Temp Written Blocks"),
            },
            saving_ms=n.exclusive_ms * T("spill_saving_fraction") if ctx.timed else None,
        )
