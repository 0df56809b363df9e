"""What the catalog and the server say about the tables a MySQL/MariaDB migration touches.

`MyLintContext()` (empty) is offline: the lint then assumes `DEFAULT_SERVER` and records what it had
to assume. `dbarchitect.live.mysql.lint_context` fills it from a live server: the tables as the
snapshot models (`core.models.Table`: columns with COLUMN_TYPE and character set, indexes with their
type, foreign keys, engine, row format, InnoDB's row and size estimates), the session settings a
migration runner starts with, the transactions open right now, and read-only probes of the rows.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.models import Table


class MyProbe(BaseModel):
    """A bounded read-only look at the rows one statement will meet."""

    statement: int
    table: str
    kind: Literal["duplicates", "nulls", "orphans", "too_long", "out_of_range", "members"]
    column: str | None = None
    what: str = Field(description="What was counted, in words.")
    status: Literal["violations", "clean", "cut_short", "error"]
    violations: int | None = None
    sample: str | None = Field(default=None, description="One violating value or key.")
    detail: str = Field(default="", description="The probe's query, or why it stopped.")
    elapsed_ms: float = 0.0


class OpenTransaction(BaseModel):
    id: str
    seconds: int
    state: str = ""
    tables_locked: int = 0


class MyLintContext(BaseModel):
    server: str | None = Field(default=None, description="e.g. 'MariaDB 10.11.6'; None offline.")
    database: str = Field(default="", description="The connection's database: unqualified names resolve here.")
    sql_mode: str = Field(default="", description="@@GLOBAL.sql_mode: what a migration runner's session starts with.")
    foreign_key_checks: bool = True
    lock_wait_timeout_s: int | None = Field(default=None, description="@@GLOBAL.lock_wait_timeout.")
    open_transactions: list[OpenTransaction] = Field(
        default_factory=list, description="InnoDB transactions open longer than a few seconds (information_schema.innodb_trx)."
    )
    tables: dict[str, Table] = Field(default_factory=dict, description="'db.table' (lower case) -> catalog facts.")
    probes: list[MyProbe] = Field(default_factory=list)
    unprobed: dict[int, str] = Field(default_factory=dict, description="Statements whose rows were not checked, and why.")

    @property
    def online(self) -> bool:
        return self.server is not None

    def table(self, qualified: str) -> Table | None:
        return self.tables.get(qualified.lower())
