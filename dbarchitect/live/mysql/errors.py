"""PyMySQL errors as one sentence a model (or a person) can act on. Passwords never survive."""

from __future__ import annotations

import pymysql

from dbarchitect.core.dsn import redact
from dbarchitect.live.errors import DatabaseError

# server error numbers (MySQL and MariaDB share them unless noted)
ACCESS_DENIED = 1045
UNKNOWN_DATABASE = 1049
CANT_CONNECT = (2002, 2003, 2005, 2006, 2013, 2055)
LOCK_WAIT_TIMEOUT = 1205
LOCK_DEADLOCK = 1213
READ_ONLY_TRANSACTION = 1792
QUERY_INTERRUPTED = 1317
MARIADB_STATEMENT_TIMEOUT = 1969
MYSQL_EXECUTION_TIMEOUT = 3024
NO_SUCH_TABLE = 1146
BAD_FIELD = 1054
SP_DOES_NOT_EXIST = 1305
PARSE_ERROR = 1064
COMMAND_DENIED = (1142, 1143, 1227, 1044)


def _code_and_text(exc: BaseException) -> tuple[int | None, str]:
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], str(args[1])
    return None, str(exc)


def where(params: dict) -> str:
    host = params.get("unix_socket") or f"{params.get('host', 'localhost')}:{params.get('port', 3306)}"
    db = params.get("database") or "(no database)"
    return f"database {db} at {host} as {params.get('user', '?')}"


def connection_error(exc: BaseException, params: dict, secrets: list[str]) -> DatabaseError:
    code, text = _code_and_text(exc)
    place = where(params)
    low = text.lower()
    if code == ACCESS_DENIED:
        msg = f"Authentication failed ({place}): the password is wrong or missing, or the user may not connect from this host."
    elif code == UNKNOWN_DATABASE:
        msg = f"Cannot connect ({place}): that database does not exist on the server. Check the database name."
    elif code in CANT_CONNECT or "can't connect" in low or "connection refused" in low:
        msg = (
            f"Cannot reach MySQL/MariaDB ({place}): the server is down or not accepting connections there. "
            "Check host and port, and that the server is running."
        )
    elif "timed out" in low:
        msg = f"Connecting ({place}) timed out: the host did not answer. Check the network path and host."
    else:
        msg = f"Cannot connect ({place}): {text.strip().splitlines()[0] if text.strip() else type(exc).__name__}"
    return DatabaseError(redact(msg, secrets))


def query_error(exc: BaseException, *, statement_timeout_ms: int, lock_timeout_ms: int, secrets: list[str]) -> DatabaseError:
    code, text = _code_and_text(exc)
    first = redact(text.strip().splitlines()[0] if text.strip() else type(exc).__name__, secrets)
    if code in (MARIADB_STATEMENT_TIMEOUT, MYSQL_EXECUTION_TIMEOUT) or (
        code == QUERY_INTERRUPTED and "max_" in first
    ) or isinstance(exc, TimeoutError) or "timed out" in first.lower():
        return DatabaseError(
            f"The statement was stopped after the time limit of {statement_timeout_ms / 1000:g} s. "
            "Narrow it (a WHERE clause, a LIMIT, an index) or raise --statement-timeout."
        )
    if code == LOCK_WAIT_TIMEOUT:
        return DatabaseError(
            f"The statement waited longer than lock_wait_timeout ({max(1, lock_timeout_ms // 1000)} s) for a lock "
            "another session holds. Retry later, or find the blocker in SHOW PROCESSLIST."
        )
    if code == READ_ONLY_TRANSACTION:
        return DatabaseError(f"The database refused a write because the transaction is READ ONLY: {first}.")
    if code in (NO_SUCH_TABLE, BAD_FIELD, SP_DOES_NOT_EXIST):
        return DatabaseError(f"{first}. Use describe_schema to see the tables and columns that exist.")
    if code == PARSE_ERROR:
        return DatabaseError(f"MySQL/MariaDB could not parse the statement: {first}")
    if code in COMMAND_DENIED:
        return DatabaseError(f"The connected user lacks a privilege for this: {first}.")
    if code in CANT_CONNECT or isinstance(exc, (pymysql.err.InterfaceError,)):
        return DatabaseError(f"The connection to the server was lost ({first}); the next call reconnects.")
    prefix = f"MySQL/MariaDB error {code}: " if code else ""
    return DatabaseError(f"{prefix}{first}")
