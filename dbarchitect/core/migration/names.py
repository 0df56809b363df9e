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
        for n in walk(stmt.node):
            if isinstance(n, ast.FuncCall):
                out.functions.add(n.funcname[-1].sval.lower())
        advance(state, stmt.index, ops)
    return out
