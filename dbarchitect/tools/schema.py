"""Schema tools: describe_schema (summary, one table, ER diagram), review_schema, design_schema."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from dbarchitect.app import App
from dbarchitect.core import describe
from dbarchitect.core.describe import DescribeSchemaResult, UserInputError
from dbarchitect.core.design import DesignError, SchemaDesign
from dbarchitect.core.design import design_schema as build_design
from dbarchitect.core.design.spec import SchemaSpec
from dbarchitect.core.mongo.workload import is_mongo_text
from dbarchitect.core.review_report import INDEX_OWNED, present
from dbarchitect.core.schema_review import SchemaReview
from dbarchitect.core.sql.statements import SQLParseError
from dbarchitect.live.engine import Engine, EngineUnsupported
from dbarchitect.live.errors import DDLRejected
from dbarchitect.live.offload import cpu
from dbarchitect.tools.migration import require_statements, tracked


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
    """Describe the schema: one line per table (rows, size, primary key, FK targets, flags), paged by
    cursor; `table=` for one table in full (DDL, columns, constraints, indexes, statistics);
    `format="mermaid"` for an ER diagram.

    Use it first, to learn the tables and their sizes; review_schema judges the design.

    Returns the summary page with next_cursor, the table detail, or the diagram."""
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


def _as_text(value):
    return json.dumps(value) if isinstance(value, (dict, list)) else value


#: the paging and filter parameters both reviews take (kept terse: every client loads them)
Rules = Annotated[str | None, Field(description="Rule codes/names, comma-separated.")]
Limit = Annotated[int | None, Field(ge=1)]
Cursor = Annotated[str | None, Field(description="A next_cursor.")]
MinSeverity = Annotated[Literal["info", "advice", "warning", "error"], Field(description="Lowest severity kept.")]


async def review_schema(
    app: App,
    ddl: Annotated[
        str | None,
        BeforeValidator(_as_text),  # MCP pre-parses JSON-looking strings: MongoDB documents come back as text
        Field(description="CREATE statements (or MongoDB JSON documents) to review instead."),
    ] = None,
    schema: Annotated[str | None, Field(description="Only this schema.")] = None,
    min_severity: MinSeverity = "info",
    rules: Rules = None,
    limit: Limit = None,
    cursor: Cursor = None,
    framework: Annotated[
        Literal["auto", "none", "rails", "django", "laravel", "prisma"], Field(description="Framework whose conventions are noted once.")
    ] = "auto",
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> SchemaReview:
    """Review a schema's design (rules SD001…): keys, types, constraints, naming, EAV, sequences
    running out; framework conventions stated once, index findings left to review_indexes.

    Use it to judge tables, live or as pasted `ddl` (MongoDB: JSON documents); review_indexes for
    indexes, design_schema to start a new schema.

    Returns one finding per rule listing its objects, ranked by impact and paged, with evidence and
    online-safe fix DDL."""
    schema = schema or None  # "" is every schema, as describe_schema reads it
    mongo = ddl is not None and is_mongo_text(ddl)  # documents, not DDL: MongoDB's review, no server needed
    engine = Engine.mongodb if mongo else None
    reviewer = app.feature("schema_review", tool="review_schema", connection=connection, engine=engine)
    if ddl is not None:
        if not mongo:
            require_statements(ddl, "ddl", "nothing was reviewed")
        try:
            admin = None if mongo else await app.scratch_admin_dsn(connection, tool="review_schema", bounded=True)
        except EngineUnsupported:
            admin = None  # an engine without scratch databases reviews the parsed DDL
        try:
            report = await tracked(ctx, "loading the DDL into a scratch database and reviewing it",
                                   lambda: reviewer.review_ddl(ddl, admin_dsn=admin, schema=schema))
        except (DDLRejected, SQLParseError) as exc:
            raise UserInputError(f"The DDL does not run: {exc}. Fix it and review again.") from None
    else:
        report = await reviewer.review_database(schema=schema)
    hand_off = {code: "review_indexes" for code in INDEX_OWNED}
    page = present(report, rules=rules, min_severity=min_severity, limit=limit, cursor=cursor,
                   framework=framework, hand_off=hand_off)  # fmt: skip
    if ddl is not None:
        return page  # the scratch catalog is gone: the fixes are for a database that does not exist yet
    return await check_fixes(app, page, connection, tool="review_schema")


async def check_fixes(app: App, report, connection: str | None, *, tool: str):
    """Each fix on the page linted by lint_migration against the live catalog; the verdict is written
    into the fix (hazards and what they cost) and its evidence."""
    from dbarchitect.core.fix_check import annotate, fix_sql
    from dbarchitect.core.migration.engine import lint

    try:
        linter = app.feature("lint_context", tool=tool, connection=connection)
    except EngineUnsupported:
        return report
    checked, failed = [], 0
    for f in report.findings:
        sql = fix_sql(f.fix)
        if sql is None:
            checked.append(f)
            continue
        try:
            context = await linter.lint_context(sql)
            # a fix is run by hand (psql: each statement on its own unless it says BEGIN), not by a
            # migration runner's transaction: CREATE/DROP INDEX CONCURRENTLY in it is right as written
            checked.append(annotate(f, lint(sql, context=context, runner="autocommit")))
        except Exception:  # noqa: BLE001 - a fix the lint cannot read is offered as it is, and counted
            failed += 1
            checked.append(f)
    notes = list(report.notes) + ([f"{failed} fix(es) could not be linted"] if failed else [])
    return report.model_copy(update={"findings": checked, "notes": notes})


async def design_schema(
    app: App,
    spec: Annotated[SchemaSpec, Field(description="Entities, relationships and options of the schema to design.")],
    verify: Annotated[bool, Field(description="Run the DDL on a scratch database and review the result.")] = True,
    ctx: Any = None,
) -> SchemaDesign:
    """Design a new PostgreSQL schema from a spec of entities and relationships: identity keys, indexed
    FKs, CHECKs, junction tables, soft-delete uniques, tenant RLS, updated_at triggers.

    Use it to start from requirements; review_schema judges an existing schema, draft_migration
    changes one.

    Returns the DDL, its down DDL, a Mermaid diagram and the review of the DDL run on a scratch
    database."""
    admin = None
    if verify:  # the design is PostgreSQL DDL, written for the version of the server it is verified on
        admin = await app.scratch_admin_dsn(tool="design_schema", engine=Engine.postgresql)
    reviewer = app.feature("schema_review", tool="design_schema", engine=Engine.postgresql) if admin else None
    version = await reviewer.server_major(admin_dsn=admin) if reviewer else None
    try:
        design = await cpu(build_design, spec, version)
    except DesignError as exc:
        raise UserInputError(f"The spec cannot be designed cleanly: {exc}") from None
    if not verify:
        return design
    if admin is None:
        return design.model_copy(
            update={"verification": ["not run: no PostgreSQL server for a scratch database (set --scratch-dsn)"]}
        )
    try:
        return await tracked(ctx, "running the design on a scratch database",
                             lambda: reviewer.verify_design(design, admin_dsn=admin))
    except DDLRejected as exc:
        raise UserInputError(f"The designed DDL failed on PostgreSQL: {exc}") from None
