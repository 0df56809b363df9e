"""Nested loop with an inner side run thousands of times, usually on a bad outer estimate.

## What it does
Flags a Nested Loop whose inner child ran at least 1000 loops and took at least 10 % of the time,
when the outer side was under-estimated 10x or more, or when the inner side scans sequentially.
Proposes an index on the inner join key when the inner side is a scan with a join filter.

## Why is this bad?
A nested loop is right for a handful of outer rows. The planner picked it because it expected few;
with thousands, the inner scan repeats thousands of times where a hash join would read it once.

## Example
```
Nested Loop  (rows=1) (actual rows=2000)
  ->  Seq Scan on t1  (rows=1) (actual rows=2000)
  ->  Seq Scan on t2  (actual rows=1 loops=2000)
        Filter: (t1.k = k)
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY ON t2 (k);          -- each inner loop becomes a lookup
CREATE STATISTICS ON a, b FROM t1; ANALYZE t1; -- fix the outer estimate
```
As a last resort, `WITH outer AS MATERIALIZED (...)` fences the mis-estimated part so the planner
sees its real size.

## References
pganalyze Inefficient Nested Loops; Query-Sense (~1000 loops).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, pct, plain_children, who
from dbarchitect.core.plan.predicates import local_columns, suggest_index
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="nested-loop-many-inner-loops",
    code="PL011",
    family="plan",
    severity=Severity.warning,
    summary="A nested loop ran its inner side thousands of times.",
)


def check(ctx: PlanContext):
    if not ctx.timed:
        return
    for n in ctx.executed():
        kids = plain_children(n)
        if n.node_type != "Nested Loop" or len(kids) < 2:
            continue
        outer, inner = kids[0], kids[1]
        if inner.loops < T("nestloop_inner_loops") or ctx.share(inner.total_ms) < T("nestloop_inner_share"):
            continue
        expected = max(outer.plan_rows * max(outer.loops, 1), 1.0)
        under = outer.rows / expected
        seq = next((x for x in inner.walk() if x.node_type == "Seq Scan"), None)
        if under < T("misestimate_factor") and seq is None:
            continue
        index = None
        if seq is not None:
            cols = local_columns(seq.get("Filter"), seq.alias, seq.relation)
            cols += local_columns(n.get("Join Filter"), seq.alias, seq.relation)
            eq = [c for c in cols if c.kind == "eq"]
            index = suggest_index(seq.relation, seq.schema, eq, ctx.catalog) if eq else None
        reasons = []
        if under >= T("misestimate_factor"):
            reasons.append(f"the outer side was expected to return {fmt_rows(expected)} rows and returned {fmt_rows(outer.rows)}")
        if seq is not None:
            reasons.append(f"each loop runs {who(seq)}")
        message = (
            f"{who(n)} ran its inner side {fmt_rows(inner.loops)} times ({pct(ctx.share(inner.total_ms))} of the time): "
            + "; ".join(reasons)
            + "."
        )
        fix_parts = []
        if index is not None:
            fix_parts.append(f"Index the inner join key: {index.sql}")
        if under >= T("misestimate_factor"):
            fix_parts.append(f"Fix the outer estimate (node {outer.id}): ANALYZE, CREATE STATISTICS on its correlated columns.")
        fix_parts.append("With a correct estimate the planner picks a hash join that reads the inner side once.")
        yield Insight(
            node=n,
            severity=Severity.warning,
            message=message,
            fix=" ".join(fix_parts),
            proof={
                "Inner Actual Loops": inner.loops,
                "Outer Plan Rows": outer.plan_rows,
                "Outer Actual Rows (total)": outer.rows,
                "Join Filter": n.get("Join Filter"),
                "Inner node": inner.label,
            },
            saving_ms=inner.total_ms * (1 - 1 / inner.loops),
            index=index,
        )
