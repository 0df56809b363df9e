"""
## What it does
Flags "smart logic" optional filters: `(col = $1 OR $1 IS NULL)` and `col = COALESCE($1, col)`.

## Why is this bad?
One statement serves two queries, "filter by col" and "no filter". A prepared statement gets one
generic plan for both, which cannot use the index on `col` (it must also work when the parameter
is NULL), so the filtered case scans the table. `col = COALESCE($1, col)` also drops rows where
`col` is NULL when no filter is meant.

## Example
```sql
SELECT * FROM posts WHERE (user_id = $1 OR $1 IS NULL) AND (status = $2 OR $2 IS NULL);
```

## Use instead
Build the WHERE clause from the filters actually given (in the application or with dynamic SQL):
```sql
SELECT * FROM posts WHERE user_id = $1;      -- when a user is given
SELECT * FROM posts;                         -- when not
```

## References
Use The Index, Luke: "Smart logic".
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import disjuncts, is_parameter, nodes_in_predicates, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="optional-filter",
    code="QR028",
    family="query",
    severity=Severity.advice,
    summary="`(col = $1 OR $1 IS NULL)` gets a generic plan that cannot use an index.",
)


def _param_key(node: exp.Expression) -> str | None:
    node = strip_parens(node)
    if isinstance(node, exp.Cast):
        node = node.this
    return node.sql() if is_parameter(node) else None


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in nodes_in_predicates(ctx.statement, exp.Or):
        terms = disjuncts(node)
        null_params = {
            _param_key(t.this) for t in terms
            if isinstance(t, exp.Is) and not t.args.get("negate") and isinstance(t.expression, exp.Null) and _param_key(t.this)
        }
        for term in terms:
            params = {_param_key(n) for n in term.find_all(exp.Placeholder, exp.Parameter)}
            if not isinstance(term, exp.Is) and params & null_params and term.find(exp.Column):
                out.append(ctx.finding(
                    RULE,
                    f"`{ctx.sql(node)}` is an optional filter: the generic plan must also cover the NULL case and "
                    "cannot use an index for it.",
                    fix="Build the SQL with only the filters that are given, or run two statements.",
                    evidence=[static("A parameter tested with IS NULL in the same OR as a column comparison.")],
                ))
                break
    for eq in nodes_in_predicates(ctx.statement, exp.EQ):
        left, right = strip_parens(eq.this), strip_parens(eq.expression)
        if isinstance(left, exp.Column) and isinstance(right, exp.Coalesce):
            args = [right.this, *right.expressions]
            if len(args) == 2 and _param_key(args[0]) and strip_parens(args[1]) == left:
                out.append(ctx.finding(
                    RULE,
                    f"`{ctx.sql(eq)}` is an optional filter: no index can serve the generic plan, and when the "
                    f"parameter is NULL it still drops rows whose {left.sql()} is NULL.",
                    fix="Build the SQL with only the filters that are given, or run two statements.",
                    evidence=[static("col = COALESCE(param, col) is NULL when col is NULL.")],
                ))
    return out
