"""lint_migration's row probes and dry_run_migration on the spawned MariaDB. Each data-dependent case
is also run on a copy of the table, in strict and in permissive sql_mode, to check what the lint said
against what the server does (an error, or a silent change with a warning)."""

from __future__ import annotations

import time

import anyio
import pytest

from dbarchitect.config import Limits, Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.dryrun import PREFIX, MySQLDryRunner, is_stale
from dbarchitect.live.mysql.lint_context import MySQLMigrationLinter

pytestmark = pytest.mark.anyio

SHOP = """
CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100)) ENGINE=InnoDB;
CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT, note VARCHAR(50) CHARACTER SET utf8mb4,
  qty INT, email VARCHAR(100), KEY ix_orders_customer (customer_id)) ENGINE=InnoDB;
INSERT INTO customers SELECT seq, CONCAT('c', seq, '@x') FROM seq_1_to_100;
INSERT INTO orders (customer_id, note, qty, email) SELECT 1 + seq % 100, REPEAT('n', seq % 30), seq % 100, CONCAT('e', seq) FROM seq_1_to_3000;
"""
DIRTY = """
INSERT INTO orders (customer_id, note, qty, email) VALUES (555, NULL, 1000, 'e1'), (5, REPEAT('x', 45), 1, 'e2');
"""


def make_db(url: str) -> MySQLDatabase:
    return MySQLDatabase("default", url, Settings(connections={"default": url}, limits=Limits()))


async def lint(url: str, sql: str):
    db = make_db(url)
    try:
        return await MySQLMigrationLinter(db, "lint_migration").lint(sql)
    finally:
        await db.close()


def server_outcome(mysql, url: str, sql: str, mode: str) -> str:
    """'error <code>', 'warning <code>' or 'ok': what the server does with `sql` on a copy of orders."""
    db = url.rsplit("/", 1)[1]
    conn = mysql.connect(db)
    try:
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS orders_copy")
        cur.execute("CREATE TABLE orders_copy LIKE orders")
        cur.execute("INSERT INTO orders_copy SELECT * FROM orders")
        cur.execute(f"SET SESSION sql_mode = '{mode}'")
        try:
            cur.execute(sql.replace("TABLE orders ", "TABLE orders_copy "))
        except Exception as exc:  # noqa: BLE001
            return f"error {exc.args[0]}"
        cur.execute("SHOW WARNINGS")
        warnings = cur.fetchall()
        return f"warning {warnings[0][1]}" if warnings else "ok"
    finally:
        conn.close()


@pytest.fixture(scope="module")
def dirty(mysql):
    return mysql.create_db(SHOP + DIRTY)


@pytest.fixture(scope="module")
def clean(mysql):
    return mysql.create_db(SHOP)


CASES = [
    # (statement, rule in strict mode, rule without strict mode)
    ("ALTER TABLE orders ADD UNIQUE KEY uq_email (email)", "migration-fails-on-existing-rows", "migration-fails-on-existing-rows"),
    ("ALTER TABLE orders MODIFY note VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL", "migration-fails-on-existing-rows", "narrowing-type-change"),
    ("ALTER TABLE orders MODIFY note VARCHAR(30) CHARACTER SET utf8mb4", "migration-fails-on-existing-rows", "narrowing-type-change"),
    ("ALTER TABLE orders MODIFY qty TINYINT", "migration-fails-on-existing-rows", "narrowing-type-change"),
]


@pytest.mark.parametrize(("sql", "strict_rule", "loose_rule"), CASES)
async def test_probes_say_what_the_server_does(mysql, dirty, clean, sql, strict_rule, loose_rule):
    strict, loose = "STRICT_TRANS_TABLES", "NO_ENGINE_SUBSTITUTION"
    old = mysql.admin("SELECT @@GLOBAL.sql_mode")[0][0]
    try:
        for mode, rule in ((strict, strict_rule), (loose, loose_rule)):
            mysql.admin(f"SET GLOBAL sql_mode = '{mode}'")
            report = await lint(dirty, sql)
            hits = [f for f in report.findings if f.rule == rule and f.severity.value == "error"]
            assert hits, (mode, [(f.rule, f.severity.value, f.message) for f in report.findings])
            outcome = server_outcome(mysql, dirty, sql, mode)
            if "fails" in rule:
                assert outcome.startswith("error"), (mode, outcome)
            else:
                assert outcome.startswith("warning"), (mode, outcome)
            assert any(e.kind == "execution" for e in hits[0].evidence)
        # on clean data no probe finds anything and the server runs the statement without a warning
        mysql.admin(f"SET GLOBAL sql_mode = '{strict}'")
        report = await lint(clean, sql)
        assert not [f for f in report.findings if f.rule in (strict_rule, loose_rule) and f.severity.value == "error"]
        assert server_outcome(mysql, clean, sql, strict) == "ok"
    finally:
        mysql.admin(f"SET GLOBAL sql_mode = '{old}'")


