"""Test harness: a real PostgreSQL 15 for the whole session, fresh databases per test.

By default a throwaway cluster is started with initdb + pg_ctl (see dbarchitect.live.postgres.cluster)
on a free loopback port, with pg_stat_statements preloaded and HypoPG available. Set
DBARCHITECT_TEST_DSN to a superuser DSN of an existing server to use that instead.

Fixtures:
  pg            -> PgServer: .dsn(db), .admin(sql), .create_db(), .cluster (None for an external server)
  db_dsn        -> DSN of a fresh database (a copy of a template holding hypopg + pg_stat_statements)
  blog_dsn      -> DSN of a fresh copy of the sample blog database
  anyio_backend -> "asyncio" (async tests use @pytest.mark.anyio)
"""

from __future__ import annotations

import itertools
import os
import re

import psycopg
import pytest

from dbarchitect.live.postgres.cluster import ClusterError, LocalCluster

TEMPLATE = "dbarchitect_template"
_counter = itertools.count()


class PgServer:
    def __init__(self, base_dsn: str, cluster: LocalCluster | None):
        self.base_dsn = base_dsn
        self.cluster = cluster

    def dsn(self, dbname: str = "postgres", **overrides: str) -> str:
        params = psycopg.conninfo.conninfo_to_dict(self.base_dsn)
        params["dbname"] = dbname
        params.update(overrides)
        return psycopg.conninfo.make_conninfo(**params)

    def admin(self, sql: str, dbname: str = "postgres", params=None):
        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else None

    def create_db(self, setup_sql: str | None = None, name: str | None = None, template: str = TEMPLATE) -> str:
        name = name or f"t_{os.getpid()}_{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        if setup_sql:
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                conn.execute(setup_sql)
        return self.dsn(name)


def _make_template(server: PgServer) -> None:
    server.admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    with psycopg.connect(server.dsn(TEMPLATE), autocommit=True) as conn:
        for ext in ("pg_stat_statements", "hypopg"):
            try:
                conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
            except psycopg.Error as exc:
                pytest.exit(
                    f"The test PostgreSQL lacks the {ext} extension ({exc}). Install it "
                    "(Debian: apt-get install postgresql-15-hypopg; pg_stat_statements ships with the server) "
                    "or run `make test`, which installs what is missing.",
                    returncode=3,
                )


@pytest.fixture(scope="session")
def pg():
    external = os.environ.get("DBARCHITECT_TEST_DSN")
    if external:
        server = PgServer(external, None)
        _make_template(server)
        yield server
        return
    try:
        cluster = LocalCluster.temporary().start()
    except ClusterError as exc:
        pytest.exit(f"Cannot start the test PostgreSQL: {exc}", returncode=3)
    server = PgServer(cluster.dsn(), cluster)
    _make_template(server)
    try:
        yield server
    finally:
        cluster.stop()


@pytest.fixture
def db_dsn(pg) -> str:
    return pg.create_db()


@pytest.fixture(scope="session")
def blog_template(pg) -> str:
    """A database holding the sample blog schema and rows (dbarchitect/samples/blog.sql)."""
    from dbarchitect.live.postgres.embedded import sample_sql

    pg.admin("DROP DATABASE IF EXISTS blog_template")
    pg.create_db(sample_sql(), name="blog_template")
    return "blog_template"


@pytest.fixture
def blog_dsn(pg, blog_template) -> str:
    """A fresh copy of the sample blog database."""
    return pg.create_db(template=blog_template)


@pytest.fixture
def anyio_backend():
    return "asyncio"


def password_free(text: str, password: str) -> bool:
    return re.search(re.escape(password), text) is None
