"""
## What it does
Flags an ALTER on an existing table that the target runs instantly or in place but that does not say
so: no `ALGORITHM=…, LOCK=…` clause. The fix is the same statement with the clause the lint predicts.

## Why is this bad?
Without the clause the server silently picks whatever it can, a table copy included: the same
statement that is instant on MySQL 8.0.29 copies the table on 8.0.28 (a column position), on a table
that gained a FULLTEXT index, or after a small edit to the statement. With the clause the server
refuses (error 1846) instead of starting a copy that blocks writes for hours.

## Example
```sql
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL;
```

## Use instead
```sql
ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT, LOCK=NONE;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule, with_clause

RULE = rule(
    "alter-without-algorithm-clause", "MY104", Severity.advice,
    "An online ALTER without ALGORITHM=/LOCK= clauses: the server would silently copy if the operation changed.",
)  # fmt: skip


def check(st, mig):
    eff = st.online
    if eff is None or st.raw.clauses or not st.preexisting or st.refused or eff.algorithm == "COPY" or eff.assumed:
        return
    if eff.rebuild or eff.lock != "NONE":  # alter-rebuilds-table / alter-blocks-writes give the clause in their fix
        return
    if st.kind in ("RENAME TABLE", "OPTIMIZE TABLE") or any(a.kind == "rename_table" for a in st.actions):
        return
    clause = eff.clause(mig.server)
    yield finding(
        RULE, st, mig,
        message=f"Statement {st.index} runs {eff.words} on {mig.server.label}, but nothing makes the server refuse a copy "
                f"if that ever changes: add {clause}.",
        fix=with_clause(st, clause),
    )  # fmt: skip
