"""
## What it does
Flags a migration that adds a foreign key (`ALTER TABLE ... ADD FOREIGN KEY`, or `REFERENCES` in a
new table) whose referencing columns are not exactly the leading columns (in any order) of any index,
looking at the catalog (with a connection) and at the indexes the migration itself creates. A
composite primary key `(order_id, line_no)` covers a foreign key on `order_id`, not one on `line_no`.
The schema rule `foreign-key-without-index` (SD002) flags the same gap on a schema as it stands.

## Why is this bad?
PostgreSQL does not index the referencing side automatically. Every DELETE or key UPDATE on the
parent then scans the child table to check for references, under a lock, which makes deletes slow
and amplifies lock waits; joins from parent to child cannot use an index either.

## Example
```sql
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
```

## Use instead
```sql
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE INDEX order_items_order_id_idx ON order_items (order_id);   -- in the same migration
-- on an existing, populated table: CREATE INDEX CONCURRENTLY, outside a transaction
```
"""

from pglast.enums import ConstrType

from dbarchitect.core.migration.kit import finding, ident, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._indexes import leads_with

RULE = RuleMeta(
    name="add-foreign-key-without-index",
    code="MG038",
    family="migration",
    severity=Severity.warning,
    summary="The migration adds a foreign key with no index on its referencing columns: parent deletes scan the child.",
)
OPS = {OpKind.ADD_CONSTRAINT, OpKind.FK_ON_NEW_TABLE}
_KEYS = (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE)


def _file_indexes(mig) -> dict[str, list[list[str | None]]]:
    memo = mig.scratch(RULE)
    if "indexes" not in memo:
        out: dict[str, list[list[str | None]]] = {}
        for s in mig.statements:
            for o in s.ops:
                if o.kind == OpKind.CREATE_INDEX:
                    out.setdefault(o.table, []).append(list(o.detail.columns))
                elif o.kind == OpKind.ADD_CONSTRAINT and o.detail.contype in ("primary_key", "unique"):
                    out.setdefault(o.table, []).append(list(o.detail.columns))
                elif o.kind == OpKind.CREATE_TABLE:
                    for elt in o.node.tableElts or ():
                        cons = getattr(elt, "constraints", None) or ()
                        for c in cons:
                            if c.contype in _KEYS:
                                out.setdefault(o.table, []).append([elt.colname])
                        if type(elt).__name__ == "Constraint" and elt.contype in _KEYS:
                            out.setdefault(o.table, []).append([k.sval for k in elt.keys or ()])
        memo["indexes"] = out
    return memo["indexes"]


def _covered(cols: list[str], indexes: list[list[str | None]]) -> bool:
    return any(leads_with(idx, cols) for idx in indexes)


def check(stmt, mig):
    for op in stmt.ops_of(OpKind.ADD_CONSTRAINT, OpKind.FK_ON_NEW_TABLE):
        if op.kind == OpKind.ADD_CONSTRAINT:
            if op.detail.contype != "foreign_key":
                continue
            table, cols = op.table, op.detail.columns
        else:
            table, cols = op.detail.from_table, op.detail.columns
        if not cols:
            continue
        indexes = list(_file_indexes(mig).get(table, []))
        facts = mig.facts(table)
        if facts is not None:
            indexes += [list(i.columns) for i in facts.indexes if i.valid]
        elif op.kind == OpKind.ADD_CONSTRAINT and mig.preexisting(table, stmt) and table not in mig.ctx.known_missing:
            continue  # existing table, catalog unknown: its indexes are unknown
        if _covered(cols, indexes):
            continue
        collist = ", ".join(ident(c) for c in cols)
        t = short(table, mig.ctx)
        yield finding(
            RULE, stmt, mig, obj=table, why="no index starts with the referencing columns",
            message=f"Foreign key ({collist}) on {t} has no index on its referencing columns: every DELETE or key "
            "UPDATE on the referenced table scans it, and joins cannot use an index.",
            fix=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {t.split('.')[-1]}_{'_'.join(cols)}_idx ON {t} ({collist});",
        )
