"""Generic runner over tests/fixtures/rules/plan/*.yaml: one file per plan rule, cases that must fire or not.

A case names a captured `plan` of the corpus (tests/fixtures/plans/<plan>.json and .txt, produced by
generate.py from the statement and settings in cases.yaml, whose `sql` is passed along) and may give
a `catalog` (a SchemaSnapshot as YAML). `expect` lists the findings of the file's rule as
{rule, node} (no node: a statement-level insight); both formats of the plan must give exactly those.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.plan import explain_plan
from dbarchitect.core.rulebook import family_modules

from rule_fixtures import assert_fixture_covers, fixture_cases

CORPUS = Path(__file__).parents[2] / "fixtures" / "plans"
STATEMENTS = {name: case["sql"] for name, case in yaml.safe_load((CORPUS / "cases.yaml").read_text())["cases"].items()}
RULES = family_modules("plan")


def _plan(name: str, fmt: str):
    if fmt == "json":
        return json.loads((CORPUS / f"{name}.json").read_text())
    return (CORPUS / f"{name}.txt").read_text()


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize(("rule", "case"), fixture_cases("plan"))
def test_rule_case(rule, case, fmt):
    catalog = SchemaSnapshot.model_validate(case["catalog"]) if case.get("catalog") else None
    report = explain_plan(_plan(case["plan"], fmt), sql=STATEMENTS[case["plan"]], catalog=catalog)
    assert report.source_format == fmt
    got = [f for f in report.insights if f.rule == rule]
    expect = case["expect"] or []
    key = lambda rule_, node: (rule_, -1 if node is None else node)  # noqa: E731
    assert sorted(key(f.rule, f.node) for f in got) == sorted(key(e["rule"], e.get("node")) for e in expect), \
        [f.message for f in got]
    for f in got:
        assert f.message and f.evidence, f  # never-executed-node is informational and has no fix


@pytest.mark.parametrize("module", RULES, ids=lambda m: m.RULE.name)
def test_every_rule_has_a_fixture_that_fires_and_one_that_stays_silent(module):
    assert module.RULE.family == "plan" and callable(module.check)
    assert_fixture_covers(module)


def test_every_fixture_names_a_plan_rule_and_a_captured_plan():
    names = {m.RULE.name for m in RULES}
    for param in fixture_cases("plan"):
        rule, case = param.values
        assert rule in names and case["plan"] in STATEMENTS, param.id
