"""Every tool's description is written for a model choosing a tool (issue 21): one line of what it
does, one of when to use it — naming the sibling to use instead — and one of what it returns."""

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from dbarchitect.tools import TOOLS

pytestmark = pytest.mark.anyio

# tools that are easy to confuse: each one's description must name the other
SIBLINGS = [
    ("review_schema", "review_indexes"),
    ("explain_query", "explain_plan"),
    ("lint_migration", "dry_run_migration"),
    ("lint_migration", "draft_migration"),
    ("draft_migration", "lint_migration"),
    ("recommend_indexes", "review_indexes"),
    ("review_query", "rewrite_query"),
]


async def test_each_description_says_what_when_and_returns():
    async with Client(build_server(load_settings({}))) as client:
        tools = {t.name: t.description for t in (await client.list_tools()).tools}
    names = {t.name for t in TOOLS}
    for name, text in tools.items():
        lines = text.split("\n")
        assert len(lines) == 3, (name, text)
        what, when, returns = lines
        assert when.startswith("Use it"), (name, when)
        assert returns.startswith("Returns"), (name, returns)
        others = {n for n in names - {name} if n in when}
        assert others, f"{name}: the 'when' line names no sibling tool"
        assert len(text) <= 600, name
    for tool, sibling in SIBLINGS:
        if tool in tools and sibling in tools:
            assert sibling in tools[tool], (tool, sibling)
    # run_query points away from itself for judgement
    assert "review" in tools["run_query"].split("\n")[1]
