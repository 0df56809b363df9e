"""review_schema(ddl=) on MySQL: DDL parsed without a server gives the same MY findings as the live
catalog for what the text says (every mysql_schema fixture case, the flawed and the clean schema)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from dbarchitect.core.mysql_ddl_parse import MySQLDDLParseError, snapshot_from_mysql_ddl
from dbarchitect.core.mysql_review import review_mysql
from dbarchitect.core.rulebook import family_modules

FIXTURES = Path(__file__).parents[2] / "fixtures"
CASES = [
    (p, name)
    for p in sorted((FIXTURES / "rules" / "mysql_schema").glob("*.yaml"))
    for name, case in yaml.safe_load(p.read_text())["cases"].items()
    if "global_sql_mode" not in case
]


@pytest.mark.parametrize("path,case", CASES, ids=lambda x: x.stem if isinstance(x, Path) else x)
def test_fixture_cases_parsed(path, case):
    spec = yaml.safe_load(path.read_text())
    c = spec["cases"][case]
    report = review_mysql(snapshot_from_mysql_ddl(c["sql"]), source="parsed")
    hits = [f for f in report.findings if f.rule == spec["rule"]]
    assert len(hits) == len(c["expect"]), [(f.rule, f.object) for f in report.findings]


def test_flawed_and_clean_parsed():
    flawed = review_mysql(snapshot_from_mysql_ddl((FIXTURES / "schemas" / "mysql" / "flawed.sql").read_text()), source="parsed")
    expected = {m.RULE.code: 1 for m in family_modules("mysql_schema") if m.RULE.code != "MY011"}
    assert Counter(f.code for f in flawed.findings) == Counter(expected)
    assert [s.code for s in flawed.skipped] == ["MY011"] and flawed.source == "parsed"
    clean = review_mysql(snapshot_from_mysql_ddl((FIXTURES / "schemas" / "mysql" / "clean.sql").read_text()), source="parsed")
    assert clean.findings == []


def test_parse_details():
    snap = snapshot_from_mysql_ddl(
        "CREATE TABLE p (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=Aria DEFAULT CHARSET=utf8mb3;"
        "CREATE TABLE c (id int PRIMARY KEY, p_id int unsigned NOT NULL, body text,"
        " CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE, FULLTEXT KEY c_body (body));"
        "CREATE UNIQUE INDEX c_body_u ON c (body(50));"
    )
    p, c = snap.table("p"), snap.table("c")
    assert p.mysql.engine == "Aria" and p.mysql.charset == "utf8mb3" and p.column("id").mysql.auto_increment
    fk = c.foreign_keys[0]
    assert fk.references.table == "ddl.p" and fk.references.on_delete == "CASCADE"
    kinds = {i.name: (i.method, i.unique, i.mysql.sub_parts) for i in c.indexes}
    assert kinds["c_body"][0] == "fulltext" and kinds["c_body_u"] == ("btree", True, [50]) and "c_p" in kinds
    with pytest.raises(MySQLDDLParseError):
        snapshot_from_mysql_ddl("CREATE TABLE (")


def test_functional_key_parts_are_not_duplicates():
    """MySQL 8 functional indexes have no column per key part; two different expressions differ."""
    from dbarchitect.core.models import Index, MySQLIndex, MySQLTable, SchemaSnapshot, Table
    from dbarchitect.core.rules.mysql_schema import duplicate_index, redundant_prefix_index
    from dbarchitect.core.rules.mysql_schema._common import MySQLReviewContext

    def idx(name, expr):
        return Index(name=name, columns=[None], expressions=[expr], mysql=MySQLIndex(index_type="BTREE", sub_parts=[None]))

    t = Table(schema="s", name="t", mysql=MySQLTable(engine="InnoDB"),
              indexes=[idx("a", "(lower(`email`))"), idx("b", "(upper(`email`))"), idx("c", "(lower(`email`))")])  # fmt: skip
    snap = SchemaSnapshot(tables=[t])
    dups = duplicate_index.check(snap, MySQLReviewContext())
    assert [f.object for f in dups] == ["s.t.c"]
    assert redundant_prefix_index.check(snap, MySQLReviewContext()) == []
