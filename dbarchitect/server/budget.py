"""A tool's result as the MCP answer, within one response budget for text + structured content
(issue 19; the cutting itself is dbarchitect.core.response_budget)."""

from __future__ import annotations

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from dbarchitect.core.dsn import redact
from dbarchitect.core.render import render
from dbarchitect.core.response_budget import fit_response


def budget_chars(max_response_chars: int) -> int:
    """The whole response's budget: the text's own cap (`--max-response-chars`, default 60k ≈ 15k
    tokens) plus a third for the structured part — ≈ 20k tokens by default."""
    return max_response_chars * 4 // 3


def tool_result(result: BaseModel, max_chars: int, secrets: list[str], tool: str = "") -> CallToolResult:
    """The text and structured content of a tool's result, cut together to the budget (CPU-bound for
    large results: call it in a worker)."""
    text = redact(render(result, max_chars=max_chars), secrets)
    structured = result.model_dump(mode="json", by_alias=True)
    text, structured = fit_response(text, structured, budget_chars(max_chars), tool)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
