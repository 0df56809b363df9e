"""The schema rules' YAML and docstring cases (tests/unit/schema/rule_cases.py) through the offline
parser, review_schema's fallback when no PostgreSQL is reachable: pure, no server. Rules that need a
fact DDL text cannot give (workload, statistics, encoding) are judged through the catalog only, in
tests/live/schema/test_rule_fixtures.py, as are cases marked `offline: false`."""

from __future__ import annotations

import pytest

from dbarchitect.core.rulebook import find_rule
from dbarchitect.core.schema_parse import review_ddl_offline
from tests.unit.schema.rule_cases import DOCSTRING_NOT_FROM_SQL, check_expectation, schema_cases, sql_blocks


@pytest.mark.parametrize(("module", "case"), schema_cases(offline=True))
def test_rule_case_through_the_parser(module, case):
    report = review_ddl_offline(case["sql"])
    assert module.RULE.code in report.rules_run, report.skipped
    check_expectation([f for f in report.findings if f.rule == module.RULE.name], case["expect"])


@pytest.mark.parametrize("name", sorted(DOCSTRING_NOT_FROM_SQL))
def test_a_docstring_not_run_as_a_case_is_named_with_its_reason(name):
    """Not a skip: the claim is checked. Today's only reason is an Example that creates a database;
    when the docstring changes, this fails and the rule's docstring joins the cases."""
    module = find_rule(name)
    assert module is not None and module.RULE.family == "schema"
    assert "CREATE DATABASE" in DOCSTRING_NOT_FROM_SQL[name]
    assert sql_blocks(module, "Example").upper().startswith("CREATE DATABASE")
    assert sql_blocks(module, "Use instead").upper().startswith("CREATE DATABASE")
