"""Turn psycopg errors into one sentence a model (or a person) can act on. Passwords never survive."""

from __future__ import annotations

import psycopg
from psycopg import errors as pge

from dbarchitect.core.dsn import describe_dsn, redact
from dbarchitect.live.errors import DatabaseError

__all__ = ["DatabaseError", "connection_error", "query_error"]


def _first_line(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag else None
    text = primary or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def connection_error(exc: BaseException, dsn: str, secrets: list[str]) -> DatabaseError:
    """Explain why connecting to `dsn` failed."""
    where = describe_dsn(dsn)
    raw = redact(str(exc), secrets)
    low = raw.lower()
    params = where
    if "password authentication failed" in low or "no password supplied" in low or "password is required" in low:
        msg = (
            f"Authentication failed ({params}): the password is wrong or missing. "
            "Check the DSN's password, PGPASSWORD or ~/.pgpass."
        )
    elif "does not exist" in low and "database" in low:
        msg = f"Cannot connect ({params}): that database does not exist on the server. Check the database name."
    elif "role" in low and "does not exist" in low:
        msg = f"Cannot connect ({params}): that user (role) does not exist on the server."
    elif "connection refused" in low or "no such file or directory" in low or "could not connect" in low:
        msg = (
            f"Cannot reach PostgreSQL ({params}): the server is down or not accepting connections there. "
            "Check host and port, and that the server is running."
        )
    elif "timeout" in low:
        msg = f"Connecting ({params}) timed out: the host did not answer. Check the network path and host."
    elif "no pg_hba.conf entry" in low:
        msg = f"The server ({params}) refuses this client in pg_hba.conf (host, user or SSL mode not allowed)."
    elif "ssl" in low:
        msg = f"SSL negotiation failed ({params}): {raw.splitlines()[-1].strip()}"
    else:
        last = raw.strip().splitlines()[-1] if raw.strip() else type(exc).__name__
        msg = f"Cannot connect ({params}): {last}"
    return DatabaseError(redact(msg, secrets))


def query_error(exc: BaseException, *, statement_timeout_ms: int, lock_timeout_ms: int, secrets: list[str]) -> DatabaseError:
    """Explain why a statement failed, with what to do next."""
    first = redact(_first_line(exc), secrets)
    diag = getattr(exc, "diag", None)
    hint = getattr(diag, "message_hint", None) if diag else None
    position = getattr(diag, "statement_position", None) if diag else None
    if isinstance(exc, pge.QueryCanceled):
        if "statement timeout" in first:
            return DatabaseError(
                f"The statement was cancelled after the statement_timeout of {statement_timeout_ms / 1000:g} s. "
                "Narrow it (a WHERE clause, a LIMIT, an index) or raise --statement-timeout."
            )
        if "lock timeout" in first:
            return DatabaseError(
                f"The statement waited longer than lock_timeout ({lock_timeout_ms / 1000:g} s) for a lock another "
                "session holds. Retry later, or find the blocker in pg_stat_activity."
            )
        return DatabaseError(f"The statement was cancelled: {first}.")
    if isinstance(exc, pge.LockNotAvailable):
        return DatabaseError(
            f"Could not get a lock within lock_timeout ({lock_timeout_ms / 1000:g} s): {first}. Retry later."
        )
    if isinstance(exc, pge.ReadOnlySqlTransaction):
        return DatabaseError(f"The database refused a write because the transaction is READ ONLY: {first}.")
    if isinstance(exc, (pge.UndefinedTable, pge.UndefinedColumn, pge.UndefinedFunction, pge.UndefinedObject)):
        extra = f" Hint: {hint}" if hint else ""
        return DatabaseError(f"{first}.{extra} Use describe_schema to see the tables and columns that exist.")
    if isinstance(exc, pge.SyntaxError):
        at = f" (at character {position})" if position else ""
        return DatabaseError(f"SQL syntax error{at}: {first}.")
    if isinstance(exc, pge.InsufficientPrivilege):
        return DatabaseError(f"Permission denied: {first}. The connected role lacks the privilege.")
    if isinstance(exc, (pge.AdminShutdown, pge.CrashShutdown)) or isinstance(exc, psycopg.OperationalError):
        return DatabaseError(
            f"The database connection was lost during the call ({first}). Nothing was changed by this call; "
            "retry it — the next call reconnects."
        )
    if isinstance(exc, psycopg.Error):
        extra = f" Hint: {hint}" if hint else ""
        return DatabaseError(f"PostgreSQL error: {first}.{extra}")
    return DatabaseError(redact(f"{type(exc).__name__}: {exc}", secrets))
