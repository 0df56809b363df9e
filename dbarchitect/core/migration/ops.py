"""The seam between the migration analyzer and the migration rules: op kinds and their typed details.

The analyzer (`analyze.py`) turns each statement into `Op`s; a rule declares the kinds it reads
(`OPS = {OpKind.ADD_COLUMN}`, checked at discovery) and reads each op's `detail`, an object of the
class `DETAIL_OF[kind]` (`op.detail.serial`): a misspelt attribute raises AttributeError instead of
reading a silent None. `OpKind` is a `StrEnum`, so `op.kind == "add_column"` still holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dbarchitect.core.migration.types import TypeSpec


class OpKind(StrEnum):
    """Every kind of op the analyzer emits."""

    # tables, views, columns created by the file
    CREATE_TABLE = "create_table"
    TABLE_COLUMN = "table_column"  # a column of CREATE TABLE
    CREATE_PARTITION = "create_partition"  # CREATE TABLE ... PARTITION OF: the lock on the parent
    FK_ON_NEW_TABLE = "fk_on_new_table"  # a foreign key of CREATE TABLE: the lock on the referenced table
    CREATE_TABLE_AS = "create_table_as"
    CREATE_MATVIEW = "create_matview"
    CREATE_VIEW = "create_view"
    # ALTER TABLE sub-commands
    ADD_COLUMN = "add_column"
    ALTER_TYPE = "alter_type"
    SET_NOT_NULL = "set_not_null"
    DROP_NOT_NULL = "drop_not_null"
    SET_DEFAULT = "set_default"
    DROP_DEFAULT = "drop_default"
    ADD_CONSTRAINT = "add_constraint"
    VALIDATE_CONSTRAINT = "validate_constraint"
    DROP_CONSTRAINT = "drop_constraint"
    DROP_COLUMN = "drop_column"
    SET_LOGGED = "set_logged"
    SET_UNLOGGED = "set_unlogged"
    SET_ACCESS_METHOD = "set_access_method"
    SET_TABLESPACE = "set_tablespace"
    ATTACH_PARTITION = "attach_partition"
    DETACH_PARTITION = "detach_partition"
    DETACH_PARTITION_FINALIZE = "detach_partition_finalize"
    REPLICA_IDENTITY = "replica_identity"
    ROW_SECURITY = "row_security"
    SET_STATISTICS = "set_statistics"
    SET_RELOPTIONS = "set_reloptions"
    TOGGLE_TRIGGER = "toggle_trigger"
    ADD_IDENTITY = "add_identity"
    SET_EXPRESSION = "set_expression"
    INHERIT = "inherit"
    CHANGE_OWNER = "change_owner"
    ALTER_OTHER = "alter_other"
    ALTER_INDEX = "alter_index"
    # renames
    RENAME_COLUMN = "rename_column"
    RENAME_TABLE = "rename_table"
    RENAME_SCHEMA = "rename_schema"
    RENAME_CONSTRAINT = "rename_constraint"
    RENAME_INDEX = "rename_index"
    RENAME_OTHER = "rename_other"
    # indexes
    CREATE_INDEX = "create_index"
    REINDEX = "reindex"
    DROP_INDEX = "drop_index"
    # drops
    DROP_TABLE = "drop_table"
    DROP_SCHEMA = "drop_schema"
    DROP_EXTENSION = "drop_extension"
    DROP_TRIGGER = "drop_trigger"
    DROP_TYPE = "drop_type"
    DROP_OTHER = "drop_other"
    DROP_DATABASE = "drop_database"
    TRUNCATE = "truncate"
    # maintenance
    VACUUM = "vacuum"
    ANALYZE = "analyze"
    CLUSTER = "cluster"
    REFRESH_MATVIEW = "refresh_matview"
    # triggers, policies, privileges, comments
    CREATE_TRIGGER = "create_trigger"
    POLICY = "policy"
    GRANT = "grant"
    COMMENT = "comment"
    # types, domains, extensions, sequences, functions, schemas, databases
    ENUM_ADD_VALUE = "enum_add_value"
    ENUM_RENAME_VALUE = "enum_rename_value"
    CREATE_TYPE = "create_type"
    CREATE_DOMAIN = "create_domain"
    ALTER_DOMAIN_ADD_CONSTRAINT = "alter_domain_add_constraint"
    ALTER_DOMAIN_VALIDATE = "alter_domain_validate"
    ALTER_DOMAIN_SET_NOT_NULL = "alter_domain_set_not_null"
    ALTER_DOMAIN = "alter_domain"
    ALTER_EXTENSION = "alter_extension"
    CREATE_EXTENSION = "create_extension"
    CREATE_SEQUENCE = "create_sequence"
    CREATE_FUNCTION = "create_function"
    CREATE_SCHEMA = "create_schema"
    CREATE_DATABASE = "create_database"
    ALTER_SYSTEM = "alter_system"
    # session and transactions
    SET = "set"
    TRANSACTION = "transaction"
    LOCK = "lock"
    # DML and reads
    READ = "read"  # a relation read by a statement (query of a view, sub-select of a DML, ...)
    SELECT = "select"
    UPDATE = "update"
    DELETE = "delete"
    INSERT = "insert"
    DO_BLOCK = "do_block"
    OTHER = "other"


# ---------------------------------------------------------------------------------------------
# Details: what a rule may read about an op beyond its table/column/name/lock
# ---------------------------------------------------------------------------------------------


class Detail:
    """An op's details (the base class: an op with nothing more to say)."""

    __slots__ = ()

    def assumptions(self) -> list[str]:
        """What the prediction of this op had to assume without the catalog."""
        return []


