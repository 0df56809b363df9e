"""
## What it does
Flags, once per migration, a file of several changing statements that contains DDL. MySQL and
MariaDB commit implicitly before and after every DDL statement (CREATE, ALTER, DROP, RENAME,
TRUNCATE), so the file is not one unit: a `START TRANSACTION … COMMIT` around DDL does not hold it.

## Why is this bad?
When statement 3 of 5 fails (a duplicate key, a refused ALGORITHM, a lock timeout), statements 1 and 2
stay applied and 4 and 5 never run: the schema is half migrated, the migration tool's bookkeeping
usually says "failed", and re-running it fails again on statement 1 ("Duplicate column name").

## Example
```sql
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL;
ALTER TABLE orders ADD UNIQUE KEY uq_orders_email (email);
```

## Use instead
```sql
-- one DDL statement per migration step (file), so a failure leaves a known state;
-- MariaDB: IF NOT EXISTS / IF EXISTS make a re-run safe
ALTER TABLE orders ADD COLUMN IF NOT EXISTS shipped_at DATETIME NULL;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule

RULE = rule(
    "ddl-implicit-commit", "MY106", Severity.warning,
    "Several statements with DDL: each DDL commits implicitly, so a failure halfway leaves the migration half applied.",
)  # fmt: skip

_CHANGING = ("INSERT", "UPDATE", "DELETE")


def check(st, mig):
    changing = [s for s in mig.statements if s.ddl or s.kind in _CHANGING]
    ddl = [s for s in changing if s.ddl]
    if len(changing) < 2 or not ddl or st is not changing[1]:
        return
    in_tx = [s for s in ddl if s.in_transaction]
    tx = (f" START TRANSACTION does not help: statement {in_tx[0].index} commits the open transaction implicitly."
          if in_tx else "")  # fmt: skip
    idem = "IF NOT EXISTS / IF EXISTS (MariaDB) or " if mig.server.mariadb else ""
    yield finding(
        RULE, st, mig, obj="migration",
        message=f"{len(changing)} changing statements, {len(ddl)} of them DDL: each DDL commits implicitly, so if statement "
                f"{st.index} or a later one fails, the statements before it stay applied and nothing rolls back.{tx}",
        fix=f"-- split it: one DDL statement per migration step, each safe to re-run ({idem}a check of the catalog first)",
    )  # fmt: skip
