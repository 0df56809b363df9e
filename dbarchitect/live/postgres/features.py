"""PostgreSQL's implementations of the feature interfaces in `dbarchitect/live/features.py`.

Each class is a thin adapter binding one of the existing live/postgres modules to a connection
(`PostgresDatabase`); the modules themselves stay usable directly (tests, bench, the CLI). Heavy
modules are imported inside the methods, so asking for one feature loads only what it needs.
`FACTORIES` is what `PostgresDatabase.feature(name, tool=...)` looks names up in.
"""

from __future__ import annotations

from dbarchitect.core.migration.parse import ParsedMigration

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import logging

import anyio

from dbarchitect.config import Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.live.errors import DatabaseError

if TYPE_CHECKING:
    from dbarchitect.core.design import SchemaDesign
    from dbarchitect.core.diff.models import DraftReport
    from dbarchitect.core.indexing.models import IndexAdvice
    from dbarchitect.core.indexing.review import IndexReview
    from dbarchitect.core.migration.context import LintContext
    from dbarchitect.core.migration.dryrun_models import DryRunReport
    from dbarchitect.core.migration.models import MigrationReport
    from dbarchitect.core.models import SchemaSnapshot
    from dbarchitect.core.health.review import HealthReview
    from dbarchitect.core.security.review import SecurityReview
    from dbarchitect.core.top_queries import TopQueries
    from dbarchitect.core.plan.report import PlanReport
    from dbarchitect.core.rewrites import RewriteReport
    from dbarchitect.core.schema_review import SchemaReview
    from dbarchitect.live.features import Progress
    from dbarchitect.live.postgres.database import PostgresDatabase

ENGINE = "postgresql"
log = logging.getLogger("dbarchitect")


class _Bound:
    def __init__(self, db: PostgresDatabase | None, settings: Settings):
        self.db = db
        self.settings = settings

    @property
    def _db(self) -> PostgresDatabase:
        if self.db is None:  # a detached feature (no connection configured) used for a connection's work
            raise UserInputError(
                "This needs a configured PostgreSQL connection (DATABASE_URL or DBARCHITECT_DB_<NAME>)."
            )
        return self.db


class PostgresScratch(_Bound):
    """Where scratch databases go: the configured scratch server; then the connected server (when its
    role may CREATE DATABASE and it is not a standby) or the embedded local PostgreSQL — the connected
    server first when `prefer_same_server` (same version and extensions, e.g. for dry runs), else the
    embedded one first, so reviewing unrelated DDL does not create databases on a production server."""

    async def admin_dsn(self, *, prefer_same_server: bool = False) -> str | None:
        if self.settings.scratch_dsn:
            return self.settings.scratch_dsn
        order = [self._same_server, self._embedded] if prefer_same_server else [self._embedded, self._same_server]
        for candidate in order:
            if dsn := await candidate():
                return dsn
        return None

    async def sweep(self) -> list[str]:
        """Drop stale scratch databases (a crashed or cancelled process's, see shadow.is_stale) on every
        server this connection may have created them on; a server that cannot be reached is skipped."""
        from dbarchitect.live.postgres.shadow import drop_stale_shadows

        holder = self.db if self.db is not None else self
        places = [self.settings.scratch_dsn, self.db.dsn if self.db is not None else None,
                  getattr(holder, "_embedded_dsn", None)]  # fmt: skip
        dropped: list[str] = []
        for dsn in dict.fromkeys(p for p in places if p):
            try:
                dropped += await drop_stale_shadows(dsn)
            except Exception as exc:  # noqa: BLE001 - a sweep never fails a server
                log.debug("scratch sweep skipped a server: %s", exc)
        return dropped

    async def _same_server(self) -> str | None:
        if self.db is None:
            return None
        try:
            info = await self.db.info()
        except (DatabaseError, UserInputError):
            return None
        return self.db.dsn if info.can_create_db and not info.in_recovery else None

    async def _embedded(self) -> str | None:
        if not self.settings.use_embedded_scratch:
            return None
        holder = self.db if self.db is not None else self
        cached = getattr(holder, "_embedded_dsn", None)
        if cached is None:
            from dbarchitect.live.postgres.cluster import ClusterError
            from dbarchitect.live.postgres.embedded import embedded_cluster

            try:
                cluster = await anyio.to_thread.run_sync(lambda: embedded_cluster().start())
            except (ClusterError, OSError):
                return None
            cached = cluster.dsn()
            log.warning("scratch databases go to the embedded local PostgreSQL (%s), started because "
                        "use_embedded_scratch is on; it keeps running: `dbarchitect embedded stop`", cluster.data_dir)
            holder._embedded_dsn = cached  # type: ignore[union-attr]
        return cached


