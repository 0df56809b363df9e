"""Slow COUNT: an aggregate counts a large number of rows by reading them all.

## What it does
Flags a plain (non-grouped) Aggregate computing `count(` (seen in VERBOSE output or in the SQL
text) directly over a scan (possibly parallel, no join below) that read at least 10,000 rows and
took at least half of the time. Counts over joins are judged by the join insights instead.

## Why is this bad?
PostgreSQL has no stored row count: MVCC means each transaction may see a different number, so
`count(*)` reads every row (or every index entry). It grows with the table.

## Example
```
Aggregate  (actual time=812..812 rows=1)
  Output: count(*)
  ->  Seq Scan on events  (actual rows=9000000)
```

## Use instead
An estimate when exactness is not needed:
```sql
SELECT reltuples::bigint FROM pg_class WHERE oid = 'public.events'::regclass;
```
A counter table maintained by triggers for exact counts; an Index Only Scan (with a VACUUMed
visibility map) for counts with a selective WHERE.

## References
pgMustard (slow count); PostgreSQL wiki "Slow Counting".
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, who
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="slow-count",
    code="PL021",
    family="plan",
    severity=Severity.advice,
    summary="A count() reads a large number of rows one by one.",
)


_SCAN_PATH = {"Gather", "Gather Merge", "Aggregate", "Append", "Materialize", "Result"}


def _counts(ctx: PlanContext, n) -> bool:
    out = n.get("Output")
    if isinstance(out, list):
        return any("count(" in str(x) for x in out)
    return bool(ctx.sql_has("count("))


def check(ctx: PlanContext):
    if not ctx.timed:
        return
    for n in ctx.executed():
        if n.node_type != "Aggregate" or n.get("Strategy") != "Plain" or n.get("Partial Mode") == "Partial":
            continue
        if any(a.node_type == "Aggregate" and a.get("Strategy") == "Plain" for a in n.ancestors()):
            continue
        if not _counts(ctx, n):
            continue
        below = [x for x in n.walk() if x is not n]
        if any(x.node_type not in _SCAN_PATH and not x.node_type.endswith("Scan") for x in below):
            continue
        read = sum(x.rows + x.removed_by_filter for x in below if x.relation)
        filtered = any(x.get("Filter") or x.get("Index Cond") for x in below)
        share = ctx.share(n.total_ms)
        if read < T("count_min_rows") or share < T("count_share"):
            continue
        rels = sorted({x.qualified_relation for x in n.walk() if x.relation})
        rel = rels[0] if rels else "the_table"
        yield Insight(
            node=n,
            severity=Severity.advice,
            message=f"{who(n)} counted by reading {fmt_rows(read)} rows, {pct(share)} of the time.",
            fix=(
                f"If an estimate will do: SELECT reltuples::bigint FROM pg_class WHERE oid = '{rel}'::regclass; "
                "for exact counts keep a counter table maintained by triggers; for a filtered count, an index the "
                "WHERE clause can use (Index Only Scan after VACUUM)."
            ),
            proof={"Rows read below the aggregate": read, "Output": n.get("Output")},
            saving_ms=n.total_ms * T("count_saving_filtered" if filtered else "count_saving"),
        )
