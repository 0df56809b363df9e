"""draft_migration with a rename naming no table or column of the current schema (a misspelling) is
an error that suggests the real name, not a plan that quietly ignores it (issue 19) — over stdio; a
rename that does name a column still drafts the rename, and the next call works."""

import sys

import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio

TARGET = "CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL UNIQUE);"


def _env(dsn: str) -> dict:
    return server_env(dsn)


async def test_misspelled_renames_are_errors_with_suggestions(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=120) as client:
        name = "name"  # tags(id, name) in the sample blog database
        for key, hint in [(f"tgas.{name}", f"'tags.{name}'"), (f"tags.{name[:-1]}x", f"'tags.{name}'"),
                          ("x" * 5000, "")]:
            res = await client.call_tool("draft_migration", {"target_ddl": TARGET, "renames": {key: "label"}, "verify": False})
            text = res.content[0].text
            assert res.is_error, (key[:40], text[:500])
            assert "names no table or column" in text and hint in text and len(text) < 2_500, text[:600]
        res = await client.call_tool("draft_migration", {"target_ddl": TARGET, "renames": {f"tags.{name}": "label"}, "verify": False})
        assert not res.is_error, res.content[0].text[:500]
        assert "RENAME COLUMN" in res.structured_content["up_sql"].upper(), res.structured_content["up_sql"]


async def test_mariadb_misspelled_renames_are_errors(mysql):
    url = mysql.create_db("CREATE TABLE tags (id int PRIMARY KEY, name varchar(50) NOT NULL);")
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(url))
    target = "CREATE TABLE tags (id int PRIMARY KEY, label varchar(50) NOT NULL);"
    async with Client(params, read_timeout_seconds=120) as client:
        for key, hint in [("tgas.name", "'tags.name'"), ("tags.nam", "'tags.name'")]:
            res = await client.call_tool("draft_migration", {"target_ddl": target, "renames": {key: "label"}, "verify": False})
            text = res.content[0].text
            assert res.is_error and "names no table or column" in text and hint in text, (text[:600], res.structured_content and res.structured_content["hazards"])
        res = await client.call_tool("draft_migration", {"target_ddl": target, "renames": {"tags.name": "label"}, "verify": False})
        assert not res.is_error, res.content[0].text[:500]
        assert "label" in res.structured_content["up_sql"]
        assert not [h for h in res.structured_content["hazards"] if h["code"] == "rename-not-understood"]
