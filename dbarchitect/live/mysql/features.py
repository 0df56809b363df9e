"""MySQL/MariaDB implementations of the optional features tools ask for (`db.feature(name, tool=…)`):
`schema_review` and `explain` (the interfaces of live/features.py); `index_review`, `index_advisor`,
`draft` and `scratch` live in index_review.py, index_advisor.py and draft.py. Every other feature
answers EngineUnsupported: one sentence naming the tool and MySQL/MariaDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbarchitect.core.describe import UserInputError
from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.mysql_ddl_parse import MySQLDDLParseError, snapshot_from_mysql_ddl
from dbarchitect.core.mysql_review import review_mysql
from dbarchitect.core.plan.mysql import MySQLPlanError, explain_mysql_plan
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.core.schema_review import SchemaReview
from dbarchitect.live.engine import Engine, EngineUnsupported
from dbarchitect.live.mysql.explain import MySQLExplain


class MySQLSchemaReviewer:
    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def review_database(self, *, schema: str | None = None) -> SchemaReview:
        snapshot = await self.db.snapshot(refresh=True)
        return review_mysql(snapshot, schema=schema)

    async def review_ddl(self, ddl: str, *, admin_dsn: str | None, schema: str | None = None) -> SchemaReview:
        """MySQL DDL text is parsed (sqlglot), never run: no scratch database on a MySQL server."""
        try:
            snapshot = snapshot_from_mysql_ddl(ddl)
        except MySQLDDLParseError as exc:
            raise UserInputError(f"The MySQL DDL could not be parsed: {exc}") from None
        if not snapshot.tables:
            raise UserInputError("The DDL holds no CREATE TABLE that MySQL's grammar (sqlglot, mysql dialect) reads.")
        return review_mysql(snapshot, schema=None, source="parsed")

    async def verify_design(self, design: Any, *, admin_dsn: str) -> Any:
        raise EngineUnsupported(self.tool, Engine.mysql, "design_schema writes and verifies PostgreSQL DDL.")


class MySQLExplainer:
    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def explain_query(
        self,
        sql: str,
        *,
        analyze: bool = False,
        buffers: bool = True,
        params: Sequence[Any] | None = None,
        hypothetical_indexes: Sequence[str] = (),
        allow_writes: bool = False,
    ) -> PlanReport:
        if params:
            raise UserInputError(
                "explain_query's params bind PostgreSQL's $1, $2…; on MySQL/MariaDB write the values into the statement."
            )
        if hypothetical_indexes:
            raise EngineUnsupported(
                self.tool, Engine.mysql, "Hypothetical indexes need HypoPG, which exists only for PostgreSQL."
            )
        return await MySQLExplain(self.db).explain(sql, analyze=analyze)

    def diagnose(self, plan: str | dict | list, *, sql: str | None, catalog: SchemaSnapshot | None) -> PlanReport:
        try:
            return explain_mysql_plan(plan, sql=sql, catalog=catalog)
        except MySQLPlanError as exc:
            raise UserInputError(
                f"The plan could not be read as MySQL/MariaDB output ({exc}): paste EXPLAIN FORMAT=JSON, "
                "MariaDB's ANALYZE FORMAT=JSON, or MySQL's EXPLAIN ANALYZE / FORMAT=TREE text."
            ) from None
