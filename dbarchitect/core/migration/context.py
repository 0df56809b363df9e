"""Catalog facts that turn a rule-based guess into a prediction for *this* database.

`LintContext()` (empty) is the offline mode: every prediction that depends on the catalog records
the assumption it made. `dbarchitect.live.postgres.lint_context.build_lint_context` fills it from a
live server for the relations a migration touches.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Volatility = Literal["immutable", "stable", "volatile"]
RelKind = Literal["table", "partitioned_table", "materialized_view", "view", "foreign_table"]


class ColumnFacts(BaseModel):
    name: str
    type: str = Field(description="format_type() text, e.g. character varying(50).")
    type_name: str = Field(description="pg_type.typname of the base type, e.g. varchar, int4, _int4.")
    typmod: int = Field(default=-1, description="pg_attribute.atttypmod.")
    not_null: bool = False
    proven_not_null: bool = Field(
        default=False, description="A validated CHECK (col IS NOT NULL) exists, so SET NOT NULL skips the scan."
    )
    has_default: bool = False
    views: list[str] = Field(default_factory=list, description="Views/materialized views using the column.")
    referenced_by: list[str] = Field(
        default_factory=list, description="Tables whose foreign key references this column (its confkey)."
    )


class ConstraintFacts(BaseModel):
    name: str
    kind: Literal["primary_key", "foreign_key", "unique", "check", "exclude", "trigger", "not_null"]
    columns: list[str] = Field(default_factory=list)
    validated: bool = True
    definition: str = ""
    references: str | None = Field(default=None, description="Referenced table of a foreign key.")
    index: str | None = Field(default=None, description="Backing index, schema.name.")


class IndexFacts(BaseModel):
    name: str = Field(description="Qualified index name.")
    columns: list[str | None] = Field(default_factory=list, description="Key columns; None for expressions.")
    unique: bool = False
    primary: bool = False
    valid: bool = True
    constraint: str | None = None
    size_bytes: int = 0


class RelationFacts(BaseModel):
    name: str = Field(description="Qualified name schema.relname.")
    kind: RelKind = "table"
    size_bytes: int = Field(default=0, description="Heap bytes.")
    total_bytes: int = Field(default=0, description="Heap + indexes + TOAST.")
    rows: int = Field(default=-1, description="Estimated rows (reltuples, else n_live_tup); -1 unknown.")
    writes: int = Field(default=0, description="Rows inserted + updated + deleted since statistics reset.")
    writes_per_second: float | None = Field(
        default=None, description="writes divided by the time since the statistics reset, when known."
    )
    seq_scans: int = 0
    idx_scans: int = 0
    partition_parent: str | None = None
    access_method: str | None = Field(default=None, description="Table access method (pg_am.amname), e.g. heap.")
    unlogged: bool = False
    default_partition: str | None = Field(default=None, description="A partitioned table's DEFAULT partition.")
    partition_key: str | None = Field(default=None, description="pg_get_partkeydef(), e.g. RANGE (ts).")
    partition_bounds: dict[str, str] = Field(
        default_factory=dict, description="A partitioned table's partitions -> bound, FOR VALUES FROM (...) TO (...)."
    )
    columns: dict[str, ColumnFacts] = Field(default_factory=dict)
    constraints: list[ConstraintFacts] = Field(default_factory=list)
    indexes: list[IndexFacts] = Field(default_factory=list)
    dependent_views: list[str] = Field(default_factory=list, description="Views reading this relation.")
    referenced_by: list[str] = Field(default_factory=list, description="Tables with a foreign key to this one.")
    triggers: list[str] = Field(default_factory=list)
    base_relations: dict[str, RelKind] = Field(
        default_factory=dict,
        description="Views and materialized views: qualified relation -> kind of every user relation the stored "
        "query reads (pg_depend of its pg_rewrite rule), views expanded to what they read and partitioned "
        "tables to their partitions. Complete for every view and materialized view in the context.",
    )

    def constraint(self, name: str) -> ConstraintFacts | None:
        return next((c for c in self.constraints if c.name == name), None)


class DataProbe(BaseModel):
    """A read-only look at the rows one statement will meet (core/migration/probes.py)."""

    statement: int = Field(description="1-based statement number.")
    table: str
    kind: Literal["duplicates", "orphans", "check", "not_null", "domain", "conversion", "existing_keys", "overlap",
                  "bounds"]
    what: str = Field(description="What was counted, in words.")
    status: Literal["violations", "clean", "cut_short", "error"]
    violations: int | None = Field(default=None, description="Duplicate keys or violating rows found.")
    sample: str | None = Field(default=None, description="One violating key (primary key, else ctid).")
    detail: str = Field(default="", description="The probe's query, or why it stopped.")
    elapsed_ms: float = 0.0


class CatalogNames(BaseModel):
    """Objects other than relations that the migration names, looked up by name on the live server (empty
    offline: `checked` False). A name created earlier in the same migration is the rule's business."""

    checked: bool = False
    types: dict[str, bool] = Field(default_factory=dict, description="Type as written -> it exists (to_regtype).")
    schemas: dict[str, bool] = Field(default_factory=dict)
    roles: dict[str, bool] = Field(default_factory=dict)
    extensions: dict[str, Literal["installed", "available", "missing"]] = Field(default_factory=dict)
    opclasses: dict[str, bool] = Field(default_factory=dict, description="Operator class name -> it exists.")
    default_opclasses: list[tuple[str, str]] = Field(
        default_factory=list, description="(access method, input typname) of default operator classes.")
    assignment_casts: list[tuple[str, str]] = Field(
        default_factory=list, description="(source, target) typnames with an implicit or assignment cast.")
    type_categories: dict[str, str] = Field(default_factory=dict, description="typname -> pg_type.typcategory.")
    domain_columns: dict[str, list[str]] = Field(
        default_factory=dict, description="Qualified domain -> table.column of every column of that type.")
    tablespaces: dict[str, str] = Field(default_factory=dict, description="Relation -> its tablespace.")


