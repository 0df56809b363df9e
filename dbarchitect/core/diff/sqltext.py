"""Identifier quoting, literals and small text transformations of catalog-rendered SQL."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
# Words that must be quoted as identifiers (PostgreSQL's reserved key words, plus a few type-like ones).
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
    create current_catalog current_date current_role current_time current_timestamp current_user default
    deferrable desc distinct do else end except false fetch for foreign from grant group having in initially
    intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing
    primary references returning select session_user some symmetric table then to trailing true union unique
    user using variadic when where window with authorization binary collation concurrently cross current_schema
    freeze full ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample
    verbose""".split()
)
MAX_IDENT = 63


def qi(name: str) -> str:
    """Quote an identifier when PostgreSQL needs it quoted."""
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


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
