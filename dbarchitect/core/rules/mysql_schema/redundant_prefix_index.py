"""
## What it does
Flags a non-unique B-tree index whose key parts are a leading prefix of another B-tree index on
the same table, e.g. `KEY (customer_id)` next to `KEY (customer_id, created_at)`.

## Why is this bad?
Any lookup or range the shorter index serves, the longer one serves as well (its leading
columns are sorted the same way), and a foreign key is satisfied by any index whose leading
columns are the FK's. The shorter index costs writes, memory and disk for no read it alone makes
possible.

## Example
```sql
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, created_at datetime,
                     KEY (customer_id), KEY (customer_id, created_at));
```

## Use instead
```sql
ALTER TABLE orders DROP INDEX customer_id, ALGORITHM=INPLACE, LOCK=NONE;
```
Keep it only when measured: the shorter index is smaller, which matters for very wide keys.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_index._common import drop_with_undo
from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext, btree, key_parts, rule

RULE = rule(
    "mysql-redundant-prefix-index", "MY008", Severity.advice,
    "A non-unique index is a leading prefix of another index, which serves the same lookups.",
)  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: MySQLReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        trees = [i for i in t.indexes if btree(i)]
        for short in trees:
            if short.unique or short.primary:
                continue
            sk = key_parts(short)
            longer = next(
                (lng for lng in trees if lng is not short and len(key_parts(lng)) > len(sk) and key_parts(lng)[: len(sk)] == sk),
                None,
            )
            if longer is None:
                continue
            out.append(
                RULE.finding(
                    message=(
                        f"{t.qualified} index {short.name} ({', '.join(short.expressions)}) is a leading prefix of "
                        f"{longer.name} ({', '.join(longer.expressions)}), which serves the same lookups."
                    ),
                    fix=drop_with_undo(t, short),
                    evidence=[ctx.evidence(f"{short.definition} is a prefix of {longer.definition}", index=short.name, covered_by=longer.name)],
                    obj=f"{t.qualified}.{short.name}",
                )
            )
    return out
