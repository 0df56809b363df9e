"""What a tool call's arguments did not say: unknown argument names, unknown tools, invalid values —
each one error naming what was wrong and what to send instead (issue 19).

The SDK's argument model ignores names it does not know, so `review_schema(shema="public")` or
`recommend_indexes(budget=500)` ran as if the option had been applied. `additionalProperties: false` in
every input schema would say so too, but costs context on every session (tests/mcp/test_context_budget.py);
this check costs nothing there. Pydantic's own messages (three lines, an URL, the input's repr) are
folded into one line per problem, quoting at most a few dozen characters of the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from dbarchitect.core.safe_text import clean_message
from dbarchitect.core.suggest import closest, did_you_mean

#: characters of a caller's name or value quoted back
SHOWN = 60


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    shown = clean_message(text[:SHOWN]).replace("`", "'")
    return shown if len(text) <= SHOWN else f"{shown}… ({len(text) - SHOWN:,} more characters)"


def _closest(name: str, known: Iterable[str]) -> list[str]:
    """The one known name nearest to `name`, else the first sharing its stem, else none."""
    known = list(known)
    if match := closest(name, known, n=1, ignore_case=True):
        return match
    # a shared stem ("budget" for budget_mb, "schema_name" for schema)
    stem = [k for k in known if len(name) >= 4 and (k.lower().startswith(name.lower()) or name.lower().startswith(k.lower()))]
    return stem[:1]


def unknown_arguments(tool: str, given: Mapping[str, Any], allowed: list[str]) -> str | None:
    """The error for argument names `tool` does not take, or None when every name is known."""
    unknown = [k for k in given if k not in allowed]
    if not unknown:
        return None
    parts = []
    for name in unknown[:5]:
        parts.append(f"`{_short(name)}`" + did_you_mean(_closest(name, allowed), form="aside", quote=lambda c: f"`{c}`"))
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    return (f"{tool} has no argument {', '.join(parts)}{more}: nothing was run. "
            f"Its arguments: {', '.join(allowed)}.")  # fmt: skip


def unknown_tool(name: str, tools: Iterable[str]) -> str:
    hint = did_you_mean(_closest(name, tools)) or " tools/list names them."
    return f"There is no tool `{_short(name)}`.{hint}"


def invalid_arguments(tool: str, exc: ValidationError) -> str:
    """One line per problem: where, what pydantic says, and (shortly) what was given."""
    errors = exc.errors(include_url=False)
    lines = []
    for err in errors[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        msg = err["msg"].removeprefix("Value error, ")
        given = "" if err["type"] in ("missing", "value_error") else f" (got {_short(err.get('input'))})"
        lines.append(f"`{where}`: {msg}{given}")
    more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
    return clean_message(f"{tool}: invalid arguments, nothing was run — {'; '.join(lines)}{more}.")
