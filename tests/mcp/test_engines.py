"""Every tool, given a connection of an engine this build cannot serve, answers over MCP with one
clear sentence naming the tool and the engine — never a driver error — and the server stays up."""

import inspect
import pathlib

import pytest
import yaml
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from dbarchitect.tools import TOOLS

pytestmark = pytest.mark.anyio
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"

#: minimal valid arguments of every tool that takes a `connection`
ARGS = {
    "describe_schema": [{}],
    "run_query": [{"sql": "SELECT 1"}],
    "review_schema": [{}, {"ddl": "CREATE TABLE t (id int PRIMARY KEY);"}],
    "review_query": [{"sql": "SELECT * FROM users WHERE id = 1"}],
    "rewrite_query": [{"sql": "SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM posts)"}],
    "review_health": [{}],
    "review_security": [{}],
    "top_queries": [{}],
    "explain_query": [{"sql": "SELECT 1"}],
    "explain_plan": [{"plan": "Seq Scan on users  (cost=0.00..35.50 rows=2550 width=4)"}],
    "recommend_indexes": [{"queries": ["SELECT * FROM users WHERE email = 'a'"]}],
    "review_indexes": [{}],
    "lint_migration": [{"sql": "ALTER TABLE users ADD COLUMN x int;"}],
    "dry_run_migration": [{"sql": "ALTER TABLE users ADD COLUMN x int;"}],
    "draft_migration": [
        {"target_ddl": "CREATE TABLE t (id int PRIMARY KEY);"},
        {"target_ddl": "CREATE TABLE t (id int PRIMARY KEY);", "from_ddl": "CREATE TABLE t (id int);"},
    ],
}
#: texts of PostgreSQL's driver and of tracebacks that must never reach the caller
DRIVER_TEXT = ("missing \"=\"", "invalid dsn", "invalid connection option", "psycopg", "libpq", "Traceback", "conninfo")


def calls():
    names = [t.name for t in TOOLS if "connection" in inspect.signature(t.fn).parameters]
    missing = set(names) - set(ARGS)
    assert not missing, f"add arguments for {missing} to ARGS"
    return [(name, args) for name in names for args in ARGS[name]]


@pytest.fixture
def server(blog_dsn):
    env = {
        "DATABASE_URL": blog_dsn,
        "DBARCHITECT_DB_DOCS": "mongodb://localhost:1/app?serverSelectionTimeoutMS=200",
        "DBARCHITECT_DB_SHOP": "mysql://root@127.0.0.1:1/shop",
    }
    return build_server(load_settings(env, use_embedded_scratch=False))


#: tools that serve MongoDB (tests/mcp/test_mongodb.py); on SQL input or an unreachable server they
#: answer with a sentence about MongoDB, or review the SQL by its rules alone
MONGODB_TOOLS = {"review_schema", "review_query", "rewrite_query", "explain_query", "explain_plan", "recommend_indexes",
                 "review_indexes"}


@pytest.mark.parametrize(("tool", "args"), calls())
async def test_mongodb_connection_gets_one_sentence_naming_tool_and_engine(server, tool, args):
    async with Client(server) as client:
        res = await client.call_tool(tool, {**args, "connection": "docs"})
        text = res.content[0].text
        assert not any(bad in text for bad in DRIVER_TEXT), text
        if tool in MONGODB_TOOLS:
            assert not res.is_error or "MongoDB" in text, text
        else:
            assert res.is_error, text
            assert text.endswith(f"{tool} does not support MongoDB yet."), text
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM users"})
        assert not res.is_error and res.structured_content["rows"] == [[2000]]


@pytest.mark.parametrize(("tool", "args"), calls())
async def test_mysql_connection_gets_a_clear_sentence_never_a_driver_error(server, tool, args):
    """Until live/mysql lands every tool says MySQL support is not installed. Once it lands some tools
    work (offline paths answer; the others fail to reach port 1), and every error must still read as
    a sentence about MySQL/MariaDB rather than a driver's message."""
    async with Client(server) as client:
        res = await client.call_tool(tool, {**args, "connection": "shop"})
    text = res.content[0].text
    assert not any(bad in text for bad in DRIVER_TEXT), text
    if not _mysql_installed():
        assert res.is_error, text
        assert text.endswith(
            f"{tool} does not support MySQL/MariaDB yet. MySQL/MariaDB support is not installed in this build."
        ), text
    elif tool in MYSQL_NOT_YET and args is ARGS[tool][0]:
        assert res.is_error and text.endswith(f"{tool} does not support MySQL/MariaDB yet."), text
    elif res.is_error:
        assert "MySQL" in text or "MariaDB" in text, text


#: tools live/mysql does not serve yet (part 2 of issue 15): they answer before connecting
MYSQL_NOT_YET = {"review_health", "review_security", "top_queries"}


async def test_a_default_connection_of_another_engine_is_named_too(pg):
    env = {"DATABASE_URL": "mongodb://localhost:1/app"}
    settings = load_settings(env, scratch_dsn=pg.dsn(), use_embedded_scratch=False)
    server = build_server(settings)
    async with Client(server) as client:
        res = await client.call_tool("describe_schema", {})
        assert res.is_error and res.content[0].text.endswith("describe_schema does not support MongoDB yet.")
        # offline paths need no database at all
        res = await client.call_tool("lint_migration", {"sql": "CREATE INDEX i ON t (a);", "offline": True})
        assert not res.is_error and "MG" in res.content[0].text
        res = await client.call_tool("review_query", {"sql": "SELECT * FROM t WHERE a = NULL", "offline": True})
        assert not res.is_error and res.structured_content["findings"]
        # design_schema writes PostgreSQL DDL: it verifies on PostgreSQL's scratch server, whatever the default
        spec = yaml.safe_load((FIXTURES / "design" / "blog.yaml").read_text())
        res = await client.call_tool("design_schema", {"spec": spec})
        assert not res.is_error and res.structured_content["verified"] is True, res.content[0].text


def _mysql_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("dbarchitect.live.mysql.database") is not None
    except ModuleNotFoundError:
        return False


def test_the_registry_names_the_module_the_mysql_engine_adds():
    from dbarchitect.live.engine import IMPLEMENTATIONS, Engine

    assert IMPLEMENTATIONS[Engine.mysql] == "dbarchitect.live.mysql.database:MySQLDatabase"
