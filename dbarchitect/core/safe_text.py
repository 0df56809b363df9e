"""Text that goes back to the caller's model: bounded quotes of its input, no terminal escapes, and
input characters PostgreSQL cannot hold reported instead of silently cutting the text.

- `clean_message(text)`: drop ANSI/terminal escape sequences (sqlglot underlines the failing token
  with them) and other control characters, shorten every quoted run of more than `QUOTE_MAX`
  characters (a 2 MB table name) and the message as a whole to `MESSAGE_MAX`.
- `find_nul(arguments)`: the first argument holding a NUL byte, and where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: the longest run of input an error message quotes
QUOTE_MAX = 200
#: the longest error message
MESSAGE_MAX = 2000

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_RUN = re.compile(r"\S{%d,}" % (QUOTE_MAX + 1))


def _cut(text: str, keep: int = QUOTE_MAX) -> str:
    if len(text) <= keep:
        return text
    return f"{text[:keep]}…({len(text) - keep} more characters)"


def clean_message(text: str) -> str:
    """`text` without terminal escapes or control characters, quoting at most QUOTE_MAX characters
    of any one input, at most MESSAGE_MAX characters long."""
    text = _CONTROL.sub("", _ANSI.sub("", text))
    text = _QUOTED.sub(lambda m: _cut(m.group(0)) if len(m.group(0)) > QUOTE_MAX + 2 else m.group(0), text)
    text = _RUN.sub(lambda m: _cut(m.group(0)), text)
    if len(text) > MESSAGE_MAX:
        head, tail = text[: MESSAGE_MAX - 300], text[-200:]
        text = f"{head} …({len(text) - len(head) - len(tail)} characters left out)… {tail}"
    return text


def find_nul(value: Any, path: str = "") -> tuple[str, int] | None:
    """(argument path, character offset) of the first NUL byte in a tool's arguments, or None."""
    if isinstance(value, str):
        at = value.find("\x00")
        return (path or "argument", at) if at >= 0 else None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, Mapping):
        for key, item in value.items():
            if (found := find_nul(item, f"{path}.{key}" if path else str(key))) is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if (found := find_nul(item, f"{path}[{i}]")) is not None:
                return found
    return None


def nul_message(found: tuple[str, int]) -> str:
    path, at = found
    return (f"`{path}` contains a NUL byte (\\x00) at character {at}: PostgreSQL text cannot hold one, and "
            "reading only up to it would analyse less than was sent. Remove it and call again.")  # fmt: skip
