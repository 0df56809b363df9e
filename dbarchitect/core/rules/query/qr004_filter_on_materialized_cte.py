"""
## What it does
Flags an outer filter on a CTE that PostgreSQL materializes: one marked `MATERIALIZED`, or one
referenced more than once (PostgreSQL 12+ inlines only single-use, side-effect-free CTEs).

## Why is this bad?
A materialized CTE is computed in full before the outer query reads it; the outer predicate cannot
be pushed into it, so the CTE reads and stores every row only for most of them to be thrown away.

## Example
```sql
WITH recent AS MATERIALIZED (SELECT * FROM posts WHERE created_at > now() - interval '1 year')
SELECT * FROM recent WHERE user_id = 42;
```

## Use instead
Put the filter inside the CTE, or drop `MATERIALIZED` so the planner can inline it:
```sql
WITH recent AS (SELECT * FROM posts WHERE created_at > now() - interval '1 year' AND user_id = 42)
SELECT * FROM recent;
```
Only push predicates on columns the CTE passes through unchanged, and not past LIMIT, window
functions or aggregates (except on grouping keys).
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import conjuncts, ident_name, oriented, where_of
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="filter-on-materialized-cte",
    code="QR004",
    family="query",
    severity=Severity.advice,
    summary="An outer filter on a materialized CTE cannot be pushed into it.",
)


def check(ctx: QueryContext) -> list[Finding]:
    if not ctx.postgres:
        return []
    out = []
    for cte in ctx.statement.find_all(exp.CTE):
        name = ident_name(cte.alias)
        refs = [t for t in ctx.statement.find_all(exp.Table) if ident_name(t.this) == name and not t.args.get("db")]
        materialized = cte.args.get("materialized") is True
        if not refs or (not materialized and len(refs) < 2):
            continue
        for table in refs:
            select = table.find_ancestor(exp.Select)
            if select is None:
                continue
            alias = ident_name(table.alias_or_name)
            filters = [
                term
                for term in conjuncts(where_of(select))
                if (o := oriented(term)) is not None
                and isinstance(o[1], exp.Column)
                and ident_name(o[1].args.get("table")) in ("", alias)
            ]
            if not filters:
                continue
            why = "is declared MATERIALIZED" if materialized else f"is referenced {len(refs)} times"
            out.append(
                ctx.finding(
                    RULE,
                    f"CTE {name} {why}, so PostgreSQL computes all of it before `{ctx.sql(filters[0])}` is applied.",
                    fix=f"Move the filter into the CTE {name} (or a separate CTE per use), or drop MATERIALIZED.",
                    evidence=[static(f"CTE {name} {why}; PostgreSQL 12+ inlines only single-use CTEs not marked MATERIALIZED.")],
                    obj=name,
                )
            )
            break
    return out
