"""
## What it does
Flags predicates that wrap a column in a function or cast before comparing it: `date(ts) = ...`,
`extract(year FROM ts) = 2024`, `ts::date = ...`, `lower(email) = ...`, `id::text = '5'`.

## Why is this bad?
An index on `ts` orders `ts`, not `date(ts)`: the planner cannot use it and reads every row (the
predicate is not "sargable"). Statistics do not describe the function's output either, so row
estimates go wrong.

## Example
```sql
SELECT * FROM posts WHERE date(created_at) = '2024-03-01';
```

## Use instead
```sql
SELECT * FROM posts WHERE created_at >= '2024-03-01' AND created_at < '2024-03-02';
```
For `lower()`/`upper()` no range exists: create an expression index `(lower(email))`, or use citext.
With `timestamptz`, date boundaries depend on the session TimeZone, so the range rewrite is verified
by execution rather than assumed.

## References
Use The Index, Luke: "Functions".
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import (
    COMPARISONS,
    is_constant,
    nodes_in_predicates,
    oriented,
    strip_parens,
    wrapped_column,
)
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="function-on-column",
    code="QR013",
    family="query",
    severity=Severity.advice,
    summary="A function or cast around a column keeps its index from being used.",
)

RANGE_WRAPPERS = (exp.Date, exp.Cast, exp.TryCast, exp.Extract, exp.TimestampTrunc, exp.DateTrunc)


def predicate_side(cmp: exp.Expression) -> exp.Expression | None:
    """The non-constant side of a comparison, IN list, BETWEEN or LIKE whose other side is constant."""
    if isinstance(cmp, COMPARISONS):
        o = oriented(cmp)
        return o[1] if o is not None else None
    if isinstance(cmp, exp.In):
        consts = cmp.expressions
    elif isinstance(cmp, exp.Between):
        consts = [cmp.args["low"], cmp.args["high"]]
    else:
        consts = [cmp.expression]
    if cmp.args.get("query") or not consts or not all(is_constant(c) for c in consts):
        return None
    return cmp.this


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for cmp in nodes_in_predicates(ctx.statement, *COMPARISONS, exp.In, exp.Between, exp.Like, exp.ILike):
        side = predicate_side(cmp)
        func = strip_parens(side) if side is not None else None
        col = wrapped_column(func) if func is not None else None
        if col is None:
            continue
        if isinstance(func, exp.Cast) and ctx.facts.column_type(col) == func.to.sql("postgres").lower():
            continue
        ref = ctx.facts.resolve(col)
        evidence: list[Evidence] = []
        if ref is not None and ref.table is not None:
            if ctx.negligible(ref.table) or ctx.facts.expression_index_for(ref.table, func.sql("postgres")):
                continue
            evidence += ctx.size_evidence(ref.table)
        evidence.append(static(f"The predicate compares {ctx.sql(func)}, not the column {col.sql()} an index would order."))
        if isinstance(func, RANGE_WRAPPERS):
            fix = f"Compare {col.sql()} itself against a half-open range (rewrite_query derives it)."
        else:
            fix = f"Create an expression index on ({ctx.sql(func)}), or store the value in the form you query."
        name = func.name if isinstance(func, exp.Anonymous) else func.key.upper()
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(cmp)}` wraps {col.sql()} in {name}: no index on the column can serve it, so every row "
            "is read and the row estimate is a guess.",
            fix=fix, evidence=evidence,
            obj=ref.table.qualified if ref is not None and ref.table is not None else None,
        ))
    return out
