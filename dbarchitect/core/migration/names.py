"""The names a migration touches -- relations, indexes, functions -- so that the live layer reads the
catalog for exactly those. Pure: computed from a ParsedMigration.

The relations come from the analyzer's ops (what each statement locks, scans, attaches, references),
resolved against the default schema only: the catalog is what these names are for, so none is
consulted. Statement-level ops only -- no predictions, no rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast

from dbarchitect.core.migration.analyze import Analyzer, MigrationState, advance, walk
from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.parse import ParsedMigration

# The analyzer's defaults for a migration linted without a catalog.
_PG_VERSION = 17

_INDEX_OPS = ("drop_index", "reindex", "alter_index", "rename_index")


@dataclass
class TouchedNames:
    relations: set[str] = field(default_factory=set)  # qualified
    indexes: set[str] = field(default_factory=set)  # qualified
    functions: set[str] = field(default_factory=set)  # unqualified, lower case
    types: set[str] = field(default_factory=set)  # as written (quoted, [] for arrays); builtins left out
    schemas: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    extensions: set[str] = field(default_factory=set)
    opclasses: set[str] = field(default_factory=set)
    access_methods: set[str] = field(default_factory=set)  # of indexes and exclusion constraints (not btree)
    domains: set[str] = field(default_factory=set)  # qualified, altered by the migration


def type_text(tn) -> str | None:
    """A TypeName as to_regtype() reads it (no modifiers); None for builtins the parser qualified, %TYPE and
    serials (not types)."""
    from dbarchitect.core.migration.types import SERIAL_TYPES
    from dbarchitect.core.sql.ident import quote_ident

    parts = [n.sval for n in tn.names or () if isinstance(n, ast.String)]
    if not parts or tn.pct_type or parts[0] == "pg_catalog" or parts[-1].lower() in SERIAL_TYPES:
        return None
    return ".".join(quote_ident(p) for p in parts) + ("[]" if tn.arrayBounds else "")


def touched_names(parsed: ParsedMigration, default_schema: str) -> TouchedNames:
    """Relations and indexes (schema-qualified) and function names the migration mentions; nothing when
    it does not parse."""
    out = TouchedNames()
    if parsed.error is not None:
        return out
    state = MigrationState(ctx=LintContext(default_schema=default_schema), pg_version=_PG_VERSION,
                           assume_in_transaction=False)
    analyzer = Analyzer(state)
    for stmt in parsed.statements:
        ops = analyzer.ops(stmt.node)
        for op in ops:
            if op.table:
                out.relations.add(op.table)
            out.relations.update(op.extra_locks)
            out.relations.update(op.extra_scans)
            if op.kind in ("attach_partition", "detach_partition") and op.name:
                out.relations.add(op.name)
            if op.kind in _INDEX_OPS and op.name:
                out.indexes.add(op.name)
            if op.kind == "fk_on_new_table":
                out.relations.add(op.detail.from_table)
            if op.kind == "rename_table" and op.table and op.name:  # the new name may be taken
                out.relations.add(f"{op.table.split('.', 1)[0]}.{op.name}")
            if op.kind == "create_index" and op.name:  # the name may be taken
                out.indexes.add(op.name)
            if op.kind in ("alter_domain_add_constraint", "alter_domain_validate") and op.name:
                out.domains.add(op.name)
            if op.kind == "create_extension" and op.name:
                out.extensions.add(op.name)
        _other_names(stmt.node, out)
        advance(state, stmt.index, ops)
    return out


def _other_names(node, out: TouchedNames) -> None:
    for n in walk(node):
        if isinstance(n, ast.FuncCall):
            out.functions.add(n.funcname[-1].sval.lower())
        elif isinstance(n, ast.TypeName):
            text = type_text(n)
            if text:
                out.types.add(text)
                if len(n.names) > 1:
                    out.schemas.add(n.names[0].sval)
        elif isinstance(n, ast.RangeVar) and n.schemaname:
            out.schemas.add(n.schemaname)
        elif isinstance(n, ast.RoleSpec) and n.rolename:
            out.roles.add(n.rolename)
        elif isinstance(n, ast.CreateTrigStmt) and n.funcname:
            out.functions.add(n.funcname[-1].sval.lower())
        elif isinstance(n, ast.IndexElem) and n.opclass:
            out.opclasses.add(n.opclass[-1].sval)
        elif isinstance(n, ast.IndexStmt) and n.accessMethod and n.accessMethod != "btree":
            out.access_methods.add(n.accessMethod)
        elif isinstance(n, ast.Constraint) and n.access_method and n.access_method != "btree":
            out.access_methods.add(n.access_method)
