"""Every MySQL schema rule (MY0xx) on the spawned MariaDB: its YAML fixture fires once and stays
silent on the counterpart; the flawed schema fires each rule exactly once, the clean one none."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from dbarchitect.config import Settings
from dbarchitect.core.mysql_review import review_mysql
from dbarchitect.core.rulebook import REQUIRED_HEADINGS, family_modules, rule_doc
from dbarchitect.live.mysql.database import MySQLDatabase

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[2] / "fixtures"
RULE_FILES = sorted((FIXTURES / "rules" / "mysql_schema").glob("*.yaml"))
MODULES = family_modules("mysql_schema")


@contextmanager
def global_sql_mode(mysql, mode: str | None):
    if mode is None:
        yield
        return
    saved = mysql.admin("SELECT @@GLOBAL.sql_mode")[0][0]
    mysql.admin(f"SET GLOBAL sql_mode = '{mode}'")
    try:
        yield
    finally:
        mysql.admin(f"SET GLOBAL sql_mode = '{saved}'")


async def review_of(mysql, sql: str, mode: str | None = None):
    url = mysql.create_db(sql)
    with global_sql_mode(mysql, mode):
        db = MySQLDatabase("default", url, Settings(connections={"default": url}))
        try:
            snap = await db.snapshot()
        finally:
            await db.close()
    return review_mysql(snap)


def test_every_rule_has_a_fixture_docs_and_mysql_engine():
    assert {p.stem for p in RULE_FILES} == {m.RULE.name for m in MODULES}
    for m in MODULES:
        assert m.RULE.engines == frozenset({"mysql"}) and m.RULE.code.startswith("MY")
        assert all(f"## {h}" in rule_doc(m) for h in REQUIRED_HEADINGS)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
async def test_rule_fixture(mysql, path):
    spec = yaml.safe_load(path.read_text())
    name = spec["rule"]
    fires = await review_of(mysql, spec["fires"]["sql"], spec["fires"].get("global_sql_mode"))
    hits = [f for f in fires.findings if f.rule == name]
    assert len(hits) == spec["fires"].get("expect", 1), [f.message for f in fires.findings]
    assert hits[0].fix and hits[0].evidence
    silent = await review_of(mysql, spec["silent"]["sql"], spec["silent"].get("global_sql_mode"))
    assert [f.message for f in silent.findings if f.rule == name] == []


async def test_flawed_schema_fires_each_rule_once(mysql):
    report = await review_of(mysql, (FIXTURES / "schemas" / "mysql" / "flawed.sql").read_text(), "NO_ENGINE_SUBSTITUTION")
    counts = Counter(f.code for f in report.findings)
    assert counts == Counter({m.RULE.code: 1 for m in MODULES}), [(f.code, f.object) for f in report.findings]
    assert not any(f.code.startswith("SD") for f in report.findings)
    text = " ".join(f"{f.message} {f.fix}" for f in report.findings).lower()
    for pg_only in ("timestamptz", "jsonb", "concurrently", "create extension", "identity", "lower("):
        assert pg_only not in text, pg_only


async def test_clean_schema_has_no_findings(mysql):
    report = await review_of(mysql, (FIXTURES / "schemas" / "mysql" / "clean.sql").read_text())
    assert report.findings == [], [(f.code, f.object, f.message) for f in report.findings]
