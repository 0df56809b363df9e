"""Settings: named connections, the write mode, and the limits every call runs under.

Connections:
  DATABASE_URL               the `default` connection (a URL or a libpq key=value string)
  DBARCHITECT_DB_<NAME>      adds the connection `<name>` (lower-cased), e.g. DBARCHITECT_DB_ANALYTICS
  DBARCHITECT_SCRATCH_DSN    a server for scratch databases (dry runs, DDL review); otherwise the
                             connected server when its role may CREATE DATABASE
  DBARCHITECT_EMBEDDED_SCRATCH=1  may start the embedded local PostgreSQL for scratch databases (it
                             keeps running after the server exits); off unless asked (or --embedded)
Without DATABASE_URL the default connection is libpq's own default: PGHOST, PGPORT, PGDATABASE,
PGUSER, PGPASSWORD, PGSERVICE / pg_service.conf and ~/.pgpass all keep working.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, Field

from dbarchitect.core.dsn import dsn_password


class Limits(BaseModel):
    statement_timeout_ms: int = Field(default=15_000, ge=1)
    lock_timeout_ms: int = Field(default=3_000, ge=1)
    connect_timeout_s: int = Field(default=10, ge=1)
    max_rows: int = Field(default=200, ge=1, le=10_000)
    max_response_chars: int = Field(default=60_000, ge=2_000, description="≈15k tokens.")
    max_cell_chars: int = Field(default=2_000, ge=50)


class Settings(BaseModel):
    connections: dict[str, str] = Field(default_factory=dict, description="name -> DSN (may hold a password).")
    default_connection: str = "default"
    allow_writes: bool = False
    role: str | None = Field(default=None, description="SET ROLE to this least-privilege role for every call.")
    scratch_dsn: str | None = Field(
        default=None,
        description="A server where dbarchitect may CREATE and DROP scratch databases (dry runs, DDL review).",
    )
    use_embedded_scratch: bool = Field(
        default=False,
        description="May start the embedded local PostgreSQL (persistent) for scratch databases: only when "
        "asked (DBARCHITECT_EMBEDDED_SCRATCH=1, or --embedded).",
    )
    application_name: str = "dbarchitect"
    limits: Limits = Field(default_factory=Limits)

    def secrets(self) -> list[str]:
        """Every password found in the configured DSNs and the environment; never to be printed."""
        found = [p for dsn in [*self.connections.values(), self.scratch_dsn or ""] if (p := dsn_password(dsn))]
        if pw := os.environ.get("PGPASSWORD"):
            found.append(pw)
        return found


_NAMED = re.compile(r"^DBARCHITECT_DB_([A-Z0-9_]+)$")


def load_settings(env: Mapping[str, str] | None = None, *, extra_dsns: Iterable[tuple[str, str]] = (), **overrides) -> Settings:
    env = os.environ if env is None else env
    connections: dict[str, str] = {"default": env.get("DATABASE_URL", "")}
    for key, value in env.items():
        if m := _NAMED.match(key):
            connections[m.group(1).lower()] = value
    for name, dsn in extra_dsns:
        connections[name] = dsn
    limits = Limits(**{k: overrides.pop(k) for k in list(overrides) if k in Limits.model_fields and overrides[k] is not None})
    clean = {k: v for k, v in overrides.items() if v is not None}
    if "use_embedded_scratch" not in clean and env.get("DBARCHITECT_EMBEDDED_SCRATCH", "").lower() in ("1", "true", "yes", "on"):
        clean["use_embedded_scratch"] = True
    if "scratch_dsn" not in clean and env.get("DBARCHITECT_SCRATCH_DSN"):
        clean["scratch_dsn"] = env["DBARCHITECT_SCRATCH_DSN"]
    return Settings(connections=connections, limits=limits, **clean)
