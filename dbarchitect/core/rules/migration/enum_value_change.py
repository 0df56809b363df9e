"""
## What it does
Flags enum changes that fail or break code: `ALTER TYPE ... ADD VALUE` inside a transaction block
before PostgreSQL 12, a new value used later in the same transaction (any version), and
`RENAME VALUE`.

## Why is this bad?
`ADD VALUE` takes no table lock, but before PostgreSQL 12 it cannot run in a transaction block at
all, and from 12 on the new value cannot be used until the transaction that added it commits
("unsafe use of new value"). Renaming a value breaks every running query and client-side enum
that still uses the old label.

## Example
```sql
BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded';
UPDATE orders SET status = 'refunded' WHERE id = 1;
COMMIT;
```

## Use instead
```sql
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';  -- its own transaction
-- next migration:
UPDATE orders SET status = 'refunded' WHERE id = 1;
```
For renames, add the new label, migrate rows in batches, and stop writing the old one.
"""

from pglast import ast

from dbarchitect.core.migration.analyze import walk
from dbarchitect.core.migration.kit import finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="enum-value-change",
    code="MG024",
    family="migration",
    severity=Severity.warning,
    summary="Enum ADD VALUE in a transaction and RENAME VALUE fail or break running code.",
)
OPS = {OpKind.ENUM_ADD_VALUE, OpKind.ENUM_RENAME_VALUE}


def _uses(stmt, value: str) -> bool:
    return any(isinstance(n, ast.String) and n.sval == value for n in walk(stmt.node))


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ENUM_ADD_VALUE):
        value = op.detail.value
        fix = f"ALTER TYPE {op.name} ADD VALUE IF NOT EXISTS '{value}';  -- in its own transaction / migration"
        if stmt.in_transaction and mig.pg_version < 12:
            yield finding(
                RULE, stmt, mig, obj=op.name, severity=Severity.error, why="ADD VALUE is not transactional before 12",
                message=f"ALTER TYPE {op.name} ADD VALUE '{value}' inside a transaction block fails on PostgreSQL "
                f"{mig.pg_version} (\"cannot run inside a transaction block\").",
                fix=fix,
            )
            continue
        if not stmt.in_transaction:
            continue
        user = next((s for s in mig.later(stmt) if s.tx == stmt.tx and _uses(s, value)), None)
        if user is not None:
            yield finding(
                RULE, stmt, mig, obj=op.name, severity=Severity.error,
                why="a new enum value is unusable until its transaction commits",
                message=f"'{value}' is added to {op.name} and used by statement {user.index} in the same transaction: "
                "PostgreSQL rejects it with \"unsafe use of new value\".",
                fix=fix + "\n-- use the value in a later transaction",
            )
    for op in stmt.ops_of(OpKind.ENUM_RENAME_VALUE):
        yield finding(
            RULE, stmt, mig, obj=op.name, why="clients compare enum labels by text",
            message=f"RENAME VALUE '{op.detail.old}' TO '{op.detail.new}' on {op.name}: running code that writes "
            f"or compares '{op.detail.old}' fails or silently matches nothing.",
            fix=f"ALTER TYPE {op.name} ADD VALUE IF NOT EXISTS '{op.detail.new}';\n"
            f"-- migrate rows in batches, release code using '{op.detail.new}', stop writing the old label",
        )
