"""
## What it does
Flags `a = 1 OR a = 2 OR ...`: several equality tests of the same column joined by OR.

## Why is this bad?
It is longer than it needs to be, and before PostgreSQL 18 each branch becomes its own index scan
combined by a BitmapOr, where `a = ANY('{1,2}')` is one index scan.

## Example
```sql
SELECT * FROM posts WHERE status = 'draft' OR status = 'archived';
```

## Use instead
```sql
SELECT * FROM posts WHERE status IN ('draft', 'archived');
```
Always equivalent, NULLs included: `a IN (1, 2)` is defined as `a = 1 OR a = 2`.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import disjuncts, is_constant, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="or-on-same-column",
    code="QR011",
    family="query",
    severity=Severity.info,
    summary="Several `col = value` tests of one column joined by OR.",
)


def equality_groups(node: exp.Or) -> dict[str, list[exp.Expression]]:
    """Disjuncts of an OR chain grouped by the column they test with `=` or IN (list)."""
    groups: dict[str, list[exp.Expression]] = {}
    for term in disjuncts(node):
        col = None
        if isinstance(term, exp.EQ):
            left, right = strip_parens(term.this), strip_parens(term.expression)
            if isinstance(left, exp.Column) and is_constant(right):
                col = left
            elif isinstance(right, exp.Column) and is_constant(left):
                col = right
        elif isinstance(term, exp.In) and not term.args.get("query") and isinstance(term.this, exp.Column):
            if all(is_constant(e) for e in term.expressions):
                col = term.this
        if col is not None:
            groups.setdefault(col.sql(), []).append(term)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def top_or_chains(statement: exp.Expression) -> list[exp.Or]:
    """OR nodes that are not themselves operands of a larger OR chain."""
    out = []
    for node in statement.find_all(exp.Or):
        parent = node.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        if not isinstance(parent, exp.Or):
            out.append(node)
    return out


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for node in top_or_chains(ctx.statement):
        for col, terms in equality_groups(node).items():
            out.append(
                ctx.finding(
                    RULE,
                    f"{len(terms)} equality tests of {col} joined by OR.",
                    fix=f"Write {col} IN (...) with all the values.",
                    evidence=[static("a = x OR a = y is by definition a IN (x, y), under three-valued logic too.")],
                )
            )
    return out
