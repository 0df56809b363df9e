"""From a statement's syntax tree to operations and a lock/rewrite/scan prediction.

Each statement becomes a list of `Op`s (one per ALTER TABLE sub-command, one per DDL statement), each
carrying the lock it takes on its relation, whether it rewrites or scans it, and the details the
rules read. `MigrationState` follows the file: relations created so far, the transaction block,
`SET lock_timeout`, the session time zone, columns and constraints added earlier.

Lock levels follow PostgreSQL's AlterTableGetLockLevel and the observations on PostgreSQL 15 in the
catalogue (rolled-back transactions, pg_locks + relfilenode).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType as CT
from pglast.enums import ObjectType as OT
from pglast.enums import TransactionStmtKind as TK

from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.models import StatementPrediction, stronger_lock
from dbarchitect.core.migration.ops import (
    AddColumnDetail,
    AlterTypeDetail,
    AttachPartitionDetail,
    ClusterDetail,
    ConstraintDetail,
    CreateDomainDetail,
    CreateFunctionDetail,
    CreateIndexDetail,
    CreateSequenceDetail,
    CreateTableDetail,
    DmlDetail,
    DropDetail,
    EnumAddValueDetail,
    EnumRenameValueDetail,
    FkOnNewTableDetail,
    GrantDetail,
    IfNotExistsDetail,
    Op,
    OpKind,
    RefreshDetail,
    ReindexDetail,
    RenameSchemaDetail,
    ReplaceDetail,
    SetDetail,
    SetNotNullDetail,
    SubtypeDetail,
    TableColumnDetail,
    VacuumDetail,
    ValidateDetail,
)
from dbarchitect.core.migration.types import (
    BUILTIN_BINARY_COERCIBLE,
    SERIAL_TYPES,
    TypeSpec,
    change_rewrites,
    from_catalog,
    from_type_name,
)
from dbarchitect.core.migration.versions import lock_for

K = OpKind

AE = "AccessExclusiveLock"
EXCL = "ExclusiveLock"
SRE = "ShareRowExclusiveLock"
SHARE = "ShareLock"
SUE = "ShareUpdateExclusiveLock"
RX = "RowExclusiveLock"
RS = "RowShareLock"
AS = "AccessShareLock"

# Built-in functions by volatility (pg_proc.provolatile of a stock server); others come from the catalog.
VOLATILE_BUILTINS = frozenset(
    {
        "random",
        "random_normal",
        "clock_timestamp",
        "timeofday",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "nextval",
        "setval",
        "txid_current",
        "pg_current_xact_id",
        "gen_random_bytes",
        "setseed",
    }
)
STABLE_BUILTINS = frozenset(
    {
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "current_setting",
        "to_char",
        "to_timestamp",
        "current_database",
        "current_schema",
        "age",
        "date_trunc",
    }
)
IMMUTABLE_BUILTINS = frozenset(
    {
        "lower",
        "upper",
        "coalesce",
        "length",
        "abs",
        "round",
        "md5",
        "concat_ws",
        "jsonb_build_object",
        "json_build_object",
        "array_length",
        "make_date",
        "greatest",
        "least",
        "btrim",
        "trim",
        "substring",
        "left",
        "right",
        "replace",
    }
)

# SET reloptions that take only SHARE UPDATE EXCLUSIVE (AlterTableGetRelOptionsLockLevel).
_SUE_RELOPTIONS_PREFIXES = ("autovacuum_", "toast.autovacuum_", "fillfactor", "toast_tuple_target",
                            "parallel_workers", "vacuum_", "log_autovacuum_min_duration", "user_catalog_table")


@dataclass
class TxInfo:
    """The transaction block a statement runs in (id 0: autocommit)."""

    id: int
    explicit: bool


@dataclass
class MigrationState:
    """What the file has done so far. Mutated statement by statement."""

    ctx: LintContext
    pg_version: int
    assume_in_transaction: bool
    created: dict[str, int] = field(default_factory=dict)  # relation -> statement that created it
    created_indexes: dict[str, str] = field(default_factory=dict)  # index -> table
    columns: dict[tuple[str, str], TypeSpec] = field(default_factory=dict)  # columns added by the file
    added_columns: dict[tuple[str, str], int] = field(default_factory=dict)  # ADD COLUMN -> statement
    proven_not_null: set[tuple[str, str]] = field(default_factory=set)
    checked_tables: set[str] = field(default_factory=set)  # tables given a validated CHECK by the file
    not_valid: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, constraint) -> tx id
    check_exprs: dict[tuple[str, str], object] = field(default_factory=dict)  # NOT VALID checks -> expression
    fk_refs: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, FK added by the file) -> referenced
    lock_timeout: bool = False
    lock_timeout_local: bool = False
    statement_timeout: bool = False
    timezone: str | None = None
    tx_open: bool = False
    tx_counter: int = 0
    tx_id: int = 0

    def __post_init__(self) -> None:
        self.timezone = self.ctx.timezone
        self.lock_timeout = self.ctx.session_lock_timeout  # ALTER ROLE/DATABASE ... SET lock_timeout
        if self.assume_in_transaction:
            self.tx_counter = 1
            self.tx_id = 1

    # ------------------------------------------------------------------ name resolution
    def qualify(self, rv) -> str:
        schema = rv.schemaname or self.ctx.default_schema
        return f"{schema}.{rv.relname}"

    def qualify_names(self, names) -> str:
        parts = [n.sval for n in names]
        if len(parts) == 1:
            return f"{self.ctx.default_schema}.{parts[0]}"
        return ".".join(parts[-2:])

    def preexisting(self, rel: str | None) -> bool:
        return rel is not None and rel not in self.created

    @property
    def in_transaction(self) -> bool:
        return self.tx_open or self.assume_in_transaction

    def column_type(self, table: str, column: str) -> TypeSpec | None:
        spec = self.columns.get((table, column))
        if spec is not None:
            return spec
        facts = self.ctx.relation(table)
        col = facts.columns.get(column) if facts else None
        if col is None:
            return None
        return from_catalog(col.type, col.type_name, col.typmod)

    def index_table(self, index: str) -> str | None:
        return self.created_indexes.get(index) or self.ctx.index_tables.get(index)


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------


def walk(node):
    """Every pglast node under `node` (depth first), node included."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple | list):
            stack.extend(n)
            continue
        if not isinstance(n, ast.Node):
            continue
        yield n
        for slot in n.__slots__:
            v = getattr(n, slot, None)
            if isinstance(v, ast.Node | tuple | list):
                stack.append(v)


def func_name(fc) -> tuple[str, str | None]:
    names = [n.sval for n in fc.funcname]
    return names[-1].lower(), (names[0].lower() if len(names) > 1 else None)


