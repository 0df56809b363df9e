"""The running application: settings plus one `Database` per configured connection."""

from __future__ import annotations

from dbarchitect.config import Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.live.postgres.database import Database


class App:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._databases: dict[str, Database] = {}

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

    async def close(self) -> None:
        for db in self._databases.values():
            await db.close()
        self._databases.clear()