class PostgresSchemaReviewer(_Bound):
    async def review_database(self, *, schema: str | None = None) -> SchemaReview:
        from dbarchitect.live.postgres import schema_review

        return await self._db.run(lambda conn: schema_review.review_database(conn, schema=schema))

    async def review_ddl(self, ddl: str, *, admin_dsn: str | None, schema: str | None = None) -> SchemaReview:
        from dbarchitect.live.postgres import schema_review

        return await schema_review.review_ddl(ddl, admin_dsn=admin_dsn, schema=schema)

    async def verify_design(self, design: SchemaDesign, *, admin_dsn: str) -> SchemaDesign:
        from dbarchitect.live.postgres import schema_review

        return await schema_review.verify_design(design, admin_dsn=admin_dsn)

    async def server_major(self, *, admin_dsn: str) -> int:
        """The major version of the server a design will be verified on (its syntax is written for it)."""
        from dbarchitect.live.postgres.cancel import Connection

        async with await Connection.connect(admin_dsn, autocommit=True) as conn:
            return conn.info.server_version // 10000


class PostgresExplainer(_Bound):
    async def explain_query(
        self,
        sql: str,
        *,
        analyze: bool,
        buffers: bool,
        params: Sequence[Any] | None,
        hypothetical_indexes: Sequence[str],
        allow_writes: bool,
    ) -> PlanReport:
        from dbarchitect.live.postgres.explain import explain_query

        db = self._db
        catalog = await db.snapshot()
        return await db.run(
            lambda conn: explain_query(
                conn,
                sql,
                analyze=analyze,
                buffers=buffers,
                params=params,
                hypothetical_indexes=hypothetical_indexes,
                allow_writes=allow_writes,
                statement_timeout_ms=db.limits.statement_timeout_ms,
                catalog=catalog,
            )
        )

    def diagnose(self, plan: str | dict | list, *, sql: str | None, catalog: SchemaSnapshot | None) -> PlanReport:
        from dbarchitect.core.plan.analyze import explain_plan

        return explain_plan(plan, sql=sql, catalog=catalog)


class PostgresLintContext(_Bound):
    async def lint_context(self, sql: "str | ParsedMigration") -> LintContext:
        from dbarchitect.live.postgres.lint_context import build_lint_context

        probe_ms = min(self._db.limits.statement_timeout_ms, 5000)  # each read-only probe of existing rows
        return await self._db.run(lambda conn: build_lint_context(conn, sql, probe_timeout_ms=probe_ms))


class PostgresDryRunner(_Bound):
    async def dry_run(
        self,
        sql: "str | ParsedMigration",
        *,
        down_sql: str | None,
        scratch: str | None,
        prediction: MigrationReport | None,
        assume_in_transaction: bool,
        statement_timeout_s: float,
        progress: Progress | None = None,
    ) -> DryRunReport:
        from dbarchitect.live.postgres.dryrun import dry_run_migration

        return await dry_run_migration(
            sql,
            down_sql=down_sql,
            target=self._db.dsn,
            scratch=scratch,
            prediction=prediction,
            assume_in_transaction=assume_in_transaction,
            statement_timeout_s=statement_timeout_s,
            progress=progress,
        )


