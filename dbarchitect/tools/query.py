"""run_query: one read-only statement, every layer of the read-only guarantee applied."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.results import QueryResult


async def run_query(
    app: App,
    sql: Annotated[str, Field(description="One SELECT / WITH … SELECT / VALUES / TABLE / EXPLAIN / SHOW statement.")],
    max_rows: Annotated[int | None, Field(ge=1, description="Fewer rows than the server's max_rows cap.")] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> QueryResult:
    """Run one read-only SQL statement and return typed columns and JSON-safe rows (capped at
    max_rows, with `truncated`). Statements that could write are refused before they run; the
    statement then runs with the extended protocol inside a READ ONLY transaction with a timeout."""
    return await app.db(connection).run_query(sql, max_rows=max_rows)
