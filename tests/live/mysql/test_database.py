"""MySQLDatabase on the spawned MariaDB: connection errors, server facts, the snapshot, run_query's caps."""

from __future__ import annotations

import pytest

from dbarchitect.config import Limits, Settings
from dbarchitect.live.engine import Database, EngineUnsupported
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.errors import DatabaseError

pytestmark = pytest.mark.anyio

SHOP = """
CREATE TABLE customers (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email varchar(255) NOT NULL,
  name text,
  UNIQUE KEY customers_email (email(100)),
  FULLTEXT KEY customers_name_ft (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int unsigned NOT NULL,
  total decimal(12,2) NOT NULL,
  created_at datetime NOT NULL DEFAULT current_timestamp(),
  KEY orders_created (created_at) IGNORED,
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
  CONSTRAINT orders_total_ck CHECK (total >= 0)
) ENGINE=InnoDB;
CREATE TABLE places (id int PRIMARY KEY, pos point NOT NULL, SPATIAL KEY places_pos (pos)) ENGINE=InnoDB;
CREATE TABLE events (id bigint NOT NULL, at datetime NOT NULL, PRIMARY KEY (id, at))
  PARTITION BY RANGE COLUMNS(at) (PARTITION p2023 VALUES LESS THAN ('2024-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE));
CREATE TABLE legacy (id int PRIMARY KEY, note varchar(10)) ENGINE=MyISAM DEFAULT CHARSET=utf8mb3;
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
INSERT INTO customers (email, name) VALUES ('a@example.com', 'Ann'), ('b@example.com', 'Bob');
INSERT INTO orders (customer_id, total) VALUES (1, 10.5), (1, 200), (2, 3);
"""


def make_db(url: str, **limits) -> MySQLDatabase:
    return MySQLDatabase("default", url, Settings(connections={"default": url}, limits=Limits(**limits)))


async def test_protocol_and_info(mysql):
    db = make_db(mysql.create_db(SHOP))
    try:
        assert isinstance(db, Database)
        info = await db.info()
        assert info.engine == "mysql" and info.flavor == "MariaDB"
        assert info.version_num >= 101100 and info.major == 10
        assert info.current_user.startswith("root@") and info.is_superuser and info.privileges
        with pytest.raises(EngineUnsupported, match="review_health does not support MySQL/MariaDB yet"):
            db.feature("health", tool="review_health")
    finally:
        await db.close()


async def test_snapshot(mysql):
    url = mysql.create_db(SHOP)
    db = make_db(url)
    try:
        snap = await db.snapshot()
    finally:
        await db.close()
    name = url.rsplit("/", 1)[1]
    assert snap.database == name and snap.schemas == [name] and snap.mysql.flavor == "MariaDB"
    assert "STRICT_TRANS_TABLES" in snap.mysql.sql_mode
    by = {t.name: t for t in snap.tables}
    assert set(by) == {"customers", "orders", "places", "events", "legacy"}
    c = by["customers"]
    assert c.mysql.engine == "InnoDB" and c.mysql.charset == "utf8mb4"
    assert c.primary_key.columns == ["id"]
    idx = {i.name: i for i in c.indexes}
    assert idx["customers_email"].mysql.sub_parts == [100] and idx["customers_email"].unique
    assert idx["customers_email"].expressions == ["email(100)"]
    assert idx["customers_name_ft"].method == "fulltext"
    col = c.column("id")
    assert col.mysql.auto_increment and col.mysql.unsigned and col.type == "int(10) unsigned"
    o = by["orders"]
    fk = o.foreign_keys[0]
    assert fk.references.table == f"{name}.customers" and fk.references.on_delete == "CASCADE"
    assert any(k.kind == "check" for k in o.constraints)
    assert {i.name: i for i in o.indexes}["orders_created"].mysql.ignored
    assert o.estimated_rows >= 0 and o.total_bytes > 0
    assert {i.name: i for i in by["places"].indexes}["places_pos"].method == "spatial"
    ev = by["events"]
    assert ev.kind == "partitioned_table" and [p.name for p in ev.mysql.partitions] == ["p2023", "pmax"]
    assert by["legacy"].mysql.engine == "MyISAM" and by["legacy"].mysql.charset == "utf8mb3"
    assert [v.name for v in snap.views] == ["big_orders"] and snap.views[0].depends_on == [f"{name}.orders"]


