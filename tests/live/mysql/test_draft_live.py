"""draft_migration on the spawned MariaDB: the plan is verified on scratch databases (the server
accepts every ALGORITHM/LOCK clause, the result equals the target, the re-plan is empty, down brings
the current tables back), the scratch databases are dropped, the target is unchanged; then the up
script's steps run on a database with rows and keep the data (batched backfills, expand/contract
swaps), and the down steps take it back."""

from __future__ import annotations

import pytest

from dbarchitect.config import Settings
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.draft import SCRATCH_PREFIX

pytestmark = pytest.mark.anyio

CURRENT = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100), name varchar(50), country char(2));
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status varchar(10), total decimal(10,2), created_at datetime);
INSERT INTO customers SELECT seq, concat('u', seq, '@x'), concat('name ', seq), 'de' FROM seq_1_to_12000;
INSERT INTO orders SELECT seq, 1 + seq % 12000, 'new', seq % 997 + 0.25, '2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_15000;
"""

TARGET = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(200), full_name varchar(50), country char(2),
  plan varchar(10) NOT NULL, KEY email (email));
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status varchar(10) DEFAULT 'new', total decimal(12,2),
  created_at datetime, KEY cust_created (customer_id, created_at),
  CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE refunds (id bigint PRIMARY KEY AUTO_INCREMENT, order_id int NOT NULL, amount decimal(12,2),
  CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES orders (id));
"""


async def draft(url, target=TARGET, **kw):
    db = MySQLDatabase("default", url, Settings(connections={"default": url}))
    try:
        args = dict(from_ddl=None, renames={"customers.name": "full_name"}, allow_data_loss=False, online=True,
                    backfill={"customers.plan": "'free'"}, scope="objects", verify=True, scratch=db.dsn)  # fmt: skip
        args.update(kw)
        return await db.feature("draft", tool="draft_migration").draft(target, **args)
    finally:
        await db.close()


def show(mysql, db):
    return {t: mysql.admin(f"SHOW CREATE TABLE {t}", db)[0][1] for (t,) in mysql.admin("SHOW TABLES", db)}


def scratch_dbs(mysql):
    return [r[0] for r in mysql.admin("SHOW DATABASES") if r[0].startswith(SCRATCH_PREFIX)]


async def test_draft_verified_and_applied_with_rows(mysql):
    url = mysql.create_db(CURRENT)
    name = url.rsplit("/", 1)[1]
    before = show(mysql, name)
    report = await draft(url)
    v = report.verification
    assert v.ran and v.applied and v.converged and v.replan_empty and v.reversible, v
    assert show(mysql, name) == before and not scratch_dbs(mysql)
    actions = [s.action for s in report.steps]
    assert actions.index("create-table") < actions.index("add-foreign-key")
    assert {"widen-varchar", "create-sync-triggers", "backfill", "swap-column", "drop-old-column"} <= set(actions)
    for s in report.steps:
        for stmt in s.statements:
            if stmt.startswith("ALTER TABLE"):
                assert "ALGORITHM=" in stmt, stmt
    assert [p.name for p in report.phases] == ["expand", "migrate", "contract"] and report.phases[2].deploy_before
    # the up steps on the real rows: names copied, totals kept, plan backfilled
    conn = mysql.connect(name)
    try:
        cur = conn.cursor()
        for s in report.steps:
            for stmt in s.statements:
                cur.execute(stmt)
        cur.execute("SELECT count(*), sum(full_name = concat('name ', id)), sum(plan = 'free') FROM customers")
        assert cur.fetchone() == (12000, 12000, 12000)
        cur.execute("SELECT sum(total = id % 997 + 0.25) FROM orders")
        assert cur.fetchone()[0] == 15000
        cur.execute("SHOW TRIGGERS")
        assert cur.fetchall() == ()
        for s in report.down_steps:
            for stmt in s.statements:
                cur.execute(stmt)
        cur.execute("SELECT sum(name = concat('name ', id)) FROM customers")
        assert cur.fetchone()[0] == 12000
    finally:
        conn.close()
    after = show(mysql, name)
    assert set(after) == set(before)


async def test_refusals_offline_and_bad_ddl(mysql):
    url = mysql.create_db(CURRENT)
    # a column the target omits is not dropped without allow_data_loss (scope=objects keeps other tables)
    target = "CREATE TABLE customers (id int PRIMARY KEY, email varchar(100), name varchar(50));"
    report = await draft(url, target, renames=None, backfill=None)
    assert [r.object for r in report.refused] == ["customers.country"] and not report.steps
    assert report.left_alone == ["orders"]
    # offline type change: one copying ALTER, named as such
    target = "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status varchar(10), total decimal(12,2), created_at datetime);"
    report = await draft(url, target, renames=None, backfill=None, online=False)
    assert [s.statements for s in report.steps] == [[
        "ALTER TABLE orders MODIFY COLUMN total decimal(12,2) DEFAULT NULL, ALGORITHM=COPY, LOCK=SHARED"]]
    assert report.verification.converged and report.verification.reversible
    with pytest.raises(ValueError, match="another database"):
        await draft(url, "CREATE TABLE mysql.t (id int PRIMARY KEY);")
    with pytest.raises(ValueError, match="CREATE TABLE, CREATE INDEX and ALTER TABLE only"):
        await draft(url, "DROP DATABASE x;")
    assert not scratch_dbs(mysql)
