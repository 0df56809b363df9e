"""Temporary file I/O: a node wrote temp blocks that no sort, hash or aggregate insight explains.

## What it does
With BUFFERS, flags nodes whose own `Temp Written Blocks` (their share, children excluded) are
above zero: materialized CTEs, Materialize, WindowAgg, tuplestores of function scans, a Hash
Join's probe-side batches. Sorts, hashes and hash aggregates that spilled have their own insights
(PL003-PL005) and are not repeated here. With track_io_timing, `Temp I/O Read/Write Time` shows
what it cost.

## Why is this bad?
Temp files are written and read back through the OS: extra I/O that an in-memory operation would
not need, and disk space the statement holds while it runs.

## Example
```
CTE Scan on x  (actual rows=200000)
  Buffers: shared hit=1274, temp written=1120
```

## Use instead
```sql
BEGIN; SET LOCAL work_mem = '32MB'; ...; COMMIT;
-- a CTE read once does not need to be materialized (PG12+)
WITH x AS NOT MATERIALIZED (SELECT ...) SELECT ...;
```
Set `log_temp_files = 0` to see which statements write temp files in production.

## References
PEV2 (temp buffers); pganalyze (temp written).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import (
    Insight,
    PlanContext,
    hash_batched,
    hashagg_spilled,
    pct,
    sort_spilled,
    suggest_work_mem,
    who,
)
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="temp-file-io",
    code="PL006",
    family="plan",
    severity=Severity.advice,
    summary="A node wrote temporary files (temp blocks) not explained by a sort, hash or aggregate spill.",
)


def _explained(n) -> bool:
    if sort_spilled(n) or hash_batched(n) or hashagg_spilled(n):
        return True
    # a hash join batches its probe side when its Hash child did
    return n.node_type == "Hash Join" and any(hash_batched(c) for c in n.children)


def check(ctx: PlanContext):
    if not (ctx.analyzed and ctx.plan.has_buffers):
        return
    for n in ctx.executed():
        written = n.exclusive_buffers.get("Temp Written Blocks", 0.0)
        if written <= 0 or _explained(n):
            continue
        kb = written * 8
        share = ctx.share(n.exclusive_ms) if ctx.timed else 0.0
        what = {
            "CTE Scan": "the materialized CTE's tuplestore",
            "Materialize": "the materialized rows",
            "WindowAgg": "the window partition",
            "Function Scan": "the function's result tuplestore",
        }.get(n.node_type, "its working data")
        message = f"{who(n)} wrote {kb:,.0f} kB of temporary files for {what}"
        if ctx.timed:
            message += f" and took {pct(share)} of the time"
        message += "."
        fix = f"BEGIN; SET LOCAL work_mem = '{suggest_work_mem(kb * 2)}'; ...; COMMIT;"
        if n.node_type == "CTE Scan":
            fix += " If the CTE is read once, let it be inlined: WITH ... AS NOT MATERIALIZED (PG12+)."
        yield Insight(
            node=n,
            severity=Severity.warning if share >= T("temp_io_share_warning") else Severity.advice,
            message=message,
            fix=fix,
            proof={
                "Temp Written Blocks": written,
                "Temp Read Blocks": n.exclusive_buffers.get("Temp Read Blocks", 0.0),
                "Temp I/O Time (ms, inclusive)": n.temp_io_ms,
            },
            saving_ms=n.exclusive_ms * T("spill_saving_fraction") if ctx.timed else None,
        )
