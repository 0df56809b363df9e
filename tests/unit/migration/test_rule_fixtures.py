"""Generic runner over tests/fixtures/rules/migration/*.yaml: one file per rule, cases that must fire or not.

A case: `sql`, optional `setup` (SQL run on a fresh database of the test PostgreSQL, whose catalog
is then read with build_lint_context), `pg_version`, `runner` (default: the lint's), `assume_in_transaction`, `timezone` (the
runner's session TimeZone), and `expect`: the findings of the file's rule as {rule, statement} with
optional `severity`, `message_contains`, `fix_contains`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.engine import lint
from dbarchitect.live.postgres.lint_context import build_lint_context

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules" / "migration"


def _cases():
    for path in sorted(FIXTURES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for name, case in doc["cases"].items():
            yield pytest.param(doc["rule"], case, id=f"{path.stem}:{name}")


async def _context(pg, case) -> LintContext:
    dsn = pg.create_db(case["setup"])
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        return await build_lint_context(conn, case["sql"], timezone=case.get("timezone"))


def _runner(case) -> str | None:
    """The case's runner model: `runner`, or the older `assume_in_transaction`; by default the lint's own
    (a transaction unless the file has a no-transaction marker or its own BEGIN/COMMIT)."""
    if "runner" in case:
        return case["runner"]
    if "assume_in_transaction" in case:
        return "transaction" if case["assume_in_transaction"] else "autocommit"
    return None


@pytest.mark.anyio
@pytest.mark.parametrize(("rule", "case"), list(_cases()))
async def test_rule_case(rule, case, request):
    if case.get("setup"):
        ctx = await _context(request.getfixturevalue("pg"), case)
    else:
        ctx = LintContext(timezone=case.get("timezone"))
    report = lint(case["sql"], context=ctx, pg_version=case.get("pg_version"), runner=_runner(case))
    if "parse_error_contains" in case:  # PostgreSQL's grammar itself rejects the statement
        assert case["parse_error_contains"] in (report.parse_error or ""), report.parse_error
    else:
        assert report.parse_error is None, report.parse_error
    got = [f for f in report.findings if f.rule == rule]
    expect = case["expect"] or []
    assert sorted((f.rule, f.statement) for f in got) == sorted((e["rule"], e["statement"]) for e in expect), \
        [f.message for f in got]
    for e in expect:
        match = [f for f in got if f.statement == e["statement"]]
        if "severity" in e:
            assert any(f.severity.value == e["severity"] for f in match), [f.severity for f in match]
        if "message_contains" in e:
            assert any(e["message_contains"] in f.message for f in match), [f.message for f in match]
        if "fix_contains" in e:
            assert any(e["fix_contains"] in (f.fix or "") for f in match), [f.fix for f in match]
    for f in got:
        assert f.line is not None and f.line >= 1
        assert f.evidence and f.evidence[0].kind == "static"
