"""The online-DDL table by flavour and version, case by case from the manuals: MySQL 8.0 Reference
Manual 17.12.1 "Online DDL Operations" (column, index, foreign key, table operations) and MariaDB's
"InnoDB Online DDL Operations with ALGORITHM=INSTANT/NOCOPY/INPLACE" pages. The MariaDB rows for the
installed server are also checked against the server itself in tests/live/mysql/test_online_ddl_truth.py."""

from __future__ import annotations

import pytest

from dbarchitect.core.mysql_migration.lint import lint_mysql
from dbarchitect.core.mysql_migration.online import ColType, Server, narrowing
from tests.unit.mysql.test_migration_rules import shop_context

MYSQL8 = "MySQL 8.0.36"
# (server, statement, algorithm, rebuild, lock)
CASES = [
    # columns — MySQL 8.0
    (MYSQL8, "ALTER TABLE orders ADD COLUMN c INT", "INSTANT", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders ADD COLUMN c INT FIRST", "INSTANT", False, "NONE"),  # 8.0.29+: any position
    ("MySQL 8.0.28", "ALTER TABLE orders ADD COLUMN c INT FIRST", "INPLACE", True, "NONE"),
    ("MySQL 8.0.28", "ALTER TABLE orders ADD COLUMN c INT", "INSTANT", False, "NONE"),  # 8.0.12+: last position
    ("MySQL 8.0.11", "ALTER TABLE orders ADD COLUMN c INT", "INPLACE", True, "NONE"),
    (MYSQL8, "ALTER TABLE orders DROP COLUMN qty", "INSTANT", False, "NONE"),  # 8.0.29+
    ("MySQL 8.0.28", "ALTER TABLE orders DROP COLUMN qty", "INPLACE", True, "NONE"),
    (MYSQL8, "ALTER TABLE orders RENAME COLUMN qty TO quantity", "INSTANT", False, "NONE"),  # 8.0.28+
    ("MySQL 8.0.27", "ALTER TABLE orders RENAME COLUMN qty TO quantity", "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders MODIFY qty INT AFTER id", "INPLACE", True, "NONE"),  # reordering: rebuild
    (MYSQL8, "ALTER TABLE orders MODIFY qty BIGINT", "COPY", True, "SHARED"),  # data type change
    (MYSQL8, "ALTER TABLE orders MODIFY status VARCHAR(60)", "INPLACE", False, "NONE"),  # 80 -> 240 bytes: 1 length byte
    (MYSQL8, "ALTER TABLE orders MODIFY status VARCHAR(64)", "COPY", True, "SHARED"),  # 80 -> 256 bytes: 2 length bytes
    (MYSQL8, "ALTER TABLE orders MODIFY status VARCHAR(10)", "COPY", True, "SHARED"),  # decreasing
    (MYSQL8, "ALTER TABLE orders ALTER COLUMN qty SET DEFAULT 1", "INSTANT", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders ALTER COLUMN qty DROP DEFAULT", "INSTANT", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders MODIFY kind ENUM('a','b','c')", "INSTANT", False, "NONE"),  # append at the end
    (MYSQL8, "ALTER TABLE orders MODIFY kind ENUM('c','a','b')", "COPY", True, "SHARED"),
    (MYSQL8, "ALTER TABLE orders MODIFY qty INT NOT NULL", "INPLACE", True, "NONE"),  # making NOT NULL
    (MYSQL8, "ALTER TABLE orders MODIFY customer_id BIGINT NULL", "INPLACE", True, "NONE"),  # making NULL
    (MYSQL8, "ALTER TABLE orders ADD COLUMN c INT AUTO_INCREMENT UNIQUE", "INPLACE", True, "SHARED"),
    (MYSQL8, "ALTER TABLE orders ADD COLUMN g INT AS (qty + 1) STORED", "COPY", True, "SHARED"),
    (MYSQL8, "ALTER TABLE orders ADD COLUMN g INT AS (qty + 1) VIRTUAL", "INSTANT", False, "NONE"),
    (MYSQL8, "ALTER TABLE articles ADD COLUMN lang CHAR(2)", "INPLACE", True, "SHARED"),  # FULLTEXT table: no instant
    # indexes
    (MYSQL8, "CREATE INDEX ix ON orders (status)", "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders ADD UNIQUE KEY uq (email)", "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders DROP INDEX ix_orders_customer", "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders RENAME INDEX ix_orders_customer TO ix_c", "INPLACE", False, "NONE"),
    (MYSQL8, "CREATE FULLTEXT INDEX ft ON orders (email)", "INPLACE", True, "SHARED"),  # first: FTS_DOC_ID rebuild
    (MYSQL8, "CREATE FULLTEXT INDEX ft2 ON articles (body)", "INPLACE", False, "SHARED"),
    (MYSQL8, "ALTER TABLE articles ADD SPATIAL INDEX sp (location)", "INPLACE", False, "SHARED"),
    (MYSQL8, "ALTER TABLE customers DROP PRIMARY KEY", "COPY", True, "SHARED"),
    (MYSQL8, "ALTER TABLE customers DROP PRIMARY KEY, ADD PRIMARY KEY (id, email)", "INPLACE", True, "NONE"),
    # foreign keys
    (MYSQL8, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)", "COPY", True, "SHARED"),
    (MYSQL8, "SET foreign_key_checks = 0; ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)",
     "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE orders DROP FOREIGN KEY fk", "INPLACE", False, "NONE"),
    # table operations
    (MYSQL8, "ALTER TABLE orders ENGINE=InnoDB", "INPLACE", True, "NONE"),
    (MYSQL8, "ALTER TABLE orders FORCE", "INPLACE", True, "NONE"),
    (MYSQL8, "OPTIMIZE TABLE orders", "INPLACE", True, "NONE"),
    (MYSQL8, "OPTIMIZE TABLE articles", "COPY", True, "SHARED"),  # FULLTEXT: OPTIMIZE copies on MySQL
    (MYSQL8, "ALTER TABLE orders ROW_FORMAT=COMPACT", "INPLACE", True, "NONE"),
    (MYSQL8, "ALTER TABLE orders AUTO_INCREMENT=1000", "INPLACE", False, "NONE"),
    (MYSQL8, "ALTER TABLE tags CONVERT TO CHARACTER SET utf8mb4", "COPY", True, "SHARED"),
    (MYSQL8, "ALTER TABLE orders ENGINE=MyISAM", "COPY", True, "SHARED"),
    (MYSQL8, "RENAME TABLE orders TO orders_old", "INSTANT", False, "EXCLUSIVE"),
    (MYSQL8, "ALTER TABLE legacy ADD INDEX ix (v)", "COPY", True, "SHARED"),  # MyISAM: copy
    # a column addition combined with an index build is no longer instant
    (MYSQL8, "ALTER TABLE orders ADD COLUMN c INT, ADD INDEX ix_c (c)", "INPLACE", True, "NONE"),
    # MariaDB
    ("MariaDB 10.3.7", "ALTER TABLE orders ADD COLUMN c INT", "INSTANT", False, "NONE"),
    ("MariaDB 10.3.7", "ALTER TABLE orders ADD COLUMN c INT FIRST", "INPLACE", True, "NONE"),
    ("MariaDB 10.3.7", "ALTER TABLE orders DROP COLUMN qty", "INPLACE", True, "NONE"),
    ("MariaDB 10.4.0", "ALTER TABLE orders DROP COLUMN qty", "INSTANT", False, "NONE"),
    ("MariaDB 10.2.40", "ALTER TABLE orders ADD COLUMN c INT", "INPLACE", True, "NONE"),
    ("MariaDB 10.11.6", "ALTER TABLE orders MODIFY qty INT AFTER id", "INSTANT", False, "NONE"),
    ("MariaDB 10.11.6", "ALTER TABLE orders MODIFY status VARCHAR(100)", "INSTANT", False, "NONE"),  # 80 <= 127 bytes
    ("MariaDB 10.11.6", "ALTER TABLE orders MODIFY note VARCHAR(64) CHARACTER SET utf8mb4", "COPY", True, "SHARED"),
    ("MariaDB 10.11.6", "ALTER TABLE orders DROP COLUMN customer_id", "INPLACE", False, "NONE"),  # indexed: drops the index
    ("MariaDB 10.11.6", "ALTER TABLE orders DROP FOREIGN KEY fk", "INSTANT", False, "NONE"),
    ("MariaDB 10.11.6", "ALTER TABLE orders AUTO_INCREMENT=1000", "INSTANT", False, "NONE"),
    ("MariaDB 10.11.6", "ALTER TABLE orders ADD CONSTRAINT ck CHECK (qty > 0)", "COPY", True, "SHARED"),
    ("MariaDB 11.4.2", "ALTER TABLE orders MODIFY qty BIGINT", "COPY", True, "NONE"),  # 11.2+: online copy
]


@pytest.mark.parametrize(("server", "sql", "algorithm", "rebuild", "lock"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_online_ddl_table(server, sql, algorithm, rebuild, lock):
    report = lint_mysql(sql, context=shop_context(server=server), server=server)
    st = report.statements[-1]
    assert (st.algorithm, st.rebuild, st.lock) == (algorithm, rebuild, lock), st.why


def test_server_versions_parse():
    assert Server.parse("10.11.19-MariaDB-0+deb12u1").label == "MariaDB 10.11.19"
    assert Server.parse("8.0.36").label == "MySQL 8.0.36"
    assert Server.parse("MariaDB 11.2").online_copy and not Server.parse("MariaDB 11.1.3").online_copy


def test_narrowing():
    assert narrowing(ColType.parse("int(11)"), ColType.parse("tinyint"))
    assert narrowing(ColType.parse("varchar(50)"), ColType.parse("varchar(10)"))
    assert narrowing(ColType.parse("decimal(10,2)"), ColType.parse("decimal(8,2)"))
    assert narrowing(ColType.parse("text"), ColType.parse("varchar(255)"))
    assert not narrowing(ColType.parse("int"), ColType.parse("bigint"))
    assert not narrowing(ColType.parse("decimal(10,2)"), ColType.parse("decimal(12,2)"))
    assert ColType.parse("int(11)").text == ColType.parse("INT").text
