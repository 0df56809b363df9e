"""Every tool over MCP (in-process client) on a mysql:// connection to the spawned MariaDB:
describe_schema, run_query, review_schema, explain_query, explain_plan, lint_migration and
dry_run_migration work (the index tools and draft_migration: test_mysql_index_tools.py); every other tool
answers with one sentence naming itself and MySQL/MariaDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[1] / "fixtures"

SHOP = (FIXTURES / "schemas" / "mysql" / "flawed.sql").read_text() + """
INSERT INTO customers (name) SELECT concat('c', seq) FROM seq_1_to_300;
INSERT INTO orders (number, customer_id, total, created_at)
  SELECT concat('o', seq), 1 + seq % 300, seq % 97, '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_20000;
ANALYZE TABLE customers, orders;
"""

#: tools that do not serve MySQL/MariaDB yet, with minimal arguments
NOT_YET = {
    "review_health": {},
    "review_security": {},
    "top_queries": {},
}


@pytest.fixture(scope="module")
def shop_url(mysql):
    return mysql.create_db(SHOP)


@pytest.fixture
def server(shop_url):
    return build_server(load_settings({"DATABASE_URL": shop_url}, max_rows=50, use_embedded_scratch=False))


async def call(server, tool, args):
    async with Client(server) as client:
        return await client.call_tool(tool, args)


async def test_describe_schema(server):
    res = await call(server, "describe_schema", {})
    assert not res.is_error, res.content[0].text
    summary = res.structured_content["summary"]
    names = {t["name"].split(".", 1)[1]: t for t in summary["tables"]}
    assert {"orders", "customers", "legacy_log", "page_views"} <= set(names)
    assert names["orders"]["rows"] > 10000 and names["orders"]["references"][0].endswith(".customers")
    assert "MyISAM" in names["legacy_log"]["flags"] and "no-pk" in names["page_views"]["flags"]
    res = await call(server, "describe_schema", {"table": "orders"})
    ddl = res.structured_content["detail"]["ddl"]
    assert "ENGINE=InnoDB" in ddl and "KEY orders_customer_created (customer_id,created_at)" in ddl
    res = await call(server, "describe_schema", {"format": "mermaid", "pattern": "order"})
    assert "erDiagram" in res.structured_content["mermaid"]


async def test_run_query(server):
    async with Client(server) as client:
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) AS n, sum(total) AS s FROM orders"})
        assert not res.is_error and res.structured_content["rows"][0][0] == 20000
        res = await client.call_tool("run_query", {"sql": "SELECT id FROM orders /*! ; DELETE FROM orders */"})
        assert res.is_error and "executable comments" in res.content[0].text
        res = await client.call_tool("run_query", {"sql": "SELECT id FROM orders ORDER BY id"})
        assert res.structured_content["row_count"] == 50 and res.structured_content["truncated"]


async def test_review_schema(server):
    res = await call(server, "review_schema", {})
    assert not res.is_error, res.content[0].text
    codes = {f["code"] for f in res.structured_content["findings"]}
    assert {"MY001", "MY002", "MY003", "MY004", "MY005", "MY006", "MY007", "MY008", "MY009", "MY010", "MY012"} <= codes
    assert not any(c.startswith("SD") for c in codes)
    res = await call(server, "review_schema", {"ddl": "CREATE TABLE t (id int PRIMARY KEY, price double) ENGINE=MyISAM;"})
    assert not res.is_error, res.content[0].text
    parsed = res.structured_content
    assert parsed["source"] == "parsed" and {f["code"] for f in parsed["findings"]} == {"MY001", "MY004"}


async def test_explain_query_and_plan(server):
    res = await call(server, "explain_query", {"sql": "SELECT * FROM orders WHERE total = 5", "analyze": True})
    assert not res.is_error, res.content[0].text
    report = res.structured_content
    assert report["summary"]["analyzed"] and report["insights"][0]["code"] == "MY201"
    assert "ALTER TABLE orders ADD INDEX orders_total_idx (total)" in report["insights"][0]["fix"]
    res = await call(server, "explain_query", {"sql": "DELETE FROM orders WHERE total = 5", "analyze": True})
    assert res.is_error and "read-only" in res.content[0].text
    pasted = json.loads((FIXTURES / "plans" / "mysql" / "join_buffer.analyze.json").read_text())
    res = await call(server, "explain_plan", {"plan": json.dumps(pasted["plan"]), "sql": pasted["sql"]})
    assert not res.is_error and res.structured_content["insights"][0]["code"] == "MY205"
    tree = (FIXTURES / "plans" / "mysql" / "mysql8_analyze.tree.txt").read_text()
    res = await call(server, "explain_plan", {"plan": tree})
    assert not res.is_error and res.structured_content["insights"][0]["code"] == "MY201"


@pytest.mark.parametrize("tool", sorted(NOT_YET))
async def test_other_tools_say_not_yet(server, tool):
    res = await call(server, tool, NOT_YET[tool])
    text = res.content[0].text
    assert res.is_error, text
    assert text.endswith(f"{tool} does not support MySQL/MariaDB yet."), text


async def test_offline_tools_still_answer(server):
    """Tools that need no server answer from their rules on a MySQL default connection too."""
    res = await call(server, "review_query", {"sql": "SELECT * FROM orders WHERE id NOT IN (SELECT id FROM customers)", "dialect": "mysql"})
    assert not res.is_error, res.content[0].text
    res = await call(server, "lint_migration", {"sql": "CREATE INDEX i ON t (a);", "offline": True})
    assert not res.is_error


async def test_lint_and_dry_run_migration_on_mysql(server, mysql):
    """lint_migration predicts the online-DDL algorithm of the connected MariaDB from its catalog;
    dry_run_migration observes it on a scratch database it drops again."""
    res = await call(server, "lint_migration", {"sql": "ALTER TABLE orders MODIFY total DECIMAL(14,2);"})
    assert not res.is_error, res.content[0].text
    st = res.structured_content["statements"][0]
    assert (st["algorithm"], st["lock"]) == ("COPY", "SHARED") and st["rewrites"], st
    assert res.structured_content["server"].startswith("MariaDB") and res.structured_content["catalog"] is True
    assert "MY101" in {f["code"] for f in res.structured_content["findings"]}
    assert "PostgreSQL" not in res.content[0].text and "CONCURRENTLY" not in res.content[0].text
    res = await call(server, "dry_run_migration", {"sql": "ALTER TABLE orders MODIFY total DECIMAL(14,2);"})
    assert not res.is_error, res.content[0].text
    obs = res.structured_content["statements"][0]
    assert obs["algorithm"] == "COPY" and obs["rebuilt"] and res.structured_content["shadow"]["dropped"] is True
    assert mysql.admin("SHOW DATABASES LIKE 'dbarchitect\\_dry\\_%'") == ()
    res = await call(server, "lint_migration", {"sql": "ALTER TABLE orders PARTITION BY HASH(id) PARTITIONS 2"})
    assert res.is_error and "could be read as MySQL/MariaDB" in res.content[0].text
    res = await call(server, "lint_migration", {"sql": "ALTER TABLE orders ADD COLUMN x int;", "pg_version": 16})
    assert res.is_error and "pg_version is for PostgreSQL" in res.content[0].text
