"""The migration corpus (tests/fixtures/migration_corpus/cases.yaml): each case's labels are what PostgreSQL
did, observed here (bench/migration_corpus/observe.py: pg_locks, relfilenode, pg_stat_xact_user_tables,
errors), and the lint — with its defaults plus the case's runner model when the file cannot say it — and the
dry run agree with them under that same runner model."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect.core.migration.engine import lint
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.lint_context import build_lint_context

ROOT = Path(__file__).parents[3]
sys.path.insert(0, str(ROOT / "bench" / "migration_corpus"))
from labels import dry_run_labels, lint_labels  # noqa: E402
from observe import observe  # noqa: E402

CORPUS = yaml.safe_load((ROOT / "tests" / "fixtures" / "migration_corpus" / "cases.yaml").read_text())
CASES = CORPUS["cases"]


def _setup(case) -> str:
    return CORPUS["setup"] + "\n" + (case.get("setup") or "")


def _labels(case, pg) -> list[str]:
    """The case's labels on this server: syntax newer than the server fails there."""
    if case.get("since") and pg.server_version_num() < case["since"] * 10000:
        return ["fails"]
    return case["labels"]


async def _lint(dsn: str, case):
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        ctx = await build_lint_context(conn, case["sql"])
        matviews = {name for name, f in ctx.relations.items() if f.kind == "materialized_view"}
    # the defaults: the runner model comes from the file, unless the case gives the argument a user would
    report = lint(case["sql"], context=ctx, runner=case.get("runner_argument"))
    return report, matviews


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(CASES))
async def test_case(name, pg):
    case = CASES[name]
    runner = case.get("runner", "transaction")
    dsn = pg.create_db(_setup(case))
    report, matviews = await _lint(dsn, case)  # before the migration runs
    assert report.runner == runner, report.runner_reason
    observed, notes = observe(dsn, case["sql"], runner)
    assert sorted(observed) == sorted(_labels(case, pg)), notes
    if _labels(case, pg) != case["labels"]:  # the lint says why: this version does not have the syntax
        assert report.unsupported_syntax and f"PostgreSQL {case['since']}" in report.unsupported_syntax[0], \
            report.unsupported_syntax
    predicted = sorted(lint_labels(report, matviews))
    if case.get("lint_misses"):  # a known miss, kept visible: when the lint learns it, move it to the others
        assert predicted != sorted(observed), f"now predicted, drop lint_misses: {case['lint_misses']}"
        return
    assert predicted == sorted(observed), [f.rule for f in report.findings]


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if not c.get("data")))
async def test_dry_run_agrees(name, pg):
    """Same runner model, same verdict on failures and rewrites (cases decided by existing rows are left out:
    the shadow holds synthetic rows, not the case's)."""
    case = CASES[name]
    dsn = pg.create_db(_setup(case))
    report, _ = await _lint(dsn, case)
    if report.parse_error:  # PostgreSQL's grammar rejects it: the dry run refuses to start, saying why
        with pytest.raises(DatabaseError, match=re.escape(report.parse_error)):
            await dry_run_migration(case["sql"], target=dsn, prediction=report, runner=report.runner)
        assert "fails" in _labels(case, pg)
        return
    run = await dry_run_migration(case["sql"], target=dsn, prediction=report, runner=report.runner)
    assert run.runner == report.runner
    if case.get("dry_run_refused"):
        assert [o.status for o in run.statements][:1] == ["refused"], [o.status for o in run.statements]
        return
    keep = {"fails", "rewrite"}
    assert sorted(dry_run_labels(run) & keep) == sorted(set(_labels(case, pg)) & keep), \
        [(o.index, o.status, o.error and o.error.message, o.notices) for o in run.statements]
