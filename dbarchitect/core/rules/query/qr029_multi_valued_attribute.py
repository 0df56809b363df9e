"""
## What it does
Flags searches inside delimited lists stored in one column: `tags LIKE '%,red,%'`,
`',' || tags || ',' LIKE ...`, `FIND_IN_SET('red', tags)`.

## Why is this bad?
A comma-separated list in a column ("jaywalking") cannot be indexed, validated, joined or counted
without string parsing; every search scans the table and matches substrings (`red` finds
`infrared`).

## Example
```sql
SELECT * FROM posts WHERE tags LIKE '%,postgres,%';
```

## Use instead
A junction table (`post_tags(post_id, tag_id)`) with an index on `tag_id`:
```sql
SELECT p.* FROM posts p JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id
WHERE t.name = 'postgres';
```
or a `text[]` column with a GIN index and `WHERE tags @> ARRAY['postgres']`.

## References
SQLCheck 1001 "Multi-valued attribute"; Karwin, *SQL Antipatterns*, "Jaywalking".
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import nodes_in_predicates, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="multi-valued-attribute",
    code="QR029",
    family="query",
    severity=Severity.advice,
    summary="Searching a delimited list stored in one column.",
)


def _delimited_pattern(text: str) -> bool:
    return any(text.startswith(p) or text.endswith(s) for p, s in (("%,", ",%"), ("%;", ";%"), ("%|", "|%")))


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for like in nodes_in_predicates(ctx.statement, exp.Like, exp.ILike):
        pattern = strip_parens(like.expression)
        if isinstance(pattern, exp.Literal) and pattern.is_string and _delimited_pattern(pattern.this):
            out.append(ctx.finding(
                RULE,
                f"`{ctx.sql(like)}` searches a delimited list stored in one column: no index helps, and substring "
                "matches are easy to get wrong.",
                fix="Store the values in a junction table (or a text[] column with a GIN index) and join or use @>.",
                evidence=[static(f"The pattern {pattern.sql()} matches an element of a delimited list.")],
            ))
    for func in ctx.statement.find_all(exp.Anonymous):
        if func.name.lower() == "find_in_set":
            out.append(ctx.finding(
                RULE,
                f"`{ctx.sql(func)}` searches a comma-separated list stored in one column.",
                fix="Store the values in a junction table and join.",
                evidence=[static("FIND_IN_SET reads a comma-separated list.")],
            ))
    return out