class LintContext(BaseModel):
    """What the catalog says about the objects a migration touches. Empty means offline."""

    server_version_num: int | None = Field(default=None, description="e.g. 150018; None offline.")
    default_schema: str = Field(default="public", description="First schema of the search_path.")
    timezone: str | None = Field(default=None, description="Session TimeZone of the migration runner.")
    session_lock_timeout: bool = Field(
        default=False, description="lock_timeout is already set for the session (role or database setting).")
    relations: dict[str, RelationFacts] = Field(default_factory=dict)
    index_tables: dict[str, str] = Field(
        default_factory=dict, description="Qualified index name -> qualified table name."
    )
    functions: dict[str, Volatility] = Field(
        default_factory=dict,
        description="Function name (bare and schema-qualified) -> volatility; overloads merged to the "
        "most volatile.",
    )
    binary_coercible: list[tuple[str, str]] = Field(
        default_factory=list, description="(source typname, target typname) pairs of pg_cast castmethod 'b'."
    )
    domains_with_constraints: list[str] = Field(default_factory=list, description="Qualified domain names.")
    enums: dict[str, list[str]] = Field(default_factory=dict, description="Qualified enum -> labels.")
    probes: list[DataProbe] = Field(
        default_factory=list, description="Existing rows checked for data-dependent failures (live only)."
    )
    unprobed: dict[int, str] = Field(
        default_factory=dict, description="Statements whose data-dependent outcome was not checked, and why."
    )
    names: CatalogNames = Field(default_factory=CatalogNames)
    known_missing: list[str] = Field(
        default_factory=list,
        description="Relations the migration names that the catalog does not have (created elsewhere).",
    )

    @property
    def online(self) -> bool:
        return self.server_version_num is not None

    @property
    def pg_major(self) -> int | None:
        return self.server_version_num // 10000 if self.server_version_num else None

    def relation(self, name: str | None) -> RelationFacts | None:
        return self.relations.get(name) if name else None
