"""
## What it does
Flags `UPDATE` and `DELETE` on an existing table that run without a WHERE clause (one statement
for the whole table) or inside a transaction that also changes the schema.

## Why is this bad?
A single UPDATE over a large table locks every row it touches until commit, writes a new version
of each row (bloat, WAL, replica lag) and can hit statement timeouts. Inside the DDL transaction
it also keeps the DDL's strong lock for the whole backfill, blocking all traffic to the table.

## Example
```sql
BEGIN;
ALTER TABLE users ADD COLUMN active boolean;
UPDATE users SET active = true;
COMMIT;
```

## Use instead
Commit the DDL, then backfill in small batches, each in its own transaction, resumable:
```sql
UPDATE users SET active = true
WHERE id IN (SELECT id FROM users WHERE active IS NULL ORDER BY id LIMIT 5000);
-- repeat until 0 rows, pausing between batches
```
"""

from dbarchitect.core.migration.kit import describe, finding, short
from dbarchitect.core.migration.models import LOCK_RANK
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="unbatched-backfill",
    code="MG034",
    family="migration",
    severity=Severity.warning,
    summary="A whole-table UPDATE/DELETE, or one inside the DDL transaction, holds locks for the whole backfill.",
)
OPS = {OpKind.UPDATE, OpKind.DELETE}


def _ddl_in_tx(stmt, mig):
    """The first statement of stmt's transaction that takes a DDL-strength lock (computed once per file)."""
    memo = mig.scratch(RULE)
    if "ddl" not in memo:
        ddl: dict[int, object] = {}
        for s in mig.statements:
            if s.tx and s.tx not in ddl and any(
                LOCK_RANK[m] >= LOCK_RANK["ShareUpdateExclusiveLock"] for m in s.prediction.locks.values()
            ):
                ddl[s.tx] = s
        memo["ddl"] = ddl
    return memo["ddl"].get(stmt.tx)


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.UPDATE, OpKind.DELETE):
        if not mig.preexisting(op.table, stmt):
            continue
        ddl = _ddl_in_tx(stmt, mig) if stmt.in_transaction else None
        whole = op.detail.where is None
        if not whole and ddl is None:
            continue
        verb = op.kind.upper()
        reasons = []
        if whole:
            reasons.append(f"touches every row of {describe(mig, op.table)} in one statement")
        if ddl is not None:
            reasons.append(f"runs in the same transaction as statement {ddl.index}, whose lock is held until the "
                           "backfill commits")
        t = short(op.table, mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=op.table, why="the backfill is one long transaction",
            severity=Severity.error if ddl is not None and whole else None,
            message=f"{verb} {' and '.join(reasons)}: row locks and bloat pile up, and writers wait until it "
            "commits.",
            fix=f"-- after the DDL has committed, in batches of a few thousand rows, each its own transaction:\n"
            f"{verb} {'FROM ' if op.kind == OpKind.DELETE else ''}{t}{' SET ...' if op.kind == OpKind.UPDATE else ''}\n"
            f"WHERE <key> IN (SELECT <key> FROM {t} WHERE <not yet done> ORDER BY <key> LIMIT 5000);",
        )
