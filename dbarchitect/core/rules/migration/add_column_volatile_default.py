"""
## What it does
Flags `ALTER TABLE ... ADD COLUMN` with a default PostgreSQL must compute row by row: a volatile
function (`random()`, `clock_timestamp()`, `gen_random_uuid()`, `nextval()`), or before PostgreSQL 11
any non-null default at all.

## Why is this bad?
Since PostgreSQL 11 a constant or stable default (`0`, `'x'`, `now()`) is stored once in the catalog
and the statement is instant. A volatile default has a different value per row, so the server
rewrites the whole table and rebuilds every index while holding ACCESS EXCLUSIVE: nothing can read
or write the table until the copy is done. Volatility comes from `pg_proc.provolatile` when a
connection is given, from a list of built-in functions otherwise.

## Example
```sql
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN token uuid;                          -- instant
ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid(); -- new rows only
-- backfill existing rows in batches, outside the DDL transaction
UPDATE users SET token = gen_random_uuid() WHERE id BETWEEN 1 AND 10000 AND token IS NULL;
```
"""

from dbarchitect.core.migration.analyze import deparse
from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-column-volatile-default",
    code="MG001",
    family="migration",
    severity=Severity.error,
    summary="ADD COLUMN with a volatile default rewrites the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ADD_COLUMN}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_COLUMN):
        d = op.detail
        if not mig.preexisting(op.table, stmt) or d.volatility is None:
            continue
        if d.serial or d.identity or d.generated:
            continue  # MG003/MG004/MG005 say it better
        old_pg = mig.pg_version < 11
        if d.volatility != "volatile" and not old_pg:
            continue
        expr = deparse(d.default)
        why = (f"PostgreSQL {mig.pg_version} stores no default in the catalog: every row is rewritten"
               if old_pg and d.volatility != "volatile"
               else f"DEFAULT {expr} is volatile: each existing row gets its own value")
        unknown = d.unknown_functions
        if unknown and d.volatility == "volatile" and not mig.ctx.online:
            why += f" (volatility of {', '.join(unknown)} unknown offline: assumed volatile)"
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        ev = []
        if mig.ctx.online and not unknown:
            ev.append(Evidence(kind="catalog", detail=f"pg_proc.provolatile makes DEFAULT {expr} {d.volatility}",
                               data={"expression": expr, "volatility": d.volatility}))
        yield finding(
            RULE, stmt, mig, obj=op.table, why=why, evidence=ev,
            message=f"Adding {op.column} with DEFAULT {expr} rewrites {describe(mig, op.table)} and all its indexes "
            f"under ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite. {why}.",
            fix=f"ALTER TABLE {t} ADD COLUMN {c} {d.type.display};\n"
            f"ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {expr};\n"
            f"-- then backfill in batches, each in its own transaction:\n"
            f"UPDATE {t} SET {c} = {expr} WHERE {c} IS NULL AND <key> BETWEEN <lo> AND <hi>;",
        )
