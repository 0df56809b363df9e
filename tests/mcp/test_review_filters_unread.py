"""A review's filters the caller got wrong are errors, never "no findings" (issue 19): an unknown rule
code or name in `rules` (misspelled: the error suggests the real one), a cursor the tool never
returned, and an empty `schema` (read as every schema, as describe_schema reads it) — through a real
`dbarchitect serve` over stdio, on PostgreSQL and MariaDB; the next call still works."""

import sys

import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio

CLEAN_BILL = ("no findings",)


def _env(url: str) -> dict:
    return server_env(url)


async def _check(url: str, tool: str, misspelt_rule: str, real_rule: str) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(url))
    async with Client(params, read_timeout_seconds=120) as client:
        full = await client.call_tool(tool, {})
        assert not full.is_error, full.content[0].text
        n_groups = len(full.structured_content["findings"])
        assert n_groups, "the fixture must give the review something to find"

        for rules in ("qwe rty (((", "SD9999", "\x1b[31mSD001\x1b[0m"):
            res = await client.call_tool(tool, {"rules": rules})
            text = res.content[0].text
            assert res.is_error, (tool, rules, text[:300])
            assert "no findings" not in text and "\x1b" not in text and "rule" in text.lower(), text
        res = await client.call_tool(tool, {"rules": misspelt_rule})
        text = res.content[0].text
        assert res.is_error and real_rule in text, (tool, text)
        # a known rule that found nothing is an answer
        res = await client.call_tool(tool, {"rules": f"{real_rule}"})
        assert not res.is_error, res.content[0].text

        for cursor in ("abc", "-1", "999999", "x" * 100_000):
            res = await client.call_tool(tool, {"cursor": cursor})
            text = res.content[0].text
            assert res.is_error and "cursor" in text and len(text) < 1_000, (tool, cursor, text[:300])

        res = await client.call_tool(tool, {"schema": ""})
        assert not res.is_error and len(res.structured_content["findings"]) == n_groups, res.content[0].text[:300]

        ok = await client.call_tool("describe_schema", {})
        assert not ok.is_error


async def test_postgres_reviews_refuse_filters_they_cannot_use(blog_dsn):
    await _check(blog_dsn, "review_schema", "table-without-primary-kye", "table-without-primary-key")
    await _check(blog_dsn, "review_indexes", "foreign-key-without-indx", "foreign-key-without-index")


MARIADB_SETUP = """
CREATE TABLE users (id int, email varchar(100));
CREATE TABLE posts (id int PRIMARY KEY, user_id int, FOREIGN KEY (user_id) REFERENCES posts (id));
CREATE INDEX posts_a ON posts (user_id);
CREATE INDEX posts_b ON posts (user_id, id);
"""


async def test_mariadb_reviews_refuse_filters_they_cannot_use(mysql):
    url = mysql.create_db(MARIADB_SETUP)
    await _check(url, "review_schema", "table-without-primary-kye", "table-without-primary-key")