class PostgresDrafter(_Bound):
    async def draft(
        self,
        target_ddl: str,
        *,
        from_ddl: str | None,
        renames: Mapping[str, str] | None,
        allow_data_loss: bool,
        online: bool,
        backfill: Mapping[str, str] | None,
        scope: Literal["objects", "schema"],
        verify: bool,
        scratch: str,
        progress: Progress | None = None,
    ) -> DraftReport:
        from dbarchitect.live.postgres.draft import draft_migration

        return await draft_migration(
            target_ddl,
            dsn=None if from_ddl is not None else self._db.dsn,
            from_ddl=from_ddl,
            renames=dict(renames) if renames is not None else None,
            allow_data_loss=allow_data_loss,
            online=online,
            backfill=dict(backfill) if backfill is not None else None,
            scope=scope,
            verify=verify,
            dry_run=verify,
            scratch=scratch,
            progress=progress,
        )


class PostgresIndexAdvisor(_Bound):
    async def recommend(
        self,
        queries: Sequence[str] | None,
        weights: Sequence[float] | None,
        from_stats: bool,
        budget_mb: float | None,
        max_indexes: int | None,
        *,
        validate: bool,
        scratch: str | None,
        progress: Progress | None = None,
    ) -> IndexAdvice:
        from dbarchitect.live.postgres import index_advisor

        return await index_advisor.recommend_indexes(
            self._db, queries, weights, from_stats, budget_mb, max_indexes,
            validate=validate, scratch=scratch, progress=progress,
        )  # fmt: skip


class PostgresIndexReviewer(_Bound):
    async def review(self, *, schema: str | None = None) -> IndexReview:
        from dbarchitect.live.postgres import index_advisor

        return await index_advisor.review_indexes(self._db, schema=schema)


class PostgresQueryVerifier(_Bound):
    async def rewrite_and_verify(self, sql: str, *, snapshot: SchemaSnapshot, verify: bool,
                                 progress: Progress | None = None) -> RewriteReport:  # fmt: skip
        from dbarchitect.live.postgres.verify import rewrite_and_verify

        db = self._db
        timeout = db.limits.statement_timeout_ms
        return await db.run(
            lambda conn: rewrite_and_verify(conn, sql, snapshot=snapshot, verify=verify, timeout_ms=timeout,
                                            progress=progress)  # fmt: skip
        )


class PostgresHealth(_Bound):
    async def review(self, checks: list[str] | None) -> HealthReview:
        from dbarchitect.live.postgres.health import health_review

        return await health_review(self._db, checks)


class PostgresSecurity(_Bound):
    async def review(self) -> SecurityReview:
        from dbarchitect.live.postgres.security import security_review

        scratch = PostgresScratch(self.db, self.settings)
        return await security_review(self._db, scratch.admin_dsn)


class PostgresTopQueries(_Bound):
    async def top_queries(self, order_by: str, limit: int) -> TopQueries:
        from dbarchitect.live.postgres.top_queries import read_top_queries

        db = self._db
        snapshot = await db.snapshot()
        return await db.run(lambda conn: read_top_queries(conn, order_by, limit, snapshot))


#: feature name -> factory(db or None, settings)
FACTORIES: dict[str, Callable[[PostgresDatabase | None, Settings], Any]] = {
    "scratch": PostgresScratch,
    "schema_review": PostgresSchemaReviewer,
    "explain": PostgresExplainer,
    "lint_context": PostgresLintContext,
    "dry_run": PostgresDryRunner,
    "draft": PostgresDrafter,
    "index_advisor": PostgresIndexAdvisor,
    "index_review": PostgresIndexReviewer,
    "query_verify": PostgresQueryVerifier,
    "health": PostgresHealth,
    "security": PostgresSecurity,
    "top_queries": PostgresTopQueries,
}
