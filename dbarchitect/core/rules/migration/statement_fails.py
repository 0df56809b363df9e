"""
## What it does
Flags a statement PostgreSQL rejects as it stands: by itself (`UNIQUE`, `PRIMARY KEY` or `EXCLUDE ...
NOT VALID`) or, with a live catalog, given the database it runs on — `CREATE INDEX CONCURRENTLY` on a
partitioned table, `DETACH PARTITION ... CONCURRENTLY` while the parent has a DEFAULT partition, a
`DROP` without CASCADE that views or foreign keys depend on, a table the statement alters that does
not exist (and that no earlier statement creates).

## Why is this bad?
The migration stops at this statement: with the runner's transaction everything before it is rolled
back; without one, the database is left half migrated. The dry run observes these failures; the lint
reports them before anything runs, with the server's reason.

## Example
```sql
DROP TABLE orders;  -- the view recent_orders reads it
```

## Use instead
```sql
DROP VIEW recent_orders;
DROP TABLE orders;
```
"""

from dbarchitect.core.migration.kit import finding, short
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="statement-fails",
    code="MG051",
    family="migration",
    severity=Severity.error,
    summary="PostgreSQL rejects the statement as it stands (by itself, or given the catalog).",
)
OPS = {OpKind.ADD_CONSTRAINT, OpKind.CREATE_INDEX, OpKind.DETACH_PARTITION, OpKind.DROP_TABLE, OpKind.DROP_COLUMN,
       OpKind.ADD_COLUMN, OpKind.ALTER_TYPE, OpKind.SET_NOT_NULL, OpKind.DROP_NOT_NULL, OpKind.SET_DEFAULT,
       OpKind.CREATE_TRIGGER, OpKind.VALIDATE_CONSTRAINT}
# PostgreSQL's grammar refuses these before any catalog lookup (the lint sees a parse error): first word -> fix
FIX_BY_MESSAGE = {w: "build the index first (CREATE UNIQUE INDEX CONCURRENTLY), then ADD CONSTRAINT ... USING INDEX"
                  for w in ("UNIQUE", "PRIMARY", "EXCLUDE")}
_NOT_VALID_WORDS = {"unique": "UNIQUE", "primary_key": "PRIMARY KEY", "exclude": "EXCLUDE"}
_NEEDS_TABLE = {OpKind.ADD_CONSTRAINT, OpKind.CREATE_INDEX, OpKind.ADD_COLUMN, OpKind.ALTER_TYPE, OpKind.DROP_COLUMN,
                OpKind.SET_NOT_NULL, OpKind.DROP_NOT_NULL, OpKind.SET_DEFAULT, OpKind.CREATE_TRIGGER,
                OpKind.VALIDATE_CONSTRAINT}


def _dropped_before(mig, stmt) -> set[str]:
    out = set()
    for prev in mig.statements[: stmt.index - 1]:
        out.update(o.table for o in prev.ops_of(OpKind.DROP_TABLE) if o.table)
    return out


def _fk_dropped_before(mig, stmt, table: str) -> bool:
    return any(o.table == table for prev in mig.statements[: stmt.index - 1] for o in prev.ops_of(OpKind.DROP_CONSTRAINT))


def _reasons(stmt, mig):
    """(reason as the server words it, what to do) for each way the statement fails."""
    ctx = mig.ctx
    for op in stmt.ops:
        d = op.detail
        node = op.node
        if op.kind == OpKind.ADD_CONSTRAINT and d.contype in ("unique", "primary_key", "exclude") \
                and getattr(node, "skip_validation", False):
            what = _NOT_VALID_WORDS[d.contype]
            yield (f"{what} constraints cannot be marked NOT VALID",
                   "build the index first (CREATE UNIQUE INDEX CONCURRENTLY), then ADD CONSTRAINT ... USING INDEX")
        if not ctx.online or not op.table:
            continue
        facts = mig.facts(op.table)
        if facts is None and op.kind in _NEEDS_TABLE and mig.preexisting(op.table, stmt) \
                and op.table in ctx.known_missing and not getattr(d, "if_exists", False) \
                and not getattr(d, "if_not_exists", False) and not getattr(stmt.node, "missing_ok", False):
            yield (f'relation "{short(op.table, ctx)}" does not exist',
                   "create it first, or run this migration after the one that does")
            continue
        if facts is None:
            continue
        if op.kind == OpKind.CREATE_INDEX and op.concurrent and facts.kind == "partitioned_table":
            yield (f'cannot create index on partitioned table "{short(op.table, ctx)}" concurrently',
                   f"CREATE INDEX ... ON ONLY {short(op.table, ctx)}; CREATE INDEX CONCURRENTLY on each partition; "
                   "ALTER INDEX ... ATTACH PARTITION each")
        elif op.kind == OpKind.DETACH_PARTITION and op.concurrent and facts.default_partition:
            yield ("cannot detach partitions concurrently when a default partition exists",
                   f"detach without CONCURRENTLY under lock_timeout, or move {facts.default_partition}'s rows first")
        elif op.kind == OpKind.DROP_TABLE and not d.cascade and mig.preexisting(op.table, stmt):
            gone = _dropped_before(mig, stmt) | {o.table for o in stmt.ops_of(OpKind.DROP_TABLE)}
            deps = [v for v in facts.dependent_views if v not in gone]
            refs = [r for r in facts.referenced_by if r not in gone and r != op.table
                    and not _fk_dropped_before(mig, stmt, r)]
            if deps or refs:
                names = ", ".join(deps + refs)
                yield (f'cannot drop {short(op.table, ctx)} because other objects depend on it ({names})',
                       "drop or change the dependents first (or CASCADE, knowing what it drops)")
        elif op.kind == OpKind.DROP_COLUMN and not d.cascade and op.column in facts.columns:
            gone = _dropped_before(mig, stmt)
            deps = [v for v in facts.columns[op.column].views if v not in gone]
            if deps:
                yield (f"cannot drop column {op.column} of table {short(op.table, ctx)} because other objects depend "
                       f"on it ({', '.join(deps)})", "drop or recreate the dependent views first, in the same transaction")


def check(stmt, mig):
    seen = set()
    for reason, fix in _reasons(stmt, mig):
        if reason in seen:
            continue
        seen.add(reason)
        yield finding(
            RULE, stmt, mig, obj=next((o.table for o in stmt.ops if o.table), None),
            why="PostgreSQL rejects it as it stands",
            message=f'Fails: PostgreSQL rejects statement {stmt.index} with "{reason}"; the migration stops here.',
            fix=f"-- {fix}",
            evidence=[Evidence(kind="catalog" if mig.ctx.online else "static", detail=reason)],
        )
