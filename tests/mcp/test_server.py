"""The MCP server in-process: tools with annotations and output schemas, calls, errors, prompts,
resources — and the server keeps answering after every kind of failure."""

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def server(blog_dsn):
    return build_server(load_settings({"DATABASE_URL": blog_dsn}, max_rows=50))


async def test_tools_have_annotations_and_output_schemas(server):
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert {"describe_schema", "run_query"} <= set(tools)
    for tool in tools.values():
        scratch = tool.name in ("dry_run_migration", "draft_migration", "review_security")  # create/drop a scratch database
        assert tool.annotations.read_only_hint is (not scratch) and tool.annotations.destructive_hint is False
        assert tool.output_schema and tool.output_schema.get("type") == "object"
        if tool.name != "design_schema":  # designs a new schema: no database to name
            assert "connection" in tool.input_schema["properties"]
        assert tool.description
    assert {"columns", "rows", "truncated", "elapsed_ms"} <= set(tools["run_query"].output_schema["properties"])
    assert tools["run_query"].input_schema["required"] == ["sql"]


async def test_describe_schema_summary_table_and_mermaid(server):
    async with Client(server) as client:
        res = await client.call_tool("describe_schema", {})
        assert not res.is_error
        summary = res.structured_content["summary"]
        lines = {t["name"]: t for t in summary["tables"]}
        assert set(lines) == {f"public.{n}" for n in ("audit_log", "comments", "post_tags", "posts", "tags", "users")}
        assert lines["public.posts"]["rows"] == 20000 and lines["public.posts"]["references"] == ["public.users"]
        assert "no-pk" in lines["public.audit_log"]["flags"]
        assert "public.comments  ~60 k rows" in res.content[0].text

        page = await client.call_tool("describe_schema", {"page_size": 4})
        first = page.structured_content["summary"]
        assert len(first["tables"]) == 4 and first["next_cursor"] == "4"
        rest = await client.call_tool("describe_schema", {"page_size": 4, "cursor": first["next_cursor"]})
        second = rest.structured_content["summary"]
        assert [t["name"] for t in second["tables"]] == ["public.tags", "public.users"] and second["next_cursor"] is None

        res = await client.call_tool("describe_schema", {"table": "comments"})
        detail = res.structured_content["detail"]
        assert detail["table"]["name"] == "comments" and "CREATE TABLE public.comments" in detail["ddl"]
        assert "metadata json" in detail["ddl"]
        assert [c["name"] for c in detail["table"]["columns"]][:2] == ["id", "post_id"]

        res = await client.call_tool("describe_schema", {"format": "mermaid"})
        mer = res.structured_content["mermaid"]
        assert mer.startswith("erDiagram") and 'posts ||--o{ comments : "post_id"' in mer
        assert 'users |o--o{ comments : "user_id"' in mer  # nullable FK


async def test_run_query_over_mcp(server):
    async with Client(server) as client:
        res = await client.call_tool("run_query", {"sql": "SELECT status, count(*) AS n FROM posts GROUP BY 1 ORDER BY 1"})
        assert not res.is_error
        assert res.structured_content["rows"] == [["archived", 941], ["draft", 4000], ["published", 15059]]
        assert res.structured_content["columns"] == [{"name": "status", "type": "text"}, {"name": "n", "type": "bigint"}]
        assert "published | 15059" in res.content[0].text
        res = await client.call_tool("run_query", {"sql": "SELECT id FROM comments"})
        assert res.structured_content["truncated"] and res.structured_content["row_count"] == 50


async def test_errors_are_tool_errors_and_the_server_stays_up(server):
    async with Client(server) as client:
        for args, expected in (
            ({"sql": "DROP TABLE users"}, "Refused"),
            ({"sql": "SELECT * FROM nope"}, 'relation "nope" does not exist'),
            ({"sql": "SELECT FROM WHERE"}, "syntax error"),
            ({"sql": "SELECT 1/0"}, "division by zero"),
        ):
            res = await client.call_tool("run_query", args)
            assert res.is_error and expected in res.content[0].text
        res = await client.call_tool("describe_schema", {"table": "postz"})
        assert res.is_error and "does not exist" in res.content[0].text and "public.posts" in res.content[0].text
        res = await client.call_tool("describe_schema", {"cursor": "bogus"})
        assert res.is_error and "cursor" in res.content[0].text
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM users"})
        assert not res.is_error and res.structured_content["rows"] == [[2000]]


async def test_prompts_and_rule_resources(server):
    async with Client(server) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert prompts == {"database-architect", "schema-review", "migration-review", "slow-query"}
        got = await client.get_prompt("schema-review", {"schema": "sales"})
        text = got.messages[0].content.text
        assert "(schema sales)" in text and "describe_schema" in text
        got = await client.get_prompt("database-architect", {"focus": "migrations"})
        assert "Focus for this session: migrations" in got.messages[0].content.text
        index = await client.read_resource("rules://index")
        assert index.contents[0].text


async def test_summary_reports_role_and_capabilities(server):
    async with Client(server) as client:
        res = await client.call_tool("describe_schema", {})
    summary = res.structured_content["summary"]
    assert summary["role"] == "postgres (superuser)"
    assert summary["capabilities"] == {"hypopg": "installed", "pg_stat_statements": "installed"}
    assert "hypopg: installed" in res.content[0].text
