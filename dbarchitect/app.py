"""The running application: settings plus one `Database` per configured connection."""

from __future__ import annotations

import anyio

from dbarchitect.config import Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.live.postgres.cluster import ClusterError
from dbarchitect.live.postgres.database import Database
from dbarchitect.live.postgres.embedded import embedded_cluster
from dbarchitect.live.postgres.errors import DatabaseError


class App:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._databases: dict[str, Database] = {}
        self._embedded_dsn: str | None = None

    @property
    def connection_names(self) -> list[str]:
        return sorted(self.settings.connections)

    def db(self, connection: str | None = None) -> Database:
        name = (connection or self.settings.default_connection).lower()
        if name not in self.settings.connections:
            known = ", ".join(self.connection_names) or "none"
            raise UserInputError(
                f"No connection named {name!r}. Configured: {known}. Add one with DBARCHITECT_DB_{name.upper()}=<dsn>."
            )
        if name not in self._databases:
            self._databases[name] = Database(name, self.settings.connections[name], self.settings)
        return self._databases[name]

    async def snapshot_if_reachable(self, connection: str | None = None):
        """The catalog snapshot of `connection`; None when the *default* connection cannot be reached
        (tools then work from rules alone). A connection named explicitly must work."""
        try:
            return await self.db(connection).snapshot()
        except DatabaseError:
            if connection is not None:
                raise
            return None

    async def scratch_admin_dsn(self, connection: str | None = None, *, prefer_same_server: bool = False) -> str | None:
        """A DSN on a server where scratch databases may be created and dropped, or None.

        Order: the configured scratch server; then either the connected server (when its role may
        CREATE DATABASE) or the embedded local PostgreSQL — the connected server first when
        `prefer_same_server` (same version and extensions, e.g. for dry runs), else the embedded one
        first, so reviewing unrelated DDL does not create databases on a production server."""
        if self.settings.scratch_dsn:
            return self.settings.scratch_dsn
        order = [self._same_server, self._embedded] if prefer_same_server else [self._embedded, self._same_server]
        for candidate in order:
            if dsn := await candidate(connection):
                return dsn
        return None

    async def _same_server(self, connection: str | None) -> str | None:
        try:
            db = self.db(connection)
            info = await db.info()
        except (DatabaseError, UserInputError):
            return None
        return db.dsn if info.can_create_db and not info.in_recovery else None

    async def _embedded(self, _connection: str | None) -> str | None:
        if not self.settings.use_embedded_scratch:
            return None
        if self._embedded_dsn is None:
            try:
                cluster = await anyio.to_thread.run_sync(lambda: embedded_cluster().start())
            except (ClusterError, OSError):
                return None
            self._embedded_dsn = cluster.dsn()
        return self._embedded_dsn

    async def close(self) -> None:
        for db in self._databases.values():
            await db.close()
        self._databases.clear()
