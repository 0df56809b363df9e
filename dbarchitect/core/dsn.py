"""DSN handling that never leaks a password: parse, describe safely, scrub text."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_KV = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")
_URL_USERINFO = re.compile(r"((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?)://[^:/@\s]*:)([^@\s]*)(@)")
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def parse_dsn(dsn: str) -> dict[str, str]:
    """Parse a libpq URL or key=value string into its parameters (no validation, no I/O)."""
    dsn = dsn.strip()
    if dsn.startswith(("postgres://", "postgresql://", "mysql://", "mariadb://")):
        parts = urlsplit(dsn)
        out: dict[str, str] = {}
        if parts.hostname:
            out["host"] = parts.hostname
        if parts.port:
            out["port"] = str(parts.port)
        if parts.username:
            out["user"] = unquote(parts.username)
        if parts.password:
            out["password"] = unquote(parts.password)
        if parts.path and parts.path != "/":
            out["dbname"] = unquote(parts.path.lstrip("/"))
        for pair in filter(None, parts.query.split("&")):
            k, _, v = pair.partition("=")
            out[k] = unquote(v)
        return out
    out = {}
    for key, value in _KV.findall(dsn):
        if value.startswith("'") and value.endswith("'"):
            value = value[1:-1].replace("\\'", "'").replace("\\\\", "\\")
        out[key] = value
    return out


def dsn_password(dsn: str) -> str | None:
    return parse_dsn(dsn).get("password") or None


def describe_dsn(dsn: str) -> str:
    """A printable description of where a DSN points, without its password."""
    p = parse_dsn(dsn)
    if not p:
        return "libpq defaults (PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE)"
    host = p.get("host") or p.get("hostaddr") or "local socket"
    where = f"{host}:{p['port']}" if p.get("port") else host
    if p.get("service"):
        where = f"service {p['service']}"
    db = p.get("dbname", "(default)")
    user = p.get("user")
    return f"database {db} at {where}" + (f" as {user}" if user else "")


def redact(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """Remove passwords from any text: known secrets, URL userinfo passwords, password=… pairs."""
    if not text:
        return text
    text = _URL_USERINFO.sub(r"\1***\3", text)
    text = _KV_PASSWORD.sub(r"\1***", text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def with_statement_timeout(dsn: str | None, ms: int) -> str | None:
    """A PostgreSQL DSN whose sessions start with `statement_timeout = ms` (libpq `options`): the caller's
    DDL loaded into a scratch database is bounded like the rest of the call. Unchanged when it is not a
    PostgreSQL DSN or already sets options."""
    if dsn is None:
        return None
    text = dsn.strip()
    if "options" in parse_dsn(text):
        return dsn
    if text.startswith(("postgres://", "postgresql://")):
        return f"{text}{'&' if '?' in text else '?'}options=-c%20statement_timeout%3D{int(ms)}"
    if "://" not in text and "=" in text:
        return f"{text} options='-c statement_timeout={int(ms)}'"
    return dsn
