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
from dbarchitect.core.migration.probes import probe_note
from dbarchitect.core.migration.runner import Runner, resolve
from dbarchitect.core.migration.versions import explain_parse_error, unsupported_syntax
from dbarchitect.core.models import Evidence, sort_findings
from dbarchitect.core.rulebook import family_modules
from dbarchitect.core.sql.statements import SQLParseError

DEFAULT_PG_VERSION = 17
# rules whose verdict depends on whether the runner wraps the file in a transaction
RUNNER_DEPENDENT = frozenset({
    "validate-in-same-transaction", "non-transactional-in-transaction", "lock-held-across-statements",
    "enum-value-change", "transaction-misuse", "non-idempotent-statement", "unbatched-backfill",
})
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
    assume_in_transaction: bool | None = None,
    runner: str | Runner | None = None,
) -> Migration:
    """Predict every statement of `sql` (parsed here unless already a ParsedMigration; no rules).
    `runner` ("transaction"/"autocommit"; core/migration/runner.py) defaults to what the file says, else a
    transaction; `assume_in_transaction` is its older boolean spelling. Raises SQLParseError."""
    ctx = context or LintContext()
    version = pg_version or ctx.pg_major or DEFAULT_PG_VERSION
    if version not in SUPPORTED_PG_VERSIONS:
        raise ValueError(f"pg_version {version} is not supported (10 to 19)")
    parsed = ParsedMigration.of(sql)
    model = runner if isinstance(runner, Runner) else resolve(parsed, runner, assume_in_transaction)
    state = MigrationState(ctx=ctx, pg_version=version, assume_in_transaction=model.in_transaction)
    analyzer = Analyzer(state)
    mig = Migration(ctx=ctx, pg_version=version, assume_in_transaction=model.in_transaction, runner=model)
    for raw in parsed.require():
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
    assume_in_transaction: bool | None = None,
    source: str | None = None,
    runner: str | None = None,
) -> MigrationReport:
    """Lint a migration: per-statement predictions and the findings of every migration rule.

    `sql` is the text or the ParsedMigration the caller already has (then it is not parsed again).
    `context` carries catalog facts (build it with live.postgres.lint_context.build_lint_context);
    `pg_version` is the target's major version (default: the context's server, else 17);
    `runner` says whether the migration tool wraps the file in one transaction ("transaction", the default
    unless the file has a no-transaction marker or its own BEGIN/COMMIT) or not ("autocommit");
    `assume_in_transaction` is its older boolean spelling. A syntax error is reported in `parse_error` (the report then has no statements).
    """
    ctx = context or LintContext()
    parsed = ParsedMigration.of(sql)
    model = resolve(parsed, runner, assume_in_transaction)
    try:
        mig = analyze(parsed, context=ctx, pg_version=pg_version, runner=model)
    except SQLParseError as exc:
        version = pg_version or ctx.pg_major or DEFAULT_PG_VERSION
        return MigrationReport(
            pg_version=version,
            assume_in_transaction=model.in_transaction, runner=model.kind, runner_reason=model.reason,
            catalog=ctx.online, source=source, parse_error=explain_parse_error(parsed.sql, str(exc), version),
            findings=_rejected(parsed.sql, exc),
        )
    for stmt in mig.statements:
        if note := probe_note(stmt, mig):
            stmt.prediction.assumptions.append(note)
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
    for f in findings:
        if f.rule in RUNNER_DEPENDENT:  # the verdict hangs on the runner model: say which one was assumed
            f.evidence.append(Evidence(kind="static", detail=f"runner model: {model.kind} — {model.reason}",
                                       data={"runner": model.kind}))
    findings = sort_findings(findings, by=("statement", "severity", "code"))
    return MigrationReport(
        statements=[s.prediction for s in mig.statements],
        findings=findings,
        pg_version=mig.pg_version,
        assume_in_transaction=model.in_transaction,
        runner=model.kind,
        runner_reason=model.reason,
        catalog=ctx.online,
        source=source,
        unsupported_syntax=[
            f"statement {st.index} (line {st.line}): {f.name} is PostgreSQL {f.since}+; "
            f"PostgreSQL {mig.pg_version} rejects it"
            for st in parsed.statements for f in unsupported_syntax(st.node, mig.pg_version)
        ],
    )


def _rejected(sql: str, exc: SQLParseError) -> list:
    """PostgreSQL's grammar rejects some well-formed statements outright (`UNIQUE ... NOT VALID`): not a typo but a
    statement that fails by itself, reported as such (rule statement-fails) beside the parse error."""
    if exc.message.startswith("syntax error"):
        return []
    import pglast

    from dbarchitect.core.rules.migration import statement_fails
    from dbarchitect.core.sql.statements import scan

    index = line = None
    for st in scan(sql):  # the statement the grammar refuses
        try:
            pglast.parse_sql(st.sql)
        except Exception:  # noqa: BLE001 - pglast's ParseError
            index, line = st.index, st.line
            break
    return [statement_fails.RULE.finding(
        message=f'Fails: PostgreSQL rejects statement {index or "?"} with "{exc.message}"; the migration stops here.',
        fix="-- " + statement_fails.FIX_BY_MESSAGE.get(exc.message.split(" ", 1)[0], "rewrite it"),
        evidence=[Evidence(kind="static", detail=f"PostgreSQL's grammar: {exc.message}")],
        statement=index, line=line or exc.line)]
