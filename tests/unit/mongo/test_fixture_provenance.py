"""Every MongoDB fixture names where it comes from (issue 24: real outputs, source named).

A fixture's `source:` must give a public address (MongoDB documentation page, issue, published output):
either the page the output was copied from, or, for inputs built by hand, "constructed from the
documented format of X" with the page documenting X. A rule fixture that uses captured explain outputs
names those files (which carry their own source). Every captured output (tests/fixtures/mongo/) gives the
address of the page or repository file it was copied from: no exception list.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parents[2] / "fixtures"
MONGO_FIXTURES = sorted([*(FIXTURES / "mongo").glob("*.yaml"), *(FIXTURES / "rules" / "document").glob("*.yaml")])
URL = re.compile(r"https?://[\w.-]+\.[a-z]{2,}/\S*")


def test_the_fixture_directories_are_found():
    assert len(MONGO_FIXTURES) >= 20, MONGO_FIXTURES


@pytest.mark.parametrize("path", MONGO_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_names_its_source(path: Path):
    source = yaml.safe_load(path.read_text()).get("source")
    assert isinstance(source, str) and source.strip(), f"{path.name}: add a `source:` naming where the content comes from"
    if path.parent.name == "mongo":  # a captured output: its own address, always
        assert URL.search(source), f"{path.name}: a captured output needs the address it was copied from: {source!r}"
        assert yaml.safe_load(path.read_text()).get("output"), f"{path.name}: no output"
        return
    explains = re.findall(r"tests/fixtures/mongo/(\w+)\.yaml", source) + re.findall(r"\b(\w+)\.yaml\b", source)
    if explains:  # a rule fixture built on captured outputs: each is a fixture that names its own source
        for name in explains:
            assert (FIXTURES / "mongo" / f"{name}.yaml").exists(), f"{path.name} names {name}.yaml, which does not exist"
        if not URL.search(source):
            return
    assert URL.search(source), f"{path.name}: the source needs the address of the page: {source!r}"
    if "constructed" not in source and path.parent.name == "document" and not explains:
        pytest.fail(f"{path.name}: hand-built input must say 'constructed from the documented format of X, see URL'")


def test_rule_fixtures_using_captured_outputs_name_every_one():
    for path in (FIXTURES / "rules" / "document").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        used = {c["explain"] for c in doc["cases"].values() if c.get("explain")}
        missing = {u for u in used if f"{u}.yaml" not in doc.get("source", "")}
        assert not missing, f"{path.name} uses {sorted(missing)} without naming them in its source"