async def test_orphans_fail_a_foreign_key(mysql, dirty):
    sql = "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id)"
    report = await lint(dirty, sql)
    hit = [f for f in report.findings if f.rule == "migration-fails-on-existing-rows"]
    assert hit and "1452" in hit[0].message
    assert report.statements[0].algorithm == "COPY"
    assert server_outcome(mysql, dirty, sql.replace("fk_c", "fk_c2"), "STRICT_TRANS_TABLES") == "error 1452"


async def test_dry_run_observes_and_leaves_nothing_behind(mysql, dirty):
    db = make_db(dirty)
    old = mysql.admin("SELECT @@GLOBAL.sql_mode")[0][0]
    try:
        before = mysql.admin("SHOW CREATE TABLE orders", dirty.rsplit("/", 1)[1])
        linter = MySQLMigrationLinter(db, "dry_run_migration")
        sql = ("ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL;\nALTER TABLE orders MODIFY qty BIGINT;\n"
               "CREATE INDEX ix_q ON orders (qty);\nALTER TABLE orders MODIFY note VARCHAR(50) CHARACTER SET utf8mb4 NOT NULL;")  # fmt: skip
        mysql.admin("SET GLOBAL sql_mode = 'STRICT_TRANS_TABLES'")
        report = await MySQLDryRunner(db, "dry_run_migration").dry_run(
            sql, down_sql=None, scratch=None, prediction=await linter.lint(sql), assume_in_transaction=False,
            statement_timeout_s=30)  # fmt: skip
        obs = report.statements
        assert [o.algorithm for o in obs[:3]] == ["INSTANT", "COPY", "INPLACE"]
        assert obs[1].rebuilt == ["orders"] and obs[1].rows_affected and not obs[0].rebuilt and not obs[2].rebuilt
        # the NULL row is sampled: the NOT NULL change fails on the scratch copy as it would on the target
        assert obs[3].status == "error" and "truncated" in obs[3].error.message.lower()
        assert report.predicted and report.disagreements == [], report.disagreements
        failed = [f for f in report.findings if f.rule == "dry-run-statement-failed"]
        assert failed and "stay applied" in failed[0].message
        assert report.shadow.dropped and mysql.admin(f"SHOW DATABASES LIKE '{PREFIX.replace('_', chr(92) + '_')}%'") == ()
        assert mysql.admin("SHOW CREATE TABLE orders", dirty.rsplit("/", 1)[1]) == before  # the target is unchanged
    finally:
        mysql.admin(f"SET GLOBAL sql_mode = '{old}'")
        await db.close()


async def test_dry_run_reversibility(mysql, clean):
    db = make_db(clean)
    try:
        runner = MySQLDryRunner(db, "dry_run_migration")
        up = "ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL;\nCREATE INDEX ix_q ON orders (qty);"
        good = await runner.dry_run(up, down_sql="DROP INDEX ix_q ON orders; ALTER TABLE orders DROP COLUMN shipped_at;",
                                    scratch=None, prediction=None, assume_in_transaction=False, statement_timeout_s=30)  # fmt: skip
        assert good.ok and good.reversibility.reversible and good.reversibility.up_changed == 1
        bad = await runner.dry_run(up, down_sql="ALTER TABLE orders DROP COLUMN shipped_at;", scratch=None, prediction=None,
                                   assume_in_transaction=False, statement_timeout_s=30)  # fmt: skip
        assert not bad.ok and not bad.reversibility.reversible
        assert any(f.rule == "dry-run-not-reversible" for f in bad.findings)
    finally:
        await db.close()


