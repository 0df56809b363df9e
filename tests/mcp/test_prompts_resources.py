"""Prompts that drive the tools and the resources beside them (issue 21), over the in-process client."""

import json
import logging

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from dbarchitect.server.product import render_prompt
from dbarchitect.tools import TOOLS

pytestmark = pytest.mark.anyio

TOOL_NAMES = {t.name for t in TOOLS}


@pytest.fixture
def server(blog_dsn):
    env = {
        "DATABASE_URL": blog_dsn,
        "DBARCHITECT_DB_SHOP": "mysql://shop:hunter2@db.internal:3306/shop",
        "DBARCHITECT_DB_REPORTS": "postgresql://analyst:s3cr3t-pw@reports.internal:5433/reports",
    }
    return build_server(load_settings(env, max_rows=50))


async def test_every_prompt_argument_has_a_description(server):
    async with Client(server) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == {"database-architect", "schema-review", "migration-review", "slow-query"}
    for prompt in prompts.values():
        assert prompt.description and prompt.arguments, prompt.name
        for arg in prompt.arguments:
            assert arg.description and not arg.required, (prompt.name, arg.name)
        assert "connection" in {a.name for a in prompt.arguments}


async def test_prompts_name_the_tools_they_drive(server):
    async with Client(server) as client:
        async def text(name, args=None):
            got = await client.get_prompt(name, args or {})
            return got.messages[0].content.text

        architect = await text("database-architect", {"focus": "migrations", "connection": "reports"})
        for tool in TOOL_NAMES:  # the workflow names every tool
            assert f"`{tool}`" in architect, tool
        assert "Focus for this session: migrations" in architect and 'connection="reports"' in architect

        review = await text("schema-review", {"schema": "sales"})
        order = [review.index(f"`{t}`") for t in ("review_schema", "review_indexes", "lint_migration")]
        assert order == sorted(order) and "(schema sales)" in review and 'schema="sales"' in review
        assert ("`review_security`" in review) == ("review_security" in TOOL_NAMES)
        assert "1. " in review and "#." not in review and "[" not in review.split("\n")[2]

        migration = await text("migration-review", {"migration": "ALTER TABLE posts ADD COLUMN x int NOT NULL DEFAULT 0;"})
        order = [migration.index(f"`{t}`") for t in ("lint_migration", "dry_run_migration", "draft_migration")]
        assert order == sorted(order) and "```sql\nALTER TABLE posts" in migration
        assert "ask for it" in await text("migration-review")

        slow = await text("slow-query")
        steps = ["top_queries" if "top_queries" in TOOL_NAMES else "pg_stat_statements", "explain_query", "recommend_indexes"]
        order = [slow.index(s) for s in steps]
        assert order == sorted(order)
        assert "SELECT 1 FROM posts" in await text("slow-query", {"sql": "SELECT 1 FROM posts"})


def test_conditional_lines_follow_the_registered_tools():
    with_security = render_prompt("schema-review", TOOL_NAMES | {"review_security"}, connection="", scope="", scope_args="")
    without = render_prompt("schema-review", TOOL_NAMES - {"review_security"}, connection="", scope="", scope_args="")
    assert "`review_security`" in with_security and "review_security" not in without
    # steps stay numbered 1..n either way
    for text in (with_security, without):
        numbers = [int(line.split(".")[0]) for line in text.splitlines() if line[:1].isdigit()]
        assert numbers == list(range(1, len(numbers) + 1))
    slow_with = render_prompt("slow-query", {"top_queries"}, connection="", query="")
    slow_without = render_prompt("slow-query", set(), connection="", query="")
    assert "`top_queries`" in slow_with and "pg_stat_statements (`ORDER BY" not in slow_with
    assert "top_queries" not in slow_without and "total_exec_time" in slow_without


async def test_connections_resource_lists_names_and_engines_never_secrets(server):
    async with Client(server) as client:
        listed = {r.uri: r for r in (await client.list_resources()).resources}
        assert "dbarchitect://connections" in {str(u) for u in listed}
        got = await client.read_resource("dbarchitect://connections")
    text = got.contents[0].text
    assert "hunter2" not in text and "s3cr3t-pw" not in text and "password" not in text.lower()
    rows = {r["name"]: r for r in json.loads(text)}
    assert set(rows) == {"default", "shop", "reports"}
    assert rows["default"]["default"] is True and rows["default"]["engine"] == "postgresql"
    assert rows["shop"]["engine"] == "mysql" and rows["shop"]["where"] == "database shop at db.internal:3306 as shop"
    assert rows["reports"]["where"] == "database reports at reports.internal:5433 as analyst"


async def test_schema_resource_is_describe_schema_table_mode(server):
    async with Client(server) as client:
        templates = {str(t.uri_template) for t in (await client.list_resource_templates()).resource_templates}
        assert {"schema://{connection}/{table}", "rules://{name}"} <= templates
        tool = await client.call_tool("describe_schema", {"table": "public.posts"})
        got = await client.read_resource("schema://default/public.posts")
        assert got.contents[0].mime_type == "application/json"
        assert json.loads(got.contents[0].text) == tool.structured_content
        bare = json.loads((await client.read_resource("schema://default/comments")).contents[0].text)
        assert bare["mode"] == "table" and bare["detail"]["table"]["name"] == "comments"


async def test_resource_misses_are_clear_not_found_errors_without_tracebacks(server, caplog):
    caplog.set_level(logging.DEBUG)
    async with Client(server) as client:
        for uri, expected in (
            ("rules://nonexistent", "No rule named 'nonexistent'"),
            ("schema://default/postz", "Similar: public.posts"),
            ("schema://nowhere/posts", "No connection named 'nowhere'"),
        ):
            with pytest.raises(MCPError) as err:
                await client.read_resource(uri)
            assert expected in str(err.value), (uri, str(err.value))
            assert "Error creating resource" not in str(err.value)
        assert (await client.read_resource("rules://index")).contents[0].text  # and the server still answers
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
