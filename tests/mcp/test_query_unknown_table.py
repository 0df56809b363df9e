"""review_query with the catalog, on a query that reads a table the database does not have (a
misspelling), is an error that suggests the real table — not "no findings" (issue 19) — over stdio on
PostgreSQL and MariaDB. CTEs, functions in FROM, system catalogs and extension views are not flagged;
offline=true still reviews the text alone."""

import sys

import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio


def _env(url: str) -> dict:
    return server_env(url)


async def _check(url: str, dialect: str, fine: list[str]) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(url))
    async with Client(params, read_timeout_seconds=120) as client:
        for sql in ("SELECT id FROM usres WHERE id = 1", "SELECT u.id FROM users u JOIN psots p ON p.user_id = u.id",
                    "SELECT id FROM users;\nSELECT id FROM usres WHERE id = 2"):
            res = await client.call_tool("review_query", {"sql": sql, "dialect": dialect})
            text = res.content[0].text
            assert res.is_error, (sql, text[:300])
            assert "Unknown table" in text and "did you mean" in text and "no findings" not in text, text
            assert ("users" in text) if "usres" in sql else ("posts" in text), text
        res = await client.call_tool("review_query", {"sql": "SELECT id FROM usres", "dialect": dialect, "offline": True})
        assert not res.is_error, res.content[0].text
        for sql in fine:
            res = await client.call_tool("review_query", {"sql": sql, "dialect": dialect})
            assert not res.is_error, (sql, res.content[0].text[:300])


async def test_postgres_unknown_table_is_an_error(blog_dsn):
    await _check(blog_dsn, "postgres", [
        "WITH recent AS (SELECT id FROM posts) SELECT id FROM recent",
        "SELECT * FROM generate_series(1, 3) g",
        "SELECT relname FROM pg_catalog.pg_class", "SELECT * FROM pg_stat_activity",
        "SELECT query FROM pg_stat_statements", "SELECT * FROM hypopg_list_indexes",
        "SELECT id FROM public.users WHERE id = 1",
    ])


async def test_mariadb_unknown_table_is_an_error(mysql):
    url = mysql.create_db("CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\n"
                          "CREATE TABLE posts (id int PRIMARY KEY, user_id int);")
    await _check(url, "mysql", ["WITH r AS (SELECT id FROM posts) SELECT id FROM r",
                                "SELECT table_name FROM information_schema.tables"])
