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


CASES = [(p, case) for p in RULE_FILES for case in (yaml.safe_load(p.read_text())["cases"])]


def matches(finding, expected: dict) -> bool:
    return all(getattr(finding, k) == v for k, v in expected.items())


@pytest.mark.parametrize("path,case", CASES, ids=lambda x: x.stem if isinstance(x, Path) else x)
async def test_rule_fixture(mysql, path, case):
    spec = yaml.safe_load(path.read_text())
    name, c = spec["rule"], spec["cases"][case]
    report = await review_of(mysql, c["sql"], c.get("global_sql_mode"))
    hits = [f for f in report.findings if f.rule == name]
    assert len(hits) == len(c["expect"]), [(f.rule, f.object, f.message) for f in report.findings]
    for want in c["expect"]:
        assert any(matches(f, want) for f in hits), (want, [(f.object, f.message) for f in hits])
    for f in hits:
        assert f.fix and f.evidence


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