def expression_volatility(expr, ctx: LintContext) -> tuple[str, list[str]]:
    """Most volatile category in `expr` and the functions it could not classify."""
    worst = "immutable"
    unknown: list[str] = []
    order = {"immutable": 0, "stable": 1, "volatile": 2}
    for n in walk(expr):
        vol = None
        if isinstance(n, ast.FuncCall):
            name, schema = func_name(n)
            qualified = f"{schema}.{name}" if schema else None
            vol = ctx.functions.get(qualified) if qualified else None
            vol = vol or ctx.functions.get(name)
            if vol is None:
                if name in VOLATILE_BUILTINS:
                    vol = "volatile"
                elif name in STABLE_BUILTINS:
                    vol = "stable"
                elif name in IMMUTABLE_BUILTINS:
                    vol = "immutable"
                else:
                    vol = "volatile"
                    unknown.append(qualified or name)
        elif isinstance(n, ast.SQLValueFunction):
            vol = "stable"
        elif isinstance(n, ast.SubLink):
            vol = "volatile"
        if vol and order[vol] > order[worst]:
            worst = vol
    return worst, unknown


def deparse(node) -> str:
    from pglast.stream import RawStream

    try:
        return RawStream()(node)
    except Exception:  # noqa: BLE001 - deparse is cosmetic; fall back to the node name
        return type(node).__name__


# ---------------------------------------------------------------------------------------------
# Statement analysis
# ---------------------------------------------------------------------------------------------


