"""review_schema on MySQL/MariaDB: the live snapshot reviewed by the mysql_schema rules."""

from __future__ import annotations

from dbarchitect.core.mysql_review import review_mysql
from dbarchitect.core.schema_review import SchemaReview


async def review_database(db, *, schema: str | None = None, refresh: bool = True) -> SchemaReview:
    snapshot = await db.snapshot(refresh=refresh)
    return review_mysql(snapshot, schema=schema)
