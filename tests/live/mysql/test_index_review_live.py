"""review_indexes on the spawned MariaDB: duplicates through InnoDB's primary-key suffix, cardinality
read from information_schema.statistics, usage unknown without userstat and counted with it
(INDEX_STATISTICS), and each DROP fix runs on the server as written."""

from __future__ import annotations

import pytest

from dbarchitect.config import Settings
from dbarchitect.live.mysql.database import MySQLDatabase

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(50));
CREATE TABLE orders (
  id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(10) NOT NULL, email varchar(100), note varchar(50),
  KEY customer (customer_id), KEY status (status), UNIQUE KEY email (email), KEY email_id (email, id), KEY note (note),
  CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id));
INSERT INTO customers SELECT seq, concat('c', seq) FROM seq_1_to_100;
INSERT INTO orders SELECT seq, 1 + seq % 100, elt(1 + seq % 3, 'new', 'paid', 'sent'), concat('u', seq, '@x'), concat('n', seq)
  FROM seq_1_to_12000;
ANALYZE TABLE customers, orders;
"""


async def review(url: str):
    db = MySQLDatabase("default", url, Settings(connections={"default": url}))
    try:
        return await db.feature("index_review", tool="review_indexes").review()
    finally:
        await db.close()


def by_code(report) -> dict:
    out: dict = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f)
    return out


async def test_review_indexes_on_mariadb(mysql):
    url = mysql.create_db(SETUP)
    db_name = url.rsplit("/", 1)[1]
    mysql.admin("SET GLOBAL userstat = 0")
    report = await review(url)
    found = by_code(report)
    assert [f.object for f in found["MY401"]] == [f"{db_name}.orders.email_id"]
    assert [f.object for f in found["MY403"]] == [f"{db_name}.orders.status"]  # 3 values over 12,000 rows
    unknown = found["MY402"]
    assert len(unknown) == 1 and unknown[0].severity.value == "info" and "unknown" in unknown[0].message
    assert "customer" in " ".join(report.notes)  # the FK's only index is named as never advised away
    # the fix runs as written: online drop on InnoDB
    mysql.admin(found["MY401"][0].fix.split("\n")[0], db_name)
    assert not any(r[2] == "email_id" for r in mysql.admin("SHOW INDEX FROM orders", db_name))
    assert "MY401" not in by_code(await review(url))


async def test_usage_counted_with_userstat(mysql):
    url = mysql.create_db(SETUP)
    db_name = url.rsplit("/", 1)[1]
    mysql.admin("SET GLOBAL userstat = 1")
    try:
        mysql.admin("FLUSH INDEX_STATISTICS")
        mysql.admin("SELECT count(*) FROM orders FORCE INDEX (email) WHERE email LIKE 'u1%'", db_name)
        report = await review(url)
    finally:
        mysql.admin("SET GLOBAL userstat = 0")
    young = by_code(report)["MY402"]
    # the server started minutes ago: unread indexes are named, but no DROP until 7 days of counting
    assert len(young) == 1 and young[0].severity.value == "info" and "ALTER TABLE" not in young[0].fix
    assert f"{db_name}.orders.note" in young[0].message and f"{db_name}.orders.email " not in young[0].message + " "
    assert any("userstat" in n for n in report.notes)
