"""
## What it does
Reports a statement of the migration that sqlglot's MySQL grammar could not read (or reads only as an
opaque command): partitioning clauses, stored program bodies without DELIMITER handling, syntax
newer than the parser. The lint says so instead of guessing what the statement does.

## Why is this bad?
Nothing was predicted for it: its algorithm, lock, data loss and failure modes are unknown. It may be
harmless or the most expensive statement of the migration.

## Example
```sql
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders PARTITION BY HASH(id) PARTITIONS 4;
```

## Use instead
```sql
-- check it with dry_run_migration (the server runs it on a scratch copy), or split it into statements the lint reads
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rules.mysql_migration._common import rule

RULE = rule(
    "statement-not-understood", "MY110", Severity.warning,
    "A statement the MySQL grammar could not read: nothing was predicted for it.",
)  # fmt: skip


def check(st, mig):
    if st.raw.understood:
        return
    yield RULE.finding(
        message=f"Statement {st.index} (line {st.line}) was not analysed: {st.raw.error}. Its algorithm, locks and "
                "failure modes are unknown.",
        fix="-- run dry_run_migration to see what the server does with it",
        evidence=[Evidence(kind="static", detail=st.raw.error or "", data={"sql": st.sql[:200]})],
        statement=st.index, line=st.line, obj=None,
    )  # fmt: skip