class Analyzer:
    def __init__(self, state: MigrationState):
        self.st = state
        self._binary = frozenset(BUILTIN_BINARY_COERCIBLE | set(map(tuple, state.ctx.binary_coercible)))

    # ------------------------------------------------------------------ entry point
    def ops(self, node) -> list[Op]:
        handler = getattr(self, "_" + type(node).__name__, None)
        if handler is None:
            return [Op(kind=K.OTHER)]
        return handler(node)

    # ------------------------------------------------------------------ CREATE TABLE
    def _CreateStmt(self, n) -> list[Op]:
        table = self.st.qualify(n.relation)
        ops = [Op(kind=K.CREATE_TABLE, table=table, name=n.relation.relname, node=n,
                  detail=CreateTableDetail(if_not_exists=bool(n.if_not_exists), temp=n.relation.relpersistence == "t"))]
        for elt in n.tableElts or ():
            if isinstance(elt, ast.ColumnDef):
                spec = from_type_name(elt.typeName)
                raw = elt.typeName.names[-1].sval.lower()
                ops.append(Op(kind=K.TABLE_COLUMN, table=table, column=elt.colname, node=elt,
                              detail=TableColumnDetail(
                                  type=spec, serial=raw in SERIAL_TYPES,
                                  identity=any(c.contype == CT.CONSTR_IDENTITY for c in elt.constraints or ()))))
                for c in elt.constraints or ():
                    if c.contype == CT.CONSTR_FOREIGN:
                        ops.extend(self._fk_on_new_table(table, [elt.colname], c))
            elif isinstance(elt, ast.Constraint) and elt.contype == CT.CONSTR_FOREIGN:
                ops.extend(self._fk_on_new_table(table, [s.sval for s in elt.fk_attrs or ()], elt))
        if n.partbound is not None and n.inhRelations:
            parent = self.st.qualify(n.inhRelations[0])
            op = Op(kind=K.CREATE_PARTITION, table=parent, lock=AE, name=table, node=n)
            facts = self.st.ctx.relation(parent)
            default = facts.default_partition if facts is not None else None
            if default and n.partbound is not None and not n.partbound.is_default:
                # its rows must not belong to the new partition: ACCESS EXCLUSIVE on it and a full read
                op.extra_locks[default] = AE
                op.extra_scans.append(default)
            ops.append(op)
        return ops

    def _fk_on_new_table(self, table: str, cols: list[str], c) -> list[Op]:
        ref = self.st.qualify(c.pktable)
        return [Op(kind=K.FK_ON_NEW_TABLE, table=ref, lock=SRE, name=c.conname, node=c,
                   detail=FkOnNewTableDetail(from_table=table, columns=cols))]

    def _CreateTableAsStmt(self, n) -> list[Op]:
        into = n.into.rel
        table = self.st.qualify(into)
        kind = K.CREATE_MATVIEW if n.objtype == OT.OBJECT_MATVIEW else K.CREATE_TABLE_AS
        ops = [Op(kind=kind, table=table, name=into.relname, node=n,
                  detail=IfNotExistsDetail(if_not_exists=bool(n.if_not_exists)))]
        ops.extend(self._reads(n.query, scan=not n.into.skipData))
        return ops

    def _ViewStmt(self, n) -> list[Op]:
        view = self.st.qualify(n.view)
        ops = [Op(kind=K.CREATE_VIEW, table=view, name=n.view.relname, node=n,
                  detail=ReplaceDetail(replace=bool(n.replace)))]
        if n.replace and self.st.preexisting(view):
            ops[0].lock = AE
        ops.extend(self._reads(n.query, lock=AS))
        return ops

    # ------------------------------------------------------------------ ALTER TABLE
    def _AlterTableStmt(self, n) -> list[Op]:
        if n.objtype not in (OT.OBJECT_TABLE, OT.OBJECT_MATVIEW, OT.OBJECT_FOREIGN_TABLE, OT.OBJECT_VIEW,
                             OT.OBJECT_INDEX):
            return [Op(kind=K.OTHER)]
        if n.objtype == OT.OBJECT_INDEX:
            index = self.st.qualify(n.relation)
            return [Op(kind=K.ALTER_INDEX, table=self.st.index_table(index), name=index, lock=AE, node=n)]
        table = self.st.qualify(n.relation)
        ops: list[Op] = []
        for cmd in n.cmds or ():
            ops.extend(self._alter_cmd(table, cmd))
        return ops

    def _alter_cmd(self, table: str, cmd) -> list[Op]:
        t = cmd.subtype
        if t == AT.AT_AddColumn:
            return self._add_column(table, cmd.def_, if_not_exists=bool(cmd.missing_ok))
        if t == AT.AT_AlterColumnType:
            return [self._alter_type(table, cmd)]
        if t == AT.AT_SetNotNull:
            return [self._set_not_null(table, cmd.name)]
        if t == AT.AT_DropNotNull:
            return [Op(kind=K.DROP_NOT_NULL, table=table, column=cmd.name, lock=AE, node=cmd)]
        if t == AT.AT_ColumnDefault:
            return [Op(kind=K.SET_DEFAULT if cmd.def_ is not None else K.DROP_DEFAULT, table=table,
                       column=cmd.name, lock=AE, node=cmd)]
        if t == AT.AT_AddConstraint:
            return self._add_constraint(table, cmd.def_)
        if t == AT.AT_ValidateConstraint:
            return [self._validate(table, cmd.name)]
        if t == AT.AT_DropConstraint:
            return [Op(kind=K.DROP_CONSTRAINT, table=table, name=cmd.name, lock=AE, node=cmd)]
        if t == AT.AT_DropColumn:
            return [Op(kind=K.DROP_COLUMN, table=table, column=cmd.name, lock=AE, node=cmd,
                       detail=DropDetail(cascade=int(cmd.behavior) == 1, if_exists=bool(cmd.missing_ok)))]
        if t in (AT.AT_SetLogged, AT.AT_SetUnLogged):
            kind = K.SET_LOGGED if t == AT.AT_SetLogged else K.SET_UNLOGGED
            facts = self.st.ctx.relation(table)
            same = facts is not None and facts.kind == "table" and facts.unlogged == (t == AT.AT_SetUnLogged)
            return [Op(kind=kind, table=table, lock=AE, rewrite=not same, node=cmd)]  # already so: a no-op
        if t == AT.AT_SetAccessMethod:
            facts = self.st.ctx.relation(table)
            current = facts.access_method if facts is not None and facts.access_method else None
            # the same access method again is a no-op (PostgreSQL keeps the files); offline a table is on heap
            same = (cmd.name or "heap") == (current or ("heap" if facts is None else None))
            return [Op(kind=K.SET_ACCESS_METHOD, table=table, name=cmd.name, lock=AE, rewrite=not same, node=cmd)]
        if t == AT.AT_SetTableSpace:
            current = self.st.ctx.names.tablespaces.get(table)
            return [Op(kind=K.SET_TABLESPACE, table=table, name=cmd.name, lock=AE, rewrite=current != cmd.name,
                       node=cmd)]  # the tablespace it is in already: PostgreSQL keeps the files
        if t == AT.AT_AttachPartition:
            child = self.st.qualify(cmd.def_.name)
            facts = self.st.ctx.relation(child)
            proven = child in self.st.checked_tables or bool(
                facts and any(c.kind == "check" and c.validated for c in facts.constraints))
            op = Op(kind=K.ATTACH_PARTITION, table=table, name=child, lock=SUE if self.st.pg_version >= 12 else AE,
                    node=cmd, detail=AttachPartitionDetail(child=child, proven=proven))
            op.extra_locks[child] = AE
            return [op]
        if t == AT.AT_DetachPartition:
            child = self.st.qualify(cmd.def_.name)
            conc = bool(cmd.def_.concurrent)
            mode = SUE if conc else lock_for("detach_partition_child", self.st.pg_version)
            op = Op(kind=K.DETACH_PARTITION, table=table, name=child, lock=mode, concurrent=conc, node=cmd)
            op.extra_locks[child] = mode
            if not conc:
                op.lock = AE  # the parent: ACCESS EXCLUSIVE on every version
            return [op]
        if t == AT.AT_DetachPartitionFinalize:
            return [Op(kind=K.DETACH_PARTITION_FINALIZE, table=table, lock=SUE, node=cmd)]
        if t == AT.AT_ReplicaIdentity:
            return [Op(kind=K.REPLICA_IDENTITY, table=table, lock=AE, node=cmd)]
        if t in (AT.AT_EnableRowSecurity, AT.AT_DisableRowSecurity, AT.AT_ForceRowSecurity,
                 AT.AT_NoForceRowSecurity):
            return [Op(kind=K.ROW_SECURITY, table=table, lock=AE, node=cmd, detail=SubtypeDetail(subtype=t.name))]
        if t in (AT.AT_SetStatistics, AT.AT_ClusterOn, AT.AT_DropCluster, AT.AT_SetOptions, AT.AT_ResetOptions):
            return [Op(kind=K.SET_STATISTICS, table=table, column=cmd.name, lock=SUE, node=cmd)]
        if t in (AT.AT_SetRelOptions, AT.AT_ResetRelOptions):
            names = [d.defname if not d.defnamespace else f"{d.defnamespace}.{d.defname}" for d in cmd.def_ or ()]
            light = names and all(nm.startswith(_SUE_RELOPTIONS_PREFIXES) for nm in names)
            return [Op(kind=K.SET_RELOPTIONS, table=table, lock=SUE if light else AE, node=cmd)]
        if t in (AT.AT_EnableTrig, AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig, AT.AT_DisableTrig,
                 AT.AT_EnableTrigAll, AT.AT_DisableTrigAll, AT.AT_EnableTrigUser, AT.AT_DisableTrigUser):
            return [Op(kind=K.TOGGLE_TRIGGER, table=table, name=cmd.name, lock=SRE, node=cmd)]
        if t == AT.AT_AddIdentity:
            return [Op(kind=K.ADD_IDENTITY, table=table, column=cmd.name, lock=AE, node=cmd)]
        if t == AT.AT_SetExpression:
            return [Op(kind=K.SET_EXPRESSION, table=table, column=cmd.name, lock=AE, rewrite=True, node=cmd)]
        if t in (AT.AT_AddInherit, AT.AT_DropInherit):
            return [Op(kind=K.INHERIT, table=table, lock=AE, node=cmd)]
        if t == AT.AT_ChangeOwner:
            return [Op(kind=K.CHANGE_OWNER, table=table, lock=AE, node=cmd)]
        return [Op(kind=K.ALTER_OTHER, table=table, column=cmd.name, lock=AE, node=cmd,
                   detail=SubtypeDetail(subtype=t.name))]

    def _add_column(self, table: str, cdef, *, if_not_exists: bool) -> list[Op]:
        spec = from_type_name(cdef.typeName)
        raw = cdef.typeName.names[-1].sval.lower()
        op = Op(kind=K.ADD_COLUMN, table=table, column=cdef.colname, lock=AE, node=cdef,
                detail=AddColumnDetail(type=spec, serial=raw in SERIAL_TYPES, if_not_exists=if_not_exists))
        ops = [op]
        d = op.detail
        for c in cdef.constraints or ():
            if c.contype == CT.CONSTR_DEFAULT:
                d.default = c.raw_expr
                null_default = isinstance(c.raw_expr, ast.A_Const) and c.raw_expr.isnull
                if not null_default:
                    vol, unknown = expression_volatility(c.raw_expr, self.st.ctx)
                    d.volatility, d.unknown_functions = vol, unknown
            elif c.contype == CT.CONSTR_IDENTITY:
                d.identity = True
            elif c.contype == CT.CONSTR_GENERATED:
                d.generated = True
            elif c.contype in (CT.CONSTR_NOTNULL, CT.CONSTR_PRIMARY):
                d.not_null = True
            if c.contype in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE):
                ops.append(Op(kind=K.ADD_CONSTRAINT, table=table, column=cdef.colname, name=c.conname, lock=AE,
                              scan=True, node=c, detail=ConstraintDetail(
                                  contype="primary_key" if c.contype == CT.CONSTR_PRIMARY else "unique",
                                  columns=[cdef.colname], inline=True)))
            elif c.contype == CT.CONSTR_FOREIGN:
                ref = self.st.qualify(c.pktable)
                fk = Op(kind=K.ADD_CONSTRAINT, table=table, column=cdef.colname, name=c.conname, lock=SRE,
                        node=c, not_valid=bool(c.skip_validation),
                        detail=ConstraintDetail(contype="foreign_key", columns=[cdef.colname], ref=ref, inline=True,
                                                ref_columns=[s.sval for s in c.pk_attrs or ()]))
                fk.extra_locks[ref] = SRE
                ops.append(fk)
            elif c.contype == CT.CONSTR_CHECK:
                # PostgreSQL checks every existing row against it (observed: a scan under ACCESS EXCLUSIVE)
                ops.append(Op(kind=K.ADD_CONSTRAINT, table=table, column=cdef.colname, name=c.conname, lock=AE,
                              node=c, not_valid=bool(c.skip_validation), scan=not c.skip_validation,
                              detail=ConstraintDetail(contype="check", columns=[cdef.colname], inline=True,
                                                      expr=c.raw_expr)))
        has_default = d.volatility is not None
        if d.serial or d.identity or d.generated:
            op.rewrite = True
        elif has_default and (d.volatility == "volatile" or self.st.pg_version < 11):
            op.rewrite = True
        if d.not_null and not has_default and not op.rewrite:
            op.scan = True  # the table must be empty, PostgreSQL checks every row
        domain = ".".join(n.sval for n in cdef.typeName.names)
        if domain in self.st.ctx.domains_with_constraints or \
                f"{self.st.ctx.default_schema}.{domain}" in self.st.ctx.domains_with_constraints:
            op.rewrite = True
            d.domain_with_constraints = True
        return ops

    def _alter_type(self, table: str, cmd) -> Op:
        new = from_type_name(cmd.def_.typeName)
        old = self.st.column_type(table, cmd.name)
        using = cmd.def_.raw_default is not None
        converts = using and not _plain_using(cmd.def_.raw_default, cmd.name, new)  # a conversion of its own
        op = Op(kind=K.ALTER_TYPE, table=table, column=cmd.name, lock=AE, node=cmd,
                detail=AlterTypeDetail(new=new, old=old, using=using))
        d = op.detail
        if old is None:
            op.rewrite = True
            d.reason = f"the current type of {cmd.name} is unknown; most type changes rewrite"
            d.assumed = True
        else:
            op.rewrite, d.reason = change_rewrites(
                old, new, using=converts, timezone=self.st.timezone, pg_version=self.st.pg_version,
                binary_coercible=self._binary)
        facts = self.st.ctx.relation(table)
        col = facts.columns.get(cmd.name) if facts else None
        d.views = list(col.views) if col else []
        if not op.rewrite and cmd.def_.collClause is not None and facts is not None \
                and any(cmd.name in i.columns for i in facts.indexes):
            # a new collation keeps the heap but not the order of its indexes: each is rebuilt, reading the table
            # under the ACCESS EXCLUSIVE lock (observed on 15)
            op.index_rewrite = op.scan = True
            d.reason += "; the indexes on the column are rebuilt for the new collation"
        # A foreign key on either side of the column is dropped and re-added: dropping its RI triggers takes
        # ACCESS EXCLUSIVE on the table at the other end, and unless the new type keeps the old equality
        # (no rewrite) the re-added key is validated again, reading that table (observed on PostgreSQL 15).
        others = [c.references for c in facts.constraints if c.kind == "foreign_key" and cmd.name in c.columns
                  and c.references] if facts else []
        others += list(col.referenced_by) if col else []
        for other in dict.fromkeys(others):
            if other == table:
                continue
            op.extra_locks[other] = AE
            if op.rewrite:
                op.extra_scans.append(other)
        d.fk_tables = [o for o in dict.fromkeys(others) if o != table]
        return op

    def _set_not_null(self, table: str, column: str) -> Op:
        facts = self.st.ctx.relation(table)
        col = facts.columns.get(column) if facts else None
        proven = (table, column) in self.st.proven_not_null or bool(col and col.proven_not_null)
        already = bool(col and col.not_null)
        proof_counts = proven and self.st.pg_version >= 12
        return Op(kind=K.SET_NOT_NULL, table=table, column=column, lock=AE, scan=not (proof_counts or already),
                  detail=SetNotNullDetail(proven=proven, already=already))

    def _add_constraint(self, table: str, c) -> list[Op]:
        name = c.conname
        not_valid = bool(c.skip_validation)
        if c.contype == CT.CONSTR_CHECK:
            return [Op(kind=K.ADD_CONSTRAINT, table=table, name=name, lock=AE, scan=not not_valid, not_valid=not_valid,
                       node=c, detail=ConstraintDetail(
                           contype="check", expr=c.raw_expr,
                           columns=sorted({f.fields[-1].sval for f in walk(c.raw_expr)
                                           if isinstance(f, ast.ColumnRef) and isinstance(f.fields[-1], ast.String)})))]
        if c.contype == CT.CONSTR_FOREIGN:
            ref = self.st.qualify(c.pktable)
            cols = [s.sval for s in c.fk_attrs or ()]
            op = Op(kind=K.ADD_CONSTRAINT, table=table, name=name, lock=SRE, scan=not not_valid, not_valid=not_valid,
                    node=c, detail=ConstraintDetail(contype="foreign_key", columns=cols, ref=ref,
                                                    ref_columns=[s.sval for s in c.pk_attrs or ()]))
            op.extra_locks[ref] = SRE
            if not not_valid and self.st.preexisting(table):
                # RI_Initial_Check: an anti-join of the table against the referenced one reads both. (On a
                # table created earlier in the file, empty, the executor may never start on the other side.)
                op.extra_scans.append(ref)
            return [op]
        if c.contype in (CT.CONSTR_PRIMARY, CT.CONSTR_UNIQUE):
            contype = "primary_key" if c.contype == CT.CONSTR_PRIMARY else "unique"
            cols = [s.sval for s in c.keys or ()]
            using = c.indexname
            if using and not cols:
                facts = self.st.ctx.relation(table)
                qualified = f"{table.split('.', 1)[0]}.{using}"
                idx = next((i for i in facts.indexes if i.name == qualified), None) if facts else None
                cols = [col for col in idx.columns if col] if idx else []
            op = Op(kind=K.ADD_CONSTRAINT, table=table, name=name, lock=AE, scan=using is None, node=c,
                    detail=ConstraintDetail(contype=contype, columns=cols, using_index=using))
            if contype == "primary_key":
                nullable = [col for col in cols if not self._known_not_null(table, col)]
                op.detail.nullable = nullable
                if nullable:
                    op.scan = True
            return [op]
        if c.contype == CT.CONSTR_EXCLUSION:
            return [Op(kind=K.ADD_CONSTRAINT, table=table, name=name, lock=AE, scan=True, node=c,
                       detail=ConstraintDetail(contype="exclude"))]
        if c.contype == CT.CONSTR_NOTNULL:
            return [self._set_not_null(table, c.keys[0].sval)] if c.keys else [Op(kind=K.OTHER)]
        return [Op(kind=K.ADD_CONSTRAINT, table=table, name=name, lock=AE, node=c,
                   detail=ConstraintDetail(contype="other"))]

    def _known_not_null(self, table: str, column: str) -> bool:
        facts = self.st.ctx.relation(table)
        col = facts.columns.get(column) if facts else None
        return bool(col and col.not_null)

    def _validate(self, table: str, name: str) -> Op:
        op = Op(kind=K.VALIDATE_CONSTRAINT, table=table, name=name, lock=SUE, scan=True, detail=ValidateDetail())
        d = op.detail
        facts = self.st.ctx.relation(table)
        con = facts.constraint(name) if facts else None
        # A constraint added earlier in the file wins over the catalog (which predates the migration).
        key = (table, name)
        in_file = key in self.st.fk_refs or key in self.st.not_valid
        valid = (key in self.st.fk_refs and key not in self.st.not_valid) or (
            not in_file and con is not None and con.validated)
        ref = None
        if valid:
            op.scan = False  # already valid: PostgreSQL checks nothing (and locks no referenced table)
        elif key in self.st.fk_refs:
            ref = self.st.fk_refs[key]
        elif not in_file and con is not None and con.kind == "foreign_key":
            ref = con.references
        if ref:
            # Validating a foreign key takes ROW SHARE on the referenced table and reads it (RI_Initial_Check).
            op.extra_locks[ref] = RS
            op.extra_scans.append(ref)
            d.ref = ref
        d.known = con is not None or in_file
        if not d.known:
            d.assumed = True
            d.reason = (
                f"constraint {name} of {table} is unknown without the catalog: if it is a foreign key, VALIDATE "
                "also takes ROW SHARE on the referenced table and reads it (not predicted)")
        d.same_tx = self.st.in_transaction and self.st.not_valid.get((table, name)) == self.st.tx_id
        return op

    # ------------------------------------------------------------------ renames
    def _RenameStmt(self, n) -> list[Op]:
        rt = n.renameType
        if rt == OT.OBJECT_COLUMN:
            table = self.st.qualify(n.relation)
            return [Op(kind=K.RENAME_COLUMN, table=table, column=n.subname, name=n.newname, lock=AE, node=n)]
        if rt in (OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_FOREIGN_TABLE):
            table = self.st.qualify(n.relation)
            return [Op(kind=K.RENAME_TABLE, table=table, name=n.newname, lock=AE, node=n)]
        if rt == OT.OBJECT_SCHEMA:
            return [Op(kind=K.RENAME_SCHEMA, name=n.subname, detail=RenameSchemaDetail(new=n.newname), node=n)]
        if rt == OT.OBJECT_TABCONSTRAINT:
            table = self.st.qualify(n.relation)
            return [Op(kind=K.RENAME_CONSTRAINT, table=table, name=n.subname, lock=AE, node=n)]
        if rt == OT.OBJECT_INDEX:
            index = self.st.qualify(n.relation)
            return [Op(kind=K.RENAME_INDEX, table=self.st.index_table(index), name=index, lock=SUE, node=n)]
        return [Op(kind=K.RENAME_OTHER, node=n)]

    # ------------------------------------------------------------------ indexes
    def _IndexStmt(self, n) -> list[Op]:
        table = self.st.qualify(n.relation)
        name = f"{n.relation.schemaname or self.st.ctx.default_schema}.{n.idxname}" if n.idxname else None
        cols = [e.name if e.name else None for e in n.indexParams or ()]
        only = n.relation.inh is False  # ON ONLY a partitioned parent: an invalid shell, nothing is read
        if n.if_not_exists and name and name not in self.st.created and name in self.st.ctx.index_tables:
            # the name is taken: PostgreSQL says so in a NOTICE and does nothing (observed: no lock, no read)
            return [Op(kind=K.CREATE_INDEX, table=table, name=name, node=n, detail=CreateIndexDetail(
                unique=bool(n.unique), columns=cols, if_not_exists=True, partial=n.whereClause is not None,
                noop=True))]
        return [Op(kind=K.CREATE_INDEX, table=table, name=name, lock=SUE if n.concurrent else SHARE, scan=not only,
                   concurrent=bool(n.concurrent), node=n,
                   detail=CreateIndexDetail(unique=bool(n.unique), columns=cols, if_not_exists=bool(n.if_not_exists),
                                            partial=n.whereClause is not None))]

    def _ReindexStmt(self, n) -> list[Op]:
        conc = any(d.defname == "concurrently" for d in n.params or ())
        kind = int(n.kind)
        # ReindexObjectType: 0 INDEX, 1 TABLE, 2 SCHEMA, 3 SYSTEM, 4 DATABASE
        if kind == 0 and n.relation is not None:
            index = self.st.qualify(n.relation)
            table = self.st.index_table(index)
            return [Op(kind=K.REINDEX, table=table, name=index, lock=SUE if conc else SHARE, concurrent=conc,
                       index_rewrite=True, scan=True, node=n, detail=ReindexDetail(target="index"))]
        if kind == 1 and n.relation is not None:
            table = self.st.qualify(n.relation)
            return [Op(kind=K.REINDEX, table=table, name=table, lock=SUE if conc else SHARE, concurrent=conc,
                       index_rewrite=True, scan=True, node=n, detail=ReindexDetail(target="table"))]
        return [Op(kind=K.REINDEX, name=n.name, concurrent=conc, node=n, detail=ReindexDetail(target="many"))]

    # ------------------------------------------------------------------ DROP / TRUNCATE
    def _DropStmt(self, n) -> list[Op]:
        rt = n.removeType
        ops: list[Op] = []
        cascade = int(n.behavior) == 1
        for obj in n.objects or ():
            if rt == OT.OBJECT_INDEX:
                index = self.st.qualify_names(obj)
                table = self.st.index_table(index)
                ops.append(Op(kind=K.DROP_INDEX, table=table, name=index, lock=SUE if n.concurrent else AE,
                              concurrent=bool(n.concurrent), node=n,
                              detail=DropDetail(if_exists=bool(n.missing_ok), cascade=cascade)))
            elif rt in (OT.OBJECT_TABLE, OT.OBJECT_MATVIEW, OT.OBJECT_VIEW, OT.OBJECT_FOREIGN_TABLE):
                rel = self.st.qualify_names(obj)
                ops.append(Op(kind=K.DROP_TABLE, table=rel, name=rel, lock=AE, node=n,
                              detail=DropDetail(if_exists=bool(n.missing_ok), cascade=cascade,
                                                objtype=rt.name[7:].lower())))
            elif rt == OT.OBJECT_SCHEMA:
                ops.append(Op(kind=K.DROP_SCHEMA, name=obj.sval if isinstance(obj, ast.String) else str(obj),
                              node=n, detail=DropDetail(if_exists=bool(n.missing_ok), cascade=cascade)))
            elif rt == OT.OBJECT_EXTENSION:
                ops.append(Op(kind=K.DROP_EXTENSION, name=obj.sval if isinstance(obj, ast.String) else str(obj),
                              node=n, detail=DropDetail(cascade=cascade)))
            elif rt == OT.OBJECT_TRIGGER:
                names = [s.sval for s in obj]
                table = self.st.qualify_names([ast.String(s) for s in names[:-1]])
                ops.append(Op(kind=K.DROP_TRIGGER, table=table, name=names[-1], lock=AE, node=n,
                              detail=DropDetail(if_exists=bool(n.missing_ok))))
            elif rt == OT.OBJECT_TYPE:
                ops.append(Op(kind=K.DROP_TYPE, name=self.st.qualify_names(obj.names) if hasattr(obj, "names")
                              else str(obj), node=n, detail=DropDetail(if_exists=bool(n.missing_ok))))
            else:
                ops.append(Op(kind=K.DROP_OTHER, node=n, detail=DropDetail(if_exists=bool(n.missing_ok),
                                                                           objtype=rt.name[7:].lower())))
        return ops

    def _DropdbStmt(self, n) -> list[Op]:
        return [Op(kind=K.DROP_DATABASE, name=n.dbname, node=n, detail=DropDetail(if_exists=bool(n.missing_ok)))]

    def _TruncateStmt(self, n) -> list[Op]:
        cascade = int(n.behavior) == 1
        return [Op(kind=K.TRUNCATE, table=self.st.qualify(rv), lock=AE, rewrite=True, node=n,
                   detail=DropDetail(cascade=cascade)) for rv in n.relations]

    # ------------------------------------------------------------------ maintenance
    def _VacuumStmt(self, n) -> list[Op]:
        opts = {d.defname for d in n.options or ()}
        full = "full" in opts
        rels = [self.st.qualify(v.relation) for v in n.rels or ()]
        if not n.is_vacuumcmd:
            return [Op(kind=K.ANALYZE, table=r, lock=SUE, node=n) for r in rels] or [Op(kind=K.ANALYZE, node=n)]
        ops = [Op(kind=K.VACUUM, table=r, lock=AE if full else SUE, rewrite=full, scan=True, node=n,
                  detail=VacuumDetail(full=full)) for r in rels]
        return ops or [Op(kind=K.VACUUM, node=n, detail=VacuumDetail(full=full))]

    def _ClusterStmt(self, n) -> list[Op]:
        if n.relation is None:
            return [Op(kind=K.CLUSTER, node=n, detail=ClusterDetail(all=True))]
        return [Op(kind=K.CLUSTER, table=self.st.qualify(n.relation), lock=AE, rewrite=True, node=n,
                   detail=ClusterDetail(all=False))]

    def _RefreshMatViewStmt(self, n) -> list[Op]:
        mv = self.st.qualify(n.relation)
        if n.concurrent:
            # CONCURRENTLY diffs the new result against the old contents: a full read of the matview.
            op = Op(kind=K.REFRESH_MATVIEW, table=mv, lock=EXCL, concurrent=True, scan=True, node=n,
                    detail=RefreshDetail())
        else:
            op = Op(kind=K.REFRESH_MATVIEW, table=mv, lock=AE, rewrite=True, node=n, detail=RefreshDetail())
        if n.skipData:
            return [op]  # WITH NO DATA does not run the query
        # The stored query runs: ACCESS SHARE on everything it reads (views included, expanded by the rewriter)
        # and a full read of its tables -- known only from the catalog.
        facts = self.st.ctx.relation(mv)
        if facts is None or facts.kind != "materialized_view" or not self.st.preexisting(mv):
            why = "without the catalog" if self.st.preexisting(mv) else "for a view created by this migration"
            op.detail.assumed = True
            op.detail.reason = (
                f"the relations materialized view {mv} reads are not known {why}: their ACCESS SHARE locks and "
                "reads are not predicted")
            return [op]
        for rel, kind in facts.base_relations.items():
            op.extra_locks[rel] = AS
            if kind in ("table", "materialized_view"):
                op.extra_scans.append(rel)
        return [op]

    # ------------------------------------------------------------------ triggers, rules, policies
    def _CreateTrigStmt(self, n) -> list[Op]:
        return [Op(kind=K.CREATE_TRIGGER, table=self.st.qualify(n.relation), name=n.trigname, lock=SRE, node=n,
                   detail=ReplaceDetail(replace=bool(n.replace)))]

    def _CreatePolicyStmt(self, n) -> list[Op]:
        return [Op(kind=K.POLICY, table=self.st.qualify(n.table), name=n.policy_name, lock=AE, node=n)]

    def _AlterPolicyStmt(self, n) -> list[Op]:
        return [Op(kind=K.POLICY, table=self.st.qualify(n.table), name=n.policy_name, lock=AE, node=n)]

    def _GrantStmt(self, n) -> list[Op]:
        return [Op(kind=K.GRANT, node=n, detail=GrantDetail(is_grant=bool(n.is_grant)))]

    def _CommentStmt(self, n) -> list[Op]:
        if n.objtype == OT.OBJECT_COLUMN and n.object and len(n.object) >= 2:
            # the column's relation is read from the catalog (SHARE UPDATE EXCLUSIVE on it while commenting)
            parts = [s.sval for s in n.object]
            return [Op(kind=K.COMMENT, table=self.st.qualify_names(n.object[:-1]), column=parts[-1], lock=SUE, node=n)]
        return [Op(kind=K.COMMENT, node=n)]

    # ------------------------------------------------------------------ types, domains, extensions
    def _AlterEnumStmt(self, n) -> list[Op]:
        enum = self.st.qualify_names(n.typeName)
        if n.oldVal:
            return [Op(kind=K.ENUM_RENAME_VALUE, name=enum, node=n, 
                       detail=EnumRenameValueDetail(old=n.oldVal, new=n.newVal))]
        return [Op(kind=K.ENUM_ADD_VALUE, name=enum, node=n,
                   detail=EnumAddValueDetail(value=n.newVal, placed=n.newValNeighbor is not None,
                                             if_not_exists=bool(n.skipIfNewValExists)))]

    def _CreateEnumStmt(self, n) -> list[Op]:
        return [Op(kind=K.CREATE_TYPE, name=self.st.qualify_names(n.typeName), node=n)]

    def _CreateDomainStmt(self, n) -> list[Op]:
        checks = [c for c in n.constraints or () if c.contype == CT.CONSTR_CHECK]
        return [Op(kind=K.CREATE_DOMAIN, name=self.st.qualify_names(n.domainname), node=n,
                   detail=CreateDomainDetail(checks=len(checks)))]

    def _AlterDomainStmt(self, n) -> list[Op]:
        domain = self.st.qualify_names(n.typeName)
        if n.subtype == "C":
            not_valid = bool(getattr(n.def_, "skip_validation", False))
            op = Op(kind=K.ALTER_DOMAIN_ADD_CONSTRAINT, name=domain, not_valid=not_valid, node=n)
            if not not_valid:  # every column of the domain's type is checked, its table under SHARE
                for col in self.st.ctx.names.domain_columns.get(domain, ()):
                    rel = col.rsplit(".", 1)[0]
                    op.extra_locks[rel] = SHARE
                    if rel not in op.extra_scans:
                        op.extra_scans.append(rel)
            return [op]
        if n.subtype == "V":
            return [Op(kind=K.ALTER_DOMAIN_VALIDATE, name=domain, node=n)]
        if n.subtype == "O":
            return [Op(kind=K.ALTER_DOMAIN_SET_NOT_NULL, name=domain, node=n)]
        return [Op(kind=K.ALTER_DOMAIN, name=domain, node=n)]

    def _AlterExtensionStmt(self, n) -> list[Op]:
        return [Op(kind=K.ALTER_EXTENSION, name=n.extname, node=n)]

    def _CreateExtensionStmt(self, n) -> list[Op]:
        return [Op(kind=K.CREATE_EXTENSION, name=n.extname, node=n,
                   detail=IfNotExistsDetail(if_not_exists=bool(n.if_not_exists)))]

    def _CreateSeqStmt(self, n) -> list[Op]:
        owned = any(d.defname == "owned_by" for d in n.options or ())
        return [Op(kind=K.CREATE_SEQUENCE, name=self.st.qualify(n.sequence), node=n,
                   detail=CreateSequenceDetail(owned=owned, if_not_exists=bool(n.if_not_exists)))]

    def _CreateFunctionStmt(self, n) -> list[Op]:
        lang = next((d.arg.sval.lower() for d in n.options or () if d.defname == "language"), "sql")
        return [Op(kind=K.CREATE_FUNCTION, name=".".join(s.sval for s in n.funcname), node=n,
                   detail=CreateFunctionDetail(language=lang, replace=bool(n.replace), procedure=bool(n.is_procedure)))]

    def _CreateSchemaStmt(self, n) -> list[Op]:
        return [Op(kind=K.CREATE_SCHEMA, name=n.schemaname, node=n,
                   detail=IfNotExistsDetail(if_not_exists=bool(n.if_not_exists)))]

    def _CreatedbStmt(self, n) -> list[Op]:
        return [Op(kind=K.CREATE_DATABASE, name=n.dbname, node=n)]

    def _AlterSystemStmt(self, n) -> list[Op]:
        return [Op(kind=K.ALTER_SYSTEM, node=n)]

    # ------------------------------------------------------------------ session and transactions
    def _VariableSetStmt(self, n) -> list[Op]:
        value = None
        if n.args:
            arg = n.args[0]
            v = getattr(arg, "val", None)
            value = getattr(v, "sval", None) if v is not None else None
            if value is None and v is not None:
                value = getattr(v, "ival", None)
        return [Op(kind=K.SET, name=(n.name or "").lower(), node=n,
                   detail=SetDetail(value=value, local=bool(n.is_local), reset=int(n.kind) >= 3))]

    def _TransactionStmt(self, n) -> list[Op]:
        return [Op(kind=K.TRANSACTION, name=TK(n.kind).name[len("TRANS_STMT_"):], node=n)]

    def _LockStmt(self, n) -> list[Op]:
        from dbarchitect.core.migration.models import LOCK_MODES

        mode = LOCK_MODES[n.mode - 1] if 1 <= n.mode <= len(LOCK_MODES) else AE
        return [Op(kind=K.LOCK, table=self.st.qualify(rv), lock=mode, node=n) for rv in n.relations]

    # ------------------------------------------------------------------ DML
    def _reads(self, node, lock: str = AS, exclude: set[str] | None = None, scan: bool = False) -> list[Op]:
        """The relations `node` reads; `scan` when the statement runs the query (not a view's definition)."""
        ctes = {c.ctename for c in walk(node) if isinstance(c, ast.CommonTableExpr)}
        ops = []
        seen = set(exclude or ())
        for rv in walk(node):
            if isinstance(rv, ast.RangeVar):
                if not rv.schemaname and rv.relname in ctes:
                    continue
                rel = self.st.qualify(rv)
                if rel not in seen:
                    seen.add(rel)
                    ops.append(Op(kind=K.READ, table=rel, lock=lock, scan=scan))
        return ops

    def _SelectStmt(self, n) -> list[Op]:
        lock = RS if n.lockingClause else AS
        return [Op(kind=K.SELECT)] + self._reads(n, lock=lock, scan=True)

    def _dml(self, n, kind: str) -> list[Op]:
        table = self.st.qualify(n.relation)
        where = getattr(n, "whereClause", None)
        # UPDATE/DELETE read the table (all of it without WHERE, through an index or not with one)
        op = Op(kind=kind, table=table, lock=RX, node=n, scan=kind != K.INSERT, detail=DmlDetail(where=where))
        return [op] + self._reads(n, exclude={table}, scan=True)

    def _UpdateStmt(self, n) -> list[Op]:
        return self._dml(n, K.UPDATE)

    def _DeleteStmt(self, n) -> list[Op]:
        return self._dml(n, K.DELETE)

    def _InsertStmt(self, n) -> list[Op]:
        return self._dml(n, K.INSERT)

    def _DoStmt(self, n) -> list[Op]:
        return [Op(kind=K.DO_BLOCK, node=n)]


