"""Identifier quoting, literals and small text transformations of catalog-rendered SQL."""

from __future__ import annotations

import re

from dbarchitect.core.sql.ident import quote_ident

MAX_IDENT = 63


qi = quote_ident  # quoted when PostgreSQL needs it (its own keyword list, via pglast)


def qn(schema: str, name: str) -> str:
    return f"{qi(schema)}.{qi(name)}"


def qkey(key: str) -> str:
    """'schema.name' (unquoted catalog names) -> quoted qualified name."""
    schema, _, name = key.partition(".")
    return qn(schema, name)


def lit(text: str | None) -> str:
    if text is None:
        return "NULL"
    return "'" + text.replace("'", "''") + "'"


def derived_name(base: str, suffix: str) -> str:
    """`base` + `suffix`, truncated so the whole stays within PostgreSQL's 63 bytes."""
    room = MAX_IDENT - len(suffix.encode())
    b = base.encode()[:room].decode(errors="ignore")
    return b + suffix


_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX (\"(?:[^\"]|\"\")+\"|\S+) ON (ONLY )?")


def index_shape(definition: str) -> str:
    """pg_get_indexdef() without the index's own name: what the index *is*."""
    return _INDEX_HEAD.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX ON {m.group(3) or ''}", definition)


def index_sql(definition: str, *, name: str | None = None, concurrently: bool = False) -> str:
    """Rewrite pg_get_indexdef() text: optionally a new name and CONCURRENTLY."""

    def head(m: re.Match) -> str:
        idx = qi(name) if name else m.group(2)
        conc = "CONCURRENTLY IF NOT EXISTS " if concurrently else ""
        return f"CREATE {m.group(1) or ''}INDEX {conc}{idx} ON {m.group(3) or ''}"

    return _INDEX_HEAD.sub(head, definition, count=1)


def strip_not_valid(definition: str) -> str:
    return definition[: -len(" NOT VALID")] if definition.endswith(" NOT VALID") else definition


_TRIGGER_HEAD = re.compile(r"^CREATE (CONSTRAINT )?TRIGGER ")


def trigger_sql(definition: str, replace: bool) -> str:
    if not replace:
        return definition
    return _TRIGGER_HEAD.sub(lambda m: f"CREATE OR REPLACE {m.group(1) or ''}TRIGGER ", definition, count=1)
