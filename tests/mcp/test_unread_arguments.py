"""Arguments a tool would not read are errors, not silently ignored options (issue 19): an unknown
argument name (with the closest valid one), an unknown tool, a design_schema spec key or field type it
cannot read, a draft_migration backfill key that names no column the plan fills — over stdio with the
official client; invalid values are one line each; the next call works."""

import sys

import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio

TARGET = ("CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, "
          "plan text NOT NULL);")  # fmt: skip


def _env(dsn: str) -> dict:
    return server_env(dsn)


def _error(res) -> str:
    text = res.content[0].text
    assert res.is_error, text[:500]
    assert "\x1b" not in text and len(text) < 1_000, text[:1_200]
    return text


async def test_unknown_arguments_and_tools_are_errors_with_the_closest_name(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=120) as client:
        for tool, args, unknown, close in [
            ("review_schema", {"shema": "public"}, "shema", "schema"),
            ("recommend_indexes", {"queries": ["SELECT * FROM users WHERE email = 'a'"], "budget": 500}, "budget", "budget_mb"),
            ("run_query", {"sql": "SELECT 1", "maxrows": 5}, "maxrows", "max_rows"),
            ("describe_schema", {"tabel": "users"}, "tabel", "table"),
            ("review_indexes", {"x" * 100_000: 1}, "x" * 60, None),
            ("draft_migration", {"target_ddl": TARGET, "ctx": {}}, "ctx", None),
        ]:
            text = _error(await client.call_tool(tool, args))
            assert f"has no argument `{unknown}" in text and "nothing was run" in text, text
            if close:
                assert f"did you mean `{close}`?" in text, text
        text = _error(await client.call_tool("reveiw_schema", {}))
        assert "no tool `reveiw_schema`" in text and "review_schema" in text, text
        text = _error(await client.call_tool("q" * 500_000, {}))
        assert "more characters" in text, text
        # wrong types and out-of-range values: one line each, the value quoted short, no pydantic URL
        text = _error(await client.call_tool("run_query", {"sql": "SELECT 1", "max_rows": "\x1b[31m" + "9" * 5_000}))
        assert "`max_rows`" in text and "errors.pydantic.dev" not in text and "more characters" in text, text
        text = _error(await client.call_tool("review_schema", {"limit": 0}))
        assert "`limit`: Input should be greater than or equal to 1 (got 0)" in text, text

        ok = await client.call_tool("review_schema", {"schema": "public", "limit": 2})
        assert not ok.is_error, ok.content[0].text[:300]


async def test_design_schema_refuses_keys_and_types_it_cannot_read(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=120) as client:
        for spec, said in [
            ({"entities": [{"name": "users", "fields": "x"}]}, "entity has no key 'fields'; did you mean 'attributes'?"),
            ({"entities": [{"name": "users", "attributes": [{"name": "age", "typ": "int"}]}]}, "did you mean 'type'?"),
            ({"entities": [{"name": "users"}], "option": {"soft_delete": True}}, "did you mean 'options'?"),
            ({"entities": [{"name": "users", "attributes": [{"name": "age", "type": "x"}]}]}, "type 'x' is neither"),
            ({"entities": [{"name": "users", "attributes": [{"name": "age", "type": "intger"}]}]}, "did you mean integer"),
        ]:
            for verify in (False, True):
                text = _error(await client.call_tool("design_schema", {"spec": spec, "verify": verify}))
                assert said in text, text
        res = await client.call_tool("design_schema", {"verify": False, "spec": {"entities": [
            {"name": "users", "attributes": [{"name": "age", "type": "int4"}, {"name": "tags", "type": "text[]"},
                                             {"name": "name", "type": "citext"}]}]}})  # fmt: skip
        assert not res.is_error, res.content[0].text[:500]
        ddl = res.structured_content["up_sql"]
        assert "age integer" in ddl and "tags text[]" in ddl and "name citext" in ddl, ddl


async def test_draft_migration_backfill_naming_no_new_column_is_an_error(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=180) as client:
        for key, said in [("tags.plna", "Did you mean 'tags.plan'?"), ("tgas.plan", "Did you mean 'tags.plan'?"),
                          ("tags.name", "names no column whose existing rows"), ("x" * 5_000, "names no column")]:
            res = await client.call_tool("draft_migration", {"target_ddl": TARGET, "backfill": {key: "'free'"}, "verify": False})
            text = _error(res)
            assert "backfill:" in text and said in text and "Nothing was drafted" in text, text
        res = await client.call_tool("draft_migration", {"target_ddl": TARGET, "backfill": {"tags.plan": "'free'"}, "verify": False})
        assert not res.is_error, res.content[0].text[:500]
        assert "'free'" in res.structured_content["up_sql"]


async def test_mariadb_backfill_naming_no_new_column_is_an_error(mysql):
    url = mysql.create_db("CREATE TABLE tags (id int PRIMARY KEY, name varchar(50) NOT NULL);")
    target = "CREATE TABLE tags (id int PRIMARY KEY, name varchar(50) NOT NULL, plan varchar(20) NOT NULL);"
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(url))
    async with Client(params, read_timeout_seconds=120) as client:
        res = await client.call_tool("draft_migration", {"target_ddl": target, "backfill": {"tags.plna": "'free'"}, "verify": False})
        assert "Did you mean 'tags.plan'?" in _error(res)
        res = await client.call_tool("review_schema", {"shema": "x"})
        assert "did you mean `schema`?" in _error(res)
        res = await client.call_tool("draft_migration", {"target_ddl": target, "backfill": {"tags.plan": "'free'"}, "verify": False})
        assert not res.is_error and "'free'" in res.structured_content["up_sql"], res.content[0].text[:500]
