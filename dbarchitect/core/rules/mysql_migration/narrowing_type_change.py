"""
## What it does
Flags a column change that not every existing value may survive: a shorter VARCHAR/CHAR, a smaller
or differently signed integer, a DECIMAL with fewer digits, TEXT to VARCHAR, DATETIME to DATE,
dropped ENUM members, or NULL to NOT NULL. With the live catalog the lint counts the values that do
not fit (read-only, time-limited) and reads `sql_mode`: in strict mode the ALTER fails
(migration-fails-on-existing-rows); without strict mode the server cuts, clamps or zeroes the values
with only a warning.

## Why is this bad?
Without STRICT_TRANS_TABLES, `MODIFY name VARCHAR(20)` silently cuts longer names, `MODIFY qty
TINYINT` turns 1000 into 127, and NOT NULL turns NULLs into 0 or '' — data lost with no error, and no
way back from the down migration.

## Example
```sql
ALTER TABLE orders MODIFY note VARCHAR(10) CHARACTER SET utf8mb4;
```

## Use instead
```sql
-- check what would not fit, then decide (longer type, cleanup, or a new column)
SELECT COUNT(*) FROM orders WHERE CHAR_LENGTH(note) > 10;
```
"""

from __future__ import annotations

from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rules.mysql_migration._common import finding, rule

RULE = rule(
    "narrowing-type-change", "MY108", Severity.warning,
    "A column change not every existing value fits: cut or zeroed silently without strict sql_mode, refused with it.",
)  # fmt: skip

_KINDS = {"too_long", "out_of_range", "members", "nulls"}


def check(st, mig):
    narrowing = [a for a in st.actions if a.detail.get("narrowing") or a.kind == "set_not_null"]
    if not narrowing or not st.preexisting or st.refused:
        return
    strict = mig.strict(st)
    probes = [p for p in mig.ctx.probes if p.statement == st.index and p.kind in _KINDS]
    bad = [p for p in probes if p.status == "violations"]
    mode = f"sql_mode '{st.sql_mode}'" if mig.ctx.online or st.sql_mode else "the sql_mode (unknown offline)"
    if bad and not strict:
        for p in bad:
            yield finding(
                RULE, st, mig, severity=Severity.error, obj=p.table,
                extra=[Evidence(kind="execution", detail=f"{p.what}: {p.violations} found", data=p.model_dump())],
                message=f"Statement {st.index} silently changes data: {p.what} — {p.violations} row(s)"
                        + (f", e.g. {p.sample}" if p.sample else "") + f"; {mode} is not strict, so they are cut, clamped "
                        "or zeroed with a warning only.",
                fix=f"-- resolve them first, or keep the wider type:\n{p.detail}",
            )  # fmt: skip
        return
    if probes and all(p.status == "clean" for p in probes):
        return
    if bad:
        return  # strict: the statement fails; migration-fails-on-existing-rows says so
    what = ", ".join(f"{a.column} {a.detail.get('old', '')} → {a.detail.get('new', 'NOT NULL')}".strip() for a in narrowing)
    outcome = ("fails (strict mode)" if strict else "silently cuts or zeroes them (no strict mode)") if (mig.ctx.online or st.sql_mode) \
        else "fails in strict sql_mode and silently cuts or zeroes them without it"  # fmt: skip
    why = mig.ctx.unprobed.get(st.index) or ("offline: no rows were read" if not mig.ctx.online else "the rows were not checked")
    yield finding(
        RULE, st, mig,
        message=f"Statement {st.index} narrows {what}: if existing values do not fit, it {outcome}. Not checked: {why}.",
        fix="-- count what would not fit before running it, e.g. SELECT COUNT(*) FROM t WHERE CHAR_LENGTH(col) > <new length>;",
    )  # fmt: skip
