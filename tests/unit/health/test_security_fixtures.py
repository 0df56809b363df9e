"""Generic runner over tests/fixtures/rules/security/*.yaml (see ops_fixtures.py for the case format):
each case creates its tables, roles, grants and functions for real on the test PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from ops_fixtures import cases, judge, patched, with_condition

from dbarchitect.core.rulebook import find_rule
from dbarchitect.live.postgres.security import read_security_facts

pytestmark = [pytest.mark.live, pytest.mark.anyio]


@pytest.mark.parametrize(("rule", "case"), list(cases("security")))
async def test_rule_case(rule, case, pg):
    async def read(dsn):
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            return await read_security_facts(conn)

    facts = patched(await with_condition(pg, case, read), case.get("patch"))
    judge(rule, case, list(find_rule(rule).check(facts)))
