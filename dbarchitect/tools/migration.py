"""Migration tools: lint_migration (predicted from rules and the live catalog)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.live.postgres.errors import DatabaseError
from dbarchitect.live.postgres.lint_context import build_lint_context


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
    context = None
    if not offline:
        try:
            context = await app.db(connection).run(lambda conn: build_lint_context(conn, sql))
        except DatabaseError:
            if connection is not None:
                raise
            context = None  # no reachable default database: lint from the rules alone
    try:
        return lint(sql, context=context, pg_version=pg_version, assume_in_transaction=assume_in_transaction)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
