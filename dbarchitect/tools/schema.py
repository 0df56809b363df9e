"""describe_schema: the catalog snapshot as a paged summary, one table in full, or an ER diagram."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core import describe
from dbarchitect.core.describe import DescribeSchemaResult


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
    db = app.db(connection)
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
