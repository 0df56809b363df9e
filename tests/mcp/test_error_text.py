"""Errors quote at most ~200 characters of the input and carry no terminal escapes; a NUL byte in
an argument is reported instead of cutting what is analysed (issue 19)."""

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.core.safe_text import MESSAGE_MAX, QUOTE_MAX, clean_message
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

HUGE = "x" * 2_000_000


@pytest.fixture
def server(blog_dsn):
    return build_server(load_settings({"DATABASE_URL": blog_dsn}, use_embedded_scratch=False))


def _text(res) -> str:
    assert res.is_error
    return res.content[0].text


async def test_huge_names_are_quoted_short(server):
    async with Client(server) as client:
        text = _text(await client.call_tool("describe_schema", {"table": HUGE}))
        assert len(text) < 1000 and "more characters" in text
        text = _text(await client.call_tool("run_query", {"sql": f"SELECT * FROM {HUGE}"}))
        assert len(text) < MESSAGE_MAX + 100
        text = _text(await client.call_tool("review_query", {"sql": f"SELECT FROM WHERE {HUGE} ((", "offline": True}))
        assert len(text) < MESSAGE_MAX + 100 and "x" * (QUOTE_MAX + 1) not in text


async def test_parser_errors_carry_no_terminal_escapes(server):
    async with Client(server) as client:
        for tool, args in [
            ("review_query", {"sql": "SELECT * FROM users WHERE (id = 1", "offline": True}),
            ("rewrite_query", {"sql": "SELECT * FROM users WHERE (id = 1", "verify": False}),
        ]:
            text = _text(await client.call_tool(tool, args))
            assert "\x1b" not in text and "[4m" not in text, (tool, text)


async def test_nul_byte_is_reported_not_truncated(server):
    async with Client(server) as client:
        sql = "SELECT id FROM users;\x00SELECT * FROM users WHERE email = NULL"
        text = _text(await client.call_tool("review_query", {"sql": sql}))
        assert "NUL" in text and "`sql`" in text and "character 21" in text
        text = _text(await client.call_tool("recommend_indexes", {"queries": ["SELECT 1", "SELECT \x002"]}))
        assert "queries[1]" in text


def test_clean_message_strips_escapes_and_bounds_quotes():
    msg = "Invalid expression / Unexpected token. Line 1, Col: 5.\n  SELECT \x1b[4m*\x1b[0m FROM 'a" + "b" * 5000 + "'"
    out = clean_message(msg)
    assert "\x1b" not in out and "[4m" not in out and "b" * (QUOTE_MAX + 1) not in out and "more characters" in out
    assert len(clean_message("y " * 100_000)) <= MESSAGE_MAX + 100
