"""Generic runner over tests/fixtures/rules/health/*.yaml (see ops_fixtures.py for the case format):
each condition is created for real on the test PostgreSQL and the facts are read live."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.health.review import CHECKS
from dbarchitect.core.rulebook import find_rule

from ops_fixtures import cases, judge, patched, with_condition
from dbarchitect.live.postgres.health import read_health_facts

pytestmark = [pytest.mark.live, pytest.mark.anyio]


@pytest.mark.parametrize(("rule", "case"), list(cases("health")))
async def test_rule_case(rule, case, pg, monkeypatch):
    async def read(dsn):
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            return await read_health_facts(conn, list(CHECKS))

    facts = await with_condition(pg, case, read)
    assert not facts.unchecked, facts.unchecked  # the test role is a superuser: everything is readable
    facts = patched(facts, case.get("patch"))
    module = find_rule(rule)
    for name, value in (case.get("constants") or {}).items():
        monkeypatch.setattr(module, name, value)
    judge(rule, case, list(module.check(facts)))
