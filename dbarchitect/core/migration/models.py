"""What the migration lint predicts, per statement, and the report it returns.

The prediction model is shared with the dry run (`dbarchitect.live.postgres.dryrun`), which observes
the same quantities on a shadow database and compares them field by field:

- `locks`:    relation -> strongest lock mode PostgreSQL takes on it during the statement, for every
              relation that existed *before the migration started*. Keys are qualified `schema.name`
              (an unqualified name resolves to the first schema of the search path, `public` unless
              the context says otherwise). Relations are tables, partitioned tables, materialized
              views, views and foreign tables -- not indexes, sequences or TOAST tables, whose locks
              follow their table's. Values are the lock mode names of `pg_locks.mode`
              ("AccessExclusiveLock", "ShareLock", ...), see `LOCK_MODES`.
- `rewrites`: tables/materialized views whose heap gets a new relfilenode (a rewrite rebuilds every
              index of the table as well).
- `index_rewrites`: tables whose indexes get new relfilenodes without the heap being rewritten
              (REINDEX).
- `scans`:    pre-existing tables read in full by the statement (validation, index build, backfill).
- `transactional`: False when PostgreSQL refuses to run the statement inside a transaction block
              (CREATE INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.models import Finding, Severity, severity_counts

# Table-level lock modes, weakest first (the order of the PostgreSQL documentation, "Table-Level Locks").
LOCK_MODES: tuple[str, ...] = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
LOCK_RANK: dict[str, int] = {mode: rank for rank, mode in enumerate(LOCK_MODES)}

# The SQL spelling of each mode, as used in messages and in `LOCK TABLE ... IN <mode> MODE`.
LOCK_SQL_NAME: dict[str, str] = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}

# Which modes conflict with which (PostgreSQL documentation, table 13.2).
_CONFLICTS: dict[str, frozenset[str]] = {
    "AccessShareLock": frozenset({"AccessExclusiveLock"}),
    "RowShareLock": frozenset({"ExclusiveLock", "AccessExclusiveLock"}),
    "RowExclusiveLock": frozenset(
        {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
    ),
    "ShareUpdateExclusiveLock": frozenset(
        {
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ShareLock": frozenset(
        {
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ShareRowExclusiveLock": frozenset(
        {
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ExclusiveLock": frozenset(LOCK_MODES[1:]),
    "AccessExclusiveLock": frozenset(LOCK_MODES),
}


def stronger_lock(a: str | None, b: str | None) -> str | None:
    """The stronger of two lock modes (None means no lock)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if LOCK_RANK[a] >= LOCK_RANK[b] else b


def lock_conflicts(held: str, requested: str) -> bool:
    """True when a lock `requested` by another session must wait for `held`."""
    return requested in _CONFLICTS[held]


def lock_blocks(mode: str) -> str:
    """Who waits while `mode` is held, in words: what the application notices."""
    blocks_reads = lock_conflicts(mode, "AccessShareLock")
    blocks_writes = lock_conflicts(mode, "RowExclusiveLock")
    if blocks_reads:
        return "reads and writes wait"
    if blocks_writes:
        return "writes wait (reads continue)"
    if lock_conflicts(mode, "ShareUpdateExclusiveLock"):
        return "other DDL, VACUUM and ANALYZE wait (reads and writes continue)"
    return "only conflicting DDL waits"


class StatementPrediction(BaseModel):
    """What one statement of a migration does to the relations that existed before it ran."""

    index: int = Field(description="1-based statement number in the migration.")
    line: int = Field(description="1-based line where the statement starts.")
    sql: str = Field(description="The statement's text, as written.")
    kind: str = Field(
        description="Statement kind: the pglast node name, with the sub-command for ALTER TABLE, "
        "e.g. 'AlterTableStmt:AT_AddColumn', 'IndexStmt', 'TransactionStmt:BEGIN'."
    )
    locks: dict[str, str] = Field(
        default_factory=dict,
        description="Pre-existing relation (schema.name) -> strongest lock mode (pg_locks.mode names).",
    )
    rewrites: list[str] = Field(default_factory=list, description="Relations whose heap is rewritten.")
    index_rewrites: list[str] = Field(
        default_factory=list, description="Tables whose indexes are rebuilt without a heap rewrite."
    )
    scans: list[str] = Field(default_factory=list, description="Pre-existing tables read in full.")
    transactional: bool = Field(
        default=True, description="False when the statement cannot run inside a transaction block."
    )
    in_transaction: bool = Field(
        default=False,
        description="Whether the lint believes the statement runs inside a transaction block "
        "(explicit BEGIN, or the runner's transaction).",
    )
    creates: list[str] = Field(default_factory=list, description="Relations this statement creates.")
    data_loss: list[str] = Field(
        default_factory=list, description="Objects whose data is destroyed (schema.table or table.column)."
    )
    breaks_running_code: list[str] = Field(
        default_factory=list,
        description="Objects whose name, type or nullability changes under a running application.",
    )
    assumptions: list[str] = Field(
        default_factory=list,
        description="Facts the prediction had to assume because the catalog was not available.",
    )
    ignored: list[str] = Field(
        default_factory=list, description="Rules silenced by '-- dbarchitect:ignore <rule>'."
    )

    @property
    def strongest_lock(self) -> str | None:
        best: str | None = None
        for mode in self.locks.values():
            best = stronger_lock(best, mode)
        return best


class MigrationReport(BaseModel):
    """The result of `lint_migration`: per-statement predictions and the findings of every rule."""

    statements: list[StatementPrediction] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    pg_version: int | None = Field(description="Major PostgreSQL version the predictions are for (null on MySQL).")
    assume_in_transaction: bool = Field(
        description="Whether the migration runner wraps the file in one transaction."
    )
    runner: Literal["transaction", "autocommit"] = Field(
        default="transaction",
        description="The runner model every prediction and finding assumed: 'transaction' (the runner wraps "
        "the file) or 'autocommit' (statement by statement; the file's own BEGIN … COMMIT blocks only).",
    )
    runner_reason: str = Field(default="", description="Why the lint assumed that runner model.")
    catalog: bool = Field(default=False, description="True when a live catalog informed the predictions.")
    source: str | None = Field(default=None, description="File name, when linting a file.")
    parse_error: str | None = Field(default=None, description="Syntax error, when the SQL does not parse.")
    unsupported_syntax: list[str] = Field(
        default_factory=list, description="Syntax the target's PostgreSQL version does not have (MERGE on 14...)."
    )

    @property
    def max_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    @property
    def has_errors(self) -> bool:
        return (self.parse_error is not None or bool(self.unsupported_syntax)
                or any(f.severity == Severity.error for f in self.findings))

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)
