"""
## What it does
With a live catalog, flags a statement PostgreSQL rejects because of what the database holds (or lacks)
when the statement runs: a type, schema, role, function, extension, operator class, column, constraint
or index that does not exist; a name that is already taken (table, index, type, column, enum label,
extension, a second primary key); a type change with no automatic cast; a foreign key with no unique
key to reference or with incompatible column types; `CREATE OR REPLACE VIEW` that drops, renames or
retypes a column; `DROP NOT NULL` on a primary-key column; `REFRESH ... CONCURRENTLY` without a unique
index. Objects created (or dropped) earlier in the same migration count as such.

## Why is this bad?
The migration stops at this statement: with the runner's transaction everything before it is rolled
back; without one, the database is left half migrated. The lint reads the catalog and says so before
anything runs, with the server's wording — no dry run needed.

## Example
```sql
ALTER TABLE orders ADD COLUMN state order_state;  -- no type order_state in this database
```

## Use instead
```sql
CREATE TYPE order_state AS ENUM ('open', 'closed');
ALTER TABLE orders ADD COLUMN state order_state;
```
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast

from dbarchitect.core.migration.kit import finding, short
from dbarchitect.core.migration.names import type_text
from dbarchitect.core.migration.ops import OpKind as K
from dbarchitect.core.migration.types import BUILTIN_BINARY_COERCIBLE
from dbarchitect.core.models import Evidence, Severity
from dbarchitect.core.rulebook import RuleMeta

RULE = RuleMeta(
    name="catalog-rejects",
    code="MG052",
    family="migration",
    severity=Severity.error,
    summary="PostgreSQL rejects the statement given this database's catalog (missing object, name taken, no cast).",
)

OPS = {K.CREATE_TABLE, K.TABLE_COLUMN, K.CREATE_TABLE_AS, K.CREATE_MATVIEW, K.CREATE_VIEW, K.CREATE_INDEX,
       K.RENAME_TABLE, K.DROP_TABLE, K.DROP_INDEX, K.ENUM_ADD_VALUE, K.CREATE_TYPE, K.CREATE_DOMAIN, K.ADD_COLUMN,
       K.ALTER_TYPE, K.SET_NOT_NULL, K.DROP_NOT_NULL, K.SET_DEFAULT, K.DROP_DEFAULT, K.RENAME_COLUMN, K.DROP_COLUMN,
       K.VALIDATE_CONSTRAINT, K.DROP_CONSTRAINT, K.ADD_CONSTRAINT, K.REFRESH_MATVIEW, K.CREATE_FUNCTION,
       K.CREATE_EXTENSION, K.CREATE_TRIGGER, K.GRANT, K.CHANGE_OWNER, K.UPDATE, K.INSERT, K.DELETE, K.SELECT,
       K.COMMENT}
# Index access methods whose default operator class depends on the column type (btree has one for nearly all).
_RANGES = {"int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange"}
# Operator families that compare across the types listed (a foreign key needs an equality operator).
_FAMILIES = ({"int2", "int4", "int8"}, {"float4", "float8"}, {"numeric"}, {"text", "varchar"}, {"bpchar"},
             {"date", "timestamp", "timestamptz"}, {"uuid"}, {"bool"}, {"bytea"}, {"time"}, {"interval"},
             {"jsonb"}, {"inet", "cidr"})


@dataclass
class _Seen:
    """What the statements before this one created, dropped, renamed (so the catalog is read as they left it)."""

    upto: int = 0
    opaque: bool = False  # a DO block / CALL ran: anything may exist now
    created: set[str] = field(default_factory=set)  # relations, indexes, types, schemas, extensions, functions, roles
    dropped: set[str] = field(default_factory=set)
    added_cols: set[tuple[str, str]] = field(default_factory=set)
    dropped_cols: set[tuple[str, str]] = field(default_factory=set)
    constraints: set[tuple[str, str]] = field(default_factory=set)
    dropped_constraints: set[tuple[str, str]] = field(default_factory=set)
    touched_constraints: set[str] = field(default_factory=set)  # tables given unnamed constraints
    labels: set[tuple[str, str]] = field(default_factory=set)
    indexed: set[str] = field(default_factory=set)  # tables given an index by the file


def _record(seen: _Seen, stmt) -> None:
    node = stmt.node
    name = type(node).__name__
    if name in ("DoStmt", "CallStmt"):
        seen.opaque = True
    if name == "CreateRoleStmt":
        seen.created.add(f"role:{node.role}")
    for op in stmt.ops:
        k = op.kind
        if k in (K.CREATE_TABLE, K.CREATE_TABLE_AS, K.CREATE_MATVIEW, K.CREATE_VIEW) and op.table:
            seen.created.add(op.table)
            seen.dropped.discard(op.table)
        elif k == K.CREATE_INDEX:
            if op.name:
                seen.created.add(op.name)
                seen.dropped.discard(op.name)
            if op.table:
                seen.indexed.add(op.table)
        elif k in (K.CREATE_TYPE, K.CREATE_DOMAIN) and op.name:
            seen.created.add(f"type:{op.name}")
        elif k == K.CREATE_SCHEMA and op.name:
            seen.created.add(f"schema:{op.name}")
        elif k == K.CREATE_EXTENSION and op.name:
            seen.created.add(f"extension:{op.name}")
            seen.opaque = True  # an extension brings types, functions, operator classes
        elif k == K.CREATE_FUNCTION and op.name:
            seen.created.add(f"function:{op.name.split('.')[-1].lower()}")
        elif k in (K.DROP_TABLE, K.DROP_INDEX):
            target = op.table if k == K.DROP_TABLE else op.name
            if target:
                seen.dropped.add(target)
                seen.created.discard(target)
        elif k == K.RENAME_TABLE and op.table and op.name:
            seen.dropped.add(op.table)
            seen.created.add(f"{op.table.split('.', 1)[0]}.{op.name}")
            seen.opaque = True  # columns and constraints now live under the new name
        elif k == K.RENAME_INDEX and op.name:
            seen.dropped.add(op.name)
        elif k in (K.ADD_COLUMN, K.TABLE_COLUMN) and op.table and op.column:
            seen.added_cols.add((op.table, op.column))
            seen.dropped_cols.discard((op.table, op.column))
        elif k == K.DROP_COLUMN and op.table and op.column:
            seen.dropped_cols.add((op.table, op.column))
            seen.added_cols.discard((op.table, op.column))
        elif k == K.RENAME_COLUMN and op.table and op.column and op.name:
            seen.dropped_cols.add((op.table, op.column))
            seen.added_cols.add((op.table, op.name))
        elif k == K.ADD_CONSTRAINT and op.table:
            if op.name:
                seen.constraints.add((op.table, op.name))
            else:
                seen.touched_constraints.add(op.table)
            if op.detail.contype in ("primary_key", "unique"):
                seen.indexed.add(op.table)
        elif k == K.DROP_CONSTRAINT and op.table and op.name:
            seen.dropped_constraints.add((op.table, op.name))
        elif k == K.RENAME_CONSTRAINT and op.table:
            seen.touched_constraints.add(op.table)
        elif k == K.ENUM_ADD_VALUE and op.name:
            seen.labels.add((op.name, op.detail.value))


def _seen_before(stmt, mig) -> _Seen:
    memo = mig.scratch(RULE)
    seen = memo.setdefault("seen", _Seen())
    if seen.upto > stmt.index - 1:  # a second pass over the same migration: start over
        seen = memo["seen"] = _Seen()
    for prev in mig.statements[seen.upto: stmt.index - 1]:
        _record(seen, prev)
    seen.upto = stmt.index - 1
    return seen


# ------------------------------------------------------------------------------------------------ helpers

def _exists_rel(rel: str | None, seen: _Seen, ctx) -> bool | None:
    """True/False when known; None when it cannot be told."""
    if rel is None:
        return None
    if rel in seen.created:
        return True
    if rel in seen.dropped:
        return False
    if rel in ctx.relations or rel in ctx.index_tables:
        return True
    if seen.opaque:
        return None
    return False if rel in ctx.known_missing else None


def _columns(table: str, seen: _Seen, mig) -> set[str] | None:
    """The columns `table` has at this point of the file; None when not known (not a pre-existing table)."""
    facts = mig.facts(table)
    if facts is None or table in seen.created or table in seen.dropped or seen.opaque:
        return None
    cols = set(facts.columns) | {c for t, c in seen.added_cols if t == table}
    return cols - {c for t, c in seen.dropped_cols if t == table}


def _index(mig, table: str, name: str):
    facts = mig.facts(table)
    return next((i for i in facts.indexes if i.name == name), None) if facts is not None else None


def _col_type(table: str, column: str, seen: _Seen, mig) -> str | None:
    facts = mig.facts(table)
    if facts is None or (table, column) in seen.added_cols or table in seen.created:
        return None
    col = facts.columns.get(column)
    return col.type_name if col else None


def _has_pk(table: str, seen: _Seen, mig) -> str | None:
    facts = mig.facts(table)
    if facts is None or table in seen.created or seen.opaque:
        return None
    pk = next((c for c in facts.constraints if c.kind == "primary_key"), None)
    if pk is None or (table, pk.name) in seen.dropped_constraints:
        return None
    return pk.name


def _type_missing(tn, seen: _Seen, ctx, default_schema: str) -> str | None:
    text = type_text(tn)
    if text is None or ctx.names.types.get(text, True) or seen.opaque:
        return None
    parts = [n.sval for n in tn.names]
    qualified = ".".join(parts) if len(parts) > 1 else f"{default_schema}.{parts[0]}"
    if f"type:{qualified}" in seen.created or any(t.endswith("." + parts[-1]) and t.startswith("type:")
                                                   for t in seen.created):
        return None
    if len(parts) > 1 and ctx.names.schemas.get(parts[0]) is False and f"schema:{parts[0]}" not in seen.created:
        return f'schema "{parts[0]}" does not exist'
    return f'type "{".".join(parts)}" does not exist'


def _default_opclass(am: str, typname: str, ctx) -> bool:
    """Has the type a default operator class for the access method (exactly, by a polymorphic one, or through
    a binary-coercible type)?"""
    defaults = {t for a, t in ctx.names.default_opclasses if a == am}
    if typname in defaults:
        return True
    if typname.startswith("_") and "anyarray" in defaults:
        return True
    if typname in _RANGES and "anyrange" in defaults:
        return True
    if any(typname == e.split(".")[-1] for e in ctx.enums) and "anyenum" in defaults:
        return True
    binary = BUILTIN_BINARY_COERCIBLE | set(map(tuple, ctx.binary_coercible))
    return any((typname, t) in binary for t in defaults)


def _known_base(typname: str | None, ctx) -> bool:
    """A type whose operator classes and casts we can judge (a base type of the catalog, not a domain/enum/array)."""
    return bool(typname) and not typname.startswith("_") and ctx.names.type_categories.get(typname) not in (
        None, "A", "E", "R", "U", "C", "P", "X")


def _index_elems(node):
    if isinstance(node, ast.IndexStmt):
        return node.accessMethod or "btree", list(node.indexParams or ())
    if isinstance(node, ast.Constraint) and node.contype == 8:  # CONSTR_EXCLUSION
        return node.access_method or "btree", [pair[0] for pair in node.exclusions or ()]
    return None, []


def _target_names(select) -> list[str] | None:
    """Output column names of a simple SELECT list; None when one cannot be told (*, unnamed expressions)."""
    if not isinstance(select, ast.SelectStmt) or not select.targetList or select.op != 0:
        return None
    out = []
    for rt in select.targetList:
        if rt.name:
            out.append(rt.name)
        elif isinstance(rt.val, ast.ColumnRef) and isinstance(rt.val.fields[-1], ast.String):
            out.append(rt.val.fields[-1].sval)
        else:
            return None
    return out


# ------------------------------------------------------------------------------------------------ checks

def _reasons(stmt, mig):  # noqa: C901 - one branch per way the server refuses
    ctx = mig.ctx
    seen = _seen_before(stmt, mig)
    node = stmt.node
    schema = ctx.default_schema
    # ---- types and schemas named anywhere in the statement
    if ctx.names.checked:
        for n in _walk_types(node):
            why = _type_missing(n, seen, ctx, schema)
            if why:
                yield why, "create it first (or the extension that provides it), earlier in this migration"
                return
        rv = getattr(node, "relation", None) if isinstance(node, ast.CreateStmt | ast.ViewStmt) else None
        if isinstance(node, ast.CreateTableAsStmt):
            rv = node.into.rel
        if rv is not None and rv.schemaname and ctx.names.schemas.get(rv.schemaname) is False \
                and f"schema:{rv.schemaname}" not in seen.created and not seen.opaque:
            yield f'schema "{rv.schemaname}" does not exist', f"CREATE SCHEMA {rv.schemaname}; first"
            return
        for role in _roles(node):
            if ctx.names.roles.get(role) is False and f"role:{role}" not in seen.created:
                yield f'role "{role}" does not exist', "create the role first, or grant to a role that exists"
                return
    name = type(node).__name__
    if name == "CreateExtensionStmt" and ctx.names.checked:
        state = ctx.names.extensions.get(node.extname)
        if state == "missing":
            yield (f'extension "{node.extname}" is not available',
                   "install the extension's package on the server first (or drop it from the migration)")
        elif state == "installed" and not node.if_not_exists and f"extension:{node.extname}" not in seen.dropped:
            yield (f'extension "{node.extname}" already exists', f"CREATE EXTENSION IF NOT EXISTS {node.extname}")
        return
    if name == "CreateTrigStmt" and ctx.online and not seen.opaque:
        fn = node.funcname[-1].sval.lower()
        if fn not in ctx.functions and f"function:{fn}" not in seen.created:
            yield (f"function {'.'.join(s.sval for s in node.funcname)}() does not exist",
                   "create the trigger function first, earlier in this migration")
            return
    for op in stmt.ops:
        yield from _op_reasons(op, stmt, mig, seen)


def _walk_types(node):
    from dbarchitect.core.migration.analyze import walk

    for n in walk(node):
        if isinstance(n, ast.TypeName):
            yield n


def _roles(node):
    if isinstance(node, ast.GrantStmt):
        return [r.rolename for r in node.grantees or () if isinstance(r, ast.RoleSpec) and r.rolename]
    if isinstance(node, ast.AlterTableStmt):
        return [c.newowner.rolename for c in node.cmds or () if getattr(c, "newowner", None) is not None
                and c.newowner.rolename]
    return []


def _op_reasons(op, stmt, mig, seen: _Seen):  # noqa: C901
    ctx = mig.ctx
    if not ctx.online:
        return
    k, d, table = op.kind, op.detail, op.table
    cols = _columns(table, seen, mig) if table else None
    tshort = short(table, ctx) if table else ""
    if k in (K.CREATE_TABLE, K.CREATE_TABLE_AS, K.CREATE_MATVIEW) and not d.if_not_exists \
            and _exists_rel(table, seen, ctx) and table not in seen.created:
        yield f'relation "{short(table, ctx)}" already exists', "IF NOT EXISTS, or pick another name"
    elif k == K.CREATE_VIEW and not d.replace and _exists_rel(table, seen, ctx) and table not in seen.created:
        yield f'relation "{short(table, ctx)}" already exists', "CREATE OR REPLACE VIEW, or pick another name"
    elif k == K.CREATE_VIEW and d.replace and table not in seen.created and not seen.opaque:
        yield from _replace_view(op, mig, seen)
    elif k == K.CREATE_INDEX and op.name and not d.if_not_exists and op.name not in seen.created \
            and op.name not in seen.dropped and (op.name in ctx.index_tables or op.name in ctx.relations):
        yield f'relation "{short(op.name, ctx)}" already exists', "CREATE INDEX IF NOT EXISTS, or pick another name"
    elif k == K.RENAME_TABLE and table and op.name:
        new = f"{table.split('.', 1)[0]}.{op.name}"
        if _exists_rel(new, seen, ctx):
            yield f'relation "{op.name}" already exists', "pick another name, or move the other relation first"
    elif k == K.DROP_TABLE and not d.if_exists and _exists_rel(table, seen, ctx) is False:
        yield f'{d.objtype.replace("_", " ") or "table"} "{short(table, ctx)}" does not exist', \
            f"DROP {d.objtype.replace('_', ' ').upper() or 'TABLE'} IF EXISTS"
    elif k == K.DROP_INDEX and not d.if_exists and op.name and op.name not in seen.created \
            and not seen.opaque and (op.name in seen.dropped or op.name not in ctx.index_tables):
        yield f'index "{short(op.name, ctx)}" does not exist', "DROP INDEX IF EXISTS"
    elif k == K.DROP_INDEX and op.name and table and not seen.opaque and op.name not in seen.created \
            and (idx := _index(mig, table, op.name)) is not None and idx.constraint \
            and (table, idx.constraint) not in seen.dropped_constraints:
        # the index belongs to a PRIMARY KEY / UNIQUE / EXCLUDE constraint: refused even with CASCADE
        yield (f"cannot drop index {short(op.name, ctx)} because constraint {idx.constraint} on table {tshort} "
               "requires it", f"ALTER TABLE {tshort} DROP CONSTRAINT {idx.constraint}; (drops its index)")
    elif k == K.ENUM_ADD_VALUE and not d.if_not_exists and op.name:
        labels = ctx.enums.get(op.name, [])
        if d.value in labels or (op.name, d.value) in seen.labels:
            yield f'enum label "{d.value}" already exists', f"ALTER TYPE ... ADD VALUE IF NOT EXISTS '{d.value}'"
    elif k in (K.CREATE_TYPE, K.CREATE_DOMAIN) and op.name and f"type:{op.name}" not in seen.created:
        written = ".".join(op.name.split(".")[1:]) if op.name.startswith(ctx.default_schema + ".") else op.name
        if ctx.names.types.get(written) or ctx.names.types.get(op.name) or op.name in ctx.enums:
            yield f'type "{written}" already exists', "pick another name, or drop the old type first"
    if cols is None:
        return
    # ---- columns of a pre-existing table
    if k == K.ADD_COLUMN and op.column in cols and not d.if_not_exists:
        yield f'column "{op.column}" of relation "{tshort}" already exists', \
            f"ALTER TABLE {tshort} ADD COLUMN IF NOT EXISTS ..."
    elif k in (K.ALTER_TYPE, K.SET_NOT_NULL, K.DROP_NOT_NULL, K.SET_DEFAULT, K.DROP_DEFAULT, K.RENAME_COLUMN,
               K.COMMENT) and op.column and op.column not in cols:
        yield f'column "{op.column}" of relation "{tshort}" does not exist', "check the column name"
    elif k == K.DROP_COLUMN and op.column not in cols and not d.if_exists:
        yield f'column "{op.column}" of relation "{tshort}" does not exist', \
            f"ALTER TABLE {tshort} DROP COLUMN IF EXISTS {op.column}"
    elif k == K.DROP_COLUMN and not d.cascade and (col := mig.facts(table).columns.get(op.column)) is not None \
            and (refs := set(col.referenced_by) - seen.dropped - {table}
                 - {r for r in col.referenced_by if r in seen.touched_constraints
                    or any(t == r for t, _ in seen.dropped_constraints)}):
        # a foreign key of another table references the column (through its key's index): RESTRICT refuses
        yield (f"cannot drop column {op.column} of table {tshort} because other objects depend on it (the foreign "
               f"keys of {', '.join(sorted(refs))})", f"drop those foreign keys first, or DROP COLUMN ... CASCADE")
    elif k == K.RENAME_COLUMN and op.name in cols:
        yield f'column "{op.name}" of relation "{tshort}" already exists', "pick another name"
    elif k == K.DROP_NOT_NULL:
        facts = mig.facts(table)
        pk = _has_pk(table, seen, mig)
        con = facts.constraint(pk) if pk else None
        if con is not None and op.column in con.columns:
            yield f'column "{op.column}" is in a primary key', "drop the primary key first (or keep NOT NULL)"
    elif k == K.ALTER_TYPE and not d.using and d.old is not None and table not in seen.created:
        yield from _no_cast(op, mig, seen)
    elif k == K.CREATE_INDEX:
        for elem in op.node.indexParams or ():
            if elem.name and elem.name not in cols:
                yield f'column "{elem.name}" does not exist', "check the column name"
                return
        yield from _opclasses(op.node, table, mig, seen)
    elif k in (K.VALIDATE_CONSTRAINT, K.DROP_CONSTRAINT) and op.name and not getattr(op.node, "missing_ok", False):
        facts = mig.facts(table)
        if facts.constraint(op.name) is None and (table, op.name) not in seen.constraints \
                and table not in seen.touched_constraints:
            yield f'constraint "{op.name}" of relation "{tshort}" does not exist', \
                "check the name (\\d+ " + tshort + ")" + (" or DROP CONSTRAINT IF EXISTS" if k == K.DROP_CONSTRAINT else "")
        elif (table, op.name) in seen.dropped_constraints:
            yield f'constraint "{op.name}" of relation "{tshort}" does not exist', "it was dropped earlier in the file"
        elif k == K.DROP_CONSTRAINT and int(op.node.behavior) != 1 and not seen.opaque \
                and (con := facts.constraint(op.name)) is not None and con.kind in ("primary_key", "unique"):
            # a foreign key depends on the key's index: RESTRICT (the default) refuses the drop
            refs = {r for c in con.columns if (col := facts.columns.get(c)) for r in col.referenced_by} \
                - seen.dropped - {table}
            # a file that drops or changes the referencing tables' constraints first: not the catalog's state
            refs -= {r for r in refs if r in seen.touched_constraints or any(t == r for t, _ in seen.dropped_constraints)}
            if refs:
                yield (f'cannot drop constraint {op.name} on table {tshort} because other objects depend on it '
                       f'(the foreign keys of {", ".join(sorted(refs))})',
                       f"drop the referencing foreign keys first, or ALTER TABLE {tshort} DROP CONSTRAINT {op.name} "
                       "CASCADE (drops them too)")
    elif k == K.ADD_CONSTRAINT:
        if d.contype == "primary_key" and (pk := _has_pk(table, seen, mig)):
            yield f'multiple primary keys for table "{tshort}" are not allowed', \
                f"ALTER TABLE {tshort} DROP CONSTRAINT {pk}; first (in the same transaction), or add a UNIQUE key"
        elif d.contype == "foreign_key":
            yield from _foreign_key(op, stmt, cols, mig, seen)
        elif d.contype == "exclude":
            yield from _opclasses(op.node, table, mig, seen)
        elif d.contype in ("unique", "primary_key") and not d.using_index and not d.inline:
            for c in d.columns:
                if c not in cols:
                    yield f'column "{c}" named in key does not exist', "check the column name"
                    return
    elif k == K.REFRESH_MATVIEW and op.concurrent:
        facts = mig.facts(table)
        if facts.kind == "materialized_view" and table not in seen.indexed and not any(
                i.unique and i.valid and all(i.columns) for i in facts.indexes):
            yield (f'cannot refresh materialized view "{table}" concurrently',
                   f"CREATE UNIQUE INDEX ON {tshort} (...) first (a plain-column unique index, no WHERE)")


def _no_cast(op, mig, seen):
    ctx = mig.ctx
    old, new = op.detail.old.name, op.detail.new.name
    if old == new or op.detail.old.array or op.detail.new.array:
        return
    if not (_known_base(old, ctx) and _known_base(new, ctx)):
        return
    binary = BUILTIN_BINARY_COERCIBLE | set(map(tuple, ctx.binary_coercible))
    if (old, new) in binary or (old, new) in set(map(tuple, ctx.names.assignment_casts)):
        return
    if ctx.names.type_categories.get(new) == "S":  # I/O conversion to a string type is an assignment cast
        return
    yield (f'column "{op.column}" cannot be cast automatically to type {op.detail.new.display}',
           f"ALTER TABLE {short(op.table, ctx)} ALTER COLUMN {op.column} TYPE {op.detail.new.display} "
           f"USING {op.column}::{op.detail.new.display}")


def _opclasses(node, table: str, mig, seen):
    ctx = mig.ctx
    am, elems = _index_elems(node)
    for elem in elems:
        if not isinstance(elem, ast.IndexElem):
            continue
        if elem.opclass:
            opc = elem.opclass[-1].sval
            if ctx.names.opclasses.get(opc) is False and not seen.opaque:
                yield (f'operator class "{opc}" does not exist for access method "{am}"',
                       "CREATE EXTENSION providing it first (e.g. pg_trgm for gin_trgm_ops)")
                return
            continue
        if am == "btree" or not elem.name or not ctx.names.default_opclasses:
            continue
        typ = _col_type(table, elem.name, seen, mig)
        if _known_base(typ, ctx) and not _default_opclass(am, typ, ctx):
            facts = mig.facts(table)
            shown = facts.columns[elem.name].type if facts and elem.name in facts.columns else typ
            yield (f'data type {shown} has no default operator class for access method "{am}"',
                   "name an operator class, or CREATE EXTENSION btree_gin / btree_gist for scalar types")
            return


def _foreign_key(op, stmt, cols, mig, seen):
    ctx = mig.ctx
    d = op.detail
    for c in d.columns:
        if c not in cols and not d.inline:
            yield f'column "{c}" referenced in foreign key constraint does not exist', "check the column name"
            return
    ref = d.ref
    exists = _exists_rel(ref, seen, ctx)
    if exists is False:
        yield f'relation "{short(ref, ctx)}" does not exist', "create the referenced table first"
        return
    rcols = _columns(ref, seen, mig)
    if rcols is None:
        return
    facts = mig.facts(ref)
    ref_cols = list(d.ref_columns)
    if not ref_cols:
        pk = _has_pk(ref, seen, mig)
        if pk is None:
            if ref not in seen.indexed:
                yield (f'there is no primary key for referenced table "{short(ref, ctx)}"',
                       "name the referenced columns, or give the table a primary key first")
            return
        ref_cols = facts.constraint(pk).columns
    for c in ref_cols:
        if c not in rcols:
            yield f'column "{c}" referenced in foreign key constraint does not exist', "check the column name"
            return
    if ref not in seen.indexed and not any(
            c.kind in ("primary_key", "unique") and sorted(c.columns) == sorted(ref_cols) for c in facts.constraints) \
            and not any(i.unique and i.valid and sorted(i.columns) == sorted(ref_cols) for i in facts.indexes):
        yield (f'there is no unique constraint matching given keys for referenced table "{short(ref, ctx)}"',
               f"add a UNIQUE constraint on {short(ref, ctx)} ({', '.join(ref_cols)}) first")
        return
    local = d.columns
    for lc, rc in zip(local, ref_cols):
        added = next((o for o in stmt.ops_of(K.ADD_COLUMN) if o.column == lc), None)
        lt = added.detail.type.name if added is not None else _col_type(op.table, lc, seen, mig)
        rt = _col_type(ref, rc, seen, mig)
        if not (lt and rt) or lt == rt:
            continue
        fam_l = next((f for f in _FAMILIES if lt in f), None)
        fam_r = next((f for f in _FAMILIES if rt in f), None)
        if fam_l is not None and fam_r is not None and fam_l is not fam_r:
            yield (f'foreign key constraint "{op.name or "..."}" cannot be implemented: key columns "{lc}" and '
                   f'"{rc}" are of incompatible types: {lt} and {rt}',
                   f"make {lc} the same type as {short(ref, ctx)}.{rc}")
            return


def _replace_view(op, mig, seen):
    facts = mig.facts(op.table)
    if facts is None or facts.kind != "view":
        return
    old = list(facts.columns)
    new = _target_names(op.node.query)
    if new is None or op.node.aliases:
        return
    if len(new) < len(old):
        yield "cannot drop columns from view", "DROP VIEW and CREATE VIEW (in the same transaction), keeping grants"
        return
    for o, n in zip(old, new):
        if o != n:
            yield (f'cannot change name of view column "{o}" to "{n}"',
                   f"ALTER VIEW ... RENAME COLUMN {o} TO {n}, or DROP VIEW and CREATE VIEW")
            return
    # a column's type: only when it is a plain column of the single table the view reads
    q = op.node.query
    if len(q.fromClause or ()) != 1 or not isinstance(q.fromClause[0], ast.RangeVar):
        return
    base = mig.ctx.default_schema + "." + q.fromClause[0].relname if not q.fromClause[0].schemaname else \
        f"{q.fromClause[0].schemaname}.{q.fromClause[0].relname}"
    bfacts = mig.facts(base)
    if bfacts is None:
        return
    for o, rt in zip(old, q.targetList):
        if isinstance(rt.val, ast.ColumnRef) and isinstance(rt.val.fields[-1], ast.String):
            src = bfacts.columns.get(rt.val.fields[-1].sval)
            was = facts.columns[o]
            if src is not None and src.type != was.type:
                yield (f'cannot change data type of view column "{o}" from {was.type} to {src.type}',
                       "DROP VIEW and CREATE VIEW (in the same transaction)")
                return


def check(stmt, mig):
    if not mig.ctx.online:
        return
    seen_reasons = set()
    for reason, fix in _reasons(stmt, mig):
        if reason in seen_reasons:
            continue
        seen_reasons.add(reason)
        yield finding(
            RULE, stmt, mig, obj=next((o.table for o in stmt.ops if o.table), None),
            why="PostgreSQL rejects it given this database's catalog",
            message=f'Fails: PostgreSQL rejects statement {stmt.index} with "{reason}"; the migration stops here.',
            fix=f"-- {fix}",
            evidence=[Evidence(kind="catalog", detail=reason)],
        )

