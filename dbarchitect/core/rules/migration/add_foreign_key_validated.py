"""
## What it does
Flags `ADD ... FOREIGN KEY` / `REFERENCES` on an existing table without `NOT VALID`.

## Why is this bad?
The validation scans the referencing table while SHARE ROW EXCLUSIVE is held on *both* tables:
writes to the child and to the parent wait for the whole check. With `NOT VALID` the constraint is
added at once and enforced for new rows; `VALIDATE CONSTRAINT` later takes only SHARE UPDATE
EXCLUSIVE on the child and ROW SHARE on the parent.

## Example
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
```

## Use instead
```sql
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
-- separate transaction:
ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, short, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="add-foreign-key-validated",
    code="MG010",
    family="migration",
    severity=Severity.error,
    summary="ADD FOREIGN KEY without NOT VALID blocks writes on both tables during the validation scan.",
)
OPS = {OpKind.ADD_CONSTRAINT, OpKind.ADD_COLUMN}  # ADD_COLUMN: whether an inline key's column is new and NULL


def _new_null_column(stmt, column) -> bool:
    """The column is added by this statement with no default (or DEFAULT NULL) and no generated value."""
    for add in stmt.ops_of(OpKind.ADD_COLUMN):
        if add.column == column:
            d = add.detail
            return d.volatility is None and not (d.serial or d.identity or d.generated)
    return False


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT):
        d = op.detail
        if d.contype != "foreign_key" or op.not_valid or not mig.preexisting(op.table, stmt):
            continue
        if d.inline and _new_null_column(stmt, op.column):
            continue  # every row holds NULL in the new column: PostgreSQL marks the key valid without a scan
        t = sql_rel(op.table, mig.ctx)
        ref = d.ref
        cols = ", ".join(ident(c) for c in d.columns)
        refcols = ", ".join(ident(c) for c in d.ref_columns or [])
        name = ident(op.name or f"{op.table.split('.')[-1]}_{'_'.join(d.columns)}_fkey")
        if d.inline:
            lead = (f"ALTER TABLE {t} ADD COLUMN {ident(op.column)} <type>;  -- without REFERENCES\n")
        else:
            lead = ""
        yield finding(
            RULE, stmt, mig, obj=op.table, why="a validated foreign key checks every existing row against the parent",
            message=f"ADD FOREIGN KEY scans {describe(mig, op.table)} while SHARE ROW EXCLUSIVE is held on "
            f"{short(op.table, mig.ctx)} and {describe(mig, ref)}: writes to both tables wait for the validation.",
            fix=f"{lead}ALTER TABLE {t} ADD CONSTRAINT {name} FOREIGN KEY ({cols}) REFERENCES {sql_rel(ref, mig.ctx)}"
            f"{f' ({refcols})' if refcols else ''} NOT VALID;\n"
            f"-- in a separate transaction:\nALTER TABLE {t} VALIDATE CONSTRAINT {name};",
        )
