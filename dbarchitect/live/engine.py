"""The engine seam: which database system a connection speaks, and what every engine provides.

A connection's engine comes from its URL scheme (`postgresql://`/`postgres://` or a libpq key=value
string -> PostgreSQL; `mysql://`/`mariadb://` -> MySQL/MariaDB; `mongodb://`/`mongodb+srv://` ->
MongoDB). `App.db(connection)` returns an object that satisfies `Database`; the engine packages
(`live/postgres`, `live/mysql`, ...) implement it. Tools import this module, never an engine package.

What every engine provides is the `Database` protocol below. What only some engines provide (a
migration lint context, dry runs, HypoPG, ...) a tool asks for with `db.feature(name, tool=...)`,
which returns the engine's implementation of that feature's interface (`live/features.py`) or raises
`EngineUnsupported` with one sentence naming the tool and the engine ("lint_migration does not
support MySQL/MariaDB yet.").

`IMPLEMENTATIONS` maps each engine to its Database class as "module:Class"; the module is imported
only when a connection of that engine is first used, so a PostgreSQL connection never imports a
MySQL driver and vice versa. Adding an engine is one entry here plus its package (see
docs/add-an-engine.md). An engine whose entry is missing, or whose module is not in this build,
answers every tool with `EngineUnsupported`, never a driver error.
"""

from __future__ import annotations

import importlib
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from dbarchitect.config import Limits, Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.models import SchemaSnapshot, ServerInfo
from dbarchitect.core.results import QueryResult


class Engine(str, Enum):
    postgresql = "postgresql"
    mysql = "mysql"
    mongodb = "mongodb"

    @property
    def label(self) -> str:
        return {"postgresql": "PostgreSQL", "mysql": "MySQL/MariaDB", "mongodb": "MongoDB"}[self.value]


_SCHEMES = {
    "postgresql": Engine.postgresql,
    "postgres": Engine.postgresql,
    "mysql": Engine.mysql,
    "mariadb": Engine.mysql,
    "mongodb": Engine.mongodb,
    "mongodb+srv": Engine.mongodb,
}


def engine_of(dsn: str) -> Engine:
    """The engine a DSN speaks. Anything without a known `scheme://` prefix (an empty string, a libpq
    key=value string, a service name) is PostgreSQL, whose client library reads it."""
    head = dsn.strip()
    scheme, sep, _ = head.partition("://")
    if not sep:
        return Engine.postgresql
    engine = _SCHEMES.get(scheme.lower())
    if engine is None:
        known = ", ".join(f"{s}://" for s in _SCHEMES)
        raise UserInputError(f"Unknown connection URL scheme {scheme!r}://. Known: {known}.")
    return engine


class EngineUnsupported(UserInputError):
    """A tool asked an engine for something it cannot do (yet). The message names both."""

    def __init__(self, tool: str, engine: Engine, detail: str | None = None):
        msg = f"{tool} does not support {engine.label} yet."
        if detail:
            msg += f" {detail}"
        super().__init__(msg)
        self.tool = tool
        self.engine = engine


#: engine -> "package.module:Class" of its Database implementation, imported lazily
IMPLEMENTATIONS: dict[Engine, str] = {
    Engine.postgresql: "dbarchitect.live.postgres.database:PostgresDatabase",
    Engine.mysql: "dbarchitect.live.mysql.database:MySQLDatabase",
    Engine.mongodb: "dbarchitect.live.mongo.database:MongoDatabase",
}


def implementation(engine: Engine, *, tool: str) -> type:
    """The Database class of `engine`, imported on first use; EngineUnsupported(tool, engine) when this
    build has none (no registry entry, the engine's module is absent, or its driver is not installed)."""
    target = IMPLEMENTATIONS.get(engine)
    if target is None:
        raise EngineUnsupported(tool, engine)
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing.startswith("dbarchitect.") and not module_name.startswith(missing):
            raise  # a module of the engine package itself is missing: a bug, not a build without it
        if missing == module_name or module_name.startswith(missing + "."):
            raise EngineUnsupported(tool, engine, f"{engine.label} support is not installed in this build.") from None
        raise EngineUnsupported(
            tool, engine, f"The {engine.label} driver is not installed ({missing}); install it to use this connection."
        ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise EngineUnsupported(tool, engine, f"{engine.label} support is not installed in this build.")
    return cls


@runtime_checkable
class Database(Protocol):
    """One configured connection, whatever its engine.

    An implementation is built as `Class(name, dsn, settings)` and must not connect in its
    constructor (the first call that needs the server connects). Errors the caller can act on are
    raised as `dbarchitect.live.errors.DatabaseError` (one actionable sentence, no password).
    """

    name: str
    dsn: str
    settings: Settings

    @property
    def engine(self) -> Engine: ...

    @property
    def limits(self) -> Limits: ...

    async def info(self, refresh: bool = False) -> ServerInfo:
        """Server facts: version, flavour, current user and what it may do."""

    async def snapshot(self, refresh: bool = False) -> SchemaSnapshot:
        """The catalog as the engine-neutral snapshot models (cached; `refresh` re-reads it)."""

    def forget_snapshot(self) -> None: ...

    async def run_query(self, sql: str, max_rows: int | None = None) -> QueryResult:
        """The read-only query path, with every layer the engine can enforce."""

    def feature(self, name: str, *, tool: str) -> Any:
        """The engine's implementation of an optional capability (an interface of live/features.py
        bound to this connection), or EngineUnsupported(tool, engine)."""

    async def close(self) -> None: ...


class CachedCatalog:
    """What every engine's Database shares: server facts and the catalog snapshot, read once per
    connection through the engine's own `run(fn)`; `refresh` re-reads them. A subclass defines
    `_info_reader()` and `_snapshot_reader()`: the functions `run` hands a connection to."""

    _info: ServerInfo | None = None
    _snapshot: SchemaSnapshot | None = None

    async def info(self, refresh: bool = False) -> ServerInfo:
        if self._info is None or refresh:
            self._info = await self.run(self._info_reader())  # type: ignore[attr-defined]
        return self._info

    async def snapshot(self, refresh: bool = False) -> SchemaSnapshot:
        if self._snapshot is None or refresh:
            self._snapshot = await self.run(self._snapshot_reader())  # type: ignore[attr-defined]
        return self._snapshot

    def forget_snapshot(self) -> None:
        self._snapshot = None
