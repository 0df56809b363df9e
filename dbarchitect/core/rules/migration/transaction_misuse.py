"""
## What it does
Flags transaction control that fights the migration runner: `BEGIN` while a transaction is already
open (the runner's or the file's own), `COMMIT` inside the runner's transaction, `COMMIT` or
`ROLLBACK` with no transaction open, and a file that ends inside `BEGIN` without `COMMIT`.

## Why is this bad?
A nested BEGIN is ignored with a warning, so the next COMMIT ends the *outer* transaction and the
rest of the file runs without the atomicity the author expected. A missing COMMIT leaves the
session idle in transaction, holding every lock the migration took.

## Example
```sql
-- runner wraps the file in a transaction
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
```

## Use instead
Let the runner own the transaction, or turn the runner's transaction off for this file and write
BEGIN/COMMIT yourself, balanced.
```sql
-- runner wraps the file in a transaction: no BEGIN/COMMIT of its own
ALTER TABLE users ADD COLUMN nickname text;
```
"""

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="transaction-misuse",
    code="MG035",
    family="migration",
    severity=Severity.warning,
    summary="Nested BEGIN, stray COMMIT, or a transaction left open at the end of the file.",
)


def check(stmt, mig):
    op = stmt.ops[0] if stmt.ops else None
    kind = (op.name or "") if op is not None and op.kind == OpKind.TRANSACTION else ""
    last = stmt.index == len(mig.statements)
    if kind in ("BEGIN", "START") and stmt.in_transaction:
        whose = "the file's own BEGIN" if stmt.explicit_tx else "the migration runner's transaction"
        yield finding(
            RULE, stmt, mig, why="PostgreSQL ignores a nested BEGIN with a warning",
            message=f"BEGIN inside {whose} is ignored (WARNING: there is already a transaction in progress): the "
            "next COMMIT ends the outer transaction and later statements lose their atomicity.",
            fix="-- remove BEGIN/COMMIT and let the runner own the transaction, or disable the runner's transaction",
        )
    elif kind in ("COMMIT", "ROLLBACK") and not stmt.in_transaction:
        yield finding(
            RULE, stmt, mig, severity=Severity.advice, why="no transaction is open",
            message=f"{kind} without an open transaction does nothing (WARNING: there is no transaction in progress).",
            fix=f"-- remove this {kind}",
        )
    elif kind in ("COMMIT", "ROLLBACK") and mig.assume_in_transaction and not stmt.explicit_tx:
        yield finding(
            RULE, stmt, mig, why="the runner's transaction ends here",
            message=f"{kind} ends the migration runner's transaction early: the statements after it run outside "
            "any transaction, and the runner's own COMMIT later finds none.",
            fix=f"-- remove this {kind}, or disable the runner's transaction for this file",
        )
    if last and mig.open_at_end:
        yield finding(
            RULE, stmt, mig, severity=Severity.error, why="BEGIN without COMMIT",
            message="The file ends inside BEGIN without COMMIT: the session stays idle in transaction holding every "
            "lock the migration took, or the work is rolled back when it disconnects.",
            fix="COMMIT;",
        )
