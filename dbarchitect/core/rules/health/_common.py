"""Helpers shared by the health rules: evidence, numbers in words, identifiers."""

from __future__ import annotations

from dbarchitect.core.models import Evidence
from dbarchitect.core.sql.ident import quote_ident, quote_qualified


def catalog(detail: str, **data: object) -> Evidence:
    return Evidence(kind="catalog", detail=detail, data=data)


def qi(name: str) -> str:
    """Quote an identifier when PostgreSQL needs it (core/sql/ident.py)."""
    return quote_ident(name)


def qname(schema: str, name: str) -> str:
    return quote_qualified(schema, name)


def size(n: float | None) -> str:
    if n is None:
        return "unknown"
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n}"


def duration(s: float | None) -> str:
    if s is None:
        return "unknown time"
    if s < 120:
        return f"{s:,.1f} s"
    if s < 7200:
        return f"{s / 60:,.1f} min"
    if s < 172800:
        return f"{s / 3600:,.1f} h"
    return f"{s / 86400:,.1f} days"


def reload_note(context: str) -> str:
    return {"postmaster": "needs a server restart", "sighup": "takes effect on reload (SELECT pg_reload_conf()), no restart",
            "superuser": "takes effect on reload for new sessions", "user": "takes effect on reload, per session"}.get(
        context, "takes effect on reload")