def _plain_using(expr, column: str, new: TypeSpec) -> bool:
    """USING column, or USING column::<the new type>: the conversion PostgreSQL applies without USING."""
    if isinstance(expr, ast.TypeCast):
        cast = from_type_name(expr.typeName)
        if (cast.name, cast.mods, cast.array) != (new.name, new.mods, new.array):
            return False
        expr = expr.arg
    return isinstance(expr, ast.ColumnRef) and len(expr.fields) == 1 and isinstance(expr.fields[0], ast.String) \
        and expr.fields[0].sval == column


# Statements PostgreSQL refuses inside a transaction block.
def transactional(node, ops: list[Op]) -> bool:
    name = type(node).__name__
    if name in ("CreatedbStmt", "DropdbStmt", "AlterSystemStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt"):
        return False
    if name == "VacuumStmt":
        return not node.is_vacuumcmd
    if name == "ClusterStmt":
        return node.relation is not None
    if name == "ReindexStmt":
        return not (ops and ops[0].concurrent) and int(node.kind) not in (2, 3, 4)
    if name == "IndexStmt":
        return not node.concurrent
    if name == "DropStmt":
        return not node.concurrent
    if name == "AlterTableStmt":
        return not any(o.kind == K.DETACH_PARTITION and o.concurrent for o in ops)
    if name == "AlterEnumStmt":
        return True
    return True