async def test_run_query_caps_and_types(mysql):
    db = make_db(mysql.create_db(SHOP), max_rows=50)
    try:
        r = await db.run_query("SELECT id, email, name FROM customers ORDER BY id")
        assert r.rows == [[1, "a@example.com", "Ann"], [2, "b@example.com", "Bob"]] and not r.truncated
        r = await db.run_query("SELECT seq FROM seq_1_to_100000")
        assert r.row_count == 50 and r.truncated and "max_rows=50" in r.truncated_reason
        r = await db.run_query("SELECT 1 AS one")  # the connection dropped after the cut still works
        assert r.rows == [[1]]
        r = await db.run_query("SELECT total, created_at, UNHEX('00ff') AS raw FROM orders ORDER BY id LIMIT 1")
        assert r.rows[0][0] == 10.5 and r.rows[0][2] == "\\x00ff"
        r = await db.run_query("SHOW TABLES")
        assert r.statement_kind == "show" and len(r.rows) == 6
    finally:
        await db.close()


async def test_statement_time_limit(mysql):
    db = make_db(mysql.create_db(SHOP), statement_timeout_ms=500)
    try:
        with pytest.raises(DatabaseError, match="time limit of 0.5 s"):
            await db.run_query(
                "SELECT count(*) FROM seq_1_to_100000 a, seq_1_to_100000 b WHERE a.seq * b.seq = 7"
            )
        assert (await db.run_query("SELECT 2 AS two")).rows == [[2]]
    finally:
        await db.close()


async def test_connection_errors_are_one_sentence(mysql):
    mysql.admin("CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 's3cret-pw'")
    wrong = mysql.url("").replace("root@", "app:wrong-pw-123@")
    with pytest.raises(DatabaseError, match="Authentication failed") as exc:
        await make_db(wrong).info()
    assert "wrong-pw-123" not in str(exc.value)
    with pytest.raises(DatabaseError, match="does not exist on the server"):
        await make_db(mysql.url("no_such_db")).info()
    with pytest.raises(DatabaseError, match="server is down"):
        await make_db("mysql://root:pw-xyz@127.0.0.1:1/shop").info()


async def test_describe_views_of_a_mysql_snapshot(mysql):
    from dbarchitect.core import describe

    url = mysql.create_db(SHOP)
    db = make_db(url)
    try:
        snap, info = await db.snapshot(), await db.info()
    finally:
        await db.close()
    summary = describe.summarize(snap, info=info, page_size=2)
    assert summary.total_tables == 5 and summary.next_cursor == "2" and summary.capabilities == {}
    lines = {t.name.split(".")[1]: t.line for t in describe.summarize(snap, info=info).tables}
    assert "[MyISAM utf8mb3]" in lines["legacy"] and "partitioned" in lines["events"]
    ddl = describe.detail(snap, "orders").ddl
    assert "ENGINE=InnoDB" in ddl and "AUTO_INCREMENT" in ddl and "KEY orders_created (created_at) IGNORED" in ddl
    assert "CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE" in ddl
    assert "PARTITION p2023 VALUES LESS THAN ('2024-01-01'),  -- ~" in describe.detail(snap, "events").ddl
    assert "UNIQUE KEY customers_email (email(100))" in describe.detail(snap, "customers").ddl
    er = describe.mermaid(snap, snap.tables)
    assert "customers ||--o{" in er and "orders" in er


async def test_snapshot_without_a_database_covers_every_user_database(mysql):
    first, second = mysql.create_db(SHOP), mysql.create_db("CREATE TABLE other (id int PRIMARY KEY);")
    db = make_db(mysql.url(""))
    try:
        snap = await db.snapshot()
        assert snap.database == "" and {first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]} <= set(snap.schemas)
        assert not {"mysql", "sys", "information_schema", "performance_schema"} & set(snap.schemas)
        assert snap.table(f"{second.rsplit('/', 1)[1]}.other") is not None
    finally:
        await db.close()


async def test_lock_wait_timeout(mysql):
    """A table another session holds with LOCK TABLES … WRITE: the read gives up after lock_wait_timeout."""
    url = mysql.create_db(SHOP)
    name = url.rsplit("/", 1)[1]
    holder = mysql.connect(name)
    db = make_db(url, lock_timeout_ms=1000)
    try:
        holder.cursor().execute("LOCK TABLES customers WRITE")
        with pytest.raises(DatabaseError, match="lock_wait_timeout"):
            await db.run_query("SELECT count(*) FROM customers")
        holder.cursor().execute("UNLOCK TABLES")
        assert (await db.run_query("SELECT count(*) FROM customers")).rows == [[2]]
    finally:
        holder.close()
        await db.close()
