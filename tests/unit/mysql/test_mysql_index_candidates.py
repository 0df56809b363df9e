"""recommend_indexes' pure half on MySQL: candidates from query structure (mysql dialect), MySQL key
parts (prefixes for long strings, the implicit primary-key suffix), never one an existing index
serves, functional keys on MySQL 8.0.13+ only, and the plan/SQL helpers the live advisor uses."""

from __future__ import annotations

from dbarchitect.core.indexing.mysql import (
    add_index_ddl, generate, plan_cost, plan_keys, probe_select, retarget, signature, supersedes,
)  # fmt: skip
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.mysql_ddl_parse import snapshot_from_mysql_ddl

DDL = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100), bio text, url varchar(2000), country char(2), KEY country (country));
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status varchar(10), total decimal(10,2), created_at datetime,
  KEY cust (customer_id));
"""


def cands(queries: list[str], *, version=101119, flavor="MariaDB"):
    snap = snapshot_from_mysql_ddl(DDL)
    sqls = {f"q{i}": q for i, q in enumerate(queries, 1)}
    shapes = {k: analyze(v, snap, "ddl", dialect="mysql") for k, v in sqls.items()}
    props, served, unbuilt = generate(shapes, sqls, snap, version_num=version, flavor=flavor)
    return snap, {signature(p.candidate): p for p in props}, dict(served), unbuilt


def test_equality_then_range_then_sort_keys():
    _, props, _, _ = cands([
        "SELECT id FROM orders WHERE status = 'paid' AND created_at >= '2024-01-01'",
        "SELECT * FROM orders WHERE status = 'new' ORDER BY created_at LIMIT 10",
    ])  # fmt: skip
    assert "ddl.orders (status, created_at)" in props
    assert props["ddl.orders (status, created_at)"].queries == ["q1", "q2"]
    assert "ddl.orders (status)" in props


def test_covering_appends_read_columns_but_not_for_select_star_nor_the_primary_key():
    _, props, _, _ = cands(["SELECT id, total FROM orders WHERE status = 'paid' AND created_at > '2024-01-01'"])
    assert "ddl.orders (status, created_at, total)" in props
    assert props["ddl.orders (status, created_at, total)"].candidate.kind == "covering"
    _, props, _, _ = cands(["SELECT * FROM orders WHERE status = 'paid' AND created_at > '2024-01-01'"])
    assert not any(p.candidate.kind == "covering" for p in props.values())


def test_existing_left_prefix_and_primary_key_suffix_are_never_proposed():
    _, props, served, _ = cands([
        "SELECT * FROM orders WHERE customer_id = 5",
        "SELECT * FROM customers WHERE country = 'de' AND id = 7",
        "SELECT o.total FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.email = 'a@b'",
    ])  # fmt: skip
    assert "ddl.orders (customer_id)" in served and "cust" in served["ddl.orders (customer_id)"]
    # (country, id) is what KEY (country) stores in InnoDB: the trailing PK column is dropped, then served
    assert not any(s.startswith("ddl.customers (country") for s in props)
    assert "ddl.customers (email)" in props and "ddl.customers (email, id)" not in props


def test_prefix_key_parts_for_text_and_long_varchar():
    _, props, _, _ = cands(["SELECT id FROM customers WHERE bio = 'x'", "SELECT id FROM customers WHERE url = 'https://a'"])
    assert "ddl.customers (bio(64))" in props and "ddl.customers (url(64))" in props


def test_functional_keys_on_mysql_8_generated_column_advice_on_mariadb():
    q = ["SELECT id FROM customers WHERE lower(email) = 'a@b'"]
    _, props, _, unbuilt = cands(q, version=80036, flavor="MySQL")
    assert "ddl.customers ((LOWER(email)))" in props and not unbuilt
    _, props, _, unbuilt = cands(q, version=80012, flavor="MySQL")
    assert not any("LOWER" in s for s in props) and unbuilt
    _, props, _, unbuilt = cands(q)
    assert not any("LOWER" in s for s in props)
    assert "VIRTUAL" in unbuilt[0].reason and "ADD INDEX" in unbuilt[0].reason


def test_ddl_is_online_and_supersedes_shorter_existing_indexes():
    snap, props, _, _ = cands(["SELECT * FROM orders WHERE customer_id = 5 ORDER BY created_at LIMIT 5"])
    c = props["ddl.orders (customer_id, created_at)"].candidate
    t = snap.table("ddl.orders")
    assert add_index_ddl(t, c, "ix") == "ALTER TABLE ddl.orders ADD INDEX ix (customer_id, created_at), ALGORITHM=INPLACE, LOCK=NONE;"
    assert supersedes(t, c) == ["cust"]


def test_probe_select_retarget_and_plan_readers():
    assert probe_select("UPDATE orders SET status = 'x' WHERE created_at < '2024-01-01' ORDER BY id LIMIT 10") == (
        "SELECT * FROM orders WHERE created_at < '2024-01-01' ORDER BY id LIMIT 10")
    assert probe_select("DELETE FROM orders WHERE id = 1") == "SELECT * FROM orders WHERE id = 1"
    assert probe_select("SELECT 1") is None
    assert retarget("SELECT * FROM shop.orders o JOIN customers c ON c.id = o.customer_id", "shop", "scr") == (
        "SELECT * FROM `scr`.orders AS o JOIN customers AS c ON c.id = o.customer_id")
    assert retarget("SELECT * FROM orders", "shop", "scr") == "SELECT * FROM orders"
    mysql8 = {"query_block": {"cost_info": {"query_cost": "12.50"}, "table": {"table_name": "o", "key": "ix_a"}}}
    maria = {"query_block": {"nested_loop": [{"table": {"key": "PRIMARY"}}, {"table": {"key": "ix_b"}}]}}
    assert plan_cost(mysql8) == 12.5 and plan_cost(maria) is None
    assert plan_keys(mysql8) == {"ix_a"} and plan_keys(maria) == {"PRIMARY", "ix_b"}