def statement_kind(node) -> str:
    name = type(node).__name__
    if name == "AlterTableStmt":
        subs = sorted({c.subtype.name for c in node.cmds or ()})
        return f"{name}:{','.join(subs)}"
    if name == "TransactionStmt":
        return f"{name}:{TK(node.kind).name[len('TRANS_STMT_'):]}"
    if name == "DropStmt":
        return f"{name}:{node.removeType.name[len('OBJECT_'):]}"
    if name == "RenameStmt":
        return f"{name}:{node.renameType.name[len('OBJECT_'):]}"
    return name


def predict(index: int, line: int, sql: str, node, ops: list[Op], state: MigrationState) -> StatementPrediction:
    """Merge a statement's ops into the per-relation prediction (pre-existing relations only)."""
    locks: dict[str, str] = {}
    rewrites: list[str] = []
    index_rewrites: list[str] = []
    scans: list[str] = []
    assumptions: list[str] = []
    data_loss: list[str] = []
    breaks: list[str] = []
    creates: list[str] = []
    for op in ops:
        if op.kind in (K.CREATE_TABLE, K.CREATE_TABLE_AS, K.CREATE_MATVIEW, K.CREATE_VIEW) and op.table:
            if not (op.kind == K.CREATE_VIEW and op.lock):
                creates.append(op.table)
        targets = [(op.table, op.lock)] + list(op.extra_locks.items())
        for rel, mode in targets:
            if rel is None or mode is None or not state.preexisting(rel):
                continue
            if op.kind in (K.CREATE_TABLE, K.CREATE_TABLE_AS, K.CREATE_MATVIEW):
                continue
            locks[rel] = stronger_lock(locks.get(rel), mode)
        if op.table and state.preexisting(op.table):
            if op.rewrite and op.table not in rewrites:
                rewrites.append(op.table)
            if op.index_rewrite and op.table not in index_rewrites:
                index_rewrites.append(op.table)
            if op.scan and op.table not in scans:
                scans.append(op.table)
        for rel in op.extra_scans:
            if state.preexisting(rel) and rel not in scans:
                scans.append(rel)
        if op.kind == K.ATTACH_PARTITION:
            child = op.detail.child
            if child and state.preexisting(child) and not op.detail.proven and child not in scans:
                scans.append(child)
        if op.kind in (K.DROP_INDEX, K.REINDEX, K.ALTER_INDEX, K.RENAME_INDEX) and op.table is None and op.name:
            assumptions.append(f"the table of index {op.name} is unknown without the catalog")
        assumptions.extend(op.detail.assumptions())
        if op.kind in (K.DROP_COLUMN,):
            data_loss.append(f"{op.table}.{op.column}")
        elif op.kind in (K.DROP_TABLE, K.TRUNCATE) and state.preexisting(op.table):
            data_loss.append(op.table)
        elif op.kind in (K.DROP_SCHEMA, K.DROP_DATABASE):
            data_loss.append(op.name)
        if op.kind in (K.RENAME_COLUMN, K.DROP_COLUMN, K.ALTER_TYPE, K.DROP_NOT_NULL) and state.preexisting(op.table):
            breaks.append(f"{op.table}.{op.column}")
        elif op.kind in (K.RENAME_TABLE, K.DROP_TABLE) and state.preexisting(op.table):
            breaks.append(op.table)
        elif op.kind in (K.RENAME_SCHEMA, K.ENUM_RENAME_VALUE):
            breaks.append(op.name)
    # A statement on a table created earlier in the file takes no lock worth predicting.
    return StatementPrediction(
        index=index, line=line, sql=sql, kind=statement_kind(node), locks=locks, rewrites=rewrites,
        index_rewrites=index_rewrites, scans=scans, transactional=transactional(node, ops),
        in_transaction=state.in_transaction, creates=creates, data_loss=data_loss, breaks_running_code=breaks,
        assumptions=assumptions,
    )


