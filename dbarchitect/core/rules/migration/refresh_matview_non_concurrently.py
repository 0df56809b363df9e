"""
## What it does
Flags `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` on a materialized view that existed before
the migration.

## Why is this bad?
A plain refresh recomputes the query into a new file under ACCESS EXCLUSIVE: every read of the
view waits for the whole query. `REFRESH ... CONCURRENTLY` computes the new contents aside and
applies the difference under an EXCLUSIVE lock that still lets readers in; it needs a unique index
on the view (no WHERE clause, plain columns).

## Example
```sql
REFRESH MATERIALIZED VIEW daily_sales;
```

## Use instead
```sql
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS daily_sales_day_key ON daily_sales (day);
REFRESH MATERIALIZED VIEW CONCURRENTLY daily_sales;
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="refresh-matview-non-concurrently",
    code="MG028",
    family="migration",
    severity=Severity.warning,
    summary="REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks its readers for the whole refresh.",
)
OPS = {OpKind.REFRESH_MATVIEW}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.REFRESH_MATVIEW):
        if op.concurrent or not mig.preexisting(op.table, stmt):
            continue
        mv = short(op.table, mig.ctx)
        facts = mig.facts(op.table)
        has_unique = bool(facts and any(i.unique and i.valid for i in facts.indexes))
        pre = "" if has_unique else f"CREATE UNIQUE INDEX CONCURRENTLY {mv}_key ON {mv} (<unique columns>);\n"
        yield finding(
            RULE, stmt, mig, obj=op.table, why="a plain refresh rewrites the view under ACCESS EXCLUSIVE",
            message=f"REFRESH MATERIALIZED VIEW {describe(mig, op.table)} rewrites it under ACCESS EXCLUSIVE: every "
            "read of the view waits until the query has been recomputed.",
            fix=f"{pre}REFRESH MATERIALIZED VIEW CONCURRENTLY {mv};",
        )