_detail = dataclass(slots=True, kw_only=True)


@_detail
class CreateTableDetail(Detail):
    if_not_exists: bool = False
    temp: bool = False


@_detail
class IfNotExistsDetail(Detail):
    """CREATE TABLE AS / MATERIALIZED VIEW / EXTENSION / SCHEMA."""

    if_not_exists: bool = False


@_detail
class ReplaceDetail(Detail):
    """CREATE [OR REPLACE] VIEW / TRIGGER."""

    replace: bool = False


@_detail
class TableColumnDetail(Detail):
    """A column of CREATE TABLE."""

    type: TypeSpec
    serial: bool = False
    identity: bool = False


@_detail
class AddColumnDetail(Detail):
    type: TypeSpec
    serial: bool = False
    default: object = None  # the DEFAULT expression (a syntax tree node)
    volatility: str | None = None  # of a non-NULL default; None without one
    unknown_functions: list[str] = field(default_factory=list)
    identity: bool = False
    generated: bool = False
    not_null: bool = False
    if_not_exists: bool = False
    domain_with_constraints: bool = False

    def assumptions(self) -> list[str]:
        return [f"volatility of {fn}() unknown: assumed volatile" for fn in self.unknown_functions]


@_detail
class FkOnNewTableDetail(Detail):
    from_table: str
    columns: list[str] = field(default_factory=list)


@_detail
class AlterTypeDetail(Detail):
    new: TypeSpec
    old: TypeSpec | None = None
    using: bool = False
    reason: str = ""
    assumed: bool = False  # the current type is unknown: the rewrite is assumed
    views: list[str] = field(default_factory=list)
    fk_tables: list[str] = field(default_factory=list)  # the other end of a foreign key on the column

    def assumptions(self) -> list[str]:
        return [self.reason] if self.assumed else []


@_detail
class SetNotNullDetail(Detail):
    proven: bool = False  # a validated CHECK (col IS NOT NULL) proves it
    already: bool = False  # the column is NOT NULL already


@_detail
class ConstraintDetail(Detail):
    """ADD CONSTRAINT (and the constraints of ADD COLUMN, `inline`)."""

    contype: str  # primary_key, unique, foreign_key, check, exclude, other
    columns: list[str] = field(default_factory=list)
    expr: object = None  # CHECK expression (a syntax tree node)
    ref: str | None = None  # referenced table of a foreign key
    ref_columns: list[str] = field(default_factory=list)
    using_index: str | None = None
    inline: bool = False
    nullable: list[str] = field(default_factory=list)  # PRIMARY KEY columns not known to be NOT NULL


@_detail
class ValidateDetail(Detail):
    ref: str | None = None  # referenced table of a foreign key
    known: bool = False  # the constraint is in the catalog or the file
    assumed: bool = False
    reason: str = ""
    same_tx: bool = False  # added NOT VALID in this very transaction

    def assumptions(self) -> list[str]:
        return [self.reason] if self.assumed else []


@_detail
class DropDetail(Detail):
    """DROP COLUMN / INDEX / TABLE / SCHEMA / EXTENSION / TRIGGER / TYPE / other, TRUNCATE."""

    if_exists: bool = False
    cascade: bool = False
    objtype: str | None = None  # drop_table, drop_other: table, view, materialized_view, ...


@_detail
class AttachPartitionDetail(Detail):
    child: str
    proven: bool = False  # a validated CHECK on the partition implies its bounds


@_detail
class SubtypeDetail(Detail):
    """ALTER TABLE sub-commands grouped under one kind (row_security, alter_other)."""

    subtype: str


@_detail
class RenameSchemaDetail(Detail):
    new: str


@_detail
class CreateIndexDetail(Detail):
    unique: bool = False
    columns: list[str | None] = field(default_factory=list)  # None for an expression
    if_not_exists: bool = False
    partial: bool = False
    noop: bool = False  # IF NOT EXISTS and the name is taken: nothing happens


@_detail
class ReindexDetail(Detail):
    target: str  # index, table, many


@_detail
class VacuumDetail(Detail):
    full: bool = False


@_detail
class ClusterDetail(Detail):
    all: bool = False


@_detail
class RefreshDetail(Detail):
    assumed: bool = False  # what the view reads is unknown
    reason: str = ""

    def assumptions(self) -> list[str]:
        return [self.reason] if self.assumed else []


@_detail
class GrantDetail(Detail):
    is_grant: bool = True


