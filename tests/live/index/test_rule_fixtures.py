"""Generic runner over tests/fixtures/rules/index/*.yaml: one file per index rule, cases that must fire
or stay silent, through review_indexes on a real database.

A case: `setup` (SQL run statement by statement in a fresh database of the test PostgreSQL),
optional `failing` (statements that must fail, leaving behind what a failed build leaves, e.g. an
invalid index), optional `reads` (queries run after VACUUM ANALYZE with sequential scans off, so
that the usage counters say which indexes were scanned), and `expect`: [] when the rule stays silent,
else every finding of the file's rule, each with optional object, severity, message_contains,
fix_contains. The statistics are as young as the test cluster: unused-index findings are `info`.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect.core.rulebook import family_modules
from dbarchitect.live.postgres.index_advisor import review_indexes
from dbarchitect.live.postgres.schema_review import load_ddl
from tests.unit.schema.rule_cases import check_expectation

pytestmark = [pytest.mark.anyio, pytest.mark.live]

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rules" / "index"


def _cases():
    for mod in family_modules("index"):
        doc = yaml.safe_load((FIXTURES / f"{mod.RULE.name}.yaml").read_text())
        assert doc["rule"] == mod.RULE.name
        for name, case in doc["cases"].items():
            yield pytest.param(mod, case, id=f"{mod.RULE.name}:{name}")


@pytest.mark.parametrize(("module", "case"), list(_cases()))
async def test_rule_case(module, case, pg):
    dsn = pg.create_db()
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await load_ddl(conn, case["setup"])
        for statement in case.get("failing", []):
            with pytest.raises(psycopg.Error):
                await conn.execute(statement)
        await conn.execute("VACUUM ANALYZE")
        await conn.execute("SET enable_seqscan = off")
        for sql in case.get("reads", []):
            await (await conn.execute(sql)).fetchall()
        await conn.execute("SELECT pg_stat_force_next_flush()")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        report = await review_indexes(conn)
    assert module.RULE.code in report.rules_run
    got = [f for f in report.findings if f.rule == module.RULE.name]
    check_expectation(got, case["expect"])
    assert all(e.kind == "catalog" for f in got for e in f.evidence)
