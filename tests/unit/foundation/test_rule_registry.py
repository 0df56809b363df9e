"""The rule catalogue across every family: names and codes are unique (each name is one
`rules://<name>` resource), and every rule's docstring is a documentation page with the required headings."""

from collections import Counter

from dbarchitect.core.rulebook import FAMILY_PACKAGES, REQUIRED_HEADINGS, all_rules, family_modules, find_rule, rule_doc


def test_rule_names_are_unique_across_families():
    names = Counter(m.RULE.name for m in all_rules())
    assert [n for n, k in names.items() if k > 1] == []


def test_rule_codes_are_unique_across_families():
    codes = Counter(m.RULE.code for m in all_rules())
    assert [c for c, k in codes.items() if k > 1] == []


def test_every_rule_is_documented_with_the_required_headings():
    missing = [(m.RULE.code, h) for m in all_rules() for h in REQUIRED_HEADINGS if f"## {h}" not in rule_doc(m)]
    assert missing == []


def test_every_rule_is_found_by_its_name_and_code_and_sits_in_its_family():
    rules = all_rules()
    assert len(rules) > 100  # every family that exists is discovered
    for fam in FAMILY_PACKAGES:
        for m in family_modules(fam):
            assert m.RULE.family == fam, m.__name__
    for m in rules:
        assert find_rule(m.RULE.name) is m and find_rule(m.RULE.code) is m
