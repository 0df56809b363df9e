"""
## What it does
Flags `(SELECT count(*) FROM ...) > 0` and its variants (`>= 1`, `<> 0`, `= 0`, `< 1`).

## Why is this bad?
To answer "is there at least one?" it counts every matching row. `EXISTS` stops at the first.

## Example
```sql
SELECT * FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 0;
```

## Use instead
```sql
SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id);
```
Equivalent wherever the comparison stands: count is never NULL, and EXISTS is never NULL.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="count-for-existence",
    code="QR025",
    family="query",
    severity=Severity.advice,
    summary="Counting every match to test whether one exists.",
)

# (operator, constant) -> True when it means "exists", False when it means "does not exist"
MEANING = {
    (exp.GT, 0): True, (exp.GTE, 1): True, (exp.NEQ, 0): True,
    (exp.EQ, 0): False, (exp.LT, 1): False, (exp.LTE, 0): False,
}
FLIP = {exp.GT: exp.LT, exp.LT: exp.GT, exp.GTE: exp.LTE, exp.LTE: exp.GTE, exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}


def existence_test(node: exp.Expression) -> tuple[exp.Select, exp.Count, bool] | None:
    """(counting subquery, its count, exists?) for an existence test written with count."""
    if type(node) not in FLIP:
        return None
    left, right = strip_parens(node.this), strip_parens(node.expression)
    op = type(node)
    if isinstance(left, exp.Literal):
        left, right, op = right, left, FLIP[op]
    if not (isinstance(left, exp.Subquery) and isinstance(right, exp.Literal)) or right.is_string:
        return None
    select = left.this
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    if any(select.args.get(k) for k in ("group", "having", "limit", "offset", "distinct", "qualify")):
        return None
    count = select.expressions[0]
    count = count.this if isinstance(count, exp.Alias) else count
    if not isinstance(count, exp.Count) or count.args.get("distinct") or isinstance(count.this, exp.Distinct):
        return None
    try:
        value = float(right.this)
    except ValueError:
        return None
    meaning = MEANING.get((op, value))
    if meaning is None:
        return None
    return select, count, meaning


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in ctx.statement.find_all(*FLIP):
        found = existence_test(node)
        if found is None:
            continue
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(node)[:120]}` counts every matching row to decide whether there is one.",
            fix=("Use EXISTS (SELECT 1 ...)" if found[2] else "Use NOT EXISTS (SELECT 1 ...)") + "; rewrite_query writes it.",
            evidence=[static("count(...) is never NULL, so `count > 0` and EXISTS agree on every row.")],
        ))
    return out
