"""
## What it does
Flags `col LIKE 'abc%'` when the only B-tree indexes on `col` use the default operator class and
the column's collation is not C.

## Why is this bad?
In a non-C collation (en_US.UTF-8 and friends) a default B-tree index cannot answer a prefix LIKE:
the collation's order is not byte order, so PostgreSQL scans the table even though an index exists.

## Example
```sql
CREATE INDEX users_username ON users (username);
SELECT * FROM users WHERE username LIKE 'ann%';
```

## Use instead
```sql
CREATE INDEX CONCURRENTLY users_username_pattern ON users (username text_pattern_ops);
```
(`varchar_pattern_ops` for varchar, or a `COLLATE "C"` index). Not needed when the database itself
uses the C collation.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rules.query._context import QueryContext
from dbarchitect.core.rules.query._facts import nodes_in_predicates, strip_parens
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="prefix-like-without-pattern-index",
    code="QR017",
    family="query",
    severity=Severity.info,
    summary="A prefix LIKE on a column whose B-tree index uses a non-C collation.",
)


def check(ctx: QueryContext) -> list[Finding]:
    if not ctx.postgres or ctx.snapshot is None:
        return []
    out = []
    for like in nodes_in_predicates(ctx.statement, exp.Like):
        pattern = strip_parens(like.expression)
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            continue
        text = pattern.this
        if not text or text[0] in "%_" or "%" not in text:
            continue
        col = strip_parens(like.this)
        ref = ctx.facts.resolve(col) if isinstance(col, exp.Column) else None
        if ref is None or ref.table is None or ref.column is None or ctx.negligible(ref.table):
            continue
        collation = (ref.column.collation or ctx.snapshot.collation or "").strip('"')
        if collation in ("C", "POSIX"):
            continue
        indexes = ctx.facts.indexes_leading(ref.table, ref.name)
        btrees = [i for i in indexes if i.method == "btree"]
        if not btrees or any("pattern_ops" in i.definition or 'COLLATE "C"' in i.definition for i in btrees):
            continue
        opclass = "varchar_pattern_ops" if ref.column.type.startswith("character varying") else "text_pattern_ops"
        if collation:  # known: the index cannot serve the LIKE, whatever the data
            why, severity = f"the collation of {ref.name} is {collation}, not C, so it cannot serve a prefix LIKE", Severity.warning
        else:
            why, severity = "unless the database collation is C it cannot serve a prefix LIKE", None
        out.append(ctx.finding(
            RULE,
            f"`{ctx.sql(like)}`: the B-tree index {btrees[0].name} uses the default operator class; {why}.",
            severity=severity,
            fix=f"CREATE INDEX CONCURRENTLY ON {ref.table.qualified} ({ref.name} {opclass});",
            evidence=[Evidence(kind="catalog", detail=f"{btrees[0].name}: {btrees[0].definition}",
                               data={"index": btrees[0].name})]
            + ([Evidence(kind="catalog", detail=f"collation in effect for {ref.name}: {collation}",
                         data={"collation": collation})] if collation else [])
            + ctx.size_evidence(ref.table),
            obj=ref.table.qualified,
        ))
    return out
