"""Ineffective Memoize: the cache in front of a nested loop's inner side mostly missed (PG14+).

## What it does
Flags Memoize nodes with at least 100 `Cache Misses` and ten times more misses than `Cache
Hits`, or any `Cache Evictions` / `Cache Overflows`.

## Why is this bad?
Memoize pays off when the same keys repeat. The planner chose it on its estimate of distinct
keys; when most lookups miss, or the cache is too small and evicts entries, the node adds
hashing and memory work on every loop and saves nothing.

## Example
```
Memoize  (actual rows=1 loops=20000)
  Cache Key: o.cid
  Hits: 12  Misses: 19988  Evictions: 19000  Overflows: 0  Memory Usage: 65kB
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '16MB'; ...; COMMIT;        -- evictions: the cache was too small
ALTER TABLE orders ALTER COLUMN cid SET (n_distinct = -0.1); ANALYZE orders;  -- wrong ndistinct
SET enable_memoize = off;   -- to compare, in a session
```

## References
PEV2 (displays the counters); PostgreSQL 14 release notes.
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, suggest_work_mem, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="memoize-ineffective",
    code="PL024",
    family="plan",
    severity=Severity.advice,
    summary="A Memoize cache mostly missed or evicted entries.",
)


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    for n in ctx.executed():
        if n.node_type not in ("Memoize", "Result Cache"):
            continue
        hits = float(n.get("Cache Hits") or 0)
        misses = float(n.get("Cache Misses") or 0)
        evictions = float(n.get("Cache Evictions") or 0)
        overflows = float(n.get("Cache Overflows") or 0)
        missing = misses >= T("memoize_min_misses") and misses >= T("memoize_miss_ratio") * max(hits, 1)
        if not (missing or evictions > 0 or overflows > 0):
            continue
        parts = [f"{fmt_rows(hits)} hits for {fmt_rows(misses)} misses"]
        if evictions:
            parts.append(f"{fmt_rows(evictions)} evictions")
        if overflows:
            parts.append(f"{fmt_rows(overflows)} overflows")
        mem = float(n.get("Peak Memory Usage") or 0)
        fix = []
        if evictions or overflows:
            fix.append(f"The cache was too small ({mem:,.0f} kB): BEGIN; SET LOCAL work_mem = '{suggest_work_mem(mem * 4)}'; ...; COMMIT;")
        if missing:
            fix.append(
                f"The keys ({n.get('Cache Key')}) hardly repeat: fix the planner's distinct-count estimate for them "
                "(ANALYZE; ALTER TABLE ... ALTER COLUMN ... SET (n_distinct = ...)), or compare with SET enable_memoize = off."
            )
        yield Insight(
            node=n,
            severity=Severity.warning if evictions > misses * T("memoize_evicted_share_warning") else Severity.advice,
            message=f"{who(n)} was ineffective: " + ", ".join(parts) + ".",
            fix=" ".join(fix),
            proof={"Cache Key": n.get("Cache Key"), "Cache Hits": hits, "Cache Misses": misses,
                   "Cache Evictions": evictions, "Cache Overflows": overflows},
            saving_ms=n.exclusive_ms if ctx.timed else None,
        )
