"""Migration tools: lint_migration (predicted from rules and the catalog), dry_run_migration
(observed on a shadow), draft_migration (a verified plan from a desired schema)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

import anyio

from pydantic import Field

from dbarchitect.app import SCRATCH_TIMEOUT_FACTOR, App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.diff.models import DraftReport
from dbarchitect.core.migration.dryrun_models import DryRunReport
from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.sql.statements import blank
from dbarchitect.live.engine import Engine
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.offload import cpu

T = TypeVar("T")


async def lint_migration(
    app: App,
    sql: Annotated[str, Field(description="The migration: one or more SQL statements.")],
    pg_version: Annotated[
        int | None, Field(ge=10, le=19, description="Target major version; the connected server's by default.")
    ] = None,
    runner: Annotated[
        Literal["transaction", "autocommit"] | None,
        Field(description="How the file runs; default: one transaction unless it has BEGIN/COMMIT or a "
              "no-transaction marker."),
    ] = None,
    offline: Annotated[bool, Field(description="Do not read the catalog; rules only.")] = False,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> MigrationReport:
    """Predict what a migration does without running it: per statement the lock on each table,
    rewrites, scans, transaction safety, data loss, rows that would make it fail (rules MG001…),
    sized from the catalog. `-- dbarchitect:ignore <rule>` silences a rule.

    Use it first on any migration (nothing runs); then dry_run_migration to observe it,
    draft_migration to write the safe version.

    Returns hazards with the safe sequence as SQL."""
    if app.engine(connection) is Engine.mysql:  # MySQL/MariaDB: the engine's own lint (online-DDL algorithms)
        if pg_version is not None:
            raise UserInputError("pg_version is for PostgreSQL; on MySQL/MariaDB the connected server's version is used.")
        linter = app.feature("lint_context", tool="lint_migration", connection=connection)
        return await linter.lint(sql, offline=offline, connection_given=connection is not None)
    parsed = await cpu(ParsedMigration.of, sql)
    report = await _lint(app, parsed, pg_version, runner, offline, connection)
    if report.parse_error:
        at = parsed.error.position if parsed.error is not None else None
        where = f" (at character {at + 1})" if at is not None else ""
        raise UnreadMigration(report, f"The migration was not linted: {report.parse_error}{where}")
    if not report.statements:
        raise UnreadMigration(report, no_statement("sql", "nothing was linted"))
    return report


class UnreadMigration(UserInputError):
    """lint_migration's input could not be read (a syntax error, or no statement at all): an error for
    an MCP client, while the command line still prints the report (a CI linter's syntax-error finding)."""

    def __init__(self, report: MigrationReport, message: str):
        super().__init__(message)
        self.report = report


def no_statement(argument: str, consequence: str) -> str:
    return f"`{argument}` holds no SQL statement (only whitespace or comments): {consequence}."


def require_statements(text: str | None, argument: str, consequence: str) -> None:
    """UserInputError when `text` is given but holds no statement (a blank input is not a clean bill)."""
    if text is not None and blank(text):
        raise UserInputError(no_statement(argument, consequence))


async def _lint(app: App, sql: ParsedMigration, pg_version: int | None, runner: str | None,
                offline: bool, connection: str | None) -> MigrationReport:
    """The lint of a migration parsed once: the same object feeds the lint context and the lint."""
    context = None
    if not offline:
        try:
            linter = app.feature("lint_context", tool="lint_migration", connection=connection)
            context = await linter.lint_context(sql)
        except DatabaseError:
            if connection is not None:
                raise
            context = None  # no reachable default database: lint from the rules alone
    try:
        return await cpu(lint, sql, context=context, pg_version=pg_version, runner=runner)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None


async def dry_run_migration(
    app: App,
    sql: Annotated[str, Field(description="The migration to try.")],
    down_sql: Annotated[
        str | None, Field(description="Its down migration: applied after `sql`, then the schema is compared.")
    ] = None,
    runner: Annotated[
        Literal["transaction", "autocommit"] | None,
        Field(description="As lint_migration's; it stops where that runner would stop."),
    ] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> DryRunReport:
    """Run a migration on a throwaway shadow of the schema (scratch database, synthetic rows) and observe
    per statement the locks, rewrites, scans and errors; with `down_sql`, whether the schema round-trips.

    Use it after lint_migration, to confirm with PostgreSQL itself; the target is only read.

    Returns each observation beside the lint's prediction, disagreements flagged."""
    require_statements(sql, "sql", "nothing was run")
    db = app.db(connection, tool="dry_run_migration")
    run_dry = db.feature("dry_run", tool="dry_run_migration").dry_run
    if db.engine is Engine.mysql:  # MySQL/MariaDB: a scratch database on the same server
        prediction = await db.feature("lint_context", tool="dry_run_migration").lint(sql)
        return await run_dry(sql, down_sql=down_sql, scratch=None, prediction=prediction, assume_in_transaction=False,
                             statement_timeout_s=db.limits.statement_timeout_ms / 1000 * SCRATCH_TIMEOUT_FACTOR, progress=_progress(ctx))
    parsed = await cpu(ParsedMigration.of, sql)  # parsed once: the lint, its context and the dry run number the same statements
    prediction = await _lint(app, parsed, None, runner, False, connection)
    scratch = await app.scratch_admin_dsn(connection, prefer_same_server=True, tool="dry_run_migration")
    if scratch is None:
        raise UserInputError(
            "No place for the shadow database: the role may not CREATE DATABASE here, no --scratch-dsn is "
            "configured, and the embedded local PostgreSQL is off. Set DBARCHITECT_SCRATCH_DSN (or "
            "DBARCHITECT_EMBEDDED_SCRATCH=1 to let dbarchitect start its embedded PostgreSQL)."
        )
    return await run_dry(
        parsed,
        down_sql=down_sql,
        scratch=None if scratch == db.dsn else scratch,
        prediction=prediction,
        assume_in_transaction=prediction.assume_in_transaction,  # the lint's runner model, resolved once
        statement_timeout_s=db.limits.statement_timeout_ms / 1000 * SCRATCH_TIMEOUT_FACTOR,
        progress=_progress(ctx),
    )


async def draft_migration(
    app: App,
    target_ddl: Annotated[
        str,
        Field(description="The schema you want, as CREATE statements."),
    ],
    from_ddl: Annotated[
        str | None, Field(description="The current schema as DDL, instead of the connected database.")
    ] = None,
    renames: Annotated[
        dict[str, str] | None,
        Field(description='Renames, not drop+add: {"users.name": "full_name"}.'),
    ] = None,
    allow_data_loss: Annotated[bool, Field(description="Allow drops that lose data (listed as hazards).")] = False,
    online: Annotated[
        bool, Field(description="Expand/contract instead of a blocking type-changing ALTER.")
    ] = True,
    backfill: Annotated[
        dict[str, str] | None,
        Field(description='Values for existing rows of new NOT NULL columns: {"users.plan": "\'free\'"}.'),
    ] = None,
    scope: Annotated[
        Literal["objects", "schema"],
        Field(description="objects: change only what the target defines; schema: also drop what it omits."),
    ] = "objects",
    verify: Annotated[
        bool, Field(description="Apply the plan to a shadow and check it.")
    ] = True,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> DraftReport:
    """Write the migration from the current schema (the database or `from_ddl`) to `target_ddl`:
    dependency-ordered online-safe steps (CONCURRENTLY, NOT VALID then VALIDATE, expand/contract)
    with locks, timeouts and the down migration, verified on a scratch database.

    Use it to write a migration or the safe version of a risky one; lint_migration and
    dry_run_migration check one you have.

    Returns the steps, refusals and verification."""
    run_draft = app.feature("draft", tool="draft_migration", connection=connection).draft
    scratch = await app.scratch_admin_dsn(connection, tool="draft_migration", bounded=True)
    if scratch is None:
        raise UserInputError(
            "draft_migration needs a scratch PostgreSQL to load the DDL into: set DBARCHITECT_SCRATCH_DSN, "
            "connect with a role that may CREATE DATABASE, or set DBARCHITECT_EMBEDDED_SCRATCH=1 to let "
            "dbarchitect start its embedded local PostgreSQL (it keeps running; `dbarchitect embedded stop`)."
        )
    require_statements(target_ddl, "target_ddl", "there is no target to migrate to")
    report = await run_draft(
        target_ddl,
        from_ddl=from_ddl,
        renames=renames,
        allow_data_loss=allow_data_loss,
        online=online,
        backfill=backfill,
        scope=scope,
        verify=verify,
        scratch=scratch,
        progress=_progress(ctx),
    )
    if unread := [h.message for h in report.hazards if h.code == "rename-not-understood"]:
        # a misspelled rename would be planned as drop + add: the caller's intent was not read
        raise UserInputError(f"renames: {' '.join(unread[:5])} Nothing was drafted: fix the rename (keys are "
                             "'table', 'table.column' or 'schema.table.column' of the current schema) and call again.")
    if unused := unused_backfill(report, backfill):
        raise UserInputError(f"backfill: {' '.join(unused[:5])} Nothing was drafted: backfill keys are 'table.column' "
                             "of a column the migration adds (or makes NOT NULL) whose existing rows need a value.")
    return report


def unused_backfill(report: DraftReport, backfill: dict[str, str] | None) -> list[str]:
    """One sentence per backfill key no step of the plan fills (a misspelt or not-new column would
    otherwise be ignored, and the NOT NULL step fail on the first existing row)."""
    from dbarchitect.core.suggest import closest, did_you_mean

    filled = [s.object for s in report.steps if s.action in ("batched-backfill", "backfill")]
    added = list(dict.fromkeys(s.object for s in report.steps if s.action == "add-column"))
    out = []
    for key in backfill or {}:
        if any(obj == key or obj.endswith(f".{key}") for obj in filled):
            continue
        short = [a.removeprefix("public.") for a in added]
        hint = did_you_mean(closest(key.removeprefix("public."), short), quote=repr) or (
            f" The columns it adds: {', '.join(short[:8])}." if short else " It adds no column.")
        out.append(f"{key[:200]!r} names no column whose existing rows this migration fills; it was not used.{hint}")
    return out


#: seconds between two progress notifications of a call that has no steps of its own
HEARTBEAT_S = 1.0


async def tracked(ctx: Any, label: str, work: Callable[[], Awaitable[T]]) -> T:
    """`await work()` with progress for a client that asked for it: `label` started (0 of 100), a
    heartbeat every HEARTBEAT_S creeping towards 90 (never reaching it, the total stays 100), and
    100 of 100 when done."""
    report = _progress(ctx)
    if report is None:
        return await work()
    await report(0, 100, f"{label}: started")
    started = time.monotonic()

    async def beat() -> None:
        while True:
            await anyio.sleep(HEARTBEAT_S)
            elapsed = time.monotonic() - started
            await report(round(90 * elapsed / (elapsed + 30), 2), 100, f"{label}: running for {elapsed:.0f} s")

    failed: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(beat)
        try:
            result = await work()
        except Exception as exc:  # raised as itself below, not wrapped in the task group's ExceptionGroup
            failed = exc
        finally:
            tg.cancel_scope.cancel()
    if failed is not None:
        raise failed
    await report(100, 100, f"{label}: done in {time.monotonic() - started:.1f} s")
    return result


def _progress(ctx: Any):
    """An MCP progress callback from the request context, when the client asked for progress."""
    if ctx is None:
        return None

    async def report(done: float, total: float | None, message: str) -> None:
        await ctx.report_progress(done, total, message)

    return report
