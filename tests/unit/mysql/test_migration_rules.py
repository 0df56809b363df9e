"""The mysql_migration rules (MY1xx) over tests/fixtures/rules/mysql_migration/*.yaml, and each rule's
documentation page: its Example fires the rule and its Use instead does not.

A case: `sql`, `server` (default MariaDB 10.11.6; 'MySQL 8.0.28' etc.), `catalog` (`shop`, the
default: the tables below with InnoDB-sized estimates; `none`: offline), `context` (MyLintContext
fields to override: sql_mode, foreign_key_checks, lock_wait_timeout_s, open_transactions, probes),
and `expect`: the findings of the file's rule as {rule, statement} with optional severity,
message_contains, fix_contains.
"""

from __future__ import annotations

import inspect
import re

import pytest

from dbarchitect.core.mysql_ddl_parse import snapshot_from_mysql_ddl
from dbarchitect.core.mysql_migration.context import MyLintContext
from dbarchitect.core.mysql_migration.lint import lint_mysql, rules
from tests.rule_fixtures import assert_fixture_covers, fixture_cases

SHOP = """
CREATE TABLE orders (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer_id BIGINT NOT NULL, status VARCHAR(20),
  note VARCHAR(50) CHARACTER SET utf8mb4, total DECIMAL(10,2), kind ENUM('a','b'), email VARCHAR(100),
  qty INT, KEY ix_orders_customer (customer_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(200)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE articles (id BIGINT PRIMARY KEY, body TEXT, location GEOMETRY NOT NULL, FULLTEXT KEY ft_articles_body (body))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(30)) ENGINE=InnoDB DEFAULT CHARSET=latin1;
CREATE TABLE legacy (id INT PRIMARY KEY, v INT) ENGINE=MyISAM;
"""
#: (rows, total bytes) per table of the shop catalog
SIZES = {"orders": (10_000_000, 3 * 1024**3), "customers": (1_000_000, 200 * 1024**2), "articles": (2_000_000, 900 * 1024**2),
         "tags": (100, 16 * 1024), "legacy": (50_000, 5 * 1024**2)}  # fmt: skip


def shop_context(**overrides) -> MyLintContext:
    snap = snapshot_from_mysql_ddl(SHOP, database="shop")
    for t in snap.tables:
        t.reltuples, t.total_bytes = SIZES[t.name]
        t.size_bytes = t.total_bytes * 2 // 3
    base = dict(server="MariaDB 10.11.6", database="shop", sql_mode="STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
                tables={t.qualified.lower(): t for t in snap.tables})  # fmt: skip
    return MyLintContext.model_validate({**base, **overrides})


def lint_case(case: dict):
    server = case.get("server", "MariaDB 10.11.6")
    if case.get("catalog", "shop") == "none":
        ctx = MyLintContext.model_validate(case.get("context") or {})
    else:
        ctx = shop_context(server=server, **(case.get("context") or {}))
    return lint_mysql(case["sql"], context=ctx, server=server)


@pytest.mark.parametrize(("rule", "case"), fixture_cases("mysql_migration"))
def test_rule_case(rule, case):
    report = lint_case(case)
    got = [f for f in report.findings if f.rule == rule]
    expect = case["expect"] or []
    assert sorted((f.rule, f.statement) for f in got) == sorted((e["rule"], e["statement"]) for e in expect), \
        [f.message for f in got]
    for e in expect:
        match = [f for f in got if f.statement == e["statement"]]
        if "severity" in e:
            assert any(f.severity.value == e["severity"] for f in match), [f.severity for f in match]
        if "message_contains" in e:
            assert any(e["message_contains"] in f.message for f in match), [f.message for f in match]
        if "fix_contains" in e:
            assert any(e["fix_contains"] in (f.fix or "") for f in match), [f.fix for f in match]
    for f in got:
        assert f.line is not None and f.line >= 1 and f.evidence


@pytest.mark.parametrize("module", rules(), ids=lambda m: m.RULE.name)
def test_every_rule_has_a_fixture(module):
    assert module.RULE.engines == frozenset({"mysql"})
    assert_fixture_covers(module)


#: rules whose page cannot be shown by linting its two blocks against the shop catalog, and why
NOT_SHOWN_BY_DOCS = {
    "migration-fails-on-existing-rows": "fires only from live row probes (see its fixture and tests/live/mysql)",
    "alter-rebuilds-table": "a rebuild has no in-place alternative: Use instead pins it with a clause, which still rebuilds",
    "alter-blocks-writes": "a SPATIAL/second FULLTEXT build blocks writes in any form; the alternative is an external tool",
}


def _blocks(doc: str) -> dict[str, str]:
    out = {}
    for head in ("Example", "Use instead"):
        m = re.search(rf"## {head}\s*```sql\n(.*?)```", doc, re.DOTALL)
        assert m, head
        out[head] = m.group(1)
    return out


@pytest.mark.parametrize("module", rules(), ids=lambda m: m.RULE.name)
def test_docstring_example_fires_and_use_instead_does_not(module):
    name = module.RULE.name
    if name in NOT_SHOWN_BY_DOCS:
        return
    blocks = _blocks(inspect.getdoc(module))
    fired = [f for f in lint_mysql(blocks["Example"], context=shop_context()).findings if f.rule == name]
    silent = [f for f in lint_mysql(blocks["Use instead"], context=shop_context()).findings if f.rule == name]
    assert fired, f"{name}: its Example does not fire it"
    assert silent == [], f"{name}: its Use instead fires it: {[f.message for f in silent]}"
