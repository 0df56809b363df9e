"""
## What it does
Flags UNIQUE indexes that cover only a prefix of a column, e.g. `UNIQUE KEY (email(100))`.

## Why is this bad?
Uniqueness is then enforced on the first N characters only: two different values that share
their first 100 characters are refused as duplicates, and the application gets a "Duplicate entry"
error for a value that is not a duplicate. Prefix keys are usually a workaround for the index
length limit rather than the intended rule.

## Example
```sql
CREATE TABLE links (id int PRIMARY KEY, url varchar(2000), UNIQUE KEY (url(191)));
```

## Use instead
```sql
ALTER TABLE links ADD COLUMN url_hash binary(32) AS (UNHEX(SHA2(url, 256))) STORED,
  DROP INDEX url, ADD UNIQUE KEY links_url_hash (url_hash);
```
Or shorten the column so the whole value fits the key.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, rule

RULE = rule(
    "unique-prefix-index", "MY012", Severity.warning,
    "A UNIQUE index covers only a column prefix: different values sharing that prefix are refused.",
)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        for i in t.indexes:
            if not i.unique or not i.mysql or not any(i.mysql.sub_parts):
                continue
            cut = [e for e, s in zip(i.expressions, i.mysql.sub_parts, strict=False) if s]
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified} UNIQUE index {i.name} covers only {', '.join(cut)}: two different values that "
                        "share that prefix are refused as duplicates."
                    ),
                    fix="-- enforce uniqueness on a stored hash of the full value (see the rule's documentation), or shorten the column",
                    evidence=[ctx.evidence(f"{i.definition}", prefix_lengths=i.mysql.sub_parts)],
                    obj=f"{t.qualified}.{i.name}",
                )
            )
    return out
