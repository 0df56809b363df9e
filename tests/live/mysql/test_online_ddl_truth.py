"""The lint's online-DDL table against the installed MariaDB itself: for each case the statement is
offered to the server with ALGORITHM=INSTANT, NOCOPY, INPLACE and LOCK=NONE, SHARED, EXCLUSIVE on a
fresh table; the first combination the server accepts (and, for INPLACE, whether the InnoDB table id
changed) is the ground truth the lint's prediction for this server version must match."""

from __future__ import annotations

import pymysql
import pytest

from dbarchitect.core.mysql_migration.lint import lint_mysql
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.config import Limits, Settings
from dbarchitect.live.mysql.lint_context import MySQLMigrationLinter

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE par (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(50) CHARACTER SET utf8mb4, l VARCHAR(100) CHARACTER SET latin1,
  e ENUM('x','y'), n INT NULL, nn INT NOT NULL DEFAULT 0, g GEOMETRY NOT NULL DEFAULT (POINT(0,0)), body TEXT, p INT,
  KEY ia (a)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE nopk (id INT NOT NULL, a INT) ENGINE=InnoDB;
CREATE TABLE fts (id INT PRIMARY KEY, a INT, body TEXT, b2 TEXT, FULLTEXT KEY f0 (body)) ENGINE=InnoDB;
CREATE TABLE comp (id INT PRIMARY KEY, a INT) ENGINE=InnoDB ROW_FORMAT=COMPRESSED;
CREATE TABLE my (id INT PRIMARY KEY, a INT) ENGINE=MyISAM;
"""

CASES = [
    "ALTER TABLE t ADD COLUMN z INT",
    "ALTER TABLE t ADD COLUMN z INT FIRST",
    "ALTER TABLE t ADD COLUMN z INT AFTER id",
    "ALTER TABLE t ADD COLUMN z INT NOT NULL DEFAULT 5",
    "ALTER TABLE t ADD COLUMN z INT AUTO_INCREMENT UNIQUE",
    "ALTER TABLE t ADD COLUMN z INT AS (a + 1) VIRTUAL",
    "ALTER TABLE t ADD COLUMN z INT AS (a + 1) STORED",
    "ALTER TABLE t DROP COLUMN n",
    "ALTER TABLE t DROP COLUMN a",
    "ALTER TABLE t MODIFY COLUMN a INT AFTER nn",
    "ALTER TABLE t MODIFY COLUMN a BIGINT",
    "ALTER TABLE t MODIFY COLUMN a INT UNSIGNED",
    "ALTER TABLE t MODIFY COLUMN a SMALLINT",
    "ALTER TABLE t MODIFY COLUMN b VARCHAR(63) CHARACTER SET utf8mb4",
    "ALTER TABLE t MODIFY COLUMN b VARCHAR(64) CHARACTER SET utf8mb4",
    "ALTER TABLE t MODIFY COLUMN b VARCHAR(40) CHARACTER SET utf8mb4",
    "ALTER TABLE t MODIFY COLUMN b VARCHAR(50) CHARACTER SET latin1",
    "ALTER TABLE t MODIFY COLUMN l VARCHAR(300) CHARACTER SET latin1",
    "ALTER TABLE t MODIFY COLUMN e ENUM('x','y','z')",
    "ALTER TABLE t MODIFY COLUMN e ENUM('y','x')",
    "ALTER TABLE t MODIFY COLUMN n INT NOT NULL",
    "ALTER TABLE t MODIFY COLUMN nn INT NULL",
    "ALTER TABLE t CHANGE COLUMN a a2 INT",
    "ALTER TABLE t RENAME COLUMN a TO a2",
    "ALTER TABLE t ALTER COLUMN a SET DEFAULT 3",
    "ALTER TABLE t ALTER COLUMN nn DROP DEFAULT",
    "ALTER TABLE t ADD INDEX ib (b)",
    "ALTER TABLE t ADD UNIQUE KEY ub (b)",
    "CREATE INDEX ib ON t (b)",
    "ALTER TABLE t DROP PRIMARY KEY",
    "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, nn)",
    "ALTER TABLE nopk ADD PRIMARY KEY (id)",
    "ALTER TABLE t ADD FULLTEXT INDEX ft (body)",
    "ALTER TABLE fts ADD FULLTEXT INDEX f1 (b2)",
    "ALTER TABLE fts ADD COLUMN z INT",
    "ALTER TABLE fts DROP COLUMN a",
    "ALTER TABLE t ADD SPATIAL INDEX sp (g)",
    "ALTER TABLE t DROP INDEX ia",
    "ALTER TABLE t RENAME INDEX ia TO ia2",
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES par (id)",
    "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)",
    "ALTER TABLE t CONVERT TO CHARACTER SET latin1",
    "ALTER TABLE t ENGINE=InnoDB",
    "ALTER TABLE t FORCE",
    "ALTER TABLE t ROW_FORMAT=COMPACT",
    "ALTER TABLE t AUTO_INCREMENT=100",
    "ALTER TABLE t COMMENT='hi'",
    "ALTER TABLE comp ADD COLUMN z INT",
    "ALTER TABLE my ADD INDEX ia (a)",
    "ALTER TABLE t ADD COLUMN z INT NOT NULL, ADD INDEX iz (z)",
]


def _ids(cur, db):
    cur.execute("SELECT NAME, TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE %s", (db + "/%",))
    return dict(cur.fetchall())


def observe(conn, db: str, sql: str, setup: list[str]) -> tuple[str, bool, str]:
    """(algorithm, rebuild, lock) the server accepts for `sql`, each try on a freshly built schema."""
    cur = conn.cursor()
    create_index = sql.upper().startswith("CREATE")

    table = sql.split(" ON ")[1].split()[0] if create_index else sql.split()[2]
    ddl = next(s for s in setup if s.split()[2] == table)

    def fresh():  # only the table the case alters is rebuilt from its CREATE TABLE
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(ddl)

    for alg in ("INSTANT", "NOCOPY", "INPLACE", "COPY"):
        for lock in ("NONE", "SHARED", "EXCLUSIVE"):
            fresh()
            before = _ids(cur, db)
            clause = f" ALGORITHM={alg} LOCK={lock}" if create_index else f", ALGORITHM={alg}, LOCK={lock}"
            try:
                cur.execute(sql + clause)
            except pymysql.err.MySQLError as exc:
                if exc.args[0] in (1845, 1846):
                    if "LOCK=" in str(exc.args[1]).upper().split("IS NOT SUPPORTED")[0]:
                        continue
                    break
                raise
            rebuilt = _ids(cur, db).get(f"{db}/{table}") != before.get(f"{db}/{table}")  # FULLTEXT adds FTS_* tables: not a rebuild
            fresh()  # the next case starts from the original schema
            return {"NOCOPY": "INPLACE"}.get(alg, alg), rebuilt or alg == "COPY", lock
    raise AssertionError(f"no ALGORITHM/LOCK accepted for {sql}")


@pytest.fixture(scope="module")
def truth_db(mysql):
    from tests.conftest import split_mysql

    url = mysql.create_db(SETUP)
    return url, split_mysql(SETUP)


@pytest.mark.parametrize("sql", CASES)
async def test_lint_matches_what_the_server_accepts(truth_db, mysql, sql):
    url, setup = truth_db
    db = MySQLDatabase("default", url, Settings(connections={"default": url}, limits=Limits()))
    try:
        ctx = await MySQLMigrationLinter(db, "lint_migration").lint_context(sql)
        st = lint_mysql(sql, context=ctx).statements[0]
        info = await db.info()
    finally:
        await db.close()
    conn = mysql.connect(info.database)
    try:
        observed = observe(conn, info.database, sql, setup)
    finally:
        conn.close()
    # a MariaDB MyISAM change accepts any ALGORITHM= and copies anyway: the clause is not the ground truth there
    if sql.startswith("ALTER TABLE my "):
        assert (st.algorithm, st.lock) == ("COPY", "SHARED")
        return
    assert (st.algorithm, st.rebuild, st.lock) == observed, f"{ctx.server}: lint {st.algorithm}/{st.rebuild}/{st.lock} ({st.why}) vs server {observed}"
