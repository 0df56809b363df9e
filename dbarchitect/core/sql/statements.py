"""The one statement splitter: SQL text -> statements with PostgreSQL's own grammar (pglast).

Each statement keeps its 1-based index, the 1-based line of its first token, its text (leading
comments and the trailing semicolon left out), its pglast node and its `-- dbarchitect: ignore`
markers. A syntax error is one `SQLParseError` with the message, line and position.
`scan` splits with the scanner alone (no nodes) for text the server judges, such as DDL in syntax
newer than pglast's grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pglast
from pglast import parser
from pglast.parser import ParseError

from dbarchitect.core.describe import UserInputError

_IGNORE = re.compile(r"--\s*dbarchitect:\s*ignore\b([^\n]*)", re.IGNORECASE)
_LEADING = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_BLANK = re.compile(r"(?:\s+|;|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


class SQLParseError(UserInputError):
    """The text is not valid PostgreSQL: `message`, 1-based `line` and pglast's `position` when known."""

    def __init__(self, message: str, line: int | None = None, position: int | None = None):
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message = message
        self.line = line
        self.position = position

    @classmethod
    def from_pglast(cls, sql: str, exc: ParseError) -> SQLParseError:
        # pglast: args = (message, 0-based character offset of the offending token)
        loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) and exc.args[1] >= 0 else None
        line = sql.count("\n", 0, loc) + 1 if loc is not None else None
        return cls(str(exc.args[0]) if exc.args else str(exc), line, loc)

    def pglast_text(self) -> str:
        """The error as pglast words it ("... at index N")."""
        return self.message if self.position is None else f"{self.message}, at index {self.position}"


@dataclass(frozen=True)
class SQLStatement:
    index: int  # 1-based
    line: int  # 1-based line of the first token
    sql: str  # text without leading comments, without the trailing semicolon
    node: object = None  # pglast.ast node (None from `scan`)
    ignores: frozenset[str] = frozenset()  # rule names or codes; "all" silences every rule

    @property
    def kind(self) -> str:
        """The node's type name; transaction control with its kind (TransactionStmt:COMMIT)."""
        kind = type(self.node).__name__
        if kind == "TransactionStmt":
            kind += ":" + self.node.kind.name.removeprefix("TRANS_STMT_")
        return kind


def _ignores(text: str) -> frozenset[str]:
    names: set[str] = set()
    for m in _IGNORE.finditer(text):
        rest = m.group(1).strip()
        parts = [p for p in re.split(r"[\s,]+", rest) if p]
        names.update(p.lower() for p in parts) if parts else names.add("all")
    return frozenset(names)


def parse(sql: str) -> list[SQLStatement]:
    """Parse `sql` into statements. Raises SQLParseError with the line of a syntax error."""
    try:
        raws = pglast.parse_sql(sql)
    except ParseError as exc:
        raise SQLParseError.from_pglast(sql, exc) from None
    out: list[SQLStatement] = []
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
        out.append(SQLStatement(index=i, line=line, sql=chunk[lead:].rstrip(), node=raw.stmt,
                                ignores=_ignores(lead_text + chunk[lead:] + tail)))
    return out


def scan(sql: str) -> list[SQLStatement]:
    """Split with the scanner only (statements pglast's grammar may not know yet; no nodes, no ignores).
    The whole text is one statement when even the scanner refuses it: the server will judge."""
    try:
        slices = parser.split(sql, with_parser=False, only_slices=True)
    except Exception:  # noqa: BLE001 - the scanner refused the text
        return [SQLStatement(index=1, line=1, sql=sql)] if sql.strip() else []
    out: list[SQLStatement] = []
    covered = 0
    for sl in [*slices, slice(len(sql), len(sql))]:
        # text the scanner left out of every slice (it drops what it cannot tokenize) is a statement
        # of its own: the server will judge it, nothing is dropped without a word
        for gap in (slice(covered, sl.start), sl):
            start = _BLANK.match(sql, gap.start, gap.stop).end()
            body = sql[start : gap.stop].strip().rstrip(";").rstrip()
            if body and not blank(body):
                out.append(SQLStatement(index=len(out) + 1, line=sql.count("\n", 0, start) + 1,
                                        sql=sql[start : gap.stop] if gap is sl else body))
        covered = max(covered, sl.stop)
    return out


def blank(sql: str) -> bool:
    """True when `sql` holds no statement: only whitespace, comments and semicolons."""
    return _BLANK.fullmatch(sql) is not None
