"""
## What it does
Finds N+1 query loops: one query reads a list of parents (or children), then the application runs
one lookup per row, `SELECT ... FROM posts WHERE user_id = ?` (has-many) or
`SELECT ... FROM users WHERE id = ?` (belongs-to), N times with different values.

It reads either an ordered list of statements (an application or ORM log, or several statements
given to review_query) or `pg_stat_statements`, where the lookup shows as a single-table equality
on a foreign key (or the key it references) called far more often than the query over the related
table. The catalog's foreign keys tie the two together.

## Why is this bad?
Every lookup pays a network round trip, parsing and executor start-up: 1 + N round trips where
one would do. At N = 500 that is hundreds of milliseconds of pure latency, and it grows with the
data, which is why it passes in development and fails in production.

## Example
```sql
SELECT id, username FROM users WHERE status = 'active';
SELECT * FROM posts WHERE user_id = 1;
SELECT * FROM posts WHERE user_id = 2;
SELECT * FROM posts WHERE user_id = 3;   -- ... once per user
```

## Use instead
One query: batch the lookup (`WHERE user_id = ANY($1)`), join it, or aggregate the children per
parent as JSON:
```sql
SELECT u.id, u.username,
       COALESCE(json_agg(p) FILTER (WHERE p.user_id IS NOT NULL), '[]') AS posts
FROM users u LEFT JOIN posts p ON p.user_id = u.id
WHERE u.status = 'active'
GROUP BY u.id;
```
ORMs call this eager loading (`includes`, `select_related`/`prefetch_related`, `joinedload`).
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="n-plus-one-queries",
    code="QR031",
    family="query",
    severity=Severity.warning,
    summary="One lookup query per row of a previous query (N+1 round trips).",
)
# Detection reads a sequence of statements or pg_stat_statements, not one statement:
# see dbarchitect.core.n_plus_one (pure) and dbarchitect.live.postgres.top_queries (pg_stat_statements).