def advance(state: MigrationState, index: int, ops: list[Op]) -> None:
    """Apply a statement's effects to the migration state (after its rules ran)."""
    for op in ops:
        k = op.kind
        if k in (K.CREATE_TABLE, K.CREATE_TABLE_AS, K.CREATE_MATVIEW) and op.table:
            state.created.setdefault(op.table, index)
        elif k == K.CREATE_VIEW and op.table and (not op.detail.replace or op.table not in state.ctx.relations):
            state.created.setdefault(op.table, index)
        elif k == K.TABLE_COLUMN:
            state.columns[(op.table, op.column)] = op.detail.type
        elif k == K.ADD_COLUMN:
            state.columns[(op.table, op.column)] = op.detail.type
            state.added_columns.setdefault((op.table, op.column), index)
        elif k == K.ALTER_TYPE:
            state.columns[(op.table, op.column)] = op.detail.new
        elif k == K.CREATE_INDEX and op.name:
            state.created_indexes[op.name] = op.table
            state.created.setdefault(op.name, index)  # indexes are relations too
        elif k == K.RENAME_TABLE and op.table:
            schema = op.table.split(".", 1)[0]
            if op.table in state.created:
                state.created[f"{schema}.{op.name}"] = state.created[op.table]
        elif k == K.ADD_CONSTRAINT and op.detail.contype == "check":
            if op.not_valid:
                state.not_valid[(op.table, op.name or "")] = state.tx_id
                state.check_exprs[(op.table, op.name or "")] = op.detail.expr
            else:
                _record_check(state, op.table, op.detail.expr)
        elif k == K.ADD_CONSTRAINT and op.detail.contype == "foreign_key":
            name = op.name or _default_fk_name(op.table, op.detail.columns)
            if name:
                state.fk_refs[(op.table, name)] = op.detail.ref
            if op.not_valid:
                state.not_valid[(op.table, name or "")] = state.tx_id
        elif k == K.ADD_CONSTRAINT and op.not_valid:
            state.not_valid[(op.table, op.name or "")] = state.tx_id
        elif k == K.VALIDATE_CONSTRAINT:
            key = (op.table, op.name or "")
            state.not_valid.pop(key, None)
            expr = state.check_exprs.pop(key, None)
            if expr is not None:
                _record_check(state, op.table, expr)
        elif k == K.SET:
            _apply_set(state, op)
        elif k == K.TRANSACTION:
            _apply_tx(state, op.name or "")


