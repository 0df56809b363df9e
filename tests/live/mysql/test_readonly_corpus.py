"""run_query on MariaDB as root: every attack refused (or harmless), the server unchanged afterwards,
and the next call working; legitimate analytics keep working."""

from __future__ import annotations

import pytest

from dbarchitect.config import Limits, Settings
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.errors import DatabaseError

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE accounts (id int PRIMARY KEY, owner varchar(40) NOT NULL, balance decimal(12,2) NOT NULL, doc json);
INSERT INTO accounts VALUES (1, 'ann', 100, '{"tags": ["a", "b"]}'), (2, 'bob', 50, '{"tags": ["c"]}'), (3, 'cy', 75, NULL);
CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, what text);
CREATE SEQUENCE seq1;
CREATE FUNCTION add_audit(w text) RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO audit (what) VALUES (w); RETURN 1; END;
CREATE FUNCTION sneaky(w text) RETURNS int READS SQL DATA BEGIN DELETE FROM accounts; RETURN 1; END;
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC NO SQL RETURN x * 2;
CREATE PROCEDURE wipe() MODIFIES SQL DATA DELETE FROM accounts;
"""

ATTACKS = [
    "DELETE FROM accounts",
    "UPDATE accounts SET balance = 0",
    "INSERT INTO audit (what) VALUES ('x')",
    "REPLACE INTO accounts VALUES (1, 'x', 0, NULL)",
    "DROP TABLE accounts",
    "TRUNCATE accounts",
    "CREATE TABLE evil (id int)",
    "CREATE TEMPORARY TABLE tmp AS SELECT * FROM accounts",
    "ALTER TABLE accounts ADD COLUMN x int",
    "SELECT 1; DELETE FROM accounts",
    "SELECT 1;DELETE FROM accounts;",
    "SELECT 1 /*! ; DELETE FROM accounts */",
    "SELECT 1 /*!50000 , (SELECT 1) */ ; DELETE FROM accounts",
    "SELECT /*!99999 1, */ 2",
    "SELECT 1 /*M! ; DROP TABLE accounts */",
    "SELECT 1 /*M!100100 ; DROP TABLE accounts */",
    "/*!DELETE FROM accounts*/",
    "SELECT 'a\\' ; DELETE FROM accounts; -- '",
    "SELECT * FROM accounts INTO OUTFILE '/tmp/dbarchitect-evil.txt'",
    "SELECT * FROM accounts INTO DUMPFILE '/tmp/dbarchitect-evil.bin'",
    "SELECT id INTO @x FROM accounts LIMIT 1",
    "SELECT LOAD_FILE('/etc/passwd')",
    "SELECT load_file ('/etc/passwd')",
    "SELECT SLEEP(100)",
    "SELECT BENCHMARK(100000000, MD5('x'))",
    "SELECT GET_LOCK('dbarchitect', 10)",
    "SELECT RELEASE_ALL_LOCKS()",
    "SET GLOBAL max_connections = 1",
    "SET @@GLOBAL.read_only = 1",
    "SET SESSION sql_mode = ''",
    "SET STATEMENT max_statement_time = 1000 FOR SELECT SLEEP(5)",
    "SET PASSWORD FOR root@localhost = PASSWORD('x')",
    "CALL wipe()",
    "SELECT add_audit('x')",
    "SELECT sneaky('x')",
    "SELECT `add_audit`('x')",
    "ANALYZE DELETE FROM accounts",
    "ANALYZE FORMAT=JSON UPDATE accounts SET balance = 0",
    "ANALYZE TABLE accounts",
    "EXPLAIN ANALYZE DELETE FROM accounts",
    "LOCK TABLES accounts WRITE",
    "UNLOCK TABLES",
    "SELECT * FROM accounts FOR UPDATE",
    "SELECT * FROM accounts FOR SHARE",
    "SELECT * FROM accounts LOCK IN SHARE MODE",
    "SELECT * FROM accounts WHERE id = 1 FOR UPDATE NOWAIT",
    "HANDLER accounts OPEN",
    "XA START 'x'",
    "PREPARE s FROM 'DELETE FROM accounts'",
    "EXECUTE s",
    "SELECT NEXTVAL(seq1)",
    "SELECT SETVAL(seq1, 100)",
    "SELECT NEXT VALUE FOR seq1",
    "SELECT LASTVAL(seq1)",
    "SHUTDOWN",
    "INSTALL PLUGIN blackhole SONAME 'ha_blackhole.so'",
    "INSTALL SONAME 'ha_blackhole'",
    "FLUSH TABLES WITH READ LOCK",
    "FLUSH PRIVILEGES",
    "GRANT ALL ON *.* TO 'evil'@'%' IDENTIFIED BY 'x'",
    "CREATE USER evil IDENTIFIED BY 'x'",
    "KILL 1",
    "START TRANSACTION",
    "COMMIT",
    "DO SLEEP(5)",
    "DO GET_LOCK('x', 1)",
    "LOAD DATA INFILE '/etc/passwd' INTO TABLE audit",
    "SELECT @a := 1",
    "SELECT /*+ SET_VAR(max_statement_time=0) */ 1",
    "SELECT /*+ MAX_EXECUTION_TIME(100000) */ 1",
    "WITH x AS (SELECT 1) DELETE FROM accounts",
    "USE mysql",
    "SELECT 1 INTO OUTFILE '/tmp/x' -- ",
    "RENAME TABLE accounts TO a2",
    "CREATE OR REPLACE VIEW v AS SELECT 1",
    "OPTIMIZE TABLE accounts",
    "SELECT 1 # \n ; DELETE FROM accounts",
]

LEGIT = [
    ("SELECT owner, balance, rank() OVER (ORDER BY balance DESC) AS r FROM accounts ORDER BY r", 3),
    ("WITH rich AS (SELECT * FROM accounts WHERE balance > 60) SELECT count(*) FROM rich", 1),
    ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n", 1),
    ("SELECT jt.tag FROM accounts, JSON_TABLE(doc, '$.tags[*]' COLUMNS (tag varchar(10) PATH '$')) AS jt", 3),
    ("SELECT id FROM accounts -- DROP TABLE accounts\n ORDER BY id", 3),
    ("SELECT id /* DELETE FROM accounts; */ FROM accounts", 3),
    ("SELECT 'a;b' AS s, \"c;d\" AS t, 'it''s' AS u", 1),
    ("SELECT owner FROM accounts WHERE owner LIKE '%;%' OR owner = 'drop table'", 0),
    ("SELECT twice(id) FROM accounts", 3),
    ("SELECT JSON_EXTRACT(doc, '$.tags[0]') FROM accounts", 3),
    ("SELECT REPLACE(owner, 'a', 'b'), INSERT(owner, 1, 1, 'X') FROM accounts", 3),
    ("(SELECT id FROM accounts WHERE id = 1) UNION ALL (SELECT id FROM accounts WHERE id = 2)", 2),
    ("SELECT a.id, b.id FROM accounts a JOIN accounts b ON b.id = a.id + 1", 2),
    ("SELECT id FROM accounts WHERE id IN (SELECT id FROM accounts WHERE balance > 60)", 2),
    ("SELECT owner, GROUP_CONCAT(id ORDER BY id) FROM accounts GROUP BY owner WITH ROLLUP", 4),
    ("SHOW TABLES", 3),
    ("SHOW CREATE TABLE accounts", 1),
    ("SHOW INDEX FROM accounts", 1),
    ("DESCRIBE accounts", 4),
    ("EXPLAIN SELECT * FROM accounts WHERE id = 1", 1),
    ("EXPLAIN FORMAT=JSON SELECT * FROM accounts", 1),
    ("ANALYZE FORMAT=JSON SELECT * FROM accounts", 1),
    ("VALUES (1), (2)", 2),
    ("SELECT PREVIOUS_VALUE_IS_NOT_A_FUNCTION FROM (SELECT 1 AS PREVIOUS_VALUE_IS_NOT_A_FUNCTION) x", 1),
    ("select id from accounts where owner = 'bob';", 1),
    ("SELECT COUNT(*) AS `select` FROM accounts", 1),
]


def snapshot_state(mysql, db: str):
    return (
        mysql.admin(f"SELECT id, owner, balance FROM `{db}`.accounts ORDER BY id"),
        mysql.admin(f"SELECT count(*) FROM `{db}`.audit"),
        mysql.admin(f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{db}' ORDER BY 1"),
        mysql.admin("SELECT @@GLOBAL.max_connections, @@GLOBAL.read_only, @@GLOBAL.sql_mode"),
        mysql.admin("SELECT count(*) FROM mysql.user"),
        mysql.admin("SELECT count(*) FROM information_schema.plugins WHERE plugin_name = 'BLACKHOLE'"),
        mysql.admin(f"SELECT NEXTVAL(`{db}`.seq1) IS NOT NULL"),
    )


@pytest.fixture
def target(mysql):
    url = mysql.create_db()
    name = url.rsplit("/", 1)[1]
    conn = mysql.connect(name)
    try:
        cur = conn.cursor()
        for stmt in SETUP.strip().split(";\n"):
            if stmt.strip():
                cur.execute(stmt.strip().rstrip(";"))
    finally:
        conn.close()
    db = MySQLDatabase("default", url, Settings(connections={"default": url}, limits=Limits(statement_timeout_ms=3000)))
    return mysql, name, db


async def test_attacks_are_refused_and_change_nothing(target):
    mysql, name, db = target
    before = snapshot_state(mysql, name)
    ran = []
    try:
        for sql in ATTACKS:
            try:
                await db.run_query(sql)
                ran.append(sql)
            except DatabaseError as exc:
                assert str(exc).strip(), sql
            ok = await db.run_query("SELECT count(*) FROM accounts")  # the next call works
            assert ok.rows == [[3]], sql
    finally:
        await db.close()
    # sequences advance on each state read: compare everything but the sequence probe
    after = snapshot_state(mysql, name)
    assert after[:-1] == before[:-1]
    assert ran == [], f"ran: {ran}"
    assert mysql.admin("SELECT IS_USED_LOCK('dbarchitect')") == ((None,),)
    import os

    assert not os.path.exists("/tmp/dbarchitect-evil.txt") and not os.path.exists("/tmp/dbarchitect-evil.bin")


async def test_legitimate_queries_work(target):
    _mysql, _name, db = target
    try:
        for sql, rows in LEGIT:
            r = await db.run_query(sql)
            assert r.row_count == rows, (sql, r.rows)
    finally:
        await db.close()


async def test_refusals_say_why(target):
    _mysql, _name, db = target
    cases = {
        "SELECT 1 /*! ; DELETE FROM accounts */": "executable comments",
        "SELECT 1; SELECT 2": "several statements",
        "SELECT * FROM accounts INTO OUTFILE '/tmp/x'": "INTO",
        "SELECT SLEEP(1)": "SLEEP",
        "SELECT add_audit('x')": "MODIFIES SQL DATA",
        "SELECT sneaky('x')": "body contains DELETE",
        "ANALYZE DELETE FROM accounts": "execute the statement",
        "SELECT NEXT VALUE FOR seq1": "sequence",
        "LOCK TABLES accounts READ": "LOCK TABLES",
    }
    try:
        for sql, why in cases.items():
            with pytest.raises(DatabaseError, match="Refused") as exc:
                await db.run_query(sql)
            assert why in str(exc.value), (sql, str(exc.value))
    finally:
        await db.close()


async def test_read_only_transaction_stops_what_the_gate_lets_through(target):
    """A function the gate cannot judge (declared NO SQL, body hidden) still cannot write: the
    transaction is READ ONLY even for root."""
    mysql, name, db = target
    mysql.admin(
        "CREATE FUNCTION liar() RETURNS int NO SQL BEGIN INSERT INTO audit (what) VALUES ('x'); RETURN 1; END",
        name,
    )
    mysql.admin("CREATE TABLE notes (v text) ENGINE=MyISAM", name)  # no transactions, still refused
    mysql.admin("CREATE FUNCTION liar2() RETURNS int NO SQL BEGIN INSERT INTO notes VALUES ('x'); RETURN 1; END", name)
    import dbarchitect.live.mysql.database as mod

    saved = mod._WRITING_BODY
    mod._WRITING_BODY = __import__("re").compile(r"(?!x)x")  # pretend the body scan saw nothing
    try:
        for fn in ("liar", "liar2"):
            with pytest.raises(DatabaseError, match="READ ONLY|read only|read-only"):
                await db.run_query(f"SELECT {fn}()")
    finally:
        mod._WRITING_BODY = saved
        await db.close()
    assert mysql.admin(f"SELECT count(*) FROM `{name}`.audit") == ((0,),)
    assert mysql.admin(f"SELECT count(*) FROM `{name}`.notes") == ((0,),)
