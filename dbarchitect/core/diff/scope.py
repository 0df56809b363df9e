"""Partial targets: `scope="objects"` compares only the objects the target DDL defines.

With scope "objects" the target is not the whole desired schema but a set of objects:
- every table it defines is compared in full (columns, constraints, indexes, triggers, policies, RLS,
  storage parameters, comments, the sequences its columns own);
- the views, materialized views, functions, types (enums, domains), sequences, extensions and schemas it
  defines are created or changed;
- nothing else is touched: an object of the current schema the target does not mention stays as it is.

It is implemented as a merge: the *effective* target is the current catalog with the target's objects put
in place of (or beside) the current ones (`scoped_target`). The planner then plans against that whole
catalog as usual, and the verification compares the shadow with the merged fingerprint
(`scoped_fingerprint`): the in-scope objects must equal the target's, everything else must be unchanged.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from dbarchitect.core.diff.models import CatalogExtras
from dbarchitect.core.diff.support import TargetNames
from dbarchitect.core.migration.dryrun_models import CatalogFingerprint
from dbarchitect.core.models import SchemaSnapshot

Scope = Literal["objects", "schema"]
SCOPES: tuple[str, ...] = ("objects", "schema")
DEFAULT_SCOPE: Scope = "objects"


@dataclass
class TargetScope:
    """The objects a partial target defines (catalog names, unquoted), plus those of the current schema it
    replaces (tables renamed into target tables, sequences owned by target tables)."""

    tables: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    sequences: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    extensions: set[str] = field(default_factory=set)
    schemas: set[str] = field(default_factory=set)
    #: partitions and inheritance children of its tables, when the target was loaded on the current schema's
    #: objects: the parent's changes reach them (an added column, a partitioned index), so the verification
    #: expects them as the target's catalog has them; the planner leaves them alone
    descendants: set[str] = field(default_factory=set)
    #: current tables renamed into target tables (in scope under their old names only)
    renamed: set[str] = field(default_factory=set)

    @property
    def relations(self) -> set[str]:
        return self.tables | self.views | self.sequences

    def function_named(self, schema_name: str) -> bool:
        """Is some function `schema.name(...)` in scope (overloads are told apart by arguments elsewhere)."""
        return any(k.partition("(")[0] == schema_name for k in self.functions)


def _k(schema: str, name: str) -> str:
    return f"{schema}.{name}"


def table_renames(current: SchemaSnapshot, target: SchemaSnapshot, renames: dict[str, str] | None) -> dict[str, str]:
    """{current table key: target table key} for the renames that name tables (the planner's reading)."""
    cur = {t.qualified for t in current.tables}
    tgt = {t.qualified for t in target.tables}
    out: dict[str, str] = {}
    for old, new in (renames or {}).items():
        parts = old.split(".")
        tkey = old if len(parts) == 2 else f"public.{old}" if len(parts) == 1 else None
        if tkey and tkey in cur:
            new_key = new if "." in new else f"{tkey.split('.')[0]}.{new}"
            if new_key in tgt and new_key not in cur:
                out[tkey] = new_key
    return out


def target_scope(current: SchemaSnapshot, target: SchemaSnapshot, target_extras: CatalogExtras,
                 renames: dict[str, str] | None = None, names: TargetNames | None = None) -> TargetScope:  # fmt: skip
    """What the target defines, read from its catalog (PostgreSQL parsed the DDL). With `names` (the target
    was loaded on the current schema's objects, `dbarchitect.core.diff.support`) only the objects the target
    DDL names are its own; the rest of its catalog is the current schema's."""

    def named(kind: str, found: set[str]) -> set[str]:
        return found if names is None else found & names.names(kind)

    s = TargetScope()
    s.tables = named("relation", {t.qualified for t in target.tables})
    s.renamed = set(table_renames(current, target, renames))
    s.tables |= s.renamed
    s.views = named("relation", {v.qualified for v in target.views})
    s.sequences = named("relation", {q.qualified for q in target.sequences})
    for q in [*current.sequences, *target.sequences]:
        if q.owned_by and _k(q.schema_name, q.owned_by.rpartition(".")[0]) in s.tables:
            s.sequences.add(q.qualified)
    fn_names = None if names is None else names.names("function")
    s.functions = {k for k in target_extras.function_defs if fn_names is None or k.partition("(")[0] in fn_names}
    s.types = named("type", {_k(e.schema_name, e.name) for e in target.enums}
                    | {_k(d.schema_name, d.name) for d in target.domains})  # fmt: skip
    s.extensions = named("extension", {e.name for e in target.extensions}) - {"plpgsql"}
    s.schemas = named("schema", set(target.schemas)) - {"public"}
    if names is not None:
        parents = {t.qualified: [t.partition_of, *t.inherits] for t in target.tables}
        grown = True
        while grown:
            before = len(s.descendants)
            s.descendants |= {k for k, ps in parents.items() if k not in s.tables
                              and any(_unquote_qname(p) in s.tables | s.descendants for p in ps if p)}  # fmt: skip
            grown = len(s.descendants) > before
    return s


def _index_owners(*snaps: SchemaSnapshot) -> dict[str, str]:
    out: dict[str, str] = {}
    for snap in snaps:
        for t in snap.tables:
            for ix in t.indexes:
                out.setdefault(_k(t.schema_name, ix.name), t.qualified)
    return out


def extras_key_in_scope(key: str, scope: TargetScope, index_owner: dict[str, str]) -> bool:
    """A key of `CatalogExtras.comments` / `.inherited` ('kind name')."""
    kind, _, name = key.partition(" ")
    if kind in ("column", "constraint", "trigger", "policy"):
        schema, table, _ = name.split(".", 2)
        return _k(schema, table) in scope.tables
    if kind == "index":
        return index_owner.get(name) in scope.tables
    if kind == "matview_index":
        return True  # matview index comments follow their view; the planner ignores them
    if kind == "function":
        return name in scope.functions
    if kind == "sequence":
        return name in scope.sequences
    if kind in ("type", "domain"):
        return name in scope.types
    if kind == "schema":
        return name in scope.schemas
    return False


def scoped_target(current: SchemaSnapshot, target: SchemaSnapshot, current_extras: CatalogExtras,
                  target_extras: CatalogExtras, scope: TargetScope) -> tuple[SchemaSnapshot, CatalogExtras]:  # fmt: skip
    """The effective target of a partial target: the current catalog with the target's objects in place."""
    s = scope
    # the target's own objects (all of its catalog, unless it was loaded on the current schema's objects)
    snap = target.model_copy(deep=True)
    snap.tables = [t for t in snap.tables if t.qualified in s.tables - s.renamed]
    snap.views = [v for v in snap.views if v.qualified in s.views]
    snap.sequences = [q for q in snap.sequences if q.qualified in s.sequences]
    snap.enums = [e for e in snap.enums if _k(e.schema_name, e.name) in s.types]
    snap.domains = [d for d in snap.domains if _k(d.schema_name, d.name) in s.types]
    snap.functions = [f for f in snap.functions if f.kind in ("aggregate", "window") or s.function_named(_k(f.schema_name, f.name))]
    snap.extensions = [e for e in snap.extensions if e.name in s.extensions or e.name == "plpgsql"]
    # ... and the current catalog's for everything else
    snap.tables = snap.tables + [t.model_copy(deep=True) for t in current.tables if t.qualified not in s.tables]
    snap.views = snap.views + [v.model_copy(deep=True) for v in current.views if v.qualified not in s.views]
    snap.sequences = snap.sequences + [q.model_copy(deep=True) for q in current.sequences
                                       if q.qualified not in s.sequences]  # fmt: skip
    snap.enums = snap.enums + [e.model_copy(deep=True) for e in current.enums
                               if _k(e.schema_name, e.name) not in s.types]  # fmt: skip
    snap.domains = snap.domains + [d.model_copy(deep=True) for d in current.domains
                                   if _k(d.schema_name, d.name) not in s.types]  # fmt: skip
    tgt_fn = {(f.schema_name, f.name, f.arguments) for f in snap.functions}
    snap.functions = snap.functions + [f.model_copy(deep=True) for f in current.functions
                                       if (f.schema_name, f.name, f.arguments) not in tgt_fn]  # fmt: skip
    tgt_ext = {e.name for e in snap.extensions}
    snap.extensions = snap.extensions + [e.model_copy(deep=True) for e in current.extensions if e.name not in tgt_ext]
    snap.schemas = sorted((set(target.schemas) & (s.schemas | {"public"})) | set(current.schemas))

    cx, tx = current_extras, target_extras
    owners = _index_owners(current, target)
    ex = CatalogExtras(search_path_schema=tx.search_path_schema)
    ex.function_defs = {k: v for k, v in cx.function_defs.items() if k not in s.functions}
    ex.function_defs |= {k: v for k, v in tx.function_defs.items() if k in s.functions}
    ex.function_kinds = {k: v for k, v in cx.function_kinds.items() if k not in s.functions}
    ex.function_kinds |= {k: v for k, v in tx.function_kinds.items() if k in s.functions}
    ex.comments = {k: v for k, v in cx.comments.items() if not extras_key_in_scope(k, s, owners)}
    ex.comments |= {k: v for k, v in tx.comments.items() if extras_key_in_scope(k, s, owners)}
    ex.matview_indexes = {k: list(v) for k, v in cx.matview_indexes.items() if k not in s.views}
    ex.matview_indexes |= {k: list(v) for k, v in tx.matview_indexes.items() if k in s.views}
    ex.populated = {k: v for k, v in cx.populated.items() if k not in s.views}
    ex.populated |= {k: v for k, v in tx.populated.items() if k in s.views}
    rels = s.tables | s.views
    ex.reloptions = {k: list(v) for k, v in cx.reloptions.items() if k not in rels}
    ex.reloptions |= {k: list(v) for k, v in tx.reloptions.items() if k in rels}
    ex.inherited = sorted({k for k in cx.inherited if not extras_key_in_scope(k, s, owners)}
                          | {k for k in tx.inherited if extras_key_in_scope(k, s, owners)})  # fmt: skip
    ex.domain_constraints = {k: dict(v) for k, v in cx.domain_constraints.items() if k not in s.types}
    ex.domain_constraints |= {k: dict(v) for k, v in tx.domain_constraints.items() if k in s.types}
    ex.identity_sequences = sorted({q for q in cx.identity_sequences if q not in s.sequences}
                                   | {q for q in tx.identity_sequences if q in s.sequences})  # fmt: skip
    return snap, ex


def left_alone(current: SchemaSnapshot, current_extras: CatalogExtras, scope: TargetScope) -> list[str]:
    """Objects of the current schema the partial target does not mention (kept as they are)."""
    out = [f"table {t.qualified}" for t in current.tables if t.qualified not in scope.tables]
    out += [f"{'materialized view' if v.materialized else 'view'} {v.qualified}" for v in current.views
            if v.qualified not in scope.views]  # fmt: skip
    out += [f"function {k}" for k in current_extras.function_defs if k not in scope.functions]
    out += [f"type {_k(e.schema_name, e.name)}" for e in current.enums if _k(e.schema_name, e.name) not in scope.types]
    out += [f"domain {_k(d.schema_name, d.name)}" for d in current.domains
            if _k(d.schema_name, d.name) not in scope.types]  # fmt: skip
    out += [f"sequence {q.qualified}" for q in current.sequences
            if q.qualified not in scope.sequences and q.qualified not in current_extras.identity_sequences
            and not q.owned_by]  # fmt: skip
    out += [f"extension {e.name}" for e in current.extensions if e.name not in scope.extensions | {"plpgsql"}]
    out += [f"schema {n}" for n in current.schemas if n not in scope.schemas | {"public"}]
    return sorted(out)


# ---------------------------------------------------------------- catalog fingerprints

_IDENT = r'(?:"(?:[^"]|"")+"|[^\s."]+)'
_QNAME = rf"{_IDENT}(?:\.{_IDENT})?"
_INDEX_ON = re.compile(rf" ON (?:ONLY )?({_QNAME}) USING ")
_OF_REL = re.compile(rf"^(?:column|constraint|trigger|policy|rule) .+ (?:of|on) "
                     rf"(?:table|view|materialized view|foreign table|composite type) ({_QNAME})$")  # fmt: skip
_REL = re.compile(rf"^(table|view|materialized view|foreign table|sequence|index|type|schema|extension) ({_QNAME})$")
_ROUTINE = re.compile(rf"^(?:function|procedure|aggregate) ({_QNAME})\(")
_DOMAIN_CON = re.compile(rf"^constraint ({_IDENT})$")


def _unquote_qname(text: str, default_schema: str = "public") -> str:
    parts = re.findall(_IDENT, text)
    names = [p[1:-1].replace('""', '"') if p.startswith('"') else p for p in parts]
    if len(names) == 1:
        return _k(default_schema, names[0])
    return ".".join(names[:2])


def _plain(text: str) -> str:
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


class FingerprintScope:
    """Tells, for each key of a catalog fingerprint, whether it belongs to an in-scope object."""

    def __init__(self, scope: TargetScope, *fps: CatalogFingerprint):
        self.scope = scope
        self.index_owner: dict[str, str] = {}
        self.domain_constraint_owners: dict[str, set[str]] = {}
        for fp in fps:
            types = {k[len("type "):] for k in fp.entries if k.startswith("type ")}
            for key, value in fp.entries.items():
                if key.startswith("index "):
                    m = _INDEX_ON.search(value)
                    if m:
                        self.index_owner.setdefault(key[len("index "):], _unquote_qname(m.group(1)))
                elif key.startswith("constraint "):
                    schema, owner, name = key[len("constraint "):].split(".", 2)
                    if _k(schema, owner) in types:
                        self.domain_constraint_owners.setdefault(name, set()).add(_k(schema, owner))

    def _rel(self, name: str | None) -> bool:
        return name in self.scope.relations or name in self.scope.descendants

    def __call__(self, key: str) -> bool:
        s = self.scope
        kind, _, name = key.partition(" ")
        if kind in ("relation", "sequence"):
            return self._rel(name)
        if kind in ("column", "trigger", "policy", "rule"):
            return self._rel(name.rsplit(".", 1)[0])
        if kind == "constraint":
            owner = name.rsplit(".", 1)[0]
            return owner in s.tables or owner in s.descendants or owner in s.types
        if kind == "index":
            return self._rel(self.index_owner.get(name))
        if kind == "view":
            return name in s.views
        if kind == "type":
            return name in s.types
        if kind == "function":
            return name in s.functions
        if kind == "extension":
            return name in s.extensions
        if kind == "schema":
            return name in s.schemas
        if kind == "comment":
            return self._comment(name)
        return False  # event triggers, settings: never part of a partial target

    def _comment(self, what: str) -> bool:
        s = self.scope
        m = _OF_REL.match(what)
        if m:
            return self._rel(_unquote_qname(m.group(1)))
        m = _REL.match(what)
        if m:
            kind, name = m.groups()
            if kind == "schema":
                return _plain(name) in s.schemas
            if kind == "extension":
                return _plain(name) in s.extensions
            key = _unquote_qname(name)
            if kind == "index":
                return self._rel(self.index_owner.get(key))
            if kind == "type":
                return key in s.types
            return self._rel(key)
        m = _ROUTINE.match(what)
        if m:
            return s.function_named(_unquote_qname(m.group(1)))
        m = _DOMAIN_CON.match(what)
        if m:
            return bool(self.domain_constraint_owners.get(_plain(m.group(1)), set()) & s.types)
        return False


def scoped_fingerprint(current: CatalogFingerprint, target: CatalogFingerprint,
                       in_scope: FingerprintScope) -> CatalogFingerprint:  # fmt: skip
    """What the shadow must look like after a partial target's plan: the target's entries for in-scope
    objects, the current entries for everything else."""
    entries = {k: v for k, v in current.entries.items() if not in_scope(k)}
    entries |= {k: v for k, v in target.entries.items() if in_scope(k)}
    return CatalogFingerprint(entries=entries)
