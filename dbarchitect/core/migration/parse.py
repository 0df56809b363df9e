"""A migration parsed once: its statements (core/sql/statements.py), or the syntax error that stopped it.

One `ParsedMigration` is handed from the lint to the lint context to the dry run, so that the three
number the same statements and none of them parses the text again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.core.sql.statements import SQLParseError, SQLStatement, parse


@dataclass(frozen=True)
class ParsedMigration:
    sql: str
    statements: tuple[SQLStatement, ...] = ()
    error: SQLParseError | None = None  # set when the text does not parse (then no statements)

    @classmethod
    def of(cls, sql: str | Sequence[str] | ParsedMigration) -> ParsedMigration:
        """Parse `sql` (text, or statements joined as a script); a syntax error is kept, not raised."""
        if isinstance(sql, ParsedMigration):
            return sql
        text = sql if isinstance(sql, str) else ";\n".join(sql)
        try:
            return cls(text, tuple(parse(text)))
        except SQLParseError as exc:
            return cls(text, (), exc)

    def require(self) -> tuple[SQLStatement, ...]:
        """The statements; raises the SQLParseError when the text does not parse."""
        if self.error is not None:
            raise self.error
        return self.statements