def _default_fk_name(table: str | None, columns: list[str]) -> str | None:
    """The name PostgreSQL gives an unnamed foreign key (<table>_<columns>_fkey), when it needs no truncation
    (ChooseConstraintName shortens longer ones, and adds a number when the name is taken)."""
    if not table or not columns:
        return None
    name = f"{table.split('.', 1)[1]}_{'_'.join(columns)}_fkey"
    return name if len(name.encode()) <= 63 else None


def _record_check(state: MigrationState, table: str | None, expr) -> None:
    """A validated CHECK (col IS NOT NULL) proves the column non-null (PostgreSQL 12+)."""
    if table is None or expr is None:
        return
    state.checked_tables.add(table)
    for n in walk(expr):
        if isinstance(n, ast.NullTest) and int(n.nulltesttype) == 1 and isinstance(n.arg, ast.ColumnRef):
            last = n.arg.fields[-1]
            if isinstance(last, ast.String):
                state.proven_not_null.add((table, last.sval))


def _apply_set(state: MigrationState, op: Op) -> None:
    name, value, reset = op.name, op.detail.value, op.detail.reset
    on = not reset and value not in (None, 0, "0")
    if name == "lock_timeout":
        state.lock_timeout = on
        state.lock_timeout_local = on and op.detail.local
    elif name == "statement_timeout":
        state.statement_timeout = on
    elif name == "timezone":
        state.timezone = None if reset else (str(value) if value is not None else None)


def _apply_tx(state: MigrationState, kind: str) -> None:
    if kind in ("BEGIN", "START"):
        if not state.tx_open and not state.assume_in_transaction:
            state.tx_counter += 1
            state.tx_id = state.tx_counter
        state.tx_open = True
    elif kind in ("COMMIT", "ROLLBACK", "COMMIT_PREPARED", "ROLLBACK_PREPARED", "PREPARE"):
        state.tx_open = False
        if state.assume_in_transaction:
            # the runner's transaction ended early; what follows runs in autocommit
            state.assume_in_transaction = False
        state.tx_id = 0
        if state.lock_timeout_local:  # SET LOCAL ends with the transaction
            state.lock_timeout = state.lock_timeout_local = False
