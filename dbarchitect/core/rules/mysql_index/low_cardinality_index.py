"""
## What it does
Flags a non-unique single-column index whose column holds only a handful of distinct values
(information_schema.statistics' CARDINALITY ≤ 10) on a table of at least 10,000 rows, e.g. an
index on `status` or a boolean `is_active`.

## Why is this bad?
Looking up one of three values reads about a third of the table through the index, one primary-key
lookup per row; the optimizer prefers a full scan for common values, so the index is used (if at
all) only for rare values, and it is maintained on every write. Such a column is useful as the
first part of a composite index (`(status, created_at)`) that serves a real query, not alone.
CARDINALITY is an estimate: `ANALYZE TABLE` refreshes it.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, status enum('new','paid','shipped'), KEY status (status));
```

## Use instead
```sql
ALTER TABLE orders DROP INDEX status, ADD INDEX status_created (status, created_at), ALGORITHM=INPLACE, LOCK=NONE;
-- or drop it, when no query looks up a rare status
```
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rules.mysql_index._common import (
    MySQLIndexContext, drop_with_undo, enforcing, fk_needs, index_key, rule,
)  # fmt: skip
from dbarchitect.core.rules.mysql_schema._common import btree

RULE = rule(
    "mysql-low-cardinality-index", "MY403", Severity.advice,
    "A single-column index on a column with a handful of values: scans beat it for common values.",
)  # fmt: skip

MAX_DISTINCT = 10
MIN_ROWS = 10_000


def check(snapshot: SchemaSnapshot, ctx: MySQLIndexContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        rows = t.estimated_rows
        if rows < MIN_ROWS:
            continue
        for i in t.indexes:
            if enforcing(i) or not btree(i) or len(i.columns) != 1 or i.columns[0] is None or fk_needs(t, i):
                continue
            card = (ctx.facts.cardinality.get(index_key(t, i)) or [None])[0]
            if card is None or card > MAX_DISTINCT:
                continue
            col = i.columns[0]
            out.append(RULE.finding(
                message=(
                    f"Index {i.name} on {t.qualified} ({col}) has about {card} distinct value(s) over ~{rows:,} rows: a "
                    f"lookup of a common value reads ~{rows // max(card, 1):,} rows through it and the optimizer prefers "
                    f"a scan. Keep it only if queries look up a rare value; else drop it or make {col} the first part "
                    "of a composite index a query needs."
                ),
                fix=drop_with_undo(t, i),
                evidence=[ctx.evidence(f"information_schema.statistics.cardinality = {card} for {i.name}; "
                                       f"table_rows ≈ {rows}", index=i.name, cardinality=card, rows=rows)],
                obj=f"{t.qualified}.{i.name}",
            ))  # fmt: skip
    return out
