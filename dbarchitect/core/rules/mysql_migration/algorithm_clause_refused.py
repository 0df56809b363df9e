"""
## What it does
Flags an `ALGORITHM=` or `LOCK=` clause the server refuses for the statement's operations:
`ALGORITHM=INSTANT` on an operation that is in place or a copy on the target's version,
`ALGORITHM=INPLACE`/`NOCOPY` where a copy is needed, `LOCK=NONE` where writes must wait,
`ALGORITHM=NOCOPY` on MySQL (MariaDB syntax), `INSTANT` before MySQL 8.0.12 / MariaDB 10.3.7.

## Why is this bad?
The statement fails with ER_ALTER_OPERATION_NOT_SUPPORTED (1845/1846) and the migration stops there;
everything before it is already committed. The clause did its job (refusing a worse algorithm), but
the migration as written does not run on this server.

## Example
```sql
ALTER TABLE orders MODIFY total DECIMAL(12,2), ALGORITHM=INPLACE, LOCK=NONE;
```

## Use instead
```sql
-- a new column instead of an in-place type change
ALTER TABLE orders ADD COLUMN total_v2 DECIMAL(12,2), ALGORITHM=INSTANT;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule

RULE = rule(
    "algorithm-clause-refused", "MY103", Severity.error,
    "The statement's ALGORITHM=/LOCK= clause is one the server refuses for its operation: it fails.",
)  # fmt: skip


def check(st, mig):
    if not st.refused:
        return
    pred = st.online
    fix = None
    if pred is not None:
        fix = (f"-- the server does this operation with {pred.clause(mig.server)} ({pred.why});\n"
               "-- accept that, or split the statement so the cheap operations keep their clause")  # fmt: skip
    yield finding(RULE, st, mig, message=f"Statement {st.index} fails on {mig.server.label}: {st.refused}.", fix=fix)
