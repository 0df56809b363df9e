"""Identifiers in generated SQL: quoted exactly when PostgreSQL needs it (upper case, spaces, leading
digits, embedded quotes, reserved keywords such as "user" or "order"), using PostgreSQL's own keyword
list through pglast. Every module that writes SQL quotes through here."""

from __future__ import annotations

from pglast.stream import maybe_double_quote_name


def quote_ident(name: str) -> str:
    return maybe_double_quote_name(name)


def quote_qualified(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"
