"""The rule catalogue across every family: names and codes are unique (each name is one
`rules://<name>` resource), every rule's docstring is a documentation page with the required
headings, and every rule has its YAML fixture with cases that must fire and cases that must stay silent.

This is the one place that checks headings and fixtures; no test counts rules."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from dbarchitect.core.rulebook import FAMILY_PACKAGES, REQUIRED_HEADINGS, all_rules, family_modules, find_rule, rule_doc

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"


def test_rule_names_are_unique_across_families():
    names = Counter(m.RULE.name for m in all_rules())
    assert [n for n, k in names.items() if k > 1] == []


def test_rule_codes_are_unique_across_families():
    codes = Counter(m.RULE.code for m in all_rules())
    assert [c for c, k in codes.items() if k > 1] == []


@pytest.mark.parametrize("family", list(FAMILY_PACKAGES))
def test_every_rule_has_its_page_and_its_fixture(family):
    """For every rule of the family: the docstring has each required heading, and
    tests/fixtures/rules/<family>/<rule-name>.yaml names the rule and holds at least one case that
    must fire (a non-empty `expect`) and one that must stay silent (`expect: []`, or for server-wide
    health/security rules `absent: [objects]` that must not be reported)."""
    problems = []
    for m in family_modules(family):
        meta = m.RULE
        doc = rule_doc(m)
        problems += [f"{meta.code} {meta.name}: no '## {h}'" for h in REQUIRED_HEADINGS if f"## {h}" not in doc]
        path = FIXTURES / meta.family / f"{meta.name}.yaml"
        if not path.is_file():
            problems.append(f"{meta.code} {meta.name}: no {path.relative_to(FIXTURES.parents[1])}")
            continue
        fixture = yaml.safe_load(path.read_text()) or {}
        cases = (fixture.get("cases") or {}).values()
        if fixture.get("rule") != meta.name:
            problems.append(f"{meta.code} {meta.name}: {path.name} says rule: {fixture.get('rule')!r}")
        if not any(c.get("expect") for c in cases):
            problems.append(f"{meta.code} {meta.name}: no case that must fire")
        # silent: nothing expected, or (server-wide rules, where other objects may fire) named objects absent
        if not any(("expect" in c and not c["expect"]) or (not c.get("expect") and c.get("absent")) for c in cases):
            problems.append(f"{meta.code} {meta.name}: no case that must stay silent")
    assert problems == [], "\n".join(problems)


def test_no_fixture_without_its_rule():
    names = {(m.RULE.family, m.RULE.name) for m in all_rules()}
    strays = [p for fam in FAMILY_PACKAGES for p in sorted((FIXTURES / fam).glob("*.yaml")) if (fam, p.stem) not in names]
    assert strays == []


def test_every_rule_is_found_by_its_name_and_code_and_sits_in_its_family():
    for fam in FAMILY_PACKAGES:
        assert family_modules(fam), f"the {fam} family has no rule"
        for m in family_modules(fam):
            assert m.RULE.family == fam, m.__name__
    for m in all_rules():
        assert find_rule(m.RULE.name) is m and find_rule(m.RULE.code) is m