async def test_dry_run_refuses_other_databases_and_rewrites_the_target(mysql, clean):
    db = make_db(clean)
    target = clean.rsplit("/", 1)[1]
    try:
        runner = MySQLDryRunner(db, "dry_run_migration")
        report = await runner.dry_run(f"ALTER TABLE `{target}`.orders ADD COLUMN z INT;\nALTER TABLE mysql.user ADD COLUMN z INT;",
                                      down_sql=None, scratch=None, prediction=None, assume_in_transaction=False,
                                      statement_timeout_s=30)  # fmt: skip
        assert report.statements[0].status == "ok"
        assert report.statements[1].status == "refused" and "another database" in report.statements[1].error.message
        assert "z" not in str(mysql.admin("SHOW CREATE TABLE orders", target))
    finally:
        await db.close()


async def test_dry_run_without_create_privilege_names_the_grant(mysql, clean):
    target = clean.rsplit("/", 1)[1]
    user = f"ro_{int(time.time())}"
    mysql.admin(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
    mysql.admin(f"GRANT SELECT ON `{target}`.* TO '{user}'@'%'")
    url = f"mysql://{user}:pw@{mysql.host}:{mysql.port}/{target}"
    db = make_db(url)
    try:
        with pytest.raises(DatabaseError, match="needs the CREATE privilege"):
            await MySQLDryRunner(db, "dry_run_migration").dry_run("ALTER TABLE orders ADD COLUMN z INT", down_sql=None,
                                                                  scratch=None, prediction=None, assume_in_transaction=False,
                                                                  statement_timeout_s=30)  # fmt: skip
    finally:
        await db.close()
        mysql.admin(f"DROP USER '{user}'@'%'")


async def test_dry_run_cancel_reaches_the_server_and_drops_the_scratch_database(mysql, clean):
    db = make_db(clean)
    try:
        runner = MySQLDryRunner(db, "dry_run_migration")
        started = time.monotonic()
        with anyio.move_on_after(2):
            await runner.dry_run("ALTER TABLE orders ADD COLUMN z INT;\nDO SLEEP(30);", down_sql=None, scratch=None,
                                 prediction=None, assume_in_transaction=False, statement_timeout_s=60)  # fmt: skip
        assert time.monotonic() - started < 15
        for _ in range(50):  # the worker thread drops its scratch database once the killed statement returns
            if mysql.admin(f"SHOW DATABASES LIKE '{PREFIX.replace('_', chr(92) + '_')}%'") == ():
                break
            await anyio.sleep(0.2)
        assert mysql.admin(f"SHOW DATABASES LIKE '{PREFIX.replace('_', chr(92) + '_')}%'") == ()
        assert not [r for r in mysql.admin("SHOW PROCESSLIST") if r[7] and "SLEEP(30)" in str(r[7]).upper()]
    finally:
        await db.close()


async def test_sweep_drops_stale_scratch_databases_only(mysql, clean):
    stale = f"{PREFIX}{int(time.time()) - 7200}_1_abcdef_00aa11"
    fresh = f"{PREFIX}{int(time.time())}_1_abcdef_00aa12"
    # the index advisor's and the draft's scratch databases carry the same owner record
    stale_idx = f"dbarchitect_idx_{int(time.time()) - 7200}_1_abcdef_00aa13"
    stale_draft = f"dbarchitect_draft_{int(time.time()) - 7200}_1_abcdef_00aa14_shadow"
    for name in (stale, fresh, stale_idx, stale_draft):
        mysql.admin(f"CREATE DATABASE `{name}`")
    assert is_stale(stale) and not is_stale(fresh) and not is_stale("shop")
    db = make_db(clean)
    try:
        dropped = await MySQLDryRunner(db, "scratch").sweep()
    finally:
        await db.close()
        mysql.admin(f"DROP DATABASE IF EXISTS `{fresh}`")
    assert stale in dropped and fresh not in dropped
    assert stale_idx in dropped and stale_draft in dropped


async def test_unreadable_migration_is_an_error(clean):
    with pytest.raises(UserInputError, match="could be read as MySQL/MariaDB"):
        await lint(clean, "ALTER TABLE orders PARTITION BY HASH(id) PARTITIONS 2")
    with pytest.raises(UserInputError, match="could not be read as MySQL"):
        await lint(clean, "ALTER TABLE orders ADD COLUMN note2 VARCHAR(10) DEFAULT 'unterminated")
