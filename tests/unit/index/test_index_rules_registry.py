"""Every index rule is documented where it lives and has a stable, unique IX code; retired codes stay
retired, and review_indexes runs the schema rules that took their patterns over."""

from dbarchitect.core.indexing.review import SCHEMA_RULES
from dbarchitect.core.rules.index import RETIRED_CODES
from dbarchitect.core.rulebook import REQUIRED_HEADINGS, all_rules, family_modules, find_rule, rule_doc


def test_index_rules_are_documented_and_coded():
    mods = family_modules("index")
    assert [m.RULE.code for m in mods] == ["IX001", "IX004", "IX006", "IX007"]
    for m in mods:
        doc = rule_doc(m)
        for heading in REQUIRED_HEADINGS:
            assert f"## {heading}" in doc, (m.RULE.name, heading)
        assert m.RULE.family == "index" and callable(m.check)
        assert find_rule(m.RULE.code) is m


def test_retired_codes_are_not_reused_and_their_patterns_have_one_rule():
    assert RETIRED_CODES == {"IX002", "IX003", "IX005"}
    assert not RETIRED_CODES & {m.RULE.code for m in all_rules()}
    assert [(m.RULE.code, m.RULE.name) for m in SCHEMA_RULES] == [
        ("SD002", "foreign-key-without-index"), ("SD017", "duplicate-index"), ("SD018", "redundant-prefix-index")]  # fmt: skip
    for m in SCHEMA_RULES:
        assert find_rule(m.RULE.name) is m and m.RULE.family == "schema"
