"""
## What it does
Flags select-list columns that are neither in GROUP BY nor inside an aggregate, unless GROUP BY
holds the primary key of their table (a functional dependency PostgreSQL accepts).

## Why is this bad?
PostgreSQL rejects the query ("must appear in the GROUP BY clause"). MySQL without
ONLY_FULL_GROUP_BY accepts it and returns a value from an arbitrary row of each group: a result
that can change between runs.

## Example
```sql
SELECT user_id, title, count(*) FROM posts GROUP BY user_id;
```

## Use instead
Group by it, aggregate it, or group by the table's primary key:
```sql
SELECT user_id, max(title), count(*) FROM posts GROUP BY user_id;
```
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="ungrouped-column",
    code="QR030",
    family="query",
    severity=Severity.error,
    summary="A selected column neither grouped nor aggregated.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for select in ctx.selects():
        group = select.args.get("group")
        if group is None or not group.expressions:
            continue
        keys = {e.sql() for e in group.expressions}
        key_cols = [e for e in group.expressions if isinstance(e, exp.Column)]
        grouped_refs = {(r.alias, r.name) for c in key_cols if (r := ctx.facts.resolve(c)) is not None}
        for item in select.expressions:
            expr = item.this if isinstance(item, exp.Alias) else item
            if expr.sql() in keys or (isinstance(item, exp.Alias) and item.alias in keys):
                continue
            for col in expr.find_all(exp.Column):
                if col.find_ancestor(exp.AggFunc, exp.Window, exp.Subquery) is not None or isinstance(col.this, exp.Star):
                    continue
                if col.sql() in keys:
                    continue
                ref = ctx.facts.resolve(col)
                if ref is not None and (ref.alias, ref.name) in grouped_refs:
                    continue
                evidence = [static(f"{col.sql()} is not in GROUP BY ({', '.join(sorted(keys))}) and not aggregated.")]
                if ref is not None and ref.table is not None:
                    pk = ref.table.primary_key
                    if pk is not None and all((ref.alias, c) in grouped_refs for c in pk.columns):
                        break
                    evidence.append(Evidence(kind="catalog", detail=f"GROUP BY does not hold the primary key of {ref.table.qualified}.",
                                             data={"table": ref.table.qualified, "primary_key": pk.columns if pk else None}))
                elif ctx.postgres:
                    evidence.append(static("Accepted by PostgreSQL only if GROUP BY holds this table's primary key."))
                out.append(ctx.finding(
                    RULE,
                    f"{col.sql()} is selected but neither grouped nor aggregated: PostgreSQL rejects the query, "
                    "MySQL returns a value from an arbitrary row of each group.",
                    fix=f"Add {col.sql()} to GROUP BY, or aggregate it (max({col.sql()}), array_agg(...)).",
                    evidence=evidence,
                    severity=Severity.error if ref is not None and ref.table is not None or not ctx.postgres else Severity.warning,
                ))
                break
    return out
