"""What a migration rule sees (`Statement`, `Migration`) and the helpers rules share to word findings.

A migration rule module defines `check(stmt: Statement, mig: Migration) -> Iterable[Finding]` and may
set `OPS = {OpKind...}` (see core/migration/ops.py) so the engine only calls it for statements that contain
such an op; discovery refuses a kind the analyzer never emits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dbarchitect.core.sql.ident import quote_ident
from dbarchitect.core.migration.ops import Op, OpKind
from dbarchitect.core.migration.context import LintContext, RelationFacts
from dbarchitect.core.migration.runner import Runner
from dbarchitect.core.migration.models import LOCK_SQL_NAME, StatementPrediction, lock_blocks
from dbarchitect.core.models import Evidence, Finding, Severity
from dbarchitect.core.rulebook import RuleMeta


@dataclass
class Statement:
    index: int
    line: int
    sql: str
    node: object
    ops: list[Op]
    prediction: StatementPrediction
    ignores: frozenset[str]
    tx: int  # transaction block id, 0 when autocommit
    explicit_tx: bool  # inside BEGIN ... COMMIT written in the file
    lock_timeout: bool  # lock_timeout set earlier in the session
    timezone: str | None

    @property
    def in_transaction(self) -> bool:
        return self.tx != 0

    def ops_of(self, *kinds: OpKind) -> list[Op]:
        return [o for o in self.ops if o.kind in kinds]

    @property
    def kinds(self) -> set[OpKind]:
        return {o.kind for o in self.ops}


@dataclass
class Migration:
    ctx: LintContext
    pg_version: int
    assume_in_transaction: bool
    runner: Runner | None = None  # the runner model the lint assumed (core/migration/runner.py)
    statements: list[Statement] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    created_indexes: dict[str, str] = field(default_factory=dict)
    added_columns: dict[tuple[str, str], int] = field(default_factory=dict)
    open_at_end: bool = False
    memo: dict[str, dict] = field(default_factory=dict)

    def preexisting(self, rel: str | None, stmt: Statement) -> bool:
        """Did `rel` exist before the migration (not created by an earlier statement of the file)?"""
        if rel is None:
            return False
        at = self.created.get(rel)
        return at is None or at >= stmt.index

    def column_added_before(self, table: str | None, column: str | None, stmt: Statement) -> bool:
        """Was `table.column` added by an earlier statement of this migration?"""
        at = self.added_columns.get((table, column))
        return at is not None and at < stmt.index

    def facts(self, rel: str | None) -> RelationFacts | None:
        return self.ctx.relation(rel)

    def later(self, stmt: Statement) -> Iterable[Statement]:
        return self.statements[stmt.index:]

    def scratch(self, rule: RuleMeta) -> dict:
        return self.memo.setdefault(rule.name, {})


# ---------------------------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------------------------


from dbarchitect.core.units import human_bytes, human_count  # noqa: E402 - the shared wording


def short(rel: str | None, ctx: LintContext) -> str:
    """`public.orders` -> `orders` when in the default schema."""
    if rel is None:
        return "?"
    schema, _, name = rel.partition(".")
    return name if schema == ctx.default_schema and name else rel


def describe(mig: Migration, rel: str | None) -> str:
    """`orders (12 GB, ≈40 M rows, ≈25 writes/s)` with the catalog, `orders` without."""
    name = short(rel, mig.ctx)
    f = mig.facts(rel)
    if f is None:
        return name
    parts = []
    if f.total_bytes or f.size_bytes:
        parts.append(human_bytes(f.total_bytes or f.size_bytes))
    if f.rows >= 0:
        parts.append(f"≈{human_count(f.rows)} rows")
    if f.writes_per_second:
        rate = f.writes_per_second
        parts.append(f"≈{rate:.0f} writes/s" if rate >= 1 else f"≈{rate * 60:.0f} writes/min")
    return f"{name} ({', '.join(parts)})" if parts else name


def lock_words(mode: str) -> str:
    """`ACCESS EXCLUSIVE (reads and writes wait)`."""
    return f"{LOCK_SQL_NAME[mode]} ({lock_blocks(mode)})"


def catalog_evidence(mig: Migration, rel: str | None) -> list[Evidence]:
    f = mig.facts(rel)
    if f is None:
        return []
    return [
        Evidence(
            kind="catalog",
            detail=f"{rel}: {human_bytes(f.total_bytes)} with indexes, ≈{human_count(max(f.rows, 0))} rows, "
            f"{f.writes} writes since the statistics reset",
            data={"relation": rel, "total_bytes": f.total_bytes, "size_bytes": f.size_bytes, "rows": f.rows,
                  "writes": f.writes, "writes_per_second": f.writes_per_second},
        )
    ]


def static_evidence(stmt: Statement, mig: Migration, what: str) -> Evidence:
    p = stmt.prediction
    return Evidence(
        kind="static",
        detail=what,
        data={"pg_version": mig.pg_version, "locks": dict(p.locks), "rewrites": list(p.rewrites),
              "scans": list(p.scans), "transactional": p.transactional, "in_transaction": stmt.in_transaction},
    )


def finding(
    rule: RuleMeta,
    stmt: Statement,
    mig: Migration,
    *,
    message: str,
    fix: str | None,
    obj: str | None = None,
    why: str | None = None,
    severity: Severity | None = None,
    evidence: list[Evidence] | None = None,
) -> Finding:
    """`rule.finding` for `stmt` (its number and line), with static evidence (`why`) and the catalog facts of
    `obj` ahead of the rule's own `evidence`."""
    ev = [static_evidence(stmt, mig, why or rule.summary), *catalog_evidence(mig, obj), *(evidence or ())]
    return rule.finding(message=message, fix=fix, evidence=ev, obj=obj, severity=severity, statement=stmt.index,
                        line=stmt.line)


def ident(name: str | None) -> str:
    """Quote an identifier only when PostgreSQL would need it ("?" when unknown)."""
    return quote_ident(name) if name else "?"


def sql_rel(rel: str | None, ctx: LintContext) -> str:
    if rel is None:
        return "?"
    schema, _, name = rel.partition(".")
    return ident(name) if schema == ctx.default_schema else f"{ident(schema)}.{ident(name)}"


LOCK_TIMEOUT_SQL = "SET lock_timeout = '3s';  -- fail fast instead of queueing every query behind this lock"
