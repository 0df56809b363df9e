"""What review_health reads from the server, as plain data: live/postgres/health.py fills it from the
catalog and statistics views; the health rules (core/rules/health) judge it. No I/O here."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Unchecked(BaseModel):
    """A check that could not run, why, and what enables it."""

    check: str
    reason: str
    grant: str | None = Field(default=None, description="The statement that makes the check possible.")


class Setting(BaseModel):
    name: str
    value: str
    unit: str | None = None
    source: str = "default"
    context: str = Field(default="user", description="pg_settings.context: postmaster = restart, sighup = reload.")

    @property
    def number(self) -> float:
        try:
            return float(self.value)
        except ValueError:
            return 0.0


class DatabaseAge(BaseModel):
    name: str
    xid_age: int
    mxid_age: int = 0


class TableHealth(BaseModel):
    schema_name: str
    name: str
    xid_age: int = 0
    mxid_age: int = 0
    reltuples: float = -1
    pages: int = 0
    size_bytes: int = 0
    live: int = 0
    dead: int = 0
    mod_since_analyze: int = 0
    inserted_since_vacuum: int = 0
    last_vacuum: str | None = Field(default=None, description="Latest of manual and auto vacuum, ISO time.")
    last_analyze: str | None = Field(default=None, description="Latest of manual and auto analyze, ISO time.")
    autovacuum_enabled: bool = True
    options: dict[str, str] = Field(default_factory=dict, description="reloptions.")
    row_width: float | None = Field(default=None, description="Sum of pg_stats.avg_width, when analyzed.")
    fillfactor: int = 100

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"


class SequenceUse(BaseModel):
    schema_name: str
    name: str
    data_type: str
    last_value: int | None = None
    max_value: int
    increment: int = 1
    column: str | None = Field(default=None, description="schema.table.column the sequence feeds, if owned.")
    column_type: str | None = None
    identity: bool = False
    table_rows: float | None = None
    table_bytes: int | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"


class Session(BaseModel):
    pid: int
    user: str | None = None
    application: str | None = None
    database: str | None = None
    state: str | None = None
    query: str | None = None
    xact_age_s: float | None = None
    query_age_s: float | None = None
    state_age_s: float | None = None
    wait_event_type: str | None = None
    wait_event: str | None = None
    blocked_by: list[int] = Field(default_factory=list)
    backend_type: str = "client backend"


class Slot(BaseModel):
    name: str
    slot_type: str
    active: bool
    database: str | None = None
    retained_bytes: int | None = None
    wal_status: str | None = None


class Replica(BaseModel):
    application: str | None = None
    client: str | None = None
    state: str | None = None
    replay_lag_s: float | None = None
    lag_bytes: int | None = None


class HealthFacts(BaseModel):
    database: str
    version_num: int = 150000
    settings: dict[str, Setting] = Field(default_factory=dict)
    databases: list[DatabaseAge] = Field(default_factory=list)
    tables: list[TableHealth] = Field(default_factory=list)
    sequences: list[SequenceUse] = Field(default_factory=list)
    sessions: list[Session] | None = Field(default=None, description="None when pg_stat_activity could not be read.")
    own_pid: int | None = None
    connections: int | None = None
    slots: list[Slot] | None = None
    replicas: list[Replica] | None = None
    blks_hit: int | None = None
    blks_read: int | None = None
    temp_files: int | None = None
    temp_bytes: int | None = None
    stats_reset: str | None = None
    stats_age_s: float | None = None
    checkpoints_timed: int | None = None
    checkpoints_req: int | None = None
    unchecked: list[Unchecked] = Field(default_factory=list)

    def setting(self, name: str) -> Setting | None:
        return self.settings.get(name)

    def number(self, name: str, default: float = 0.0) -> float:
        s = self.settings.get(name)
        return s.number if s else default
