"""The runner model: does the migration tool wrap the file in one transaction, or run it statement by statement?

One answer for the lint and the dry run, decided in this order:
1. the caller's `runner` argument ("transaction" or "autocommit");
2. a marker comment in the file (the spellings of the common tools, below): autocommit;
3. explicit transaction control in the file (BEGIN/START TRANSACTION/COMMIT at top level): the file
   manages its own transactions, as with `psql -f` (autocommit between its blocks);
4. otherwise a transaction — Rails, Django, Alembic, Flyway, Liquibase, Prisma, Knex and goose all wrap
   each PostgreSQL migration in one unless told not to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RunnerKind = Literal["transaction", "autocommit"]
RUNNERS: tuple[str, ...] = ("transaction", "autocommit")

# Comments that tell a migration tool not to wrap the file in a transaction.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dbarchitect", re.compile(
        r"--\s*dbarchitect\s*:\s*(?:no[-_ ]?transaction|runner\s*[=:]\s*autocommit|autocommit)\b", re.I)),
    ("goose", re.compile(r"--\s*\+goose\s+no\s*transaction\b", re.I)),
    ("dbmate", re.compile(r"--\s*migrate:(?:up|down)\b[^\n]*\btransaction\s*:\s*false\b", re.I)),
    ("atlas", re.compile(r"--\s*atlas:txmode\s+none\b", re.I)),
    ("graphile-migrate", re.compile(r"--!\s*no-transaction\b", re.I)),
    ("squawk/sqitch-style", re.compile(r"--\s*(?:no[-_ ]transaction|notransaction|transaction\s*[:=]\s*false)\b",
                                       re.I)),
    ("golang-migrate/flyway", re.compile(r"--\s*(?:disable[-_ ]ddl[-_ ]transaction|executeInTransaction\s*=\s*false)",
                                         re.I)),
)


@dataclass(frozen=True)
class Runner:
    """How the file runs, and why the lint believes so."""

    kind: RunnerKind
    reason: str

    @property
    def in_transaction(self) -> bool:
        return self.kind == "transaction"

    def words(self) -> str:
        what = ("in one transaction (the runner wraps the file)" if self.in_transaction
                else "statement by statement in autocommit (explicit BEGIN … COMMIT blocks only)")
        return f"runs {what}: {self.reason}"


def marker(sql: str) -> str | None:
    """The no-transaction marker written in `sql`, as found, or None."""
    for _tool, pattern in _MARKERS:
        m = pattern.search(sql)
        if m:
            return m.group(0).strip()
    return None


def _explicit_control(statements) -> int | None:
    for st in statements:
        node = getattr(st, "node", None)
        if type(node).__name__ == "TransactionStmt":
            kind = node.kind.name.removeprefix("TRANS_STMT_")
            if kind in ("BEGIN", "START", "COMMIT", "ROLLBACK"):
                return st.index
    return None


def resolve(parsed, runner: str | None = None, assume_in_transaction: bool | None = None) -> Runner:
    """The runner model for `parsed` (a ParsedMigration). Raises ValueError on an unknown `runner`."""
    if runner is not None:
        if runner not in RUNNERS:
            raise ValueError(f"runner must be 'transaction' or 'autocommit', not {runner!r}")
        return Runner(runner, "as asked (runner argument)")  # type: ignore[arg-type]
    if assume_in_transaction is not None:
        kind: RunnerKind = "transaction" if assume_in_transaction else "autocommit"
        return Runner(kind, "as asked (assume_in_transaction)")
    found = marker(parsed.sql)
    if found:
        return Runner("autocommit", f"the file says so ({found!r})")
    idx = _explicit_control(parsed.statements)
    if idx is not None:
        return Runner("autocommit", f"the file controls its own transactions (statement {idx})")
    return Runner("transaction", "the default: migration runners wrap each file in a transaction; "
                  "say runner='autocommit' or '-- dbarchitect: no-transaction' otherwise")
