"""
## What it does
Flags `ALTER TABLE ... RENAME TO` (tables, views, materialized views) and `ALTER SCHEMA ... RENAME`
for objects that existed before the migration.

## Why is this bad?
Instant for PostgreSQL, fatal for the application: every query of the running release names the
old table or schema and fails until all instances are redeployed.

## Example
```sql
ALTER TABLE users RENAME TO accounts;
```

## Use instead
Rename, then keep the old name alive as a simple view (automatically updatable) until no code uses it:
```sql
BEGIN;
-- the old name stays valid (the view below), so the rename is acknowledged:
-- dbarchitect:ignore rename-table
ALTER TABLE users RENAME TO accounts;
CREATE VIEW users AS SELECT * FROM accounts;
COMMIT;
-- later release: DROP VIEW users;
```
"""

from dbarchitect.core.migration.kit import describe, finding, ident, sql_rel
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="rename-table",
    code="MG020",
    family="migration",
    severity=Severity.warning,
    summary="RENAME of a table or schema breaks application code still using the old name.",
)
OPS = {OpKind.RENAME_TABLE, OpKind.RENAME_SCHEMA}


def _compat_view(old: str, stmt, mig) -> bool:
    """A later statement of the file creates a view under the old name: running code keeps resolving it."""
    for later in mig.later(stmt):
        node = later.node
        if type(node).__name__ == "ViewStmt" and node.view is not None:
            schema = node.view.schemaname or mig.ctx.default_schema
            if f"{schema}.{node.view.relname}" == old:
                return True
    return False


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.RENAME_TABLE):
        if not mig.preexisting(op.table, stmt) or _compat_view(op.table, stmt, mig):
            continue
        schema = op.table.split(".", 1)[0]
        new = sql_rel(f"{schema}.{op.name}", mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=op.table, why="running code addresses tables by name",
            message=f"RENAME of {describe(mig, op.table)} to {op.name}: every query of the running release that names "
            "the old table fails until it is redeployed.",
            fix=f"BEGIN;\nALTER TABLE {sql_rel(op.table, mig.ctx)} RENAME TO {ident(op.name)};\n"
            f"CREATE VIEW {sql_rel(op.table, mig.ctx)} AS SELECT * FROM {new};  -- old name keeps working\n"
            "COMMIT;\n-- drop the view once no code uses the old name",
        )
    for op in stmt.ops_of(OpKind.RENAME_SCHEMA):
        yield finding(
            RULE, stmt, mig, obj=op.name, why="running code and search_path settings name the schema",
            message=f"RENAME of schema {op.name} to {op.detail.new}: queries, search_path settings and grants that "
            "name the old schema stop resolving.",
            fix=f"-- create the new schema and move objects over while both names resolve, e.g.\n"
            f"CREATE SCHEMA {ident(op.detail.new)};\n-- ALTER TABLE {ident(op.name)}.t SET SCHEMA "
            f"{ident(op.detail.new)}; plus compatibility views in the old schema",
        )
