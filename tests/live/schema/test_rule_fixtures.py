"""Generic runner over tests/fixtures/rules/schema/*.yaml and the schema rules' docstrings, through a
real catalog: each case's SQL runs statement by statement in a fresh database of the test PostgreSQL
(in the case's encoding when it names one), its counters are flushed and its tables analyzed, and
review_schema reviews that database as it reviews a live one. The case format is in
tests/unit/schema/rule_cases.py; the same cases run through the offline parser in
tests/unit/schema/test_rule_fixtures.py."""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest

from dbarchitect.live.postgres.compat import flush_stats
from dbarchitect.live.postgres.schema_review import load_ddl, review_database
from tests.unit.schema.rule_cases import check_expectation, schema_cases

pytestmark = [pytest.mark.anyio, pytest.mark.live]

_names = itertools.count()


def _database(pg, encoding: str | None) -> str:
    if encoding is None:
        return pg.create_db()
    name = f"rule_{encoding.lower()}_{os.getpid()}_{next(_names)}"
    pg.admin(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C'")
    return pg.dsn(name)


@pytest.mark.parametrize(("module", "case"), schema_cases())
async def test_rule_case_through_the_catalog(module, case, pg):
    dsn = _database(pg, case.get("encoding"))
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await load_ddl(conn, case["sql"])
        await flush_stats(conn)
        await conn.execute("ANALYZE")
        report = await review_database(conn)
    assert module.RULE.code in report.rules_run, report.skipped  # silence must come from the rule, not a skip
    check_expectation([f for f in report.findings if f.rule == module.RULE.name], case["expect"])
