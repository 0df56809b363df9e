"""Connections: clear sentences for every failure, named connections, libpq conventions, and a
password that never appears in any output, log line or error."""

import os
import subprocess
import sys

import psycopg
import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.cluster import free_port
from dbarchitect.live.postgres.database import Database
from dbarchitect.live.postgres.errors import DatabaseError
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

PASSWORD = "Tr1cky-Pa55w0rd-xyzzy"


@pytest.fixture(scope="module")
def app_role(pg):
    pg.admin(f"DROP ROLE IF EXISTS app_user; CREATE ROLE app_user LOGIN PASSWORD '{PASSWORD}'")
    return "app_user"


def url(pg, user, password, dbname="postgres", port=None):
    params = psycopg.conninfo.conninfo_to_dict(pg.base_dsn)
    port = port or params.get("port", 5432)
    return f"postgresql://{user}:{password}@{params.get('host', '127.0.0.1')}:{port}/{dbname}"


async def expect_error(dsn: str, pattern: str) -> str:
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}, connect_timeout_s=3))
    try:
        with pytest.raises(DatabaseError) as err:
            await db.run_query("SELECT 1")
    finally:
        await db.close()
    message = str(err.value)
    assert pattern in message, message
    assert PASSWORD not in message
    return message


async def test_wrong_password(pg, app_role):
    await expect_error(url(pg, app_role, PASSWORD + "-wrong"), "Authentication failed")


async def test_right_password_works(pg, app_role):
    dsn = url(pg, app_role, PASSWORD)
    db = Database("default", dsn, load_settings({"DATABASE_URL": dsn}))
    try:
        assert (await db.run_query("SELECT current_user")).rows == [["app_user"]]
    finally:
        await db.close()


async def test_server_down(pg):
    await expect_error(url(pg, "app_user", PASSWORD, port=free_port()), "Cannot reach PostgreSQL")


async def test_unknown_database(pg, app_role):
    await expect_error(url(pg, app_role, PASSWORD, dbname="no_such_db"), "that database does not exist")


async def test_named_connections_and_unknown_name(pg, blog_dsn):
    other = pg.create_db("CREATE TABLE only_here (x int)")
    server = build_server(load_settings({"DATABASE_URL": blog_dsn, "DBARCHITECT_DB_OTHER": other}))
    async with Client(server) as client:
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM only_here", "connection": "other"})
        assert not res.is_error and res.structured_content["connection"] == "other"
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM users"})
        assert res.structured_content["rows"] == [[2000]]
        res = await client.call_tool("run_query", {"sql": "SELECT 1", "connection": "nope"})
        assert res.is_error and "No connection named 'nope'" in res.content[0].text and "DBARCHITECT_DB_NOPE" in res.content[0].text


async def test_libpq_environment_and_pgpass(pg, app_role, tmp_path, monkeypatch):
    """With no DATABASE_URL, PG* variables, a service file and .pgpass decide the connection."""
    params = psycopg.conninfo.conninfo_to_dict(pg.base_dsn)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:app_user:{PASSWORD}\n")
    passfile.chmod(0o600)
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[blogsvc]\nhost={params.get('host', '127.0.0.1')}\nport={params.get('port', 5432)}\nuser=app_user\ndbname=postgres\n")
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    monkeypatch.setenv("PGSERVICE", "blogsvc")
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    db = Database("default", "", load_settings({}))
    try:
        assert (await db.run_query("SELECT current_user")).rows == [["app_user"]]
    finally:
        await db.close()


def test_password_never_printed_by_the_cli(pg, app_role):
    """A failing connection with a password in the DSN: stdout, stderr and the error hold no password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_URL", "DBARCHITECT_DB_"))}
    outputs = []
    for dsn in (
        url(pg, app_role, PASSWORD + "-wrong"),
        url(pg, app_role, PASSWORD, port=free_port()),
        url(pg, app_role, PASSWORD, dbname="no_such_db"),
        f"host=127.0.0.1 port={free_port()} user=app_user password={PASSWORD} dbname=x",
    ):
        for args in (["query", "SELECT 1"], ["describe"]):
            proc = subprocess.run(
                [sys.executable, "-m", "dbarchitect", *args, "--dsn", dsn],
                capture_output=True, text=True, env=env, timeout=60,
            )  # fmt: skip
            assert proc.returncode == 1, proc.stderr
            outputs.append(proc.stdout + proc.stderr)
            assert proc.stderr.startswith("error: ")
    blob = "\n".join(outputs)
    assert PASSWORD not in blob
    assert "Authentication failed" in blob and "Cannot reach PostgreSQL" in blob and "does not exist" in blob


async def test_password_never_in_tool_errors_or_logs(pg, app_role, caplog):
    dsn = url(pg, app_role, PASSWORD + "-wrong")
    server = build_server(load_settings({"DATABASE_URL": dsn}, connect_timeout_s=3))
    with caplog.at_level("DEBUG"):
        async with Client(server) as client:
            for tool, args in (("run_query", {"sql": "SELECT 1"}), ("describe_schema", {})):
                res = await client.call_tool(tool, args)
                assert res.is_error and "Authentication failed" in res.content[0].text
                assert PASSWORD not in res.content[0].text
    assert PASSWORD not in caplog.text
