"""
## What it does
Flags the first DDL statement on an existing table when the session has not lowered
`lock_wait_timeout` earlier in the migration (and the server's default is not already short). With
the catalog it also lists the transactions open on the server right now (information_schema.innodb_trx).

## Why is this bad?
Every ALTER, even an instant one, needs an exclusive metadata lock on the table for a moment. It
waits behind any transaction that touched the table and has not committed yet — for up to
`lock_wait_timeout`, one year by default — and while it waits, every new query on the table queues
behind it ("Waiting for table metadata lock"): a long report or a forgotten open transaction turns an
instant ALTER into an outage.

## Example
```sql
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;
```

## Use instead
```sql
SET SESSION lock_wait_timeout = 5;  -- fail fast and retry instead of queueing the application
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule

RULE = rule(
    "ddl-without-lock-wait-timeout", "MY105", Severity.warning,
    "DDL without a short lock_wait_timeout: waiting for its metadata lock, it queues every query on the table.",
)  # fmt: skip


def check(st, mig):
    if not st.ddl or st.lock_wait_timeout_set or not st.preexisting or st.kind.startswith("CREATE TABLE"):
        return
    first = next((s for s in mig.statements if s.ddl and not s.lock_wait_timeout_set and s.preexisting
                  and not s.kind.startswith("CREATE TABLE")), None)  # fmt: skip
    if first is not st:
        return
    ctx = mig.ctx
    extra, opened = [], ""
    if ctx.open_transactions:
        longest = max(ctx.open_transactions, key=lambda t: t.seconds)
        opened = (f" Right now {len(ctx.open_transactions)} transaction(s) are open on the server, the oldest for "
                  f"{longest.seconds} s: the ALTER would queue behind it.")  # fmt: skip
        extra.append(Evidence(kind="catalog", detail=f"information_schema.innodb_trx: {len(ctx.open_transactions)} open, oldest "
                              f"{longest.seconds} s", data={"open_transactions": [t.model_dump() for t in ctx.open_transactions[:5]]}))  # fmt: skip
    current = f"{ctx.lock_wait_timeout_s} s" if ctx.lock_wait_timeout_s is not None else "one year by default"
    yield finding(
        RULE, st, mig, extra=extra,
        message=f"Statement {st.index} needs an exclusive metadata lock on {st.table}; without a short lock_wait_timeout "
                f"(now {current}) it waits behind any open transaction on the table while every new query queues behind it."
                + opened,
        fix="SET SESSION lock_wait_timeout = 5;  -- before the first DDL; retry the migration when it times out",
    )  # fmt: skip
