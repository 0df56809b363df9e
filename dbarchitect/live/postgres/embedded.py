"""The embedded default: a local PostgreSQL (see cluster.py) holding the sample blog schema."""

from __future__ import annotations

from importlib import resources

import psycopg

from dbarchitect.live.postgres.cluster import LocalCluster, default_embedded_dir

SAMPLE_DB = "blog"
EXTENSIONS = ("pg_stat_statements", "hypopg")


def sample_sql(name: str = "blog") -> str:
    return resources.files("dbarchitect.samples").joinpath(f"{name}.sql").read_text()


def create_extensions(dsn: str) -> list[str]:
    """Create the extensions dbarchitect uses where the server has them; returns the missing ones."""
    missing = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions").fetchall()}
        for ext in EXTENSIONS:
            if ext in available:
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
            else:
                missing.append(ext)
    return missing


def load_sample(cluster: LocalCluster, dbname: str = SAMPLE_DB, *, replace: bool = False) -> str:
    """Create `dbname` with the sample schema and rows unless it exists; return its DSN."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists and replace:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    dsn = cluster.dsn(dbname)
    if not exists:
        create_extensions(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sample_sql())
    return dsn


def embedded_cluster() -> LocalCluster:
    return LocalCluster.persistent(default_embedded_dir())


def ensure_embedded() -> str:
    """Start (or reuse) the persistent embedded cluster with the sample database; return its DSN."""
    cluster = embedded_cluster().start()
    return load_sample(cluster)
