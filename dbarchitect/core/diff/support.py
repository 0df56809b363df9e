"""What a partial target stands on: the objects of the current schema it references but does not define.

describe_schema prints one table's DDL; that table's serial column names a sequence, its columns may be of
an enum or domain type, its foreign keys point at other tables, its defaults and checks call functions.
Loaded alone into an empty database the DDL fails. So, for scope="objects", draft_migration first loads
the current schema *minus the target's own objects* (`support_statements`) into the target's scratch
database, then the target, then once more what could not run before the target existed (a sequence's
OWNED BY the target's column, a foreign key from another table to it, an inheritance child). The target's
catalog is then read only for the objects the target names (`TargetNames`): everything else came from the
current schema and is compared as it is there, so it yields no step.

`target_names` reads the target DDL: what it creates (`created`) and what it alters without creating
(`touched`: `ALTER TABLE t ADD COLUMN ...` alone is a valid target; the table comes from the current schema
and the alteration applies to it). A sequence's ownership is the target's only when the target states an
OWNED BY for it; otherwise the current ownership is kept (no unrequested `OWNED BY NONE`).

Pure: no I/O (pglast parses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast
from pglast.enums import AlterTableType, ObjectType

from dbarchitect.core.sql.statements import SQLStatement

#: (kind, qualified name); kinds: relation, type, function, extension, schema, owner (a sequence's OWNED BY),
#: partition (a partition's place under its parent)
Ref = tuple[str, str]

_REL_COMMENTS = {ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW, ObjectType.OBJECT_SEQUENCE,
                 ObjectType.OBJECT_INDEX, ObjectType.OBJECT_FOREIGN_TABLE}  # fmt: skip
_SUB_COMMENTS = {ObjectType.OBJECT_COLUMN, ObjectType.OBJECT_TABCONSTRAINT, ObjectType.OBJECT_TRIGGER,
                 ObjectType.OBJECT_POLICY, ObjectType.OBJECT_RULE}  # fmt: skip


@dataclass
class TargetNames:
    """The objects a partial target names, as (kind, qualified name)."""

    created: set[Ref] = field(default_factory=set)
    touched: set[Ref] = field(default_factory=set)

    def names(self, kind: str) -> set[str]:
        return {n for k, n in self.created | self.touched if k == kind}


def _q(schema: str | None, name: str, default_schema: str) -> str:
    return f"{schema or default_schema}.{name}"


def _rv(rv: ast.RangeVar, default_schema: str) -> str:
    return _q(rv.schemaname, rv.relname, default_schema)


def _strings(names, default_schema: str) -> str:
    parts = [n.sval for n in names if isinstance(n, ast.String)]
    return _q(parts[-2] if len(parts) > 1 else None, parts[-1], default_schema)


def _comment_refs(node: ast.CommentStmt, ds: str) -> list[Ref]:
    ot, obj = node.objtype, node.object
    if ot in _REL_COMMENTS:
        return [("relation", _strings(obj, ds))]
    if ot in _SUB_COMMENTS:
        return [("relation", _strings(obj[:-1], ds))]
    if ot in (ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN):
        return [("type", _strings(obj.names, ds))]
    if ot == ObjectType.OBJECT_DOMCONSTRAINT:
        return [("type", _strings(obj[0].names, ds))]
    if ot in (ObjectType.OBJECT_FUNCTION, ObjectType.OBJECT_PROCEDURE):
        return [("function", _strings(obj.objname, ds))]
    if ot == ObjectType.OBJECT_EXTENSION:
        return [("extension", obj.sval)]
    if ot == ObjectType.OBJECT_SCHEMA:
        return [("schema", obj.sval)]
    return []


def refs(node, default_schema: str = "public") -> tuple[list[Ref], bool]:
    """The objects a statement creates or changes, and whether it creates them."""
    ds = default_schema
    match node:
        case ast.CreateStmt(relation=rv) | ast.ViewStmt(view=rv) | ast.CreateSeqStmt(sequence=rv):
            out = [("relation", _rv(rv, ds))]
            if isinstance(node, ast.CreateSeqStmt) and any(o.defname == "owned_by" for o in node.options or ()):
                out.append(("owner", out[0][1]))
            if isinstance(node, ast.CreateStmt) and node.partbound is not None:
                out.append(("partition", out[0][1]))
            return out, True
        case ast.AlterTableStmt(cmds=cmds) if cmds and all(c.subtype == AlterTableType.AT_AttachPartition for c in cmds):
            # which partition belongs where is stated by the attaching statement alone (describe_schema prints
            # a partition as a table and its parent without partitions): the target's only when it says so
            return [("partition", _rv(c.def_.name, ds)) for c in cmds], False
        case ast.CreateTableAsStmt(into=into):
            return [("relation", _rv(into.rel, ds))], True
        case ast.CompositeTypeStmt(typevar=rv):
            return [("type", _rv(rv, ds))], True
        case ast.CreateEnumStmt(typeName=names) | ast.CreateRangeStmt(typeName=names):
            return [("type", _strings(names, ds))], True
        case ast.CreateDomainStmt(domainname=names):
            return [("type", _strings(names, ds))], True
        case ast.DefineStmt(kind=ObjectType.OBJECT_TYPE, defnames=names):
            return [("type", _strings(names, ds))], True
        case ast.CreateFunctionStmt(funcname=names):
            return [("function", _strings(names, ds))], True
        case ast.CreateExtensionStmt(extname=name):
            return [("extension", name)], True
        case ast.CreateSchemaStmt(schemaname=name):
            return [("schema", name)], True
        case ast.AlterSeqStmt(sequence=rv):
            opts = {o.defname for o in node.options or ()}
            seq = _rv(rv, ds)
            return ([("owner", seq)] if opts == {"owned_by"} else [("relation", seq)]
                    + ([("owner", seq)] if "owned_by" in opts else [])), False  # fmt: skip
        case ast.AlterTableStmt(relation=rv) | ast.IndexStmt(relation=rv) | ast.CreateTrigStmt(relation=rv) | \
                ast.RuleStmt(relation=rv) | ast.CreatePolicyStmt(table=rv) | ast.AlterPolicyStmt(table=rv):  # fmt: skip
            return [("relation", _rv(rv, ds))], False
        case ast.AlterEnumStmt(typeName=names) | ast.AlterDomainStmt(typeName=names):
            return [("type", _strings(names, ds))], False
        case ast.CommentStmt():
            return _comment_refs(node, ds), False
        case ast.GrantStmt(objtype=ObjectType.OBJECT_TABLE | ObjectType.OBJECT_SEQUENCE, objects=objs):
            return [("relation", _rv(o, ds)) for o in objs or () if isinstance(o, ast.RangeVar)], False
    return [], False


def target_names(statements: list[SQLStatement], default_schema: str = "public") -> TargetNames:
    """What a target DDL creates, and what it alters without creating it."""
    out = TargetNames()
    for st in statements:
        found, creates = refs(st.node, default_schema)
        for ref in found:
            (out.created if creates or ref[0] in ("owner", "partition") else out.touched).add(ref)
    out.touched -= out.created
    return out


def support_statements(current: list[SQLStatement], target: TargetNames,
                       default_schema: str = "public") -> tuple[list[str], list[str]]:  # fmt: skip
    """The current schema's statements that do not define or change an object the target creates: the
    ground the target is loaded on. The indexes of a created table go with it (a later COMMENT ON INDEX
    or ALTER INDEX about them is the target's business too). Returned in two lists: those to run before
    the target, and those to run after all of it (attaching a partition the target creates, so that its
    own indexes exist to be adopted)."""
    own = set(target.created)
    for st in current:  # indexes and constraint indexes of the target's tables are the target's
        node = st.node
        if isinstance(node, ast.IndexStmt) and node.idxname and ("relation", _rv(node.relation, default_schema)) in own:
            own.add(("relation", _q(node.relation.schemaname, node.idxname, default_schema)))
        elif isinstance(node, ast.AlterTableStmt) and ("relation", _rv(node.relation, default_schema)) in own:
            for cmd in node.cmds or ():
                con = getattr(cmd, "def_", None)
                if isinstance(con, ast.Constraint) and con.conname:
                    own.add(("relation", _q(node.relation.schemaname, con.conname, default_schema)))
    out: list[str] = []
    late: list[str] = []
    for st in current:
        found, _ = refs(st.node, default_schema)
        if not any(r in own for r in found):
            mine = any(k == "partition" and ("relation", n) in own for k, n in found)
            (late if mine else out).append(st.sql)
    return out, late
