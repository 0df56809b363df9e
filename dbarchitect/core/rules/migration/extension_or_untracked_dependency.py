"""
## What it does
Reports changes whose blast radius PostgreSQL cannot track: `ALTER EXTENSION ... UPDATE`,
`DROP EXTENSION`, sequences created without `OWNED BY`, and functions in procedural languages
(plpgsql, plpython, ...) whose bodies reference tables and columns.

## Why is this bad?
An extension upgrade or drop changes or removes functions, types and operators that columns,
indexes and application queries depend on. A sequence owned by no column survives the table that
uses it and is missed by dumps of that table. The body of a plpgsql function is not parsed for
dependencies: renaming or dropping a column it uses succeeds, and the function fails at runtime.

## Example
```sql
ALTER EXTENSION postgis UPDATE;
```

## Use instead
Review the extension's release notes and test the upgrade on a copy; give sequences an owner
(`ALTER SEQUENCE s OWNED BY t.c`); prefer `LANGUAGE sql` functions with `BEGIN ATOMIC` bodies,
whose dependencies PostgreSQL records.
```sql
CREATE SEQUENCE invoices_no_seq OWNED BY invoices.no;
CREATE FUNCTION order_total(o orders) RETURNS numeric LANGUAGE sql
BEGIN ATOMIC
    SELECT o.qty * o.price;
END;
```
"""

from dbarchitect.core.migration.kit import finding
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="extension-or-untracked-dependency",
    code="MG040",
    family="migration",
    severity=Severity.advice,
    summary="Extension upgrades/drops, unowned sequences and procedural functions have untracked dependencies.",
)
OPS = {OpKind.ALTER_EXTENSION, OpKind.DROP_EXTENSION, OpKind.CREATE_SEQUENCE, OpKind.CREATE_FUNCTION}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ALTER_EXTENSION, OpKind.DROP_EXTENSION):
        verb = "DROP EXTENSION" if op.kind == OpKind.DROP_EXTENSION else "ALTER EXTENSION ... UPDATE"
        yield finding(
            RULE, stmt, mig, obj=op.name, severity=Severity.warning if op.kind == OpKind.DROP_EXTENSION else None,
            why="extension objects are used by columns, indexes and queries",
            message=f"{verb} {op.name} changes functions, types or operators that columns, indexes and queries may "
            "use; PostgreSQL cannot show the application-side blast radius.",
            fix=f"-- test on a copy first; list dependent objects:\n"
            f"SELECT classid::regclass, objid, deptype FROM pg_depend WHERE refobjid = "
            f"(SELECT oid FROM pg_extension WHERE extname = '{op.name}');",
        )
    for op in stmt.ops_of(OpKind.CREATE_SEQUENCE):
        if op.detail.owned:
            continue
        yield finding(
            RULE, stmt, mig, obj=op.name, why="a sequence without OWNED BY is not tied to its column",
            message=f"Sequence {op.name} is owned by no column: it outlives the table that uses it and is missed when "
            "that table is dumped or dropped.",
            fix=f"ALTER SEQUENCE {op.name} OWNED BY <table>.<column>;",
        )
    for op in stmt.ops_of(OpKind.CREATE_FUNCTION):
        if op.detail.language in ("sql", "internal", "c"):
            continue
        yield finding(
            RULE, stmt, mig, obj=op.name, why=f"{op.detail.language} bodies are not parsed for dependencies",
            message=f"Function {op.name} is written in {op.detail.language}: the tables and columns its body uses "
            "are not recorded, so renaming or dropping them succeeds and the function fails at runtime.",
            fix="-- prefer LANGUAGE sql with a BEGIN ATOMIC body where possible (dependencies are recorded)",
        )
