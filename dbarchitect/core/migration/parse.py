"""Split a migration into statements with the real PostgreSQL grammar (pglast), keeping lines and ignores."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pglast
from pglast.parser import ParseError

_IGNORE = re.compile(r"--\s*dbarchitect:\s*ignore\b([^\n]*)", re.IGNORECASE)
_LEADING = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


class MigrationParseError(ValueError):
    """The migration is not valid PostgreSQL: message and 1-based line."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
        self.detail = message


@dataclass
class RawStatement:
    index: int  # 1-based
    line: int  # 1-based line of the first token
    sql: str  # text without leading comments, without the trailing semicolon
    node: object  # pglast.ast node
    ignores: frozenset[str]  # rule names or codes; "all" silences every rule


def _ignores(text: str) -> frozenset[str]:
    names: set[str] = set()
    for m in _IGNORE.finditer(text):
        rest = m.group(1).strip()
        parts = [p for p in re.split(r"[\s,]+", rest) if p]
        names.update(p.lower() for p in parts) if parts else names.add("all")
    return frozenset(names)


def split(sql: str) -> list[RawStatement]:
    """Parse `sql` into statements. Raises MigrationParseError with the line of a syntax error."""
    try:
        raws = pglast.parse_sql(sql)
    except ParseError as exc:
        # pglast: args = (message, 1-based character offset)
        loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        line = sql.count("\n", 0, max(loc - 1, 0)) + 1 if loc is not None else None
        raise MigrationParseError(str(exc.args[0]) if exc.args else str(exc), line) from None
    out: list[RawStatement] = []
    # Line numbers are counted incrementally: statement offsets only grow.
    pos, line = 0, 1
    for i, raw in enumerate(raws, start=1):
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(sql)
        chunk = sql[start:end]
        lead = _LEADING.match(chunk).end()
        first = start + lead
        line += sql.count("\n", pos, first)
        pos = first
        # Trailing same-line comments after the semicolon belong to this statement too.
        tail_end = sql.find("\n", end)
        tail = sql[end : tail_end if tail_end != -1 else len(sql)]
        lead_text = chunk[:lead]
        if i > 1:  # the rest of the previous statement's line is that statement's tail
            nl = lead_text.find("\n")
            lead_text = lead_text[nl + 1 :] if nl != -1 else ""
        out.append(
            RawStatement(
                index=i,
                line=line,
                sql=chunk[lead:].rstrip(),
                node=raw.stmt,
                ignores=_ignores(lead_text + chunk[lead:] + tail),
            )
        )
    return out
