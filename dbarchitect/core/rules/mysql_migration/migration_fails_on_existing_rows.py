"""
## What it does
Reads the probes the live lint ran, read-only and time-limited, against the rows each statement will
meet, and flags a statement the existing data makes fail: a UNIQUE index or PRIMARY KEY over
duplicate values, a FOREIGN KEY over orphan rows (with `foreign_key_checks=1`), and — in strict
`sql_mode` — NOT NULL over NULLs or a narrowing type change over values that do not fit.
With `foreign_key_checks=0` orphans do not fail the statement: the constraint is created over them.

## Why is this bad?
The ALTER fails after doing most of its work (a copy or index build over the whole table), with
ER_DUP_ENTRY (1062), ER_NO_REFERENCED_ROW_2 (1452), "Data truncated" (1265) or "Out of range"
(1264); DDL before it in the same migration is already committed.

## Example
```sql
ALTER TABLE orders ADD UNIQUE KEY uq_orders_email (email);
```

## Use instead
```sql
-- find and resolve the duplicates first, then add the key
SELECT email, COUNT(*) FROM orders GROUP BY email HAVING COUNT(*) > 1 LIMIT 20;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule

RULE = rule(
    "migration-fails-on-existing-rows", "MY107", Severity.error,
    "Existing rows make the statement fail: duplicates, orphans, NULLs or values that no longer fit.",
)  # fmt: skip

_FAILS_ALWAYS = {"duplicates": "ER_DUP_ENTRY (1062)"}
_FAILS_STRICT = {"nulls": "Data truncated (1265)", "too_long": "Data truncated (1265)",
                 "out_of_range": "Out of range value (1264)", "members": "Data truncated (1265)"}  # fmt: skip


def check(st, mig):
    for p in mig.ctx.probes:
        if p.statement != st.index or p.status != "violations":
            continue
        ev = [Evidence(kind="execution", detail=f"{p.what}: {p.violations} found" + (f", e.g. {p.sample}" if p.sample else ""),
                       data=p.model_dump())]  # fmt: skip
        if p.kind == "orphans":
            if st.foreign_key_checks:
                yield finding(RULE, st, mig, extra=ev, obj=p.table,
                              message=f"Statement {st.index} fails with ER_NO_REFERENCED_ROW_2 (1452): {p.what} — {p.violations} found.",
                              fix=f"-- delete or repair the orphans first:\n{p.detail}")  # fmt: skip
            else:
                yield finding(RULE, st, mig, extra=ev, obj=p.table, severity=Severity.warning,
                              message=f"Statement {st.index} runs with foreign_key_checks=0 over {p.violations} orphan row(s) "
                                      f"({p.what}): the constraint is created but the existing rows violate it.",
                              fix=f"-- repair the orphans before relying on the constraint:\n{p.detail}")  # fmt: skip
            continue
        if p.kind in _FAILS_ALWAYS:
            err = _FAILS_ALWAYS[p.kind]
        elif p.kind in _FAILS_STRICT and mig.strict(st):
            err = _FAILS_STRICT[p.kind]
        else:
            continue  # non-strict sql_mode: the server changes the data instead (narrowing-type-change)
        yield finding(RULE, st, mig, extra=ev, obj=p.table,
                      message=f"Statement {st.index} fails with {err}: {p.what} — {p.violations} found"
                              + (f", e.g. {p.sample}" if p.sample else "") + ".",
                      fix=f"-- find and resolve them first:\n{p.detail}")  # fmt: skip
