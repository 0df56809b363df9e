"""The tool list every assistant loads into its context on every session stays within budget
(DEVELOPERS.md: ≤ 16 tools, the whole tools/list ≤ 40k characters, names + descriptions + input
schemas ≤ 20k, each description ≤ 600), and the compact schemas still accept what the tools return."""

import json

import jsonschema
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from dbarchitect.server.schemas import compact_input, compact_output

pytestmark = pytest.mark.anyio


def _dump(tool) -> dict:
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


async def test_tool_list_fits_the_context_budget():
    async with Client(build_server(load_settings({}))) as client:
        tools = (await client.list_tools()).tools
    whole = len(json.dumps([_dump(t) for t in tools]))
    visible = sum(len(t.name) + len(t.description or "") + len(json.dumps(t.input_schema)) for t in tools)
    assert len(tools) <= 16
    assert whole <= 40_000, whole
    assert visible <= 20_000, visible
    assert [t.name for t in tools if len(t.description or "") > 600] == []
    for t in tools:
        text = json.dumps(_dump(t))
        assert '"title"' not in text.replace('"title": "', ""), t.name  # no automatic titles
        assert not (t.description or "").startswith(" ") and "\n    " not in (t.description or ""), t.name


def test_compaction_keeps_what_a_caller_needs_and_drops_titles():
    schema = {
        "properties": {
            "sql": {"title": "Sql", "type": "string", "description": "The query."},
            "limit": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "default": None, "title": "Limit"},
            "mode": {"enum": ["a", "b"], "type": "string", "default": "a", "title": "Mode"},
        },
        "required": ["sql"], "title": "args", "type": "object",
    }
    out = compact_input(schema)
    assert out == {
        "properties": {
            "sql": {"type": "string", "description": "The query."},
            "limit": {"type": ["integer", "null"], "minimum": 1},
            "mode": {"enum": ["a", "b"], "type": "string", "default": "a"},
        },
        "required": ["sql"], "type": "object",
    }
    # the compact schema accepts and rejects the same argument values for these shapes
    for ok in ({"sql": "x"}, {"sql": "x", "limit": None}, {"sql": "x", "limit": 3, "mode": "b"}):
        jsonschema.validate(ok, out)
    for bad in ({"sql": "x", "limit": 0}, {"sql": "x", "mode": "c"}, {"limit": 2}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, out)


def test_output_schema_keeps_the_top_level_and_collapses_nested_models():
    schema = {
        "$defs": {"Finding": {"properties": {"rule": {"type": "string", "title": "Rule"}}, "type": "object", "title": "Finding"}},
        "properties": {
            "findings": {"items": {"$ref": "#/$defs/Finding"}, "type": "array", "description": "What was found."},
            "total": {"type": "integer", "title": "Total"},
        },
        "required": ["findings"], "type": "object", "title": "Report",
    }
    out = compact_output(schema)
    assert out == {
        "properties": {
            "findings": {"items": {"type": "object"}, "type": "array", "description": "What was found."},
            "total": {"type": "integer"},
        },
        "required": ["findings"], "type": "object",
    }
    jsonschema.validate({"findings": [{"rule": "x"}], "total": 1}, out)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"findings": "not a list"}, out)


async def test_structured_results_validate_against_the_advertised_schemas(blog_dsn):
    server = build_server(load_settings({"DATABASE_URL": blog_dsn}, max_rows=20))
    calls = {
        "describe_schema": {},
        "run_query": {"sql": "SELECT id, title FROM posts ORDER BY id LIMIT 3"},
        "review_schema": {},
        "review_query": {"sql": "SELECT * FROM posts WHERE id NOT IN (SELECT post_id FROM comments)"},
        "lint_migration": {"sql": "CREATE INDEX posts_title_idx ON posts (title);"},
        "explain_query": {"sql": "SELECT count(*) FROM posts"},
        "review_indexes": {},
    }
    async with Client(server) as client:
        schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
        for name, args in calls.items():
            res = await client.call_tool(name, args)
            assert not res.is_error, (name, res.content[0].text[:300])
            jsonschema.validate(res.structured_content, schemas[name])
