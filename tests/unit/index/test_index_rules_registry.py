"""Every index rule is documented where it lives and has a stable, unique IX code."""

from dbarchitect.core.rules.registry import REQUIRED_HEADINGS, family_modules, find_rule, rule_doc


def test_index_rules_are_documented_and_coded():
    mods = family_modules("index")
    assert [m.RULE.code for m in mods] == [f"IX00{i}" for i in range(1, 8)]
    for m in mods:
        doc = rule_doc(m)
        for heading in REQUIRED_HEADINGS:
            assert f"## {heading}" in doc, (m.RULE.name, heading)
        assert m.RULE.family == "index" and callable(m.check)
        assert find_rule(m.RULE.code) is m
