"""The shared vocabulary of dbarchitect: findings with their evidence, and the catalog snapshot.

Everything here is plain data (pydantic models). `live` fills a `SchemaSnapshot` from a server's
catalog; the analyses in `core` read it; tools return reports built from these models.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence as Sequence_
from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class Severity(str, Enum):
    """How much a finding matters. Ordered: info < advice < warning < error."""

    info = "info"
    advice = "advice"
    warning = "warning"
    error = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.info: 0, Severity.advice: 1, Severity.warning: 2, Severity.error: 3}

EvidenceKind = Literal["catalog", "hypopg", "dry_run", "execution", "static"]


class Evidence(BaseModel):
    """What proves a finding: a catalog fact, a HypoPG cost, a dry-run observation, an execution, a rule."""

    kind: EvidenceKind
    detail: str = Field(description="The fact itself, in one sentence.")
    data: dict[str, object] = Field(default_factory=dict, description="Machine-readable proof.")


class Finding(BaseModel):
    """One conclusion of a rule: what goes wrong and for whom, how to fix it, what proves it."""

    rule: str = Field(description="Stable kebab-case rule name, e.g. create-index-non-concurrently.")
    code: str = Field(description="Family code, e.g. MG001.")
    severity: Severity
    message: str = Field(description="What goes wrong, and for whom.")
    fix: str | None = Field(default=None, description="What to do instead; runnable SQL where possible.")
    evidence: list[Evidence] = Field(default_factory=list)
    object: str | None = Field(default=None, description="The object concerned, e.g. public.orders.")
    statement: int | None = Field(default=None, description="1-based statement number, for SQL input.")
    line: int | None = Field(default=None, description="1-based line of the statement, for SQL input.")


#: the fields findings are sorted by; "severity" puts the worst first
_SORT_FIELDS = {
    "severity": lambda f: -f.severity.rank,
    "code": lambda f: f.code,
    "object": lambda f: f.object or "",
    "statement": lambda f: f.statement or 0,
}


def sort_findings(findings: Iterable[Finding], by: Sequence_[str] = ("severity", "code", "object")) -> list[Finding]:
    """The findings in the order a report lists them: by each field of `by` in turn (a stable sort)."""
    keys = [_SORT_FIELDS[name] for name in by]
    return sorted(findings, key=lambda f: tuple(k(f) for k in keys))


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity, every severity present (info first, error last)."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


class ServerInfo(BaseModel):
    """Facts about the connected server and role, read once per connection."""

    engine: Literal["postgresql", "mysql", "mongodb"] = "postgresql"
    flavor: str = Field(default="PostgreSQL", description="PostgreSQL, MySQL or MariaDB, ...")
    version: str
    version_num: int
    database: str
    current_user: str
    is_superuser: bool
    can_create_db: bool
    in_recovery: bool
    extensions: dict[str, str] = Field(default_factory=dict, description="Installed extensions -> version.")
    available_extensions: list[str] = Field(default_factory=list)
    privileges: list[str] = Field(default_factory=list, description="MySQL/MariaDB: SHOW GRANTS of the current user.")

    @property
    def major(self) -> int:
        return self.version_num // 10000

    def has(self, extension: str) -> bool:
        return extension in self.extensions

    def capabilities(self) -> dict[str, str]:
        """What the optional extensions make possible here: installed, available (to CREATE), or missing."""
        out: dict[str, str] = {}
        if self.engine != "postgresql":
            return out
        for ext in ("hypopg", "pg_stat_statements"):
            if ext in self.extensions:
                out[ext] = "installed"
            elif ext in self.available_extensions:
                out[ext] = f"available: CREATE EXTENSION {ext}"
            else:
                out[ext] = "missing on the server"
        return out


# --------------------------------------------------------------------------------------------
# Catalog snapshot
# --------------------------------------------------------------------------------------------


# MySQL/MariaDB-only facts: optional sub-models, None on other engines.


class MySQLColumn(BaseModel):
    """What information_schema.columns says beyond the engine-neutral Column."""

    column_type: str = Field(description="COLUMN_TYPE, e.g. int(10) unsigned, varchar(255), enum('a','b').")
    data_type: str = Field(default="", description="DATA_TYPE, e.g. int, varchar, decimal.")
    charset: str | None = None
    auto_increment: bool = False
    unsigned: bool = False
    on_update: str | None = Field(default=None, description="ON UPDATE expression (e.g. current_timestamp()).")
    extra: str = ""
    max_length: int | None = Field(default=None, description="CHARACTER_MAXIMUM_LENGTH in characters.")


class MySQLIndex(BaseModel):
    index_type: str = Field(description="BTREE, HASH, FULLTEXT or SPATIAL.")
    sub_parts: list[int | None] = Field(
        default_factory=list, description="Prefix length per key part (None: the whole column)."
    )
    visible: bool = Field(default=True, description="False for MySQL 8 INVISIBLE indexes.")
    ignored: bool = Field(default=False, description="True for MariaDB 10.6+ IGNORED indexes.")
    comment: str = ""


class MySQLPartition(BaseModel):
    name: str
    subpartition: str | None = None
    method: str = ""
    expression: str | None = None
    description: str | None = Field(default=None, description="VALUES LESS THAN / IN bound.")
    rows: int = 0


class MySQLTable(BaseModel):
    engine: str | None = Field(default=None, description="InnoDB, MyISAM, Aria, MEMORY, ...")
    row_format: str | None = None
    charset: str | None = None
    collation: str | None = None
    auto_increment: int | None = Field(default=None, description="The next AUTO_INCREMENT value.")
    create_options: str = ""
    data_free: int = 0
    partitions: list[MySQLPartition] = Field(default_factory=list)


class MySQLDatabaseFacts(BaseModel):
    """Server and database facts a MySQL review needs (sql_mode, flavour, defaults)."""

    flavor: str = Field(description="MySQL or MariaDB.")
    version: str = ""
    sql_mode: str = Field(default="", description="@@SESSION.sql_mode of dbarchitect's session.")
    global_sql_mode: str = Field(default="", description="@@GLOBAL.sql_mode: what applications get by default.")
    charset: str = Field(default="", description="The database's default character set.")
    collation: str = ""
    lower_case_table_names: int = 0


class Column(BaseModel):
    name: str
    position: int
    type: str = Field(description="format_type() text, typmod included, e.g. character varying(255).")
    type_oid: int = 0
    not_null: bool = False
    default: str | None = None
    identity: Literal["", "always", "by_default"] = ""
    generated: str | None = Field(default=None, description="Expression of a generated column.")
    virtual: bool = Field(default=False, description="VIRTUAL generated (PostgreSQL 18), not STORED.")
    collation: str | None = None
    comment: str | None = None
    null_frac: float | None = Field(default=None, description="pg_stats.null_frac when analyzed.")
    n_distinct: float | None = None
    mysql: MySQLColumn | None = None


class ForeignKeyRef(BaseModel):
    table: str = Field(description="Qualified referenced table, schema.name.")
    columns: list[str]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    match: str = "SIMPLE"


class Constraint(BaseModel):
    name: str
    kind: Literal["primary_key", "foreign_key", "unique", "check", "exclude", "not_null", "trigger"]
    columns: list[str] = Field(default_factory=list)
    definition: str = Field(description="pg_get_constraintdef() text.")
    validated: bool = True
    deferrable: bool = False
    nulls_not_distinct: bool = False
    references: ForeignKeyRef | None = None
    index: str | None = Field(default=None, description="Backing index of PK/UNIQUE/EXCLUDE.")


class Index(BaseModel):
    name: str
    method: str = "btree"
    columns: list[str | None] = Field(
        default_factory=list, description="Key columns in order; None where the key is an expression."
    )
    expressions: list[str] = Field(default_factory=list, description="Key texts, columns and expressions.")
    include: list[str] = Field(default_factory=list)
    predicate: str | None = None
    unique: bool = False
    primary: bool = False
    valid: bool = True
    ready: bool = True
    nulls_not_distinct: bool = False
    constraint: str | None = None
    definition: str = ""
    size_bytes: int = 0
    scans: int = 0
    tuples_read: int = 0
    mysql: MySQLIndex | None = None


class TableStats(BaseModel):
    live_tuples: int = 0
    dead_tuples: int = 0
    seq_scans: int = 0
    seq_tuples_read: int = 0
    idx_scans: int = 0
    inserts: int = 0
    updates: int = 0
    hot_updates: int = 0
    deletes: int = 0
    mods_since_analyze: int = 0
    last_vacuum: str | None = None
    last_autovacuum: str | None = None
    last_analyze: str | None = None
    last_autoanalyze: str | None = None
    vacuum_count: int = 0
    autovacuum_count: int = 0


class Trigger(BaseModel):
    name: str
    timing: str = Field(description="BEFORE, AFTER or INSTEAD OF.")
    events: list[str]
    level: Literal["row", "statement"] = "row"
    function: str
    enabled: bool = True
    definition: str = ""


class Policy(BaseModel):
    name: str
    command: str
    permissive: bool = True
    roles: list[str] = Field(default_factory=list)
    using: str | None = None
    with_check: str | None = None


class Table(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    kind: Literal["table", "partitioned_table", "foreign_table"] = "table"
    oid: int = 0
    persistence: Literal["permanent", "unlogged", "temporary"] = "permanent"
    partition_key: str | None = None
    partition_of: str | None = Field(default=None, description="Parent table when this is a partition.")
    partition_bound: str | None = None
    inherits: list[str] = Field(default_factory=list, description="Non-partition inheritance parents.")
    reltuples: float = -1
    pages: int = 0
    size_bytes: int = Field(default=0, description="Heap bytes.")
    total_bytes: int = Field(default=0, description="Heap + indexes + TOAST.")
    rls_enabled: bool = False
    rls_forced: bool = False
    comment: str | None = None
    columns: list[Column] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    indexes: list[Index] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list, description="Rewrite rules (CREATE RULE) by name.")
    stats: TableStats = Field(default_factory=TableStats)
    mysql: MySQLTable | None = None

    model_config = {"populate_by_name": True}

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"

    @property
    def estimated_rows(self) -> int:
        """reltuples when the table was ever analyzed/vacuumed, else the live-tuple counter."""
        if self.reltuples >= 0:
            return int(self.reltuples)
        return self.stats.live_tuples

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def primary_key(self) -> Constraint | None:
        return next((c for c in self.constraints if c.kind == "primary_key"), None)

    @property
    def foreign_keys(self) -> list[Constraint]:
        return [c for c in self.constraints if c.kind == "foreign_key"]


class View(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    materialized: bool = False
    definition: str = ""
    depends_on: list[str] = Field(default_factory=list, description="Qualified relations it reads.")
    columns: list[str] = Field(default_factory=list)
    size_bytes: int = 0
    comment: str | None = None

    model_config = {"populate_by_name": True}

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"


class Sequence(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 2**63 - 1
    cycle: bool = False
    last_value: int | None = None
    owned_by: str | None = Field(default=None, description="table.column that owns it.")

    model_config = {"populate_by_name": True}

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"

    @property
    def percent_used(self) -> float | None:
        if self.last_value is None:
            return None
        span = self.max_value - self.min_value
        return 100.0 * (self.last_value - self.min_value) / span if span > 0 else None


class EnumType(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    labels: list[str]

    model_config = {"populate_by_name": True}


class Domain(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    base_type: str
    not_null: bool = False
    default: str | None = None
    checks: list[str] = Field(default_factory=list)

    model_config = {"populate_by_name": True}


class Function(BaseModel):
    schema_name: str = Field(alias="schema")
    name: str
    arguments: str = ""
    returns: str = ""
    language: str = ""
    kind: Literal["function", "procedure", "aggregate", "window"] = "function"
    volatility: Literal["immutable", "stable", "volatile"] = "volatile"
    security_definer: bool = False
    config: list[str] = Field(default_factory=list, description="proconfig, e.g. search_path=pg_catalog.")

    model_config = {"populate_by_name": True}


class Extension(BaseModel):
    name: str
    version: str
    schema_name: str = Field(alias="schema")

    model_config = {"populate_by_name": True}


class SchemaSnapshot(BaseModel):
    """Everything dbarchitect knows about one database's user objects at one moment."""

    database: str = ""
    server_version: str = ""
    server_version_num: int = 0
    encoding: str = ""
    collation: str = Field(default="", description="pg_database.datcollate: the default collation of text.")
    taken_at: str = ""
    stats_reset: str | None = Field(default=None, description="When pg_stat_database counters were reset.")
    schemas: list[str] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    views: list[View] = Field(default_factory=list)
    sequences: list[Sequence] = Field(default_factory=list)
    enums: list[EnumType] = Field(default_factory=list)
    domains: list[Domain] = Field(default_factory=list)
    functions: list[Function] = Field(default_factory=list)
    extensions: list[Extension] = Field(default_factory=list)
    mysql: MySQLDatabaseFacts | None = None

    def table(self, name: str) -> Table | None:
        """Find a table by `schema.name` or by bare name (first match in `public`, then any schema)."""
        if "." in name:
            schema, _, bare = name.partition(".")
            return next((t for t in self.tables if t.schema_name == schema and t.name == bare), None)
        matches = [t for t in self.tables if t.name == name]
        return next((t for t in matches if t.schema_name == "public"), matches[0] if matches else None)

    def referencing(self, table: Table) -> list[tuple[Table, Constraint]]:
        """Foreign keys in any table that point at `table`."""
        out = []
        for t in self.tables:
            for fk in t.foreign_keys:
                if fk.references and fk.references.table == table.qualified:
                    out.append((t, fk))
        return out
