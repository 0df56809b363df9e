"""Cache misses: a node read most of its pages from outside shared_buffers (I/O-bound).

## What it does
With BUFFERS, flags nodes whose own `Shared Read Blocks` are at least 1000 and at least half of
the blocks they touched; with `track_io_timing`, also nodes whose I/O read time (`I/O Read Time`,
or `Shared I/O Read Time` from PG17) is 30 % or more of their own time.

## Why is this bad?
A page read from the OS cache or disk costs one to several orders of magnitude more than a hit in
shared_buffers. The same query can be fast on a warm cache and slow on a cold one.

## Example
```
Seq Scan on events  (actual time=0.1..2310 rows=5000000)
  Buffers: shared hit=120 read=83000
  I/O Timings: shared read=1850.2
```

## Use instead
Read fewer pages first (the index, covering-index and bloat insights); then size shared_buffers
and RAM for the working set. Re-run to see whether the cache was merely cold. Turn on
`track_io_timing` to measure the I/O share:
```sql
ALTER SYSTEM SET track_io_timing = on; SELECT pg_reload_conf();
```

## References
pgMustard Cache Performance; PEV2 (hit/read, track_io_timing).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_ms, fmt_rows, pct, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="cache-misses",
    code="PL016",
    family="plan",
    severity=Severity.advice,
    summary="A node read most of its pages from outside shared_buffers.",
)


def check(ctx: PlanContext):
    if not (ctx.analyzed and ctx.plan.has_buffers):
        return
    for n in ctx.executed():
        b = n.exclusive_buffers
        read = b.get("Shared Read Blocks", 0.0) + b.get("Local Read Blocks", 0.0)
        total = read + b.get("Shared Hit Blocks", 0.0) + b.get("Local Hit Blocks", 0.0)
        if read < T("cache_min_read_blocks") or total <= 0:
            continue
        miss = read / total
        io_ms = n.exclusive_io_read_ms
        io_share = io_ms / n.exclusive_ms if n.exclusive_ms > 0 else 0.0
        io_bound = ctx.plan.io_timing and io_share >= T("io_time_share")
        if miss < T("cache_read_share") and not io_bound:
            continue
        message = f"{who(n)} read {fmt_rows(read)} of its {fmt_rows(total)} pages ({pct(miss)}) from outside shared_buffers"
        if ctx.plan.io_timing:
            message += f"; reading took {fmt_ms(io_ms)} ({pct(io_share)} of the node's time)"
        message += "."
        fix = (
            "Read fewer pages (an index or covering index, less bloat); check that shared_buffers and RAM hold the "
            "working set, and re-run: a cold cache after a restart looks like this once."
        )
        if not ctx.plan.io_timing:
            fix += " Enable track_io_timing to measure how much of the time is I/O."
        if ctx.timed:
            saving = io_ms if ctx.plan.io_timing else n.exclusive_ms * miss * T("spill_saving_fraction")
        else:
            saving = None
        yield Insight(
            node=n,
            severity=Severity.warning if io_bound and ctx.share(io_ms) >= T("cache_io_share_warning") else Severity.advice,
            message=message,
            fix=fix,
            proof={
                "Shared Read Blocks": b.get("Shared Read Blocks"),
                "Shared Hit Blocks": b.get("Shared Hit Blocks"),
                "I/O Read Time (ms)": io_ms if ctx.plan.io_timing else None,
            },
            saving_ms=saving,
        )
