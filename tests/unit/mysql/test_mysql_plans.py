"""MySQL/MariaDB plans read in core: MariaDB 10.11 outputs captured from the spawned server
(tests/fixtures/plans/mysql/capture.py), MySQL 8 shapes written from its documentation (mysql8_*)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbarchitect.core.plan.mysql import MySQLPlanError, explain_mysql_plan, loads_explain_json, parse_mysql_plan
from dbarchitect.core.rulebook import REQUIRED_HEADINGS, family_modules, rule_doc

DIR = Path(__file__).parents[2] / "fixtures" / "plans" / "mysql"

# fixture -> the insight codes it must produce, best saving first
EXPECTED = {
    "full_scan.analyze": ["MY201"],
    "full_scan.explain": ["MY201"],
    "filesort_temporary.analyze": ["MY203", "MY202"],
    "filesort_temporary.explain": ["MY203", "MY202"],
    "join_buffer.analyze": ["MY205"],
    "join_buffer.explain": ["MY205"],
    "dependent_subquery.analyze": ["MY206"],
    "dependent_subquery.explain": ["MY206"],
    "index_merge.analyze": ["MY207"],
    "index_merge.explain": ["MY207"],
    "index_filter.analyze": ["MY204"],
    "index_filter.explain": [],
    "clean.analyze": [],
    "clean.explain": [],
    "mysql8_group_hash_join.explain": ["MY205", "MY203", "MY202", "MY201"],
    "mysql8_dependent_merge.explain": ["MY206", "MY207"],
}


def load(name: str):
    return json.loads((DIR / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_insights(name):
    case = load(name)
    report = explain_mysql_plan(case["plan"], sql=case["sql"])
    assert [i.code for i in report.insights] == EXPECTED[name], [(i.code, i.saving_share, i.message) for i in report.insights]
    assert report.summary.analyzed == name.endswith(".analyze")
    for i in report.insights:
        assert i.fix and i.evidence and i.node is not None
    shares = [i.saving_share for i in report.insights]
    assert shares == sorted(shares, reverse=True)


def test_full_scan_names_the_index_on_the_real_table():
    case = load("full_scan.analyze")
    ins = explain_mysql_plan(case["plan"], sql=case["sql"]).insights[0]
    assert "0.001%" in ins.message and ins.fix.startswith("ALTER TABLE orders ADD INDEX orders_note_idx (note)")
    assert ins.evidence[0].kind == "execution" and ins.saving_share > 0.9


def test_join_buffer_resolves_the_alias_and_counts_comparisons():
    case = load("join_buffer.analyze")
    ins = explain_mysql_plan(case["plan"], sql=case["sql"]).insights[0]
    assert "customers_credit_idx (credit)" in ins.fix and "1,999,600 row comparisons" in ins.message


def test_dependent_subquery_multiplies_by_outer_rows():
    case = load("dependent_subquery.analyze")
    ins = explain_mysql_plan(case["plan"], sql=case["sql"]).insights[0]
    assert "~20 times" in ins.message and "2,000,000" in ins.message and "orders_customer_id_idx" in ins.fix


def test_mysql8_tree_text():
    text = (DIR / "mysql8_analyze.tree.txt").read_text()
    plan = parse_mysql_plan(text)
    assert plan.analyzed and [n.depth for n in plan.nodes] == [0, 1, 2, 3]
    scan = plan.nodes[3]
    assert scan.access == "ALL" and scan.table == "orders" and scan.rows_actual == 100000
    assert scan.condition == "(orders.note = 'n77')"
    report = explain_mysql_plan(text, sql="SELECT * FROM orders WHERE note = 'n77' ORDER BY created_at LIMIT 10")
    codes = [i.code for i in report.insights]
    assert codes[0] == "MY201" and report.source_format == "text"
    assert "orders_note_idx" in report.insights[0].fix


def test_not_a_plan():
    with pytest.raises(MySQLPlanError):
        parse_mysql_plan('{"Plan": {}}')


def test_plan_rules_are_documented_and_mysql_only():
    mods = family_modules("mysql_plan")
    assert len(mods) == 7
    for m in mods:
        assert m.RULE.engines == frozenset({"mysql"}) and m.RULE.code.startswith("MY2")
        assert all(f"## {h}" in rule_doc(m) for h in REQUIRED_HEADINGS)


RULE_FIXTURES = sorted((Path(__file__).parents[2] / "fixtures" / "rules" / "mysql_plan").glob("*.yaml"))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.stem)
def test_rule_fixture_cases(path):
    import yaml

    spec = yaml.safe_load(path.read_text())
    for case_name, case in spec["cases"].items():
        data = json.loads((DIR / case["plan"]).read_text())
        report = explain_mysql_plan(data["plan"], sql=data["sql"])
        hits = [i for i in report.insights if i.rule == spec["rule"]]
        assert len(hits) == len(case["expect"]), (case_name, [(i.rule, i.object) for i in report.insights])
        for want in case["expect"]:
            assert any(all(getattr(i, k) == v for k, v in want.items()) for i in hits), (case_name, want)


def test_rows_examined_suggests_equality_then_the_key_range():
    case = load("index_filter.analyze")
    ins = explain_mysql_plan(case["plan"], sql=case["sql"]).insights[0]
    assert "customers_region_b_idx (region, b)" in ins.fix and "2.00% kept" in ins.message


def test_a_message_instead_of_a_table():
    plan = {"query_block": {"select_id": 1, "table": {"message": "Impossible WHERE"}}}
    report = explain_mysql_plan(plan)
    assert report.insights == [] and "Impossible WHERE" in report.tree


# MariaDB 10.11.19 printed this for `EXPLAIN FORMAT=JSON SELECT id FROM p WHERE JSON_CONTAINS(attrs,
# '{"limited_edition": true}') AND name LIKE '%a"b\\c%'`: the double quotes inside the condition's string
# literals are not escaped (not JSON).
MARIADB_UNESCAPED = r"""{
  "query_block": {
    "select_id": 1,
    "nested_loop": [
      {
        "table": {
          "table_name": "p",
          "access_type": "ALL",
          "rows": 1,
          "filtered": 100,
          "attached_condition": "json_contains(p.attrs,'{"limited_edition": true}') and p.`name` like '%a"b\\c%'"
        }
      }
    ]
  }
}"""


def test_mariadb_explain_with_unescaped_quotes_in_a_condition_is_read():
    with pytest.raises(json.JSONDecodeError):
        json.loads(MARIADB_UNESCAPED)
    plan = loads_explain_json(MARIADB_UNESCAPED)
    table = plan["query_block"]["nested_loop"][0]["table"]
    assert table["attached_condition"] == "json_contains(p.attrs,'{\"limited_edition\": true}') and p.`name` like '%a\"b\\\\c%'"
    assert table["access_type"] == "ALL" and table["rows"] == 1
    assert parse_mysql_plan(MARIADB_UNESCAPED).nodes[0].access == "ALL"
    # valid JSON is read as it is (escapes kept)
    assert loads_explain_json('{"a": "x\\"y"}') == {"a": 'x"y'}
    with pytest.raises(json.JSONDecodeError):
        loads_explain_json('{"a": ')
