"""The document rules (DM) against their fixtures: tests/fixtures/rules/document/<rule>.yaml.

A case gives `input` (one JSON / mongosh text or a list of them: documents, collections with their
getIndexes() output and validator, find/aggregate commands) and/or `explain: <name>` (a real
explain() output in tests/fixtures/mongo/<name>.yaml, with its source). `expect` lists the rule's
findings (empty: it must stay silent), with optional `object`, `severity`, `message_contains`,
`fix_contains`. `expand: {TOKEN: n}` grows the input where a literal would be too long: `[TOKEN]`
becomes an array of n numbers, `"TOKEN"` a string of n characters."""

from pathlib import Path

import pytest
import yaml
from rule_fixtures import assert_fixture_covers, fixture_cases

from dbarchitect.core.mongo.explain import parse_explain
from dbarchitect.core.mongo.review import DocumentContext, check
from dbarchitect.core.mongo.workload import Bundle, parse_bundle
from dbarchitect.core.rulebook import family_modules, find_rule

EXPLAINS = Path(__file__).parents[2] / "fixtures" / "mongo"


def explain_output(name: str) -> str:
    doc = yaml.safe_load((EXPLAINS / f"{name}.yaml").read_text())
    assert doc.get("source"), f"{name}.yaml must name its source"
    return doc["output"]


def expand(text: str, tokens: dict) -> str:
    for token, n in tokens.items():
        text = text.replace(f"[{token}]", "[" + ", ".join(str(i) for i in range(n)) + "]")
        text = text.replace(f'"{token}"', '"' + "x" * n + '"')
    return text


def context(case: dict) -> DocumentContext:
    raw = case.get("input")
    if raw is not None and case.get("expand"):
        raw = [expand(t, case["expand"]) for t in raw] if isinstance(raw, list) else expand(raw, case["expand"])
    bundle = parse_bundle(raw) if raw is not None else Bundle()
    explain = parse_explain(explain_output(case["explain"])) if case.get("explain") else None
    return DocumentContext.of(bundle, explain)


@pytest.mark.parametrize(("rule", "case"), fixture_cases("document"))
def test_rule_fixture(rule, case):
    module = find_rule(rule)
    got = check(module, context(case))  # through mongos: each shard's explain, as the tools run it
    assert len(got) == len(case["expect"]), [f.message for f in got]
    for finding, want in zip(got, case["expect"], strict=True):
        assert finding.rule == want["rule"]
        if "object" in want:
            assert finding.object == want["object"]
        if "severity" in want:
            assert finding.severity.value == want["severity"]
        if "message_contains" in want:
            assert want["message_contains"] in finding.message, finding.message
        if "fix_contains" in want:
            assert want["fix_contains"] in (finding.fix or ""), finding.fix
        assert finding.evidence, "every document finding carries its evidence"


@pytest.mark.parametrize("module", family_modules("document"), ids=lambda m: m.RULE.name)
def test_every_document_rule_has_its_fixture(module):
    assert_fixture_covers(module)


def test_every_explain_fixture_names_its_source_and_parses():
    for path in sorted(EXPLAINS.glob("*.yaml")):
        parse_explain(explain_output(path.stem))
