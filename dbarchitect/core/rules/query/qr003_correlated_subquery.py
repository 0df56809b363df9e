"""
## What it does
Flags correlated scalar subqueries: `(SELECT ... WHERE inner.fk = outer.id)` in the select list or
in a comparison, which runs once per row of the outer query.

## Why is this bad?
PostgreSQL executes a correlated scalar subquery as a SubPlan for every outer row. Over a large
outer table that is a nested loop of index probes (or scans, without an index on the correlation
column), where one grouped join would read each table once.

## Example
```sql
SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS posts FROM users u;
```

## Use instead
```sql
SELECT u.id, COALESCE(pc.posts, 0) AS posts
FROM users u LEFT JOIN (SELECT user_id, count(*) AS posts FROM posts GROUP BY user_id) pc
  ON pc.user_id = u.id;
```
COUNT needs COALESCE (no group means 0, not NULL). A subquery inside a CASE branch runs only for
the rows that reach it; moving it into a join changes that, so leave it where it is.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="correlated-subquery",
    code="QR003",
    family="query",
    severity=Severity.advice,
    summary="A correlated scalar subquery runs once for every row of the outer query.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for scope in ctx.facts.scopes:
        if not scope.is_correlated_subquery:
            continue
        sub = scope.expression.parent
        if not isinstance(sub, exp.Subquery) or isinstance(sub.parent, (exp.Exists, exp.In)):
            continue
        outer_tables = []
        for col in scope.external_columns:
            ref = ctx.facts.resolve(col)
            if ref is not None and ref.table is not None:
                outer_tables.append(ref.table)
        if outer_tables and all(ctx.negligible(t) for t in outer_tables):
            continue
        in_case = sub.find_ancestor(exp.Case, exp.If) is not None
        where = "runs once per row of the outer query"
        if outer_tables:
            where += f" ({outer_tables[0].qualified}, about {outer_tables[0].estimated_rows:,} rows)"
        fix = (
            "Join a grouped derived table (LEFT JOIN (SELECT key, agg ... GROUP BY key) ON key = outer.id, "
            "COALESCE(count, 0) for COUNT) or a LEFT JOIN LATERAL for ORDER BY ... LIMIT 1 lookups."
        )
        if in_case:
            fix = "It sits inside a CASE branch and runs only for rows reaching that branch; keep it there unless most rows do."
        out.append(
            ctx.finding(
                RULE,
                f"The correlated subquery `{ctx.sql(sub)[:120]}` {where}.",
                fix=fix,
                evidence=[static("Correlated on " + ", ".join(sorted({c.sql() for c in scope.external_columns})))]
                + [e for t in outer_tables[:1] for e in ctx.size_evidence(t)],
            )
        )
    return out
