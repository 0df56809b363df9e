"""
## What it does
Flags, inside one transaction, a long statement (a scan, rewrite or backfill) that runs after an
earlier statement took a lock blocking reads or writes on *another* existing table, and a separate
ALTER TABLE that scans or rewrites a table the transaction already altered (one statement would make
one pass).

## Why is this bad?
Locks are released only at COMMIT. Whatever runs after an ACCESS EXCLUSIVE lock extends the outage
of the locked table by its own duration, even if it touches another table. Each ALTER TABLE that
scans or rewrites the table makes its own pass while the lock is held.

## Example
```sql
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;        -- ACCESS EXCLUSIVE on users until COMMIT
CREATE INDEX orders_created_idx ON orders (created_at);   -- users stays locked during this build
COMMIT;
```

## Use instead
Put each lock-taking change in its own transaction (or file), and combine sub-commands on one
table into a single statement:
```sql
ALTER TABLE users ADD COLUMN nickname text, ADD COLUMN bio text;
```
"""

from dbarchitect.core.migration.kit import finding, lock_words, short
from dbarchitect.core.migration.models import LOCK_RANK
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="lock-held-across-statements",
    code="MG039",
    family="migration",
    severity=Severity.warning,
    summary="A strong lock stays held while later statements of the same transaction run.",
)
_BLOCKING = LOCK_RANK["ShareLock"]


def check(stmt, mig):
    if not stmt.in_transaction:
        return
    memo = mig.scratch(RULE)
    held: dict[str, tuple[str, int]] = memo.setdefault(stmt.tx, {})
    altered: dict[str, int] = memo.setdefault(("alter", stmt.tx), {})
    p = stmt.prediction
    long_work = set(p.scans) | set(p.rewrites) | set(p.index_rewrites)
    if long_work:
        others = {r: v for r, v in held.items() if r not in long_work and LOCK_RANK[v[0]] >= _BLOCKING}
        if others:
            rel, (mode, at) = max(others.items(), key=lambda kv: LOCK_RANK[kv[1][0]])
            work = ", ".join(short(r, mig.ctx) for r in sorted(long_work))
            yield finding(
                RULE, stmt, mig, obj=rel, why="locks are held until COMMIT",
                message=f"{lock_words(mode)} on {short(rel, mig.ctx)}, taken by statement {at}, stays held while this "
                f"statement scans or rewrites {work}: the outage on {short(rel, mig.ctx)} lasts as long as this work.",
                fix=f"COMMIT;  -- after statement {at}, and run this statement in its own transaction",
            )
    if type(stmt.node).__name__ == "AlterTableStmt":
        table = next((o.table for o in stmt.ops if o.table), None)
        # Inside one transaction the lock is already held: a second ALTER does not queue again. It costs only when
        # it reads or rewrites the table once more (VALIDATE is validate-in-same-transaction's).
        again = table in long_work and not stmt.ops_of(OpKind.VALIDATE_CONSTRAINT)
        if table and mig.preexisting(table, stmt) and table in altered and again:
            yield finding(
                RULE, stmt, mig, obj=table, severity=Severity.advice,
                why="each ALTER TABLE scans or rewrites the table separately",
                message=f"Statement {altered[table]} already altered {short(table, mig.ctx)} in this transaction, and "
                "this ALTER TABLE reads or rewrites it once more: one statement with both sub-commands makes one pass.",
                fix=f"ALTER TABLE {short(table, mig.ctx)} <sub-command of statement {altered[table]}>, "
                "<sub-command of this statement>;  -- one statement",
            )
        if table:
            altered.setdefault(table, stmt.index)
    for rel, mode in p.locks.items():
        prev = held.get(rel)
        if prev is None or LOCK_RANK[mode] > LOCK_RANK[prev[0]]:
            held[rel] = (mode, stmt.index)
