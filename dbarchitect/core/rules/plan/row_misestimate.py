"""Row count mis-estimate: a node returned 10x more (or fewer) rows than the planner expected.

## What it does
Compares each executed node's estimated rows (`Plan Rows`) with its actual rows per loop
(`Actual Rows`). A ratio of 10 or more is reported (graded at 10, 100, 1000). Only the lowest
mis-estimated node of a chain is reported: the nodes above it inherit its error. Overestimates
below a LIMIT, on the inner side of a semi/anti join or in a SubPlan are skipped, because those
nodes stop early by design.

## Why is this bad?
Every later choice (join method, join order, memory for sorts and hashes, parallelism) is made on
the row count. A scan thought to return 1 row that returns 50,000 makes the planner choose a
nested loop that runs its inner side 50,000 times.

## Example
```
Seq Scan on orders  (rows=1) (actual rows=48112 loops=1)
  Filter: ((status = 'shipped') AND (carrier = 'ups'))
```
Two correlated columns: the planner multiplies their selectivities.

## Use instead
```sql
ANALYZE orders;                                   -- statistics may simply be old
CREATE STATISTICS orders_status_carrier (dependencies, mcv) ON status, carrier FROM orders;
ANALYZE orders;
ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000;  -- skewed values
```
Avoid non-sargable expressions (`date(created_at) = ...`) whose selectivity is a guess.

## References
pgMustard Row estimates (>=10x); PEV2 and depesz (10/100/1000).
"""

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.insight import Insight, PlanContext, fmt_rows, grade, misestimate, plain_children, who
from dbarchitect.core.plan.predicates import local_columns, quote_ident
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="row-count-misestimate",
    code="PL001",
    family="plan",
    severity=Severity.warning,
    summary="A node's actual rows differ from the estimate by 10x or more.",
)

_MIRRORS = {"Hash", "Limit", "Materialize", "Memoize", "Gather", "Gather Merge", "Sort", "Unique", "LockRows"}


def _stops_early(ctx: PlanContext) -> set[int]:
    """Nodes whose low actual row count is expected: below a LIMIT, semi/anti inner sides, SubPlans."""
    out: set[int] = set()
    for n in ctx.plan.nodes:
        roots = []
        if n.node_type == "Limit":
            roots = list(n.children)
        elif n.get("Join Type") in ("Semi", "Anti") and len(plain_children(n)) > 1:
            roots = [plain_children(n)[1]]
        elif n.node_type == "Merge Join":
            roots = list(plain_children(n))
        elif n.relationship == "SubPlan":
            roots = [n]
        for r in roots:
            out.update(x.id for x in r.walk())
    return out


def check(ctx: PlanContext):
    if not ctx.analyzed:
        return
    early = _stops_early(ctx)
    found = {}
    for n in ctx.executed():
        if n.node_type in _MIRRORS:
            continue
        factor, direction = misestimate(n)
        if factor < T("misestimate_factor") or max(n.plan_rows, n.actual_rows) < T("misestimate_min_rows"):
            continue
        if direction == "over" and n.id in early:
            continue
        found[n.id] = (n, factor, direction)
    for n, factor, direction in found.values():
        lower = any(d.id in found and found[d.id][2] == direction for d in n.walk() if d is not n)
        if lower:
            continue
        parent = n.parent
        consumer_ms = max(0.0, parent.total_ms - n.total_ms) if parent is not None else None
        affected = sum(1 for a in n.ancestors() if a.id in found or a.node_type in _MIRRORS)
        severity = grade(factor, T("misestimate_factor_warning"), T("misestimate_factor_error"))
        message = (
            f"{who(n)} was estimated to return {fmt_rows(n.plan_rows)} row(s) per loop but returned "
            f"{fmt_rows(n.actual_rows)} ({factor:,.0f}x {direction}estimated)"
        )
        if parent is not None:
            message += f"; {parent.label} (node {parent.id}) above it was planned on the wrong count"
        if affected:
            message += f", and {affected} more node(s) above inherit the error"
        message += "."
        proof = {"Plan Rows": n.plan_rows, "Actual Rows": n.actual_rows, "Actual Loops": n.loops}
        for key in ("Filter", "Index Cond", "Recheck Cond", "Hash Cond", "Join Filter", "Merge Cond"):
            if n.get(key):
                proof[key] = n.get(key)
        yield Insight(
            node=n,
            severity=severity,
            message=message,
            fix=_fix(ctx, n),
            proof=proof,
            saving_ms=consumer_ms if ctx.timed else None,
        )


def _fix(ctx: PlanContext, n) -> str:
    rel = n.qualified_relation
    if not rel:
        return (
            "The estimate is for a join or an aggregate: ANALYZE the tables below it, and check the join keys' "
            "statistics (n_distinct, most common values); correlated join keys need CREATE STATISTICS."
        )
    cols = local_columns(n.get("Filter") or n.get("Index Cond") or n.get("Recheck Cond"), n.alias, n.relation)
    names = [c.name for c in cols if c.kind != "expr"]
    fix = f"ANALYZE {rel};"
    distinct = sorted(set(names))
    if len(distinct) >= 2:
        cols_sql = ", ".join(quote_ident(c) for c in distinct[:8])
        fix += (
            f" If the estimate stays wrong, the filter's columns are correlated: "
            f"CREATE STATISTICS ON {cols_sql} FROM {rel}; ANALYZE {rel};"
        )
    elif distinct:
        fix += (
            f" If the estimate stays wrong, the values are skewed: "
            f"ALTER TABLE {rel} ALTER COLUMN {quote_ident(distinct[0])} SET STATISTICS 1000; ANALYZE {rel};"
        )
    if any(c.kind == "expr" for c in cols):
        fix += " The predicate wraps a column in an expression: compare the bare column, or index the expression."
    return fix
