"""The optional capabilities a tool may ask a connection for, beyond the `Database` protocol.

A tool asks `db.feature(NAME, tool="its_name")` and gets an object with the interface below, bound
to that connection; an engine without the feature raises `EngineUnsupported(tool, engine)`, so the
caller gets one sentence naming the tool and the engine. Each interface is small and speaks the
engine-neutral models of `core/`; the PostgreSQL implementations are in
`dbarchitect/live/postgres/features.py`. Another engine implements the ones it can (MySQL: `explain`,
`schema_review`, `lint_context`/`dry_run` returning MySQL's report models from core/mysql_migration,
`index_review`, `index_advisor`, `draft`, `scratch`) and answers the others with EngineUnsupported.

| name            | interface          | used by                                              |
|-----------------|--------------------|------------------------------------------------------|
| `scratch`       | `ScratchServer`    | review_schema(ddl=), design_schema, dry/draft_migration |
| `schema_review` | `SchemaReviewer`   | review_schema (live and DDL), design_schema verify   |
| `explain`       | `Explainer`        | explain_query, explain_plan (pasted plans)           |
| `lint_context`  | `LintContextReader`| lint_migration, dry_run_migration                    |
| `dry_run`       | `DryRunner`        | dry_run_migration                                    |
| `draft`         | `Drafter`          | draft_migration                                      |
| `index_advisor` | `IndexAdvisor`     | recommend_indexes                                    |
| `index_review`  | `IndexReviewer`    | review_indexes                                       |
| `query_verify`  | `QueryVerifier`    | rewrite_query (catalog facts + verification)         |
| `health`        | `HealthReviewer`   | review_health                                        |
| `security`      | `SecurityReviewer` | review_security                                      |
| `top_queries`   | `TopQueryReader`   | top_queries (statement statistics, N+1 patterns)     |

Errors: problems the caller can act on are `dbarchitect.live.errors.DatabaseError` (or the core's
`UserInputError`); DDL the engine refuses to run is `dbarchitect.live.errors.DDLRejected`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

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
    from dbarchitect.core.migration.parse import ParsedMigration
    from dbarchitect.core.plan.report import PlanReport
    from dbarchitect.core.rewrites import RewriteReport
    from dbarchitect.core.schema_review import SchemaReview
    from dbarchitect.core.security.review import SecurityReview
    from dbarchitect.core.top_queries import TopQueries

#: progress callback of long-running features: (done, total or None, message)
Progress = Callable[[float, float | None, str], Awaitable[None]]

#: every feature name a tool may ask for
FEATURES = (
    "scratch",
    "schema_review",
    "explain",
    "lint_context",
    "dry_run",
    "draft",
    "index_advisor",
    "index_review",
    "query_verify",
    "health",
    "security",
    "top_queries",
)


@runtime_checkable
class ScratchServer(Protocol):
    """A server where scratch databases may be created and dropped (to load DDL, shadow a migration)."""

    async def admin_dsn(self, *, prefer_same_server: bool = False) -> str | None:
        """A DSN with the right to create databases there, or None when there is no such place.
        `prefer_same_server`: the connected server before a local one (same version and extensions)."""


@runtime_checkable
class SchemaReviewer(Protocol):
    async def review_database(self, *, schema: str | None = None) -> SchemaReview:
        """Review the connected database's schema (rules for this engine only)."""

    async def review_ddl(self, ddl: str, *, admin_dsn: str | None, schema: str | None = None) -> SchemaReview:
        """Review DDL text: loaded into a scratch database on `admin_dsn` when given and reachable,
        else parsed offline (the report says which rules that leaves out). Raises DDLRejected when
        the server refuses the DDL."""

    async def verify_design(self, design: SchemaDesign, *, admin_dsn: str) -> SchemaDesign:
        """Run a designed schema on a scratch database and review it; raises DDLRejected on failure."""


@runtime_checkable
class Explainer(Protocol):
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
        """EXPLAIN the statement safely on the connection and diagnose the plan."""

    def diagnose(self, plan: str | dict | list, *, sql: str | None, catalog: SchemaSnapshot | None) -> PlanReport:
        """Diagnose plan output someone pasted (this engine's formats). Pure: no server call."""


@runtime_checkable
class LintContextReader(Protocol):
    async def lint_context(self, sql: "str | ParsedMigration") -> LintContext:
        """The catalog facts a migration lint needs about the objects `sql` touches."""


@runtime_checkable
class DryRunner(Protocol):
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
        """Run the migration on a shadow of the connected database (on `scratch`, or the same server
        when None) and report what the server did."""


@runtime_checkable
class Drafter(Protocol):
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
        """The migration from the connected database (or `from_ddl`) to `target_ddl`, verified on `scratch`."""


@runtime_checkable
class IndexAdvisor(Protocol):
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
        """Recommend indexes for the workload, proven on the connection (raises ValueError on bad input)."""


@runtime_checkable
class IndexReviewer(Protocol):
    async def review(self, *, schema: str | None = None) -> IndexReview:
        """Review the existing indexes of the connected database (raises ValueError on bad input)."""


@runtime_checkable
class QueryVerifier(Protocol):
    async def rewrite_and_verify(self, sql: str, *, snapshot: SchemaSnapshot, verify: bool,
                                 progress: Progress | None = None) -> RewriteReport:  # fmt: skip
        """Rewrite with the connection's catalog facts and, when `verify`, compare the rows read-only
        (the original runs once; `progress` hears of each comparison)."""


@runtime_checkable
class HealthReviewer(Protocol):
    async def review(self, checks: list[str] | None) -> HealthReview:
        """Operational health: wraparound, sequences, vacuum, sessions, replication, cache, settings."""


@runtime_checkable
class SecurityReviewer(Protocol):
    async def review(self) -> SecurityReview:
        """Row-level security, grants, roles, SECURITY DEFINER functions, plain-text secrets."""


@runtime_checkable
class TopQueryReader(Protocol):
    async def top_queries(self, order_by: str, limit: int) -> TopQueries:
        """The heaviest statements in the server's statistics, with N+1 patterns among them."""

