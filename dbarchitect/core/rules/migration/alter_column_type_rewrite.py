"""
## What it does
Flags `ALTER COLUMN ... TYPE` changes that are not binary-coercible (int -> bigint, shortening a
varchar, a `USING` expression, timestamp -> timestamptz outside UTC), and type changes of a column
that a view depends on.

## Why is this bad?
PostgreSQL converts every value: the table and all its indexes are rewritten under ACCESS
EXCLUSIVE, so the table is unavailable for the whole copy. If a view or rule uses the column the
statement fails ("cannot alter type of a column used by a view or rule"). With a connection the old
type comes from the catalog and the cast from `pg_cast`; offline the old type is unknown unless the
migration created the column, and the change is reported as a probable rewrite.

## Example
```sql
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
```

## Use instead
Expand and contract:
```sql
ALTER TABLE orders ADD COLUMN id_new bigint;
-- trigger copying id into id_new on INSERT/UPDATE; backfill in batches;
-- build indexes CONCURRENTLY on id_new; switch reads and writes; then
ALTER TABLE orders DROP COLUMN id;
ALTER TABLE orders RENAME COLUMN id_new TO id;
```
"""

from dbarchitect.core.migration.kit import LOCK_TIMEOUT_SQL, describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="alter-column-type-rewrite",
    code="MG006",
    family="migration",
    severity=Severity.error,
    summary="ALTER COLUMN TYPE that is not binary-coercible rewrites the table under ACCESS EXCLUSIVE.",
)
OPS = {OpKind.ALTER_TYPE}


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ALTER_TYPE):
        if not mig.preexisting(op.table, stmt):
            continue
        d = op.detail
        t, c = sql_rel(op.table, mig.ctx), ident(op.column)
        new = d.new.display
        if d.views:
            views = ", ".join(d.views)
            yield finding(
                RULE, stmt, mig, obj=op.table,
                why=f"pg_depend: {views} use {op.column}",
                evidence=[Evidence(kind="catalog", detail=f"views depending on {op.table}.{op.column}: {views}",
                                   data={"views": d.views})],
                message=f"ALTER COLUMN {op.column} TYPE {new} fails: {views} depend on the column "
                "(cannot alter type of a column used by a view or rule).",
                fix=f"-- drop and recreate the dependent views in the same transaction:\n"
                f"BEGIN;\nDROP VIEW {d.views[0]};\n{LOCK_TIMEOUT_SQL}\n"
                f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {new};\nCREATE VIEW {d.views[0]} AS ...;\nCOMMIT;",
            )
            continue
        if not op.rewrite:
            continue
        assumed = bool(d.assumed)
        yield finding(
            RULE, stmt, mig, obj=op.table, why=d.reason,
            severity=Severity.warning if assumed else None,
            message=f"ALTER COLUMN {op.column} TYPE {new} {'probably ' if assumed else ''}rewrites "
            f"{describe(mig, op.table)} and all its indexes under ACCESS EXCLUSIVE: reads and writes wait for "
            f"the whole rewrite ({d.reason})."
            + (f" Its foreign key is dropped and re-validated: {', '.join(d.fk_tables)} is held under ACCESS "
               f"EXCLUSIVE too and read in full." if d.fk_tables else ""),
            fix=f"-- expand/contract instead of an in-place type change:\n"
            f"ALTER TABLE {t} ADD COLUMN {ident(op.column + '_new')} {new};\n"
            f"-- 1. trigger: NEW.{ident(op.column + '_new')} := NEW.{c} on INSERT/UPDATE\n"
            f"-- 2. batched backfill: UPDATE {t} SET {ident(op.column + '_new')} = {c} WHERE <key range>;\n"
            f"-- 3. CREATE INDEX CONCURRENTLY on the new column; switch the application to it\n"
            f"-- 4. ALTER TABLE {t} DROP COLUMN {c}; ALTER TABLE {t} RENAME COLUMN {ident(op.column + '_new')} TO {c};",
        )