@_detail
class EnumAddValueDetail(Detail):
    value: str
    placed: bool = False  # BEFORE/AFTER
    if_not_exists: bool = False


@_detail
class EnumRenameValueDetail(Detail):
    old: str
    new: str


@_detail
class CreateDomainDetail(Detail):
    checks: int = 0


@_detail
class CreateSequenceDetail(Detail):
    owned: bool = False
    if_not_exists: bool = False


@_detail
class CreateFunctionDetail(Detail):
    language: str = "sql"
    replace: bool = False
    procedure: bool = False


@_detail
class SetDetail(Detail):
    value: str | int | None = None
    local: bool = False
    reset: bool = False


@_detail
class DmlDetail(Detail):
    where: object = None  # the WHERE clause (a syntax tree node); None: every row


K = OpKind
#: the detail class of each kind (kinds not listed carry a bare `Detail`)
DETAIL_OF: dict[OpKind, type[Detail]] = {
    K.CREATE_TABLE: CreateTableDetail,
    K.TABLE_COLUMN: TableColumnDetail,
    K.FK_ON_NEW_TABLE: FkOnNewTableDetail,
    K.CREATE_TABLE_AS: IfNotExistsDetail,
    K.CREATE_MATVIEW: IfNotExistsDetail,
    K.CREATE_VIEW: ReplaceDetail,
    K.ADD_COLUMN: AddColumnDetail,
    K.ALTER_TYPE: AlterTypeDetail,
    K.SET_NOT_NULL: SetNotNullDetail,
    K.ADD_CONSTRAINT: ConstraintDetail,
    K.VALIDATE_CONSTRAINT: ValidateDetail,
    K.DROP_COLUMN: DropDetail,
    K.ATTACH_PARTITION: AttachPartitionDetail,
    K.ROW_SECURITY: SubtypeDetail,
    K.ALTER_OTHER: SubtypeDetail,
    K.RENAME_SCHEMA: RenameSchemaDetail,
    K.CREATE_INDEX: CreateIndexDetail,
    K.REINDEX: ReindexDetail,
    K.DROP_INDEX: DropDetail,
    K.DROP_TABLE: DropDetail,
    K.DROP_SCHEMA: DropDetail,
    K.DROP_EXTENSION: DropDetail,
    K.DROP_TRIGGER: DropDetail,
    K.DROP_TYPE: DropDetail,
    K.DROP_OTHER: DropDetail,
    K.DROP_DATABASE: DropDetail,
    K.TRUNCATE: DropDetail,
    K.VACUUM: VacuumDetail,
    K.CLUSTER: ClusterDetail,
    K.REFRESH_MATVIEW: RefreshDetail,
    K.CREATE_TRIGGER: ReplaceDetail,
    K.GRANT: GrantDetail,
    K.ENUM_ADD_VALUE: EnumAddValueDetail,
    K.ENUM_RENAME_VALUE: EnumRenameValueDetail,
    K.CREATE_DOMAIN: CreateDomainDetail,
    K.CREATE_EXTENSION: IfNotExistsDetail,
    K.CREATE_SEQUENCE: CreateSequenceDetail,
    K.CREATE_FUNCTION: CreateFunctionDetail,
    K.CREATE_SCHEMA: IfNotExistsDetail,
    K.SET: SetDetail,
    K.UPDATE: DmlDetail,
    K.DELETE: DmlDetail,
    K.INSERT: DmlDetail,
}
del K

_NONE = Detail()


@dataclass
class Op:
    """One thing a statement does to one relation (or to the session)."""

    kind: OpKind
    table: str | None = None
    column: str | None = None
    name: str | None = None
    lock: str | None = None
    extra_locks: dict[str, str] = field(default_factory=dict)
    rewrite: bool = False
    scan: bool = False
    extra_scans: list[str] = field(default_factory=list)  # other relations read in full
    index_rewrite: bool = False
    concurrent: bool = False
    not_valid: bool = False
    detail: Detail = _NONE
    node: object = None

    def __post_init__(self) -> None:
        self.kind = OpKind(self.kind)
        expected = DETAIL_OF.get(self.kind, Detail)
        if type(self.detail) is not expected:
            raise TypeError(f"an op of kind {self.kind} carries {expected.__name__}, not {type(self.detail).__name__}")


def check_kinds(kinds, where: str) -> frozenset[OpKind]:
    """A rule's OPS as a frozenset of OpKind; ValueError naming `where` for a kind the analyzer never emits
    (or an OPS that is a string or empty: a rule that reads every statement omits OPS)."""
    if isinstance(kinds, str) or not isinstance(kinds, set | frozenset | list | tuple):
        raise ValueError(f"{where}: OPS must be a set of OpKind, not {kinds!r}")
    if not kinds:
        raise ValueError(f"{where}: OPS is empty (omit it for a rule that reads every statement)")
    out = set()
    for k in kinds:
        try:
            out.add(OpKind(k))
        except ValueError:
            raise ValueError(f"{where}: OPS names {k!r}, which is not an op kind (see core/migration/ops.py)") \
                from None
    return frozenset(out)
