"""The MySQL index rules (MY4xx) on parsed DDL plus given index facts: every YAML case of
tests/fixtures/rules/mysql_index fires as expected or stays silent, and review_indexes' MySQL core
runs MY007/MY008 with online DROP INDEX fixes and their undo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dbarchitect.core.mysql_ddl_parse import snapshot_from_mysql_ddl
from dbarchitect.core.mysql_index_review import review_mysql_indexes
from dbarchitect.core.rulebook import find_rule
from dbarchitect.core.rules.mysql_index._common import MySQLIndexContext, MySQLIndexFacts, effective_key

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules" / "mysql_index"
CASES = [(p, name) for p in sorted(FIXTURES.glob("*.yaml")) for name in yaml.safe_load(p.read_text())["cases"]]


def snapshot_of(case: dict):
    snap = snapshot_from_mysql_ddl(case["sql"])
    for t in snap.tables:
        if t.name in (case.get("rows") or {}):
            t.reltuples = case["rows"][t.name]
    return snap


@pytest.mark.parametrize("path,case", CASES, ids=[f"{p.stem}:{c}" for p, c in CASES])
def test_rule_fixture(path, case):
    doc = yaml.safe_load(path.read_text())
    c = doc["cases"][case]
    mod = find_rule(doc["rule"])
    ctx = MySQLIndexContext(facts=MySQLIndexFacts(**(c.get("facts") or {})))
    found = mod.check(snapshot_of(c), ctx)
    assert len(found) == len(c["expect"]), [(f.object, f.message) for f in found]
    for want, f in zip(c["expect"], found):
        got = {"rule": f.rule, "object": f.object, "severity": f.severity.value}
        assert {k: got[k] for k in want} == want, f.message
        assert f.fix and f.evidence
        if f.severity.value != "info":
            assert "ALGORITHM=INPLACE, LOCK=NONE" in f.fix and "-- undo: ALTER TABLE" in f.fix


def test_effective_key_appends_the_primary_key_innodb_only():
    snap = snapshot_from_mysql_ddl(
        "CREATE TABLE a (x int, y int, id int, PRIMARY KEY (id, y), KEY kx (x), KEY ky (y, x));"
        "CREATE TABLE m (id int PRIMARY KEY, x int, KEY kx (x)) ENGINE=MyISAM;"
    )
    a, m = snap.table("ddl.a"), snap.table("ddl.m")
    assert [n for n, _ in effective_key(a, a.indexes[1])] == ["x", "id", "y"]
    assert [n for n, _ in effective_key(a, a.indexes[2])] == ["y", "x", "id"]
    assert [n for n, _ in effective_key(m, m.indexes[1])] == ["x"]


def test_review_runs_schema_index_rules_with_online_fixes_and_says_usage_unknown():
    snap = snapshot_from_mysql_ddl(
        "CREATE TABLE c (id int PRIMARY KEY);"
        "CREATE TABLE o (id int PRIMARY KEY, c_id int, d date, KEY a (c_id), KEY b (c_id), KEY cd (c_id, d),"
        " CONSTRAINT fk FOREIGN KEY (c_id) REFERENCES c (id));"
    )
    report = review_mysql_indexes(snap)
    codes = {f.code for f in report.findings}
    assert codes == {"MY007", "MY008", "MY402"}, [(f.code, f.message) for f in report.findings]
    dup = next(f for f in report.findings if f.code == "MY007")
    assert "ALTER TABLE ddl.o DROP INDEX b, ALGORITHM=INPLACE, LOCK=NONE;" in dup.fix
    assert "-- undo: ALTER TABLE ddl.o ADD INDEX b (c_id), ALGORITHM=INPLACE, LOCK=NONE;" in dup.fix
    unknown = next(f for f in report.findings if f.code == "MY402")
    assert unknown.severity.value == "info" and "unknown" in unknown.message and "DROP" not in unknown.fix.split("--")[0]
    assert any("1 foreign key(s): each has an index" in n for n in report.notes)
    assert report.rules_run == ["MY007", "MY008", "MY401", "MY402", "MY403"]
