"""Cancellation that reaches the server: a psycopg connection whose interrupted waits cancel the
statement on the server before anything else happens.

psycopg already sends a cancel request when a wait is interrupted, but under anyio's level-triggered
cancellation that cancel request is itself cancelled at its first await ("query cancellation
interrupted (CancelledError): closing connection"): the socket is closed and the backend runs on
until `statement_timeout` — a cancelled CREATE DATABASE even completes after the caller's cleanup
ran, leaving a scratch database behind. `Connection.wait` does the same thing in a shielded scope,
bounded in time: send the protocol cancel request, wait (at most `CANCEL_WAIT_S`) for the server to
end the statement, and only then let the cancellation propagate. Leaving an `async with` block of a
connection (rollback, close) is shielded the same way.

Every connection dbarchitect opens to PostgreSQL is a `Connection` (`connect()`, and the pools'
`connection_class`).
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import psycopg
from psycopg import errors as pge
from psycopg import waiting
from psycopg.pq import TransactionStatus

log = logging.getLogger("dbarchitect")

#: how long the server gets to end a cancelled statement before the connection is closed
CANCEL_WAIT_S = 5.0
#: leaving a connection's `async with` block (rollback, close) after a cancellation
EXIT_WAIT_S = 5.0

_INTERRUPTED: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit)


def _interrupted(exc: BaseException) -> bool:
    return isinstance(exc, (anyio.get_cancelled_exc_class(), *_INTERRUPTED))


class Connection(psycopg.AsyncConnection):
    """An AsyncConnection whose cancelled statements are cancelled on the server (see the module doc)."""

    #: time.monotonic() when the connection was last returned to its pool (database.py: RECENT_S)
    returned_at: float = 0.0

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return await waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=timeout)
        except BaseException as exc:
            if _interrupted(exc) and self.pgconn.transaction_status == TransactionStatus.ACTIVE:
                with anyio.CancelScope(shield=True):
                    await self._end_server_work(gen, interval)
            raise

    async def _end_server_work(self, gen: Any, interval: float) -> None:
        """Cancel the running statement and consume its end, so the connection is usable (or closed)."""
        ended = False
        with anyio.move_on_after(CANCEL_WAIT_S):
            try:
                await self.cancel_safe(timeout=CANCEL_WAIT_S)
                await waiting.wait_async(gen, self.pgconn.socket, interval=interval, timeout=CANCEL_WAIT_S)
                ended = True
            except pge.QueryCanceled:
                ended = True
            except psycopg.Error as exc:
                ended = not isinstance(exc, psycopg.OperationalError)
                if not ended:
                    log.warning("cancelling a statement failed: %s", exc)
            except Exception as exc:  # psycopg's _WaitTimeout and the like: state unknown
                log.warning("cancelled statement did not end: %s", exc)
        if not ended or self.pgconn.transaction_status == TransactionStatus.ACTIVE:
            self.pgconn.finish()  # unknown state: never hand this connection out again

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if exc_type is None or not _interrupted(exc_val):
            return await super().__aexit__(exc_type, exc_val, exc_tb)
        with anyio.CancelScope(shield=True):
            with anyio.move_on_after(EXIT_WAIT_S):
                await super().__aexit__(exc_type, exc_val, exc_tb)
            if not self.closed and not getattr(self, "_pool", None):
                await self.close()


async def connect(conninfo: str = "", **kwargs: Any) -> Connection:
    """`psycopg.AsyncConnection.connect` returning a `Connection`."""
    return await Connection.connect(conninfo, **kwargs)
