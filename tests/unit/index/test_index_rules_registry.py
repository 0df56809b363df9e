"""Retired index codes stay retired, and review_indexes runs the schema rules that took their patterns
over. (Every rule's documentation and fixture are checked for all families at once in
tests/unit/foundation/test_rule_registry.py.)"""

from dbarchitect.core.indexing.review import SCHEMA_RULES
from dbarchitect.core.rulebook import all_rules, family_modules, find_rule
from dbarchitect.core.rules.index import RETIRED_CODES


def test_index_rules_are_checks_of_the_index_family():
    for m in family_modules("index"):
        assert m.RULE.code.startswith("IX") and callable(m.check), m.__name__


def test_retired_codes_are_not_reused_and_their_patterns_have_one_rule():
    assert RETIRED_CODES == {"IX002", "IX003", "IX005"}
    assert not RETIRED_CODES & {m.RULE.code for m in all_rules()}
    assert [(m.RULE.code, m.RULE.name) for m in SCHEMA_RULES] == [
        ("SD002", "foreign-key-without-index"), ("SD017", "duplicate-index"), ("SD018", "redundant-prefix-index")]  # fmt: skip
    for m in SCHEMA_RULES:
        assert find_rule(m.RULE.name) is m and m.RULE.family == "schema"
