"""
## What it does
Flags comparisons between a column and a value of another type family, read from the catalog:
a text column against a number (`phone = 5551234`), a number column against text
(`id = $1::text`), or a join between a text and a number column.

## Why is this bad?
PostgreSQL refuses `varchar = integer` outright ("operator does not exist"). MySQL instead converts
the column on every row to a number (no index, and `'12abc' = 12` is TRUE), so the query is slow
and its result surprising.

## Example
```sql
SELECT * FROM users WHERE phone = 5551234;
```

## Use instead
```sql
SELECT * FROM users WHERE phone = '5551234';
```
Compare against a literal or parameter of the column's own type.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.rules.query._facts import CHAR_TYPES, COMPARISONS, EXACT_TYPES, nodes_in_predicates, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="implicit-cast-comparison",
    code="QR015",
    family="query",
    severity=Severity.warning,
    summary="A column compared with a value of another type family.",
)

NUMBER_TYPES = EXACT_TYPES | {"real", "double precision", "float4", "float8"}


def family_of_type(type_text: str | None) -> str | None:
    if type_text is None:
        return None
    if type_text in NUMBER_TYPES:
        return "number"
    if type_text.startswith(CHAR_TYPES):
        return "text"
    return None


def family_of_value(node: exp.Expression) -> str | None:
    node = strip_parens(node)
    if isinstance(node, exp.Literal):
        return "text" if node.is_string else "number"
    if isinstance(node, exp.Cast):
        return family_of_type(node.to.sql("postgres").lower())
    return None


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for cmp in nodes_in_predicates(ctx.statement, *COMPARISONS):
        left, right = strip_parens(cmp.this), strip_parens(cmp.expression)
        for col, other in ((left, right), (right, left)):
            if not isinstance(col, exp.Column):
                continue
            ref = ctx.facts.resolve(col)
            if ref is None or ref.column is None:
                continue
            col_family = family_of_type(ctx.facts.column_type(col))
            if isinstance(other, exp.Column):
                other_family = family_of_type(ctx.facts.column_type(other))
                if other is left:
                    continue
            else:
                other_family = family_of_value(other)
            if col_family is None or other_family is None or col_family == other_family:
                continue
            if col_family == "number" and isinstance(other, exp.Literal) and other.is_string:
                continue  # '42' is an untyped literal that PostgreSQL and MySQL read as the column's type
            out.append(ctx.finding(
                RULE,
                f"`{ctx.sql(cmp)}` compares {ref.label} ({ref.column.type}) with a {other_family}: PostgreSQL "
                "rejects it, MySQL casts the column on every row (no index, and '12abc' = 12 is TRUE).",
                fix=f"Compare {ref.label} with a value of type {ref.column.type}.",
                evidence=[Evidence(kind="catalog", detail=f"{ref.label} is {ref.column.type}.",
                                   data={"table": ref.table.qualified, "column": ref.name, "type": ref.column.type})],
                obj=ref.table.qualified,
            ))
            break
    return out
