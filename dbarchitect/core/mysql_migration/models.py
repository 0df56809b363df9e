"""lint_migration's report on MySQL/MariaDB: the shared MigrationReport with MySQL's vocabulary.

Each statement's prediction says the online-DDL algorithm (INSTANT / INPLACE / COPY), whether the
table is rebuilt, the LOCK level (NONE / SHARED / EXCLUSIVE) and, with the catalog, an estimated
duration. PostgreSQL's lock-mode map (`locks`) stays empty: MySQL has no such modes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dbarchitect.core.migration.models import MigrationReport, StatementPrediction


class MyStatementPrediction(StatementPrediction):
    algorithm: Literal["INSTANT", "INPLACE", "COPY"] | None = Field(
        default=None, description="How the server runs it (None: not an online-DDL statement)."
    )
    rebuild: bool = Field(default=False, description="The table (clustered index) is rebuilt.")
    lock: Literal["NONE", "SHARED", "EXCLUSIVE"] | None = Field(
        default=None, description="NONE: reads and writes continue; SHARED: writes wait; EXCLUSIVE: all wait."
    )
    clause: str | None = Field(default=None, description="The ALGORITHM=…, LOCK=… clause that pins this behaviour.")
    why: str = ""
    refused: str | None = Field(default=None, description="Why the server refuses the written ALGORITHM/LOCK.")
    operations: list[str] = Field(default_factory=list)
    estimated_seconds: float | None = Field(default=None, description="Copy/rebuild time at the assumed MB/s.")
    implicit_commit: bool = Field(default=False, description="DDL: commits any open transaction; cannot roll back.")
    understood: bool = True


class MySQLMigrationReport(MigrationReport):
    statements: list[MyStatementPrediction] = Field(default_factory=list)  # type: ignore[assignment]
    engine: Literal["mysql"] = "mysql"
    server: str = Field(description="The server the predictions are for, e.g. 'MariaDB 10.11.6'.")
    server_assumed: bool = Field(default=False, description="True when no server was reachable and the version was assumed.")
    not_understood: list[str] = Field(default_factory=list, description="Statements sqlglot could not read (not analysed).")
    notes: list[str] = Field(default_factory=list)
