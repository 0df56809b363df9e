"""recommend_indexes on the spawned MariaDB: candidates are built on a scratch copy of the tables and
kept only when measured to help; the report carries the sample sizes and timings; the scratch
database is dropped (also on cancel); the target's indexes are unchanged; the DDL runs as written."""

from __future__ import annotations

import anyio
import pytest

from dbarchitect.config import Limits, Settings
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.index_advisor import SCRATCH_PREFIX, SCRATCH_READ_TIMEOUT_S

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100), country char(2));
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, status varchar(10), total decimal(10,2),
  created_at datetime, KEY cust (customer_id));
INSERT INTO customers SELECT seq, concat('u', seq, '@x.io'), elt(1 + seq % 5, 'de', 'fr', 'us', 'uk', 'it') FROM seq_1_to_20000;
INSERT INTO orders SELECT seq, 1 + seq % 20000, elt(1 + seq % 4, 'new', 'paid', 'sent', 'done'), seq % 997,
  '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_60000;
ANALYZE TABLE customers, orders;
"""

QUERIES = [
    "SELECT id, total FROM orders WHERE status = 'paid' AND created_at >= '2024-01-10' AND created_at < '2024-01-11'",
    "SELECT * FROM customers WHERE email = 'u77@x.io'",
    "SELECT * FROM orders WHERE customer_id = 42",  # served by KEY cust: never proposed
    "UPDATE orders SET status = 'done' WHERE status = 'sent' AND created_at < '2024-01-02'",
]


def scratch_dbs(mysql) -> list[str]:
    return [r[0] for r in mysql.admin("SHOW DATABASES") if r[0].startswith(SCRATCH_PREFIX)]


def indexes(mysql, db: str) -> set:
    return {(r[0], r[2], r[4]) for t in ("customers", "orders") for r in mysql.admin(f"SHOW INDEX FROM {t}", db)}


@pytest.fixture(scope="module")
def shop(mysql):
    return mysql.create_db(SETUP)


async def advise(url: str, queries, weights=None, **kw):
    db = MySQLDatabase("default", url, Settings(connections={"default": url}))
    try:
        adv = db.feature("index_advisor", tool="recommend_indexes")
        return await adv.recommend(queries, weights, kw.pop("from_stats", False), kw.pop("budget_mb", None),
                                   kw.pop("max_indexes", None), validate=False, scratch=None, **kw)  # fmt: skip
    finally:
        await db.close()


async def test_measured_recommendations_scratch_dropped_target_unchanged(mysql, shop):
    name = shop.rsplit("/", 1)[1]
    before = indexes(mysql, name)
    advice = await advise(shop, QUERIES, [10, 5, 1, 1])
    assert advice.mode == "scratch" and not scratch_dbs(mysql) and indexes(mysql, name) == before
    tables = {r.table: r for r in advice.recommendations}
    by_keys = {(r.table, tuple(r.keys)) for r in advice.recommendations}
    assert (f"{name}.customers", ("email",)) in by_keys
    assert any(t == f"{name}.orders" and k[:2] == ("status", "created_at") for t, k in by_keys), by_keys
    assert not any(k[0] == "customer_id" and t.endswith("orders") for t, k in by_keys)  # KEY cust serves q3
    assert any("cust" in r.reason for r in advice.rejected), advice.rejected
    for r in advice.recommendations:
        assert r.ddl.endswith(", ALGORITHM=INPLACE, LOCK=NONE;") and r.undo.endswith(", ALGORITHM=INPLACE, LOCK=NONE;")
        assert r.evidence.kind == "execution" and r.evidence.data["sample_rows"] > 0 and r.helps
        assert all(v is not None for v in r.evidence.data["ms_after"].values())
    v = advice.validation
    assert v.database.startswith(SCRATCH_PREFIX) and v.runs == 3 and v.total_ms_after < v.total_ms_before
    assert any("20,000 of ~20,000 rows" in n for n in advice.notes), advice.notes
    # the DDL runs as written, and undo takes it back
    r = tables[f"{name}.customers"]
    mysql.admin(r.ddl, name)
    mysql.admin(r.undo, name)
    assert indexes(mysql, name) == before


async def test_string_literals_with_double_quotes(mysql, shop):
    # MariaDB's EXPLAIN FORMAT=JSON leaves the double quotes of a condition's literal unescaped
    # (JSON_CONTAINS(doc, '{"k": 1}'), LIKE '%"x"%'): the advisor still reads the plan and measures
    name = shop.rsplit("/", 1)[1]
    advice = await advise(shop, ["SELECT id FROM customers WHERE email = 'say \"hi\"@x.io'",
                                 "SELECT id FROM orders WHERE status = 'paid' AND JSON_CONTAINS('{\"a\": 1}', '{\"a\": 1}')"])
    assert not advice.skipped_queries, advice.skipped_queries
    assert (f"{name}.customers", ("email",)) in {(r.table, tuple(r.keys)) for r in advice.recommendations}
    assert not scratch_dbs(mysql)


async def test_scratch_session_outwaits_a_short_statement_timeout(mysql, shop):
    # the copy and the index builds are the advisor's own statements on its scratch copy: the client
    # waits SCRATCH_READ_TIMEOUT_S for them, not the user's statement timeout + 10 s (a 200,000-row copy
    # into a table with a FULLTEXT index outlasted that on a loaded server and the advice failed)
    db = MySQLDatabase("default", shop, Settings(connections={"default": shop}, limits=Limits(statement_timeout_ms=1000)))
    try:
        adv = db.feature("index_advisor", tool="recommend_indexes")
        session = await anyio.to_thread.run_sync(lambda: adv._open("MariaDB", shop.rsplit("/", 1)[1]))
        try:
            assert session.conn._read_timeout == SCRATCH_READ_TIMEOUT_S > 1 + 10
        finally:
            await anyio.to_thread.run_sync(lambda: adv._close(session))
        other = db._connect()
        assert other._read_timeout == 11  # other connections keep the statement timeout's
        other.close()
        advice = await adv.recommend(QUERIES[:2], None, False, None, None, validate=False, scratch=None)
        assert advice.recommendations and not scratch_dbs(mysql)
    finally:
        await db.close()


async def test_bad_input_is_an_error_not_an_empty_answer(mysql, shop):
    with pytest.raises(ValueError, match="queries"):
        await advise(shop, None, from_stats=True)
    with pytest.raises(ValueError, match="weights"):
        await advise(shop, QUERIES, [1])
    with pytest.raises(ValueError, match="No query could be read"):
        await advise(shop, ["SELEC nonsense", "INSERT INTO orders (id) VALUES (1)"])


async def test_cancel_drops_the_scratch_database(mysql, shop):
    seen = []
    with anyio.CancelScope() as scope:

        async def progress(done, total, msg):
            seen.append(msg)
            if msg.startswith("baseline"):
                scope.cancel()  # the caller went away while the copy was being measured

        await advise(shop, QUERIES, progress=progress)
    assert scope.cancelled_caught and any(m.startswith("copying") for m in seen)
    assert not scratch_dbs(mysql)
