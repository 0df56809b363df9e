"""recommend_indexes and review_indexes over MCP on a mysql:// connection to the spawned MariaDB:
structured results with measured evidence and online MySQL DDL, no scratch database left behind."""

from __future__ import annotations

import pytest
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), status varchar(10), UNIQUE KEY email (email),
  KEY email_id (email, id));
INSERT INTO users SELECT seq, concat('u', seq, '@x'), elt(1 + seq % 2, 'on', 'off') FROM seq_1_to_30000;
ANALYZE TABLE users;
"""


@pytest.fixture(scope="module")
def url(mysql):
    return mysql.create_db(SETUP)


async def call(url, tool, args):
    server = build_server(load_settings({"DATABASE_URL": url}, max_rows=50, use_embedded_scratch=False))
    async with Client(server) as client:
        return await client.call_tool(tool, args)


async def test_review_indexes_on_mysql(url):
    res = await call(url, "review_indexes", {})
    assert not res.is_error, res.content[0].text
    found = {f["code"]: f for f in res.structured_content["findings"]}
    assert "MY401" in found and "email_id" in found["MY401"]["fix"] and "LOCK=NONE" in found["MY401"]["fix"]
    assert "MY402" in found and "unknown" in found["MY402"]["message"]


async def test_recommend_indexes_on_mysql(url, mysql):
    res = await call(url, "recommend_indexes", {"queries": ["SELECT id FROM users WHERE status = 'on' ORDER BY id DESC LIMIT 5",
                                                            "SELECT * FROM users WHERE email = 'u5@x'"]})  # fmt: skip
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["mode"] == "scratch" and out["validation"]["runs"] == 3
    assert any("email" in r["index"] for r in out["rejected"])  # UNIQUE KEY email serves q2
    assert not [r[0] for r in mysql.admin("SHOW DATABASES") if r[0].startswith("dbarchitect_idx_")]
    bad = await call(url, "recommend_indexes", {"from_stats": True})
    assert bad.is_error and "queries" in bad.content[0].text


async def test_draft_migration_on_mysql(url, mysql):
    target = ("CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), status varchar(10), nick varchar(20),"
              " UNIQUE KEY email (email), KEY email_id (email, id));")  # fmt: skip
    res = await call(url, "draft_migration", {"target_ddl": target})
    assert not res.is_error, res.content[0].text
    out = res.structured_content
    assert out["verification"]["converged"] and out["verification"]["reversible"]
    assert "ALTER TABLE users ADD COLUMN nick varchar(20) DEFAULT NULL, ALGORITHM=INSTANT;" in out["up_sql"]
    assert "lock_timeout" not in res.content[0].text  # MySQL text, not PostgreSQL's SET lock_timeout
    bad = await call(url, "draft_migration", {"target_ddl": "CREATE TABLE t (id int PRIMARY KEY, KEY k (nosuchcol));"})
    assert bad.is_error and "refused the target DDL" in bad.content[0].text
    assert not [r[0] for r in mysql.admin("SHOW DATABASES") if r[0].startswith("dbarchitect_")]
