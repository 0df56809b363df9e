"""Schema tools: describe_schema (summary, one table, ER diagram), review_schema, design_schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core import describe
from dbarchitect.core.describe import DescribeSchemaResult, UserInputError
from dbarchitect.core.design import DesignError, SchemaDesign
from dbarchitect.core.design import design_schema as build_design
from dbarchitect.core.design.spec import SchemaSpec
from dbarchitect.core.models import Severity
from dbarchitect.core.schema_review import SchemaReview
from dbarchitect.core.sql.statements import SQLParseError
from dbarchitect.live.engine import Engine, EngineUnsupported
from dbarchitect.live.errors import DDLRejected
from dbarchitect.live.offload import cpu


async def describe_schema(
    app: App,
    table: Annotated[str | None, Field(description="One table (schema.name or name) in full.")] = None,
    format: Annotated[Literal["summary", "mermaid"], Field(description="summary, or a Mermaid ER diagram.")] = "summary",
    schema: Annotated[str | None, Field(description="Only tables of this schema.")] = None,
    pattern: Annotated[str | None, Field(description="Only tables whose name contains this text.")] = None,
    cursor: Annotated[str | None, Field(description="next_cursor of the previous page.")] = None,
    page_size: Annotated[int, Field(ge=1, le=500, description="Tables per summary page.")] = 100,
    refresh: Annotated[bool, Field(description="Re-read the catalog instead of the cached snapshot.")] = False,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> DescribeSchemaResult:
    """Describe the database schema: one line per table (rows, size, primary key, FK targets, index
    count, flags), paged by cursor; `table=` for one table in full (DDL-like text plus structured
    columns, constraints, indexes, triggers, statistics); `format="mermaid"` for an ER diagram."""
    db = app.db(connection, tool="describe_schema")
    snap = await db.snapshot(refresh=refresh)
    if table:
        return DescribeSchemaResult(mode="table", detail=describe.detail(snap, table), snapshot_taken_at=snap.taken_at)
    if format == "mermaid":
        chosen = describe.select_tables(snap, schema, pattern)
        return DescribeSchemaResult(mode="mermaid", mermaid=describe.mermaid(snap, chosen), snapshot_taken_at=snap.taken_at)
    summary = describe.summarize(
        snap, schema=schema, pattern=pattern, cursor=cursor, page_size=page_size, info=await db.info()
    )
    return DescribeSchemaResult(mode="summary", summary=summary, snapshot_taken_at=snap.taken_at)


async def review_schema(
    app: App,
    ddl: Annotated[
        str | None, Field(description="CREATE statements to review instead of the connected database.")
    ] = None,
    schema: Annotated[str | None, Field(description="Only this schema.")] = None,
    min_severity: Annotated[
        Literal["info", "advice", "warning", "error"], Field(description="Leave out findings below this.")
    ] = "info",
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> SchemaReview:
    """Review a schema as an architect would: missing primary keys, unindexed foreign keys, timestamp
    without time zone, serial over identity, json over jsonb, case-sensitive unique emails, soft-delete
    uniques, redundant indexes, EAV and 1NF smells, sequences running out, and more (rules SD001…).
    Each finding has the consequence, the fix as online-safe DDL, and its evidence. With `ddl`, the
    text is loaded into a scratch database and reviewed through PostgreSQL's own catalog (parsed
    offline when no server is available; the report says which rules were skipped)."""
    reviewer = app.feature("schema_review", tool="review_schema", connection=connection)
    if ddl is not None:
        try:
            admin = await app.scratch_admin_dsn(connection, tool="review_schema")
        except EngineUnsupported:
            admin = None  # an engine without scratch databases reviews the parsed DDL
        try:
            report = await reviewer.review_ddl(ddl, admin_dsn=admin, schema=schema)
        except (DDLRejected, SQLParseError) as exc:
            raise UserInputError(f"The DDL does not run: {exc}. Fix it and review again.") from None
    else:
        report = await reviewer.review_database(schema=schema)
    return filter_findings(report, min_severity)


def filter_findings(report: SchemaReview, min_severity: str) -> SchemaReview:
    floor = Severity(min_severity).rank
    if floor == 0:
        return report
    kept = [f for f in report.findings if f.severity.rank >= floor]
    note = f"{len(report.findings) - len(kept)} finding(s) below {min_severity} left out."
    return report.model_copy(update={"findings": kept, "notes": [*report.notes, note]})


async def design_schema(
    app: App,
    spec: Annotated[SchemaSpec, Field(description="Entities, relationships and options of the schema to design.")],
    verify: Annotated[bool, Field(description="Run the DDL on a scratch database and review the result.")] = True,
) -> SchemaDesign:
    """Design a PostgreSQL schema from a spec: identity keys, foreign keys with their indexes, CHECKs,
    junction tables, partial uniques for soft delete, full-text search, tenant RLS, updated_at
    triggers, comments; with the down DDL, a Mermaid ER diagram, and the review of the result —
    verified by running it on a scratch database (zero warning-or-worse findings by construction)."""
    try:
        design = await cpu(build_design, spec)
    except DesignError as exc:
        raise UserInputError(f"The spec cannot be designed cleanly: {exc}") from None
    if not verify:
        return design
    admin = await app.scratch_admin_dsn(tool="design_schema", engine=Engine.postgresql)  # the design is PostgreSQL DDL
    if admin is None:
        return design.model_copy(
            update={"verification": ["not run: no PostgreSQL server for a scratch database (set --scratch-dsn)"]}
        )
    try:
        reviewer = app.feature("schema_review", tool="design_schema", engine=Engine.postgresql)
        return await reviewer.verify_design(design, admin_dsn=admin)
    except DDLRejected as exc:
        raise UserInputError(f"The designed DDL failed on PostgreSQL: {exc}") from None
