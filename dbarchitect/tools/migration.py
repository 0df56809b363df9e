"""Migration tools: lint_migration (predicted from rules and the catalog), dry_run_migration
(observed on a shadow), draft_migration (a verified plan from a desired schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.diff.models import DraftReport
from dbarchitect.core.migration.dryrun_models import DryRunReport
from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.offload import cpu


async def lint_migration(
    app: App,
    sql: Annotated[str, Field(description="The migration: one or more SQL statements.")],
    pg_version: Annotated[
        int | None, Field(ge=10, le=19, description="Target major version; the connected server's by default.")
    ] = None,
    assume_in_transaction: Annotated[
        bool, Field(description="The migration runner wraps the whole file in one transaction.")
    ] = False,
    offline: Annotated[bool, Field(description="Do not read the catalog; rules only.")] = False,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> MigrationReport:
    """Predict what each statement of a migration does on PostgreSQL — the strongest lock on each
    existing table, rewrites, scans, whether it can run in a transaction, data loss — and flag the
    hazards (rules MG001…), with the safe sequence as runnable SQL. With a connection the catalog
    sharpens it: function volatility, validated CHECKs, binary-coercible casts, dependent views,
    table sizes and write rates ("rewrites orders (12 GB, ≈40 M rows) under ACCESS EXCLUSIVE").
    `-- dbarchitect:ignore <rule>` on a statement silences a rule there."""
    return await _lint(app, await cpu(ParsedMigration.of, sql), pg_version, assume_in_transaction, offline, connection)


async def _lint(app: App, sql: ParsedMigration, pg_version: int | None, assume_in_transaction: bool,
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
        return await cpu(lint, sql, context=context, pg_version=pg_version, assume_in_transaction=assume_in_transaction)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None


async def dry_run_migration(
    app: App,
    sql: Annotated[str, Field(description="The migration to try.")],
    down_sql: Annotated[
        str | None, Field(description="Its down migration: applied after `sql`, then the schema is compared.")
    ] = None,
    assume_in_transaction: Annotated[
        bool, Field(description="The runner wraps the file in one transaction (CONCURRENTLY still runs outside).")
    ] = True,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> DryRunReport:
    """Run a migration where it can do no harm and report what PostgreSQL actually did: a shadow copy
    of the database's schema (plus a few synthetic rows per table) in a scratch database; per statement
    the locks held (pg_locks), relations rewritten (relfilenode changed), tables scanned, errors; the
    lint's prediction beside each observation with every disagreement flagged; with `down_sql`,
    whether the schema comes back exactly. The target database is only read; the shadow is always dropped."""
    db = app.db(connection, tool="dry_run_migration")
    run_dry = db.feature("dry_run", tool="dry_run_migration").dry_run
    parsed = await cpu(ParsedMigration.of, sql)  # parsed once: the lint, its context and the dry run number the same statements
    prediction = await _lint(app, parsed, None, assume_in_transaction, False, connection)
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
        assume_in_transaction=assume_in_transaction,
        statement_timeout_s=db.limits.statement_timeout_ms / 1000 * 4,
        progress=_progress(ctx),
    )


async def draft_migration(
    app: App,
    target_ddl: Annotated[
        str,
        Field(description="The schema you want, as CREATE statements: some tables (scope='objects') or the whole "
              "schema (scope='schema')."),
    ],
    from_ddl: Annotated[
        str | None, Field(description="The current schema as DDL, instead of the connected database.")
    ] = None,
    renames: Annotated[
        dict[str, str] | None,
        Field(description='Renames instead of drop+add, e.g. {"users.name": "full_name"} or {"users": "accounts"}.'),
    ] = None,
    allow_data_loss: Annotated[bool, Field(description="Allow drops that lose data (listed as hazards).")] = False,
    online: Annotated[
        bool, Field(description="Expand/contract for rewriting type changes instead of one blocking ALTER.")
    ] = True,
    backfill: Annotated[
        dict[str, str] | None,
        Field(description='Values for existing rows of new NOT NULL columns, e.g. {"users.plan": "\'free\'"}.'),
    ] = None,
    scope: Annotated[
        Literal["objects", "schema"],
        Field(description="objects (default): change only what the target defines, drop nothing it does not "
              "mention. schema: the target is the whole schema; objects it omits are dropped."),
    ] = "objects",
    verify: Annotated[
        bool, Field(description="Apply the plan to a shadow: convergence, empty re-plan, down round trip, locks.")
    ] = True,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> DraftReport:
    """Write the migration from the current schema (the connected database, or `from_ddl`) to
    `target_ddl` as a careful DBA would: dependency-ordered, online-safe steps (CONCURRENTLY, NOT VALID
    then VALIDATE, expand/contract) with locks, timeouts, phases and the down migration, verified on
    a scratch database. Use it to write a migration; lint_migration or dry_run_migration to check one
    you have. `scope="objects"` (default) changes only what the target defines; `"schema"` also drops
    what it omits. Data-losing drops are refused unless `allow_data_loss=true`. Returns the steps,
    refusals, verification."""
    run_draft = app.feature("draft", tool="draft_migration", connection=connection).draft
    scratch = await app.scratch_admin_dsn(connection, tool="draft_migration")
    if scratch is None:
        raise UserInputError(
            "draft_migration needs a scratch PostgreSQL to load the DDL into: set DBARCHITECT_SCRATCH_DSN, "
            "connect with a role that may CREATE DATABASE, or set DBARCHITECT_EMBEDDED_SCRATCH=1 to let "
            "dbarchitect start its embedded local PostgreSQL (it keeps running; `dbarchitect embedded stop`)."
        )
    return await run_draft(
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


def _progress(ctx: Any):
    """An MCP progress callback from the request context, when the client asked for progress."""
    if ctx is None:
        return None

    async def report(done: float, total: float | None, message: str) -> None:
        await ctx.report_progress(done, total, message)

    return report
