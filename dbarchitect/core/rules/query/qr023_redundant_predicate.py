"""
## What it does
Flags conditions that are constant or repeat themselves: `1 = 1`, `WHERE true`, `p OR p`, `p AND p`,
`NOT NOT p`, `x + 0`, `x * 1`, and the deceptive `x = x`.

## Why is this bad?
They are noise left by query builders or editing, and hide what the query really filters.
`x = x` is worse: it is not TRUE but NULL when `x` is NULL, so it silently removes those rows.

## Example
```sql
SELECT * FROM posts WHERE 1 = 1 AND status = 'draft';
```

## Use instead
```sql
SELECT * FROM posts WHERE status = 'draft';
```
Simplify with three-valued logic in mind: write `x IS NOT NULL` if that is what `x = x` meant.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import predicate_roots, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="redundant-predicate",
    code="QR023",
    family="query",
    severity=Severity.info,
    summary="A condition that is constant, repeated, or (x = x) not what it seems.",
)


def _identity_arith(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Add, exp.Sub)):
        lit = strip_parens(node.expression)
        return isinstance(lit, exp.Literal) and not lit.is_string and float(lit.this) == 0
    if isinstance(node, (exp.Mul, exp.Div)):
        lit = strip_parens(node.expression)
        return isinstance(lit, exp.Literal) and not lit.is_string and float(lit.this) == 1
    return False


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    seen: set[int] = set()
    for root in predicate_roots(ctx.statement):
        for node in root.walk():
            if id(node) in seen:
                continue
            seen.add(id(node))
            note = None
            severity = None
            if isinstance(node, exp.EQ):
                left, right = strip_parens(node.this), strip_parens(node.expression)
                if isinstance(left, exp.Literal) and isinstance(right, exp.Literal) and left == right:
                    note = "is always TRUE"
                elif isinstance(left, exp.Column) and left == right:
                    note = "is not a tautology: it is NULL, not TRUE, when the column is NULL, so it drops those rows"
                    severity = Severity.advice
            elif isinstance(node, exp.Boolean) and node.this and isinstance(node.parent, (exp.And, exp.Where)):
                note = "is always TRUE"
            elif isinstance(node, (exp.And, exp.Or)) and strip_parens(node.this) == strip_parens(node.expression):
                note = "repeats the same condition on both sides"
            elif isinstance(node, exp.Not) and isinstance(strip_parens(node.this), exp.Not):
                note = "is a double negation"
            elif _identity_arith(node):
                note = "does arithmetic that changes nothing"
            if note is None:
                continue
            out.append(ctx.finding(
                RULE,
                f"`{ctx.sql(node)}` {note}.",
                fix="Remove it (write `col IS NOT NULL` if that is what `col = col` meant).",
                evidence=[static("Simplification under three-valued logic.")],
                severity=severity,
            ))
    return out
