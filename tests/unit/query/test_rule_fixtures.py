"""Generic runner over tests/fixtures/rules/query/*.yaml, plus every rule's docstring examples.

A fixture file names one rule and holds its cases: `sql` (one statement, or a statement list for the
rules that read sequences), optional `dialect` (default postgres) and `catalog` (`blog`, or
`blog_small` for the same schema with small tables: tests/unit/query/snapshots.py; none by
default), and `expect`: the findings of the file's rule as {rule, statement} with optional
`severity`. A rule's docstring is a case too: each ```sql block of its `Example` must fire the rule
and each block of its `Use instead` must stay silent, read against the `blog` catalog the
docstrings are written for.
"""

from __future__ import annotations

import inspect
import re

import pytest
import yaml

from dbarchitect.core.query_review import review_query
from dbarchitect.core.rulebook import family_modules

from rule_fixtures import assert_fixture_covers, fixture_cases
from snapshots import blog

CATALOGS = {"blog": blog(), "blog_small": blog(rows=200)}
RULES = family_modules("query")


def _found(rule: str, case: dict):
    snapshot = CATALOGS[case["catalog"]] if case.get("catalog") else None
    review = review_query(case["sql"], dialect=case.get("dialect", "postgres"), snapshot=snapshot)
    return [f for f in review.findings if f.rule == rule]


@pytest.mark.parametrize(("rule", "case"), fixture_cases("query"))
def test_rule_case(rule, case):
    got = _found(rule, case)
    expect = case["expect"] or []
    assert sorted((f.rule, f.statement or 0) for f in got) == sorted((e["rule"], e.get("statement", 0)) for e in expect), \
        [f.message for f in got]
    for e in expect:
        if "severity" in e:
            assert any(f.severity.value == e["severity"] and f.statement == e.get("statement") for f in got), \
                [(f.statement, f.severity) for f in got]
    for f in got:
        assert f.message and f.fix and f.evidence, f


def _sql_blocks(module, heading: str) -> list[str]:
    doc = inspect.cleandoc(module.__doc__ or "")
    section = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return re.findall(r"```sql\n(.*?)```", section.group(1), re.S) if section else []


def _docstring_cases():
    for module in RULES:
        for heading, fires in (("Example", True), ("Use instead", False)):
            for i, sql in enumerate(_sql_blocks(module, heading), start=1):
                yield pytest.param(module.RULE.name, sql, fires, id=f"{module.RULE.name}:{heading}:{i}")


@pytest.mark.parametrize(("rule", "sql", "fires"), list(_docstring_cases()))
def test_docstring_case(rule, sql, fires):
    got = _found(rule, {"sql": sql, "catalog": "blog"})
    assert bool(got) == fires, [f.message for f in got]


@pytest.mark.parametrize("module", RULES, ids=lambda m: m.RULE.name)
def test_every_rule_has_a_fixture_and_docstring_cases_that_fire_and_stay_silent(module):
    assert_fixture_covers(module)
    assert _sql_blocks(module, "Example") and _sql_blocks(module, "Use instead"), \
        "the docstring's Example and Use instead each need a ```sql block"


def test_every_fixture_file_names_a_query_rule():
    names = {m.RULE.name for m in RULES}
    assert {param.values[0] for param in fixture_cases("query")} <= names
