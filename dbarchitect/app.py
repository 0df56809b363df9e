"""The running application: settings plus one `Database` per configured connection.

`db(connection)` picks the connection's engine from its DSN (`live.engine.engine_of`) and builds
that engine's Database through the registry in `live/engine.py` (imported lazily, so a PostgreSQL
connection never imports a MySQL driver). This module imports no engine package.
"""

from __future__ import annotations

from typing import Any

from dbarchitect.config import Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.dsn import with_statement_timeout
from dbarchitect.live.engine import Database, Engine, EngineUnsupported, engine_of, implementation
from dbarchitect.live.errors import DatabaseError


#: the caller's statements in a scratch database (a dry run's shadow, DDL loaded to be reviewed or diffed) may
#: run this many times the configured statement timeout
SCRATCH_TIMEOUT_FACTOR = 4


class App:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._databases: dict[str, Database] = {}
        self._detached: dict[tuple[Engine, str], Any] = {}

    @property
    def connection_names(self) -> list[str]:
        return sorted(self.settings.connections)

    def _name(self, connection: str | None) -> str:
        name = (connection or self.settings.default_connection).lower()
        if name not in self.settings.connections:
            known = ", ".join(self.connection_names) or "none"
            raise UserInputError(
                f"No connection named {name!r}. Configured: {known}. Add one with DBARCHITECT_DB_{name.upper()}=<dsn>."
            )
        return name

    def engine(self, connection: str | None = None) -> Engine:
        """The engine `connection` speaks, read from its DSN without connecting (PostgreSQL when the
        connection is omitted and no default connection is configured)."""
        if connection is None and self.settings.default_connection.lower() not in self.settings.connections:
            return Engine.postgresql
        return engine_of(self.settings.connections[self._name(connection)])

    def db(self, connection: str | None = None, *, tool: str = "this tool") -> Database:
        """The Database of `connection` (the default when omitted), built once per connection.
        An engine this build cannot serve raises EngineUnsupported naming `tool` and the engine."""
        name = self._name(connection)
        if name not in self._databases:
            dsn = self.settings.connections[name]
            cls = implementation(engine_of(dsn), tool=tool)
            self._databases[name] = cls(name, dsn, self.settings)
        return self._databases[name]

    def feature(self, name: str, *, tool: str, connection: str | None = None, engine: Engine | None = None) -> Any:
        """Feature `name` of `connection`'s engine, bound to that connection.

        With `engine` given (a tool whose output is that engine's, e.g. design_schema's PostgreSQL DDL),
        the connection is used only when it speaks that engine; otherwise — and when the default
        connection is not configured at all — the engine's implementation without a connection
        (for work that needs none, such as a scratch database)."""
        configured = connection is not None or self.settings.default_connection.lower() in self.settings.connections
        if configured:
            try:
                own = self.engine(connection)
            except UserInputError:
                if engine is None:
                    raise
                own = None  # an unusable default connection: `engine`'s detached implementation serves
            if engine is None or own is engine:
                return self.db(connection, tool=tool).feature(name, tool=tool)
        chosen = engine or Engine.postgresql
        key = (chosen, name)
        if key not in self._detached:
            cls = implementation(chosen, tool=tool)
            detached = getattr(cls, "detached_feature", None)
            if detached is None:
                raise EngineUnsupported(tool, chosen)
            self._detached[key] = detached(name, tool=tool, settings=self.settings)
        return self._detached[key]

    async def snapshot_if_reachable(self, connection: str | None = None, *, tool: str = "this tool"):
        """The catalog snapshot of `connection`; None when the *default* connection cannot be reached
        (tools then work from rules alone). A connection named explicitly must work."""
        try:
            return await self.db(connection, tool=tool).snapshot()
        except DatabaseError:
            if connection is not None:
                raise
            return None

    async def scratch_admin_dsn(
        self, connection: str | None = None, *, prefer_same_server: bool = False, tool: str = "this tool",
        engine: Engine | None = None, bounded: bool = False,
    ) -> str | None:  # fmt: skip
        """A DSN on a server where scratch databases may be created and dropped, or None: the
        `scratch` feature of the connection's engine (see live/postgres/features.PostgresScratch for
        PostgreSQL's order: configured scratch server, the connected server, the embedded cluster).
        `bounded`: its sessions start with a statement timeout of SCRATCH_TIMEOUT_FACTOR × the configured
        one (PostgreSQL DSNs), for loading the caller's DDL into a scratch database."""
        scratch = self.feature("scratch", tool=tool, connection=connection, engine=engine)
        dsn = await scratch.admin_dsn(prefer_same_server=prefer_same_server)
        if bounded:
            return with_statement_timeout(dsn, SCRATCH_TIMEOUT_FACTOR * self.settings.limits.statement_timeout_ms)
        return dsn

    async def sweep_scratch(self) -> list[str]:
        """Drop stale scratch databases left by a crashed or cancelled process on every server this app
        may have created them on (each connection's `scratch` feature that has a `sweep`); run at server
        start and periodically. Never raises: an unreachable server or an engine without scratch
        databases is skipped."""
        dropped: list[str] = []
        names = [n for n, dsn in self.settings.connections.items() if dsn] or [None]
        for name in names:
            try:
                scratch = self.feature("scratch", tool="scratch sweep", connection=name)
            except Exception:  # noqa: BLE001 - an engine without scratch databases
                continue
            sweep = getattr(scratch, "sweep", None)
            if sweep is not None:
                dropped += await sweep()
        return dropped

    async def close(self) -> None:
        for db in self._databases.values():
            await db.close()
        self._databases.clear()
