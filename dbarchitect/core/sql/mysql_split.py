"""Split a MySQL script into statements at `;` outside strings, identifiers and comments (no
DELIMITER support: scripts with stored programs are not split correctly)."""

from __future__ import annotations

from dbarchitect.core.sql.mysql_readonly import GateError, Token, tokenize


def split_script(script: str) -> list[str]:
    out, start = [], 0
    try:
        tokens: list[Token] = tokenize(script)
    except GateError:
        return [s.strip() for s in script.split(";") if s.strip()]
    for t in tokens:
        if t.kind == "punct" and t.text == ";":
            stmt = script[start : t.start].strip()
            if stmt:
                out.append(stmt)
            start = t.start + 1
    rest = script[start:].strip()
    if rest and any(t.start >= start for t in tokens):
        out.append(rest)
    return out
