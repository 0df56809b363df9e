"""DDL text -> SchemaSnapshot without any server: the fallback of review_schema when no PostgreSQL
is reachable at all.

pglast (PostgreSQL's own parser) reads the statements; this module replays the common DDL
(CREATE TABLE with its column and table constraints, serial types, LIKE and INHERITS, CREATE INDEX,
ALTER TABLE's usual sub-commands, triggers, rules, functions, sequences, enums, domains, views,
policies, comments, setval()) into the same snapshot the catalog would give, with PostgreSQL's
type names and default constraint names. What it cannot know (data, statistics, the database
encoding) the review reports as skipped rules; statements it does not interpret are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import enums
from pglast.ast import A_Const, ColumnDef, ColumnRef, Constraint, FuncCall, Integer, String
from pglast.stream import RawStream
from pglast.visitors import Visitor

from dbarchitect.core.models import Column
from dbarchitect.core.models import Constraint as SnapConstraint
from dbarchitect.core.models import (
    Domain,
    EnumType,
    Extension,
    ForeignKeyRef,
    Function,
    Index,
    Policy,
    SchemaSnapshot,
    Sequence,
    Table,
    Trigger,
    View,
)
from dbarchitect.core.rules.schema._common import index_name, qi
from dbarchitect.core.schema_review import SchemaReview, review
from dbarchitect.core.sql.statements import parse


# --------------------------------------------------------------------------------------------
# small helpers over pglast nodes
# --------------------------------------------------------------------------------------------

_PG_TYPES = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
    "bool": "boolean", "varchar": "character varying", "bpchar": "character", "numeric": "numeric",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "time": "time without time zone", "timetz": "time with time zone", "interval": "interval",
    "bit": "bit", "varbit": "bit varying",
}  # fmt: skip
_SERIALS = {"serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint",
            "smallserial": "smallint", "serial2": "smallint"}  # fmt: skip
_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _deparse(node) -> str:
    return RawStream()(node)


def _strings(nodes) -> list[str]:
    return [n.sval for n in (nodes or ()) if isinstance(n, String)]


def _const(node):
    if isinstance(node, A_Const) and not node.isnull:
        v = node.val
        return v.ival if isinstance(v, Integer) else getattr(v, "sval", None)
    return None


def type_text(type_name) -> tuple[str, str | None]:
    """(format_type-like text, serial base type or None)."""
    names = _strings(type_name.names)
    bare = names[-1] if names else "unknown"
    if len(names) == 1 and bare in _SERIALS:
        return _SERIALS[bare], bare
    mods = [str(_const(m)) if _const(m) is not None else _deparse(m) for m in (type_name.typmods or ())]
    if bare in _PG_TYPES and (len(names) == 1 or names[0] == "pg_catalog"):
        base = _PG_TYPES[bare]
    elif len(names) == 2 and names[0] not in ("pg_catalog", "public"):
        base = ".".join(qi(n) for n in names)
    else:
        base = qi(bare) if bare != bare.lower() else bare
    if bare == "interval" and type_name.typmods:
        mods = []  # interval field restrictions are not a length
    if mods:
        mod = f"({','.join(mods)})"
        if " " in base and base.split(" ", 1)[0] in ("timestamp", "time"):
            first, rest = base.split(" ", 1)
            base = f"{first}{mod} {rest}"
        else:
            base = f"{base}{mod}"
    if type_name.arrayBounds:
        base += "[]" * len(type_name.arrayBounds)
    return base, None


class _ColumnRefs(Visitor):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def visit_ColumnRef(self, ancestors, node: ColumnRef):
        fields = _strings(node.fields)
        if fields and fields[-1] not in self.names:
            self.names.append(fields[-1])


def referenced_columns(expr) -> list[str]:
    v = _ColumnRefs()
    v(expr)
    return v.names


# --------------------------------------------------------------------------------------------
# the replay
# --------------------------------------------------------------------------------------------


@dataclass
class ParsedSchema:
    snapshot: SchemaSnapshot
    function_sources: dict[str, str] = field(default_factory=dict)
    statements: int = 0
    ignored: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        out = [f"{self.statements} statement(s) parsed without a server (pglast); nothing was executed."]
        if self.ignored:
            kinds = sorted(set(self.ignored))
            out.append(f"{len(self.ignored)} statement(s) not interpreted: {', '.join(kinds)}.")
        return out


class _Replay:
    def __init__(self):
        self.snap = SchemaSnapshot(schemas=["public"])
        self.sources: dict[str, str] = {}
        self.ignored: list[str] = []

    # -- lookups ------------------------------------------------------------------------------
    def table(self, rv) -> Table | None:
        schema = rv.schemaname or "public"
        return next((t for t in self.snap.tables if t.schema_name == schema and t.name == rv.relname), None)

    def table_by_ref(self, rv) -> Table:
        t = self.table(rv)
        if t is None:
            raise _Skip(f"table {rv.relname} is not created in this DDL")
        return t

    @staticmethod
    def _ref_name(schema: str, name: str) -> str:
        return name if schema == "public" else f"{schema}.{name}"

    def _unique_name(self, table: Table, base: str) -> str:
        taken = {c.name for c in table.constraints} | {i.name for t in self.snap.tables for i in t.indexes}
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    # -- columns and constraints --------------------------------------------------------------
    def add_column(self, t: Table, cdef: ColumnDef) -> None:
        typ, serial = type_text(cdef.typeName)
        col = Column(name=cdef.colname, position=len(t.columns) + 1, type=typ)
        if cdef.collClause is not None:
            col.collation = ".".join(_strings(cdef.collClause.collname))
        if cdef.is_not_null:
            col.not_null = True
        t.columns.append(col)
        if serial:
            seq = self._unique_seq(t.schema_name, f"{t.name}_{col.name}_seq")
            self.snap.sequences.append(
                Sequence(schema=t.schema_name, name=seq, data_type=typ, max_value=_max_of(typ),
                         owned_by=f"{t.name}.{col.name}")  # fmt: skip
            )
            col.default = f"nextval('{self._ref_name(t.schema_name, seq)}'::regclass)"
            col.not_null = True
        for con in cdef.constraints or ():
            self.column_constraint(t, col, con)

    def _unique_seq(self, schema: str, base: str) -> str:
        taken = {s.name for s in self.snap.sequences if s.schema_name == schema}
        name, n = base, 0
        while name in taken:
            n += 1
            name = f"{base}{n}"
        return name

    def column_constraint(self, t: Table, col: Column, con: Constraint) -> None:
        ct = enums.ConstrType
        kind = con.contype
        if kind == ct.CONSTR_NOTNULL:
            col.not_null = True
        elif kind == ct.CONSTR_NULL:
            col.not_null = False
        elif kind == ct.CONSTR_DEFAULT:
            col.default = _deparse(con.raw_expr)
        elif kind == ct.CONSTR_IDENTITY:
            col.identity = "always" if con.generated_when == "a" else "by_default"
            col.not_null = True
            seq = self._unique_seq(t.schema_name, f"{t.name}_{col.name}_seq")
            self.snap.sequences.append(
                Sequence(schema=t.schema_name, name=seq, data_type=col.type, max_value=_max_of(col.type),
                         owned_by=f"{t.name}.{col.name}")  # fmt: skip
            )
        elif kind == ct.CONSTR_GENERATED:
            col.generated = _deparse(con.raw_expr)
        else:
            self.table_constraint(t, con, default_columns=[col.name])

    def table_constraint(self, t: Table, con: Constraint, default_columns: list[str] | None = None) -> None:
        ct = enums.ConstrType
        kind = con.contype
        cols = _strings(con.keys) or _strings(con.fk_attrs) or list(default_columns or [])
        if kind == ct.CONSTR_PRIMARY:
            name = con.conname or self._unique_name(t, f"{t.name}_pkey")
            for c in cols:
                if (col := t.column(c)) is not None:
                    col.not_null = True
            t.constraints.append(SnapConstraint(name=name, kind="primary_key", columns=cols,
                                                definition=f"PRIMARY KEY ({', '.join(map(qi, cols))})", index=name))  # fmt: skip
            t.indexes.append(self._backing_index(t, name, cols, primary=True, con=con))
        elif kind == ct.CONSTR_UNIQUE:
            name = con.conname or self._unique_name(t, index_name(t.name, cols, "key"))
            nnd = " NULLS NOT DISTINCT" if con.nulls_not_distinct else ""
            t.constraints.append(SnapConstraint(name=name, kind="unique", columns=cols, index=name,
                                                definition=f"UNIQUE{nnd} ({', '.join(map(qi, cols))})",
                                                nulls_not_distinct=bool(con.nulls_not_distinct)))  # fmt: skip
            t.indexes.append(self._backing_index(t, name, cols, primary=False, con=con))
        elif kind == ct.CONSTR_CHECK:
            expr = _deparse(con.raw_expr)
            refs = referenced_columns(con.raw_expr)
            base = f"{t.name}_{refs[0]}_check" if refs else f"{t.name}_check"
            name = con.conname or self._unique_name(t, base)
            t.constraints.append(SnapConstraint(name=name, kind="check", columns=refs, definition=f"CHECK ({expr})",
                                                validated=not con.skip_validation))  # fmt: skip
        elif kind == ct.CONSTR_FOREIGN:
            ref_schema = con.pktable.schemaname or "public"
            ref_cols = _strings(con.pk_attrs)
            if not ref_cols:
                parent = self.table(con.pktable)
                ref_cols = parent.primary_key.columns if parent and parent.primary_key else ["id"]
            name = con.conname or self._unique_name(t, index_name(t.name, cols, "fkey"))
            action = _FK_ACTIONS.get(con.fk_del_action or "a", "NO ACTION")
            t.constraints.append(
                SnapConstraint(
                    name=name, kind="foreign_key", columns=cols, validated=not con.skip_validation,
                    definition=(f"FOREIGN KEY ({', '.join(map(qi, cols))}) REFERENCES {con.pktable.relname}"
                                f"({', '.join(map(qi, ref_cols))})"),
                    references=ForeignKeyRef(table=f"{ref_schema}.{con.pktable.relname}", columns=ref_cols,
                                             on_delete=action,
                                             on_update=_FK_ACTIONS.get(con.fk_upd_action or "a", "NO ACTION")),
                )
            )  # fmt: skip
        elif kind == ct.CONSTR_EXCLUSION:
            name = con.conname or self._unique_name(t, f"{t.name}_excl")
            t.constraints.append(SnapConstraint(name=name, kind="exclude", columns=cols, definition="EXCLUDE", index=name))
        else:
            self.ignored.append(f"constraint {kind.name}")

    def _backing_index(self, t: Table, name: str, cols: list[str], *, primary: bool, con) -> Index:
        include = _strings(con.including)
        inc = f" INCLUDE ({', '.join(map(qi, include))})" if include else ""
        definition = (f"CREATE UNIQUE INDEX {qi(name)} ON {qi(t.schema_name)}.{qi(t.name)} USING btree "
                      f"({', '.join(map(qi, cols))}){inc}")  # fmt: skip
        return Index(name=name, columns=cols, expressions=list(cols), include=include, unique=True, primary=primary,
                     constraint=name, definition=definition)  # fmt: skip

    # -- statements ---------------------------------------------------------------------------
    def CreateStmt(self, s) -> None:
        rv = s.relation
        schema = rv.schemaname or "public"
        if self.table(rv) is not None:
            if s.if_not_exists:
                return
            raise _Skip(f"table {rv.relname} is created twice")
        persistence = {"u": "unlogged", "t": "temporary"}.get(rv.relpersistence, "permanent")
        t = Table(schema=schema, name=rv.relname, persistence=persistence)
        if s.partspec is not None:
            t.kind = "partitioned_table"
            t.partition_key = _deparse(s.partspec)
        parents = [self.table(p) for p in (s.inhRelations or ())]
        if s.partbound is not None and parents and parents[0] is not None:
            parent = parents[0]
            t.partition_of = parent.qualified
            t.partition_bound = _deparse(s.partbound)
            for c in parent.columns:
                t.columns.append(c.model_copy())
        else:
            for p, parent in zip(s.inhRelations or (), parents):
                t.inherits.append(self._ref_name(p.schemaname or "public", p.relname))
                if parent is not None:
                    t.columns.extend(c.model_copy(update={"default": None, "identity": ""}) for c in parent.columns)
        self.snap.tables.append(t)
        for elem in s.tableElts or ():
            if isinstance(elem, ColumnDef):
                existing = t.column(elem.colname)
                if existing is not None:  # a column merged with an inherited one
                    t.columns.remove(existing)
                self.add_column(t, elem)
            elif isinstance(elem, Constraint):
                self.table_constraint(t, elem)
            elif type(elem).__name__ == "TableLikeClause":
                src = self.table(elem.relation)
                if src is not None:
                    for c in src.columns:
                        t.columns.append(c.model_copy(update={"default": None, "identity": "",
                                                               "position": len(t.columns) + 1}))  # fmt: skip
        for i, c in enumerate(t.columns, start=1):
            c.position = i

    def IndexStmt(self, s) -> None:
        t = self.table_by_ref(s.relation)
        cols: list[str | None] = []
        texts: list[str] = []
        for elem in s.indexParams:
            if elem.name:
                cols.append(elem.name)
                texts.append(elem.name)
            else:
                cols.append(None)
                texts.append(_deparse(elem.expr))
        name = s.idxname or self._unique_name(t, index_name(t.name, [c or "expr" for c in cols], "idx"))
        if any(i.name == name for tt in self.snap.tables for i in tt.indexes):
            if s.if_not_exists:
                return
            raise _Skip(f"index {name} is created twice")
        s.idxname = name
        s.concurrent = False
        s.if_not_exists = False
        if s.relation.schemaname is None:
            s.relation.schemaname = t.schema_name
        definition = _deparse(s)
        t.indexes.append(
            Index(
                name=name, method=s.accessMethod or "btree", columns=cols, expressions=texts,
                include=[e.name for e in (s.indexIncludingParams or ()) if e.name],
                predicate=_deparse(s.whereClause) if s.whereClause is not None else None,
                unique=bool(s.unique), primary=bool(s.primary), nulls_not_distinct=bool(s.nulls_not_distinct),
                definition=definition,
            )
        )  # fmt: skip

    def AlterTableStmt(self, s) -> None:
        if s.objtype != enums.ObjectType.OBJECT_TABLE:
            self.ignored.append(f"ALTER {s.objtype.name.removeprefix('OBJECT_')}")
            return
        t = self.table_by_ref(s.relation)
        at = enums.AlterTableType
        for cmd in s.cmds:
            sub = cmd.subtype
            col = t.column(cmd.name) if cmd.name else None
            if sub == at.AT_AddColumn:
                if t.column(cmd.def_.colname) is None:
                    self.add_column(t, cmd.def_)
            elif sub == at.AT_AddConstraint:
                self.table_constraint(t, cmd.def_)
            elif sub == at.AT_SetNotNull and col is not None:
                col.not_null = True
            elif sub == at.AT_DropNotNull and col is not None:
                col.not_null = False
            elif sub == at.AT_ColumnDefault and col is not None:
                col.default = _deparse(cmd.def_) if cmd.def_ is not None else None
            elif sub == at.AT_AlterColumnType and col is not None:
                col.type = type_text(cmd.def_.typeName)[0]
            elif sub == at.AT_AddIdentity and col is not None:
                self.column_constraint(t, col, cmd.def_)
            elif sub == at.AT_DropColumn and col is not None:
                t.columns.remove(col)
            elif sub == at.AT_DropConstraint:
                t.constraints = [c for c in t.constraints if c.name != cmd.name]
                t.indexes = [i for i in t.indexes if i.constraint != cmd.name]
            elif sub == at.AT_EnableRowSecurity:
                t.rls_enabled = True
            elif sub == at.AT_DisableRowSecurity:
                t.rls_enabled = False
            elif sub == at.AT_ForceRowSecurity:
                t.rls_forced = True
            elif sub == at.AT_AddInherit:
                t.inherits.append(self._ref_name(cmd.def_.schemaname or "public", cmd.def_.relname))
            elif sub == at.AT_DropInherit:
                t.inherits = [p for p in t.inherits if p.split(".")[-1] != cmd.def_.relname]
            else:
                self.ignored.append(f"ALTER TABLE {sub.name.removeprefix('AT_')}")

    def CreateTrigStmt(self, s) -> None:
        t = self.table_by_ref(s.relation)
        timing = "BEFORE" if s.timing & 2 else ("INSTEAD OF" if s.timing & 64 else "AFTER")
        events = [n for bit, n in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")) if s.events & bit]
        fn = _strings(s.funcname)
        t.triggers.append(
            Trigger(name=s.trigname, timing=timing, events=events, level="row" if s.row else "statement",
                    function=".".join(fn) if len(fn) > 1 and fn[0] != "public" else fn[-1])  # fmt: skip
        )

    def RuleStmt(self, s) -> None:
        t = self.table_by_ref(s.relation)
        t.rules.append(s.rulename)

    def CreateFunctionStmt(self, s) -> None:
        names = _strings(s.funcname)
        schema = names[0] if len(names) > 1 else "public"
        opts = {o.defname: o.arg for o in (s.options or ())}
        body = opts.get("as")
        language = getattr(opts.get("language"), "sval", "")
        if isinstance(body, tuple):
            body = "".join(_strings(body))
        self.snap.functions = [f for f in self.snap.functions if not (f.schema_name == schema and f.name == names[-1])]
        self.snap.functions.append(
            Function(schema=schema, name=names[-1], language=language,
                     returns=type_text(s.returnType)[0] if s.returnType else "",
                     kind="procedure" if s.is_procedure else "function")  # fmt: skip
        )
        if isinstance(body, str):
            self.sources[self._ref_name(schema, names[-1])] = body

    def CreateSeqStmt(self, s) -> None:
        rv = s.sequence
        data_type = "bigint"
        for o in s.options or ():
            if o.defname == "as":
                data_type = type_text(o.arg)[0]
        self.snap.sequences.append(Sequence(schema=rv.schemaname or "public", name=rv.relname, data_type=data_type,
                                            max_value=_max_of(data_type)))  # fmt: skip

    def CreateEnumStmt(self, s) -> None:
        names = _strings(s.typeName)
        self.snap.enums.append(EnumType(schema=names[0] if len(names) > 1 else "public", name=names[-1],
                                        labels=_strings(s.vals)))  # fmt: skip

    def CreateDomainStmt(self, s) -> None:
        names = _strings(s.domainname)
        checks = [f"CHECK ({_deparse(c.raw_expr)})" for c in (s.constraints or ()) if c.contype == enums.ConstrType.CONSTR_CHECK]
        self.snap.domains.append(
            Domain(schema=names[0] if len(names) > 1 else "public", name=names[-1], base_type=type_text(s.typeName)[0],
                   not_null=any(c.contype == enums.ConstrType.CONSTR_NOTNULL for c in (s.constraints or ())),
                   checks=checks)  # fmt: skip
        )

    def ViewStmt(self, s) -> None:
        rv = s.view
        self.snap.views.append(View(schema=rv.schemaname or "public", name=rv.relname, definition=_deparse(s.query)))

    def CreateSchemaStmt(self, s) -> None:
        if s.schemaname and s.schemaname not in self.snap.schemas:
            self.snap.schemas.append(s.schemaname)

    def CreateExtensionStmt(self, s) -> None:
        self.snap.extensions.append(Extension(name=s.extname, version="", schema="public"))

    def CreatePolicyStmt(self, s) -> None:
        t = self.table_by_ref(s.table)
        t.policies.append(
            Policy(name=s.policy_name, command=(s.cmd_name or "all").upper(), permissive=bool(s.permissive),
                   roles=[r.rolename or "public" for r in (s.roles or ())],
                   using=_deparse(s.qual) if s.qual is not None else None,
                   with_check=_deparse(s.with_check) if s.with_check is not None else None)  # fmt: skip
        )

    def CommentStmt(self, s) -> None:
        obj = s.objtype
        names = _strings(s.object) if isinstance(s.object, tuple) else []
        if obj == enums.ObjectType.OBJECT_TABLE and names:
            rv_schema, rv_name = (names[0], names[1]) if len(names) == 2 else ("public", names[-1])
            t = next((x for x in self.snap.tables if x.schema_name == rv_schema and x.name == rv_name), None)
            if t is not None:
                t.comment = s.comment
        elif obj == enums.ObjectType.OBJECT_COLUMN and len(names) >= 2:
            schema = names[-3] if len(names) == 3 else "public"
            t = next((x for x in self.snap.tables if x.schema_name == schema and x.name == names[-2]), None)
            if t is not None and (c := t.column(names[-1])) is not None:
                c.comment = s.comment
        else:
            self.ignored.append("COMMENT")

    def SelectStmt(self, s) -> None:
        """Only `SELECT setval('seq', n)`: it tells how far a sequence has gone."""
        for target in s.targetList or ():
            call = target.val
            if isinstance(call, FuncCall) and _strings(call.funcname)[-1:] == ["setval"] and len(call.args) >= 2:
                ref, value = _const(call.args[0]), _const(call.args[1])
                if isinstance(ref, str) and isinstance(value, int):
                    parts = ref.split(".")
                    seq = next((q for q in self.snap.sequences if q.name == parts[-1]
                                and (len(parts) == 1 or q.schema_name == parts[0])), None)  # fmt: skip
                    if seq is not None:
                        seq.last_value = value
                        continue
            self.ignored.append("SELECT")

    def DropStmt(self, s) -> None:
        ot = enums.ObjectType
        for obj in s.objects or ():
            names = _strings(obj) if isinstance(obj, tuple) else []
            if not names:
                continue
            schema, name = (names[0], names[1]) if len(names) == 2 else ("public", names[-1])
            if s.removeType == ot.OBJECT_TABLE:
                self.snap.tables = [t for t in self.snap.tables if not (t.schema_name == schema and t.name == name)]
            elif s.removeType == ot.OBJECT_INDEX:
                for t in self.snap.tables:
                    t.indexes = [i for i in t.indexes if not (t.schema_name == schema and i.name == name)]
            else:
                self.ignored.append(f"DROP {s.removeType.name.removeprefix('OBJECT_')}")

    def run(self, stmt) -> None:
        kind = type(stmt).__name__
        handler = getattr(self, kind, None)
        if kind in ("TransactionStmt", "VariableSetStmt", "VacuumStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"):
            return  # transaction control, settings and data change nothing in the schema's shape
        if handler is None:
            self.ignored.append(kind.removesuffix("Stmt"))
            return
        handler(stmt)


class _Skip(Exception):
    pass


def _max_of(type_text_: str) -> int:
    return {"smallint": 2**15 - 1, "integer": 2**31 - 1}.get(type_text_, 2**63 - 1)


def snapshot_from_ddl(ddl: str) -> ParsedSchema:
    """Replay DDL text into a SchemaSnapshot. Raises SQLParseError on a syntax error."""
    statements = parse(ddl)
    replay = _Replay()
    for st in statements:
        try:
            replay.run(st.node)
        except _Skip as why:
            replay.ignored.append(str(why))
    return ParsedSchema(replay.snap, replay.sources, len(statements), replay.ignored)


def review_ddl_offline(ddl: str, *, schema: str | None = None, why: str | None = None) -> SchemaReview:
    """Review DDL text with no server at all: what the parsed DDL allows, and which rules it leaves out."""
    parsed = snapshot_from_ddl(ddl)
    notes = ([f"No scratch database: {why}."] if why else []) + parsed.notes
    return review(
        parsed.snapshot,
        schema=schema,
        source="parsed",
        ddl=ddl,
        function_sources=parsed.function_sources,
        notes=notes,
    )
