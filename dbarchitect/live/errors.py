"""Engine-neutral errors: every engine package raises these, and the server and the tools catch
them without importing an engine package."""

from __future__ import annotations


class DatabaseError(Exception):
    """A problem the caller can fix or retry; `str()` is the actionable sentence."""


class DDLRejected(Exception):
    """DDL text the engine refused to run on a scratch database (the engine's subclass says which
    statement, on which line, with the server's message)."""
