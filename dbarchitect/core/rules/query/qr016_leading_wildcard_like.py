"""
## What it does
Flags `col LIKE '%foo'` / `'%foo%'` (and ILIKE) on a table that is not small and has no trigram index.

## Why is this bad?
A B-tree orders values from their first character; a pattern that starts with a wildcard has no
prefix to seek to, so every row is read and matched.

## Example
```sql
SELECT * FROM posts WHERE title ILIKE '%postgres%';
```

## Use instead
A trigram index serves any substring pattern:
```sql
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX CONCURRENTLY posts_title_trgm ON posts USING gin (title gin_trgm_ops);
```
or full-text search for words, or a `reverse(col)` expression index for suffix searches.

## References
Use The Index, Luke: "LIKE filters".
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext, static
from dbarchitect.core.rules.query._facts import nodes_in_predicates, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="leading-wildcard-like",
    code="QR016",
    family="query",
    severity=Severity.advice,
    summary="LIKE with a leading wildcard cannot use a B-tree index.",
)


def check(ctx: QueryContext) -> list[Finding]:
    out = []
    for like in nodes_in_predicates(ctx.statement, exp.Like, exp.ILike):
        pattern = strip_parens(like.expression)
        col = strip_parens(like.this)
        if not (isinstance(pattern, exp.Literal) and pattern.is_string and pattern.this[:1] in ("%", "_")):
            continue
        if not isinstance(col, exp.Column) or pattern.this.strip("%_") == "":
            continue
        ref = ctx.facts.resolve(col)
        evidence = []
        table_sql = "<table>"
        if ref is not None and ref.table is not None:
            if ctx.negligible(ref.table):
                continue
            if any(i.method in ("gin", "gist") and "trgm" in i.definition for i in ctx.facts.any_index_on(ref.table, ref.name)):
                continue
            evidence += ctx.size_evidence(ref.table)
            table_sql = ref.table.qualified
        evidence.append(static(f"The pattern {pattern.sql()} starts with a wildcard: a B-tree has no prefix to seek."))
        name = ref.name if ref is not None else col.name
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(like)}` must read every row: the pattern starts with a wildcard.",
            fix=(f"CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON {table_sql} "
                 f"USING gin ({name} gin_trgm_ops);") if ctx.postgres else "Use a FULLTEXT index, or an n-gram index.",
            evidence=evidence,
            obj=table_sql if ref is not None and ref.table is not None else None,
        ))
    return out
