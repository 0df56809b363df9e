"""The schema rules' cases, read from tests/fixtures/rules/schema/<rule-name>.yaml and from each rule's
docstring, for the two runners: tests/live/schema/test_rule_fixtures.py (through a real catalog) and
tests/unit/schema/test_rule_fixtures.py (through the offline DDL parser).

A fixture file:

    rule: <rule-name>
    docstring:                      # how the docstring's `Example` and `Use instead` run as cases
      setup: SQL                    #   what both blocks assume exists (tables they reference)
      use_instead: after_example    #   or `alone` (default): the block replaces the example
      offline: false                #   optional: the parser cannot replay them (say why in a comment)
    cases:
      <case-name>:
        sql: SQL                    # DDL and data, run statement by statement in a fresh database
        encoding: SQL_ASCII         # optional: the database's encoding (default: the test cluster's)
        offline: false              # optional: the parser cannot judge this case (data, settings)
        expect: []                  # the rule stays silent; or every finding of the rule, each with
                                    # optional object, severity, message_contains, fix_contains

A docstring case expects at least one finding (`Example`) or none (`Use instead`).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml

from dbarchitect.core.models import Finding
from dbarchitect.core.rulebook import family_modules

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules"
SOME = "some"  # a docstring Example: the rule fires, how often is the example's business

#: schema rules whose docstring cannot be shown from SQL run inside a database, and why; each one's
#: YAML cases show the pattern instead (the test says so by name, it never skips silently)
DOCSTRING_NOT_FROM_SQL = {
    "sql-ascii-database": "the encoding is chosen by CREATE DATABASE, which cannot run inside the database "
                          "under review; its YAML cases create one database in SQL_ASCII and one in UTF8 instead",
}  # fmt: skip


def load(family: str, rule: str) -> dict:
    return yaml.safe_load((FIXTURES / family / f"{rule}.yaml").read_text())


def sql_blocks(module, heading: str) -> str:
    """The ```sql blocks under one `## heading` of a rule's docstring, joined."""
    doc = inspect.cleandoc(module.__doc__ or "")
    section = re.split(r"^## ", doc.split(f"## {heading}\n", 1)[1], maxsplit=1, flags=re.M)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
    return "\n".join(b.strip() for b in blocks)


def docstring_cases(module) -> dict[str, dict]:
    meta = load("schema", module.RULE.name).get("docstring") or {}
    setup = (meta.get("setup") or "").strip()
    example = sql_blocks(module, "Example")
    use = sql_blocks(module, "Use instead")
    if meta.get("use_instead", "alone") == "after_example":
        use = f"{example}\n{use}"
    offline = {"offline": meta["offline"]} if "offline" in meta else {}
    return {
        "docstring-example": {"sql": f"{setup}\n{example}", "expect": SOME, **offline},
        "docstring-use-instead": {"sql": f"{setup}\n{use}", "expect": [], **offline},
    }


def schema_cases(*, offline: bool = False) -> list:
    """pytest params (rule module, case) for every YAML case and docstring case of every schema rule.

    offline: only rules the parser can run (no NEEDS), and cases not marked `offline: false`."""
    out = []
    for mod in family_modules("schema"):
        if offline and getattr(mod, "NEEDS", None):
            continue  # judged through the catalog only: the fact it needs is not in DDL text
        name = mod.RULE.name
        cases = dict(load("schema", name)["cases"])
        if name not in DOCSTRING_NOT_FROM_SQL:
            cases.update(docstring_cases(mod))
        for case_name, case in cases.items():
            if offline and case.get("offline") is False:
                continue
            out.append(pytest.param(mod, case, id=f"{name}:{case_name}"))
    return out


def check_expectation(got: list[Finding], expect) -> None:
    """`got` (the findings of one rule) against a case's `expect`."""
    if expect == SOME:
        assert got, "the rule stays silent on its docstring Example"
        return
    assert len(got) == len(expect), [(f.object, f.message) for f in got]
    left = list(got)
    for e in expect:
        match = next((f for f in left if _matches(f, e)), None)
        assert match is not None, (e, [(f.object, f.severity.value, f.message, f.fix) for f in left])
        left.remove(match)
    for f in got:
        assert f.fix and f.evidence, f


def _matches(f: Finding, e: dict) -> bool:
    return (
        ("object" not in e or f.object == e["object"])
        and ("severity" not in e or f.severity.value == e["severity"])
        and ("message_contains" not in e or e["message_contains"] in f.message)
        and ("fix_contains" not in e or e["fix_contains"] in (f.fix or ""))
    )
