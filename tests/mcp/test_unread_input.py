"""Input a tool could not read is an error, never a clean bill of health (issue 19): every tool, through
a real `dbarchitect serve` over stdio, fed garbage, empty, whitespace-only and comments-only input, a
misspelled schema, or statements of which some cannot be used."""

import sys

import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio

UNREAD = {
    "garbage": "qwe rty ((( uiop",
    "empty": "",
    "whitespace": "  \n\t  ",
    "comments": "-- nothing here\n/* nor here */ ;",
}
CLEAN_BILL = ("no findings", "No N+1", "ran cleanly", "Nothing to change", "No index to recommend", "statements, no findings")


def text_inputs(value: str) -> list[tuple[str, dict]]:
    """Every tool argument that takes SQL, DDL, a plan or a workload, with `value` in it."""
    return [
        ("run_query", {"sql": value}),
        ("review_query", {"sql": value}),
        ("review_query", {"sql": value, "offline": True}),
        ("rewrite_query", {"sql": value, "verify": False}),
        ("explain_query", {"sql": value}),
        ("explain_query", {"sql": value, "analyze": True}),
        ("explain_plan", {"plan": value}),
        ("recommend_indexes", {"queries": [value]}),
        ("lint_migration", {"sql": value}),
        ("lint_migration", {"sql": value, "offline": True}),
        ("dry_run_migration", {"sql": value}),
        ("draft_migration", {"target_ddl": value}),
        ("review_schema", {"ddl": value}),
    ]


def _env(dsn: str) -> dict:
    return server_env(dsn)


def _refused(res, label: str) -> str:
    text = res.content[0].text
    assert res.is_error, f"{label}: answered as if it had read the input: {text[:300]!r}"
    assert not any(bill in text for bill in CLEAN_BILL), (label, text)
    return text


async def test_every_tool_refuses_input_it_could_not_read(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=120) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        covered = set()
        for kind, value in UNREAD.items():
            for tool, args in text_inputs(value):
                covered.add(tool)
                text = _refused(await client.call_tool(tool, args), f"{tool} {kind} {args}")
                if kind != "garbage":
                    assert any(w in text.lower() for w in ("no ", "empty", "found 0", "is not a plan")), (tool, kind, text)

        # the parser's message and position reach the caller
        text = _refused(await client.call_tool("lint_migration", {"sql": "CREATE TABLE a (id int);\nqwe rty"}), "lint")
        assert 'syntax error at or near "qwe"' in text and "line 2" in text and "character 26" in text

        # a misspelled schema names the schemas there are, closest first
        for tool in ("describe_schema", "review_schema", "review_indexes"):
            covered.add(tool)
            text = _refused(await client.call_tool(tool, {"schema": "pubilc"}), f"{tool} schema")
            assert "'pubilc' does not exist" in text and "Schemas: public" in text, (tool, text)
        text = _refused(await client.call_tool("review_schema", {"ddl": "CREATE TABLE a (id int)", "schema": "pubilc"}), "ddl schema")
        assert "Schemas: public" in text

        # some statements unusable: named with their number and the parser's message, or the whole input refused
        ddl = "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLEX b (id int);\nCREATE TABLE c (id int);"
        for tool, args in [("review_schema", {"ddl": ddl}), ("lint_migration", {"sql": ddl}),
                           ("dry_run_migration", {"sql": ddl}), ("draft_migration", {"target_ddl": ddl})]:
            text = _refused(await client.call_tool(tool, args), f"{tool} partial")
            assert "TABLEX" in text, (tool, text)
        text = _refused(await client.call_tool("review_query", {"sql": "SELECT 1;\nSELEC 2;\nSELECT 3"}), "n+1 log")
        assert "Line 2" in text
        res = await client.call_tool("recommend_indexes", {"queries": ["SELECT * FROM users WHERE email = 'a'", "SELEC x"]})
        assert not res.is_error and res.structured_content["skipped_queries"] == {
            "q2": 'not valid PostgreSQL: syntax error at or near "SELEC", at index 0'
        }
        assert "skipped q2" in res.content[0].text

        # the tools without a text input: a wrong connection or check name is an error too
        for tool, args in [("review_health", {"connection": "nosuch"}), ("review_security", {"connection": "nosuch"}),
                           ("top_queries", {"connection": "nosuch"}), ("design_schema", {"spec": {"entities": []}})]:
            covered.add(tool)
            _refused(await client.call_tool(tool, args), f"{tool} {args}")
        assert covered == tools, f"not audited: {sorted(tools - covered)}"

        res = await client.call_tool("run_query", {"sql": "SELECT 1"})  # still serving
        assert not res.is_error and res.structured_content["rows"] == [[1]]
