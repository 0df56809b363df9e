"""Predicted (lint_migration) vs observed (dry run), side by side, every disagreement flagged."""

import psycopg
import pytest

from dbarchitect.core.migration.dryrun_models import RelationLock, StatementObservation, compare_statement, render_text
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.models import StatementPrediction
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.lint_context import build_lint_context

pytestmark = [pytest.mark.anyio, pytest.mark.live]

MIGRATION = """CREATE INDEX users_email_idx ON users (email);
ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN r float8 DEFAULT random();
ALTER TABLE users ALTER COLUMN n TYPE bigint;
ALTER TABLE users ALTER COLUMN nick TYPE varchar(100);
ALTER TABLE orders ALTER COLUMN total SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT total_small CHECK (total < 1000) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT total_small;
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
"""


async def test_lint_prediction_matches_postgres(target):
    parsed = ParsedMigration.of(MIGRATION)  # parsed once, for the context, the lint and the dry run
    async with await psycopg.AsyncConnection.connect(target, autocommit=True) as conn:
        context = await build_lint_context(conn, parsed)
    prediction = lint(parsed, context=context, assume_in_transaction=False)
    report = await dry_run_migration(parsed, target=target, prediction=prediction, assume_in_transaction=False)
    assert all(s.status == "ok" for s in report.statements), [s.error for s in report.statements]
    numbered = [(s.index, s.line, s.sql) for s in parsed.statements]
    assert [(s.index, s.line, s.sql) for s in report.statements] == numbered
    assert [(p.index, p.line, p.sql) for p in prediction.statements] == numbered
    assert report.predicted and len(report.comparisons) >= 25
    aspects = {c.aspect for c in report.comparisons}
    assert {"lock", "rewrite", "scan", "transactional"} <= aspects
    assert report.disagreements == [], "\n".join(
        f"#{c.statement} {c.aspect} {c.relation}: predicted {c.predicted}, observed {c.observed}"
        for c in report.disagreements
    )


def _pred(index: int, sql: str, **kw) -> StatementPrediction:
    return StatementPrediction(index=index, line=index, sql=sql, kind="", **kw)


async def test_wrong_predictions_are_flagged(target):
    # what a rules-only linter believes: varchar widening rewrites, CREATE INDEX blocks reads
    sql = "ALTER TABLE users ALTER COLUMN nick TYPE varchar(100);\nCREATE INDEX ON users (n);"
    prediction = [
        _pred(1, "ALTER TABLE users ALTER COLUMN nick TYPE varchar(100)",
              locks={"public.users": "AccessExclusiveLock"}, rewrites=["public.users"]),
        _pred(2, "CREATE INDEX ON users (n)", locks={"public.users": "AccessExclusiveLock"}, scans=["public.users"]),
    ]  # fmt: skip
    report = await dry_run_migration(sql, target=target, prediction=prediction, assume_in_transaction=False)
    got = {(c.statement, c.aspect, c.relation, c.predicted, c.observed) for c in report.disagreements}
    assert got == {
        (1, "rewrite", "public.users", "rewrite", "no rewrite"),
        (1, "scan", "public.users", "full scan", "no scan"),
        (2, "lock", "public.users", "AccessExclusiveLock (ACCESS EXCLUSIVE)", "ShareLock (SHARE)"),
    }
    mismatches = [f for f in report.findings if f.rule == "dry-run-prediction-mismatch"]
    assert len(mismatches) == 3 and all(f.evidence[0].kind == "dry_run" for f in mismatches)
    assert any(c.agrees and c.aspect == "lock" and c.statement == 1 for c in report.comparisons)
    text = render_text(report)
    assert "✗ #1 rewrite public.users: predicted rewrite, observed no rewrite" in text
    assert "Predicted vs observed: " in text


async def test_misnumbered_prediction_is_called_out(target):
    report = await dry_run_migration(
        "CREATE INDEX ON users (n);", target=target, prediction=[_pred(1, "DROP TABLE users")]
    )
    assert report.disagreements[0].aspect == "statement"


def test_lock_already_held_in_the_same_mode_is_not_a_disagreement():
    obs = StatementObservation(
        index=2, line=2, sql="ALTER TABLE t ADD COLUMN b int", kind="AlterTableStmt", transactional=True,
        locks_already_held={"public.t": ["AccessExclusiveLock"]},
    )  # fmt: skip
    rows = compare_statement(
        _pred(2, "alter table t add column b int", locks={"public.t": "AccessExclusiveLock"}), obs, {}
    )
    lock = next(r for r in rows if r.aspect == "lock")
    assert lock.agrees and "already held" in lock.note
    # but a stronger observed lock than predicted is always a disagreement
    obs.locks = [RelationLock(relation="public.t", kind="table", modes=["AccessExclusiveLock"],
                              strongest="AccessExclusiveLock")]  # fmt: skip
    rows = compare_statement(_pred(2, "alter table t add column b int", locks={"public.t": "ShareLock"}), obs, {})
    assert not next(r for r in rows if r.aspect == "lock").agrees
