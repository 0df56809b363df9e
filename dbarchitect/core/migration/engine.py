"""lint_migration's engine: parse, predict statement by statement, run the MG rules, apply ignores."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from types import ModuleType

from dbarchitect.core.migration.analyze import Analyzer, MigrationState, advance, predict
from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.kit import Migration, Statement
from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.migration.versions import explain_parse_error, unsupported_syntax
from dbarchitect.core.models import sort_findings
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.sql.statements import SQLParseError

DEFAULT_PG_VERSION = 17
SUPPORTED_PG_VERSIONS = range(10, 20)


@lru_cache(maxsize=1)
def _rules() -> tuple[list[ModuleType], dict[OpKind, list[ModuleType]], list[ModuleType]]:
    """Migration rules; indexed by the op kinds they declare (OPS, validated at discovery), plus those that read
    every statement."""
    mods = family_modules("migration")
    by_kind: dict[OpKind, list[ModuleType]] = defaultdict(list)
    always: list[ModuleType] = []
    for mod in mods:
        kinds = getattr(mod, "OPS", None)
        if kinds:
            for k in kinds:
                by_kind[k].append(mod)
        else:
            always.append(mod)
    return mods, dict(by_kind), always


def rules() -> list[ModuleType]:
    return _rules()[0]


def analyze(
    sql: str | ParsedMigration,
    *,
    context: LintContext | None = None,
    pg_version: int | None = None,
    assume_in_transaction: bool = False,
) -> Migration:
    """Predict every statement of `sql` (parsed here unless already a ParsedMigration; no rules).
    Raises SQLParseError."""
    ctx = context or LintContext()
    version = pg_version or ctx.pg_major or DEFAULT_PG_VERSION
    if version not in SUPPORTED_PG_VERSIONS:
        raise ValueError(f"pg_version {version} is not supported (10 to 19)")
    state = MigrationState(ctx=ctx, pg_version=version, assume_in_transaction=assume_in_transaction)
    analyzer = Analyzer(state)
    mig = Migration(ctx=ctx, pg_version=version, assume_in_transaction=assume_in_transaction)
    for raw in ParsedMigration.of(sql).require():
        ops = analyzer.ops(raw.node)
        prediction = predict(raw.index, raw.line, raw.sql, raw.node, ops, state)
        is_tx_stmt = type(raw.node).__name__ == "TransactionStmt"
        # BEGIN itself opens the block; report it as outside, COMMIT as inside.
        tx = state.tx_id if state.in_transaction else 0
        if is_tx_stmt and ops[0].name in ("BEGIN", "START") and not state.in_transaction:
            tx = 0
        prediction.in_transaction = tx != 0
        prediction.ignored = sorted(raw.ignores)
        mig.statements.append(
            Statement(
                index=raw.index, line=raw.line, sql=raw.sql, node=raw.node, ops=ops, prediction=prediction,
                ignores=raw.ignores, tx=tx, explicit_tx=state.tx_open, lock_timeout=state.lock_timeout,
                timezone=state.timezone,
            )
        )
        advance(state, raw.index, ops)
    mig.created = state.created
    mig.created_indexes = state.created_indexes
    mig.added_columns = state.added_columns
    mig.open_at_end = state.tx_open
    return mig


def lint(
    sql: str | ParsedMigration,
    *,
    context: LintContext | None = None,
    pg_version: int | None = None,
    assume_in_transaction: bool = False,
    source: str | None = None,
) -> MigrationReport:
    """Lint a migration: per-statement predictions and the findings of every migration rule.

    `sql` is the text or the ParsedMigration the caller already has (then it is not parsed again).
    `context` carries catalog facts (build it with live.postgres.lint_context.build_lint_context);
    `pg_version` is the target's major version (default: the context's server, else 17);
    `assume_in_transaction` says the runner wraps the whole file in one transaction.
    A syntax error is reported in `parse_error` (the report then has no statements).
    """
    ctx = context or LintContext()
    parsed = ParsedMigration.of(sql)
    try:
        mig = analyze(parsed, context=ctx, pg_version=pg_version, assume_in_transaction=assume_in_transaction)
    except SQLParseError as exc:
        version = pg_version or ctx.pg_major or DEFAULT_PG_VERSION
        return MigrationReport(
            pg_version=version,
            assume_in_transaction=assume_in_transaction, catalog=ctx.online, source=source,
            parse_error=explain_parse_error(parsed.sql, str(exc), version),
        )
    _, by_kind, always = _rules()
    findings = []
    for stmt in mig.statements:
        todo: list[ModuleType] = list(always)
        seen = {id(m) for m in todo}
        for op in stmt.ops:
            for mod in by_kind.get(op.kind, ()):
                if id(mod) not in seen:
                    seen.add(id(mod))
                    todo.append(mod)
        for mod in todo:
            meta = mod.RULE
            if stmt.ignores and ("all" in stmt.ignores or meta.name in stmt.ignores
                                 or meta.code.lower() in stmt.ignores):
                continue
            findings.extend(mod.check(stmt, mig))
    findings = sort_findings(findings, by=("statement", "severity", "code"))
    return MigrationReport(
        statements=[s.prediction for s in mig.statements],
        findings=findings,
        pg_version=mig.pg_version,
        assume_in_transaction=assume_in_transaction,
        catalog=ctx.online,
        source=source,
        unsupported_syntax=[
            f"statement {st.index} (line {st.line}): {f.name} is PostgreSQL {f.since}+; "
            f"PostgreSQL {mig.pg_version} rejects it"
            for st in parsed.statements for f in unsupported_syntax(st.node, mig.pg_version)
        ],
    )
