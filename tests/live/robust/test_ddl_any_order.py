"""DDL in any order: a foreign key naming a table defined later in the same input (as assistants
often write it) loads in draft_migration (target and from DDL) and review_schema(ddl=...); DDL naming
something defined nowhere still fails with PostgreSQL's message."""

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

FORWARD = """
CREATE TABLE books (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    author_id bigint NOT NULL REFERENCES authors (id), title text NOT NULL);
CREATE INDEX books_author_idx ON books (author_id);
CREATE VIEW book_titles AS SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id;
CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
"""


@pytest.fixture
def server(pg, blog_dsn):
    return build_server(load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))


async def test_draft_migration_accepts_forward_references(server):
    async with Client(server) as client:
        res = await client.call_tool("draft_migration", {"target_ddl": FORWARD, "from_ddl": ""})
        assert not res.is_error, res.content[0].text
        report = res.structured_content
        assert "CREATE TABLE public.authors" in report["up_sql"] and report["verification"]["converged"] is True
        assert report["up_sql"].index("CREATE TABLE public.authors") < report["up_sql"].index("CREATE TABLE public.books")
        res = await client.call_tool("draft_migration", {"target_ddl": FORWARD, "from_ddl": FORWARD})
        assert not res.is_error, res.content[0].text
        assert not res.structured_content["steps"]
        res = await client.call_tool("draft_migration", {"target_ddl": "CREATE TABLE t (x int REFERENCES nowhere);",
                                                         "from_ddl": ""})  # fmt: skip
        assert res.is_error and "nowhere" in res.content[0].text


async def test_review_schema_accepts_forward_references(server):
    async with Client(server) as client:
        res = await client.call_tool("review_schema", {"ddl": FORWARD})
        assert not res.is_error, res.content[0].text
        assert res.structured_content["source"] == "scratch"
        res = await client.call_tool("review_schema", {"ddl": "CREATE TABLE t (x int REFERENCES nowhere);"})
        assert res.is_error and "nowhere" in res.content[0].text
