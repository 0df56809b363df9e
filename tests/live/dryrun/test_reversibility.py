"""Up then down on the shadow, compared with the original by catalog fingerprint (and the synthetic rows)."""

import pytest

from dbarchitect.core.migration.dryrun_models import render_text
from dbarchitect.live.postgres.dryrun import dry_run_migration

pytestmark = [pytest.mark.anyio, pytest.mark.live]


async def test_reversible_pair(target):
    report = await dry_run_migration(
        "ALTER TABLE users ADD COLUMN a int DEFAULT 0;\nCREATE INDEX users_a_idx ON users (a);\n"
        "ALTER TABLE orders ADD CONSTRAINT small CHECK (total < 1000) NOT VALID;",
        down_sql="ALTER TABLE orders DROP CONSTRAINT small;\nDROP INDEX users_a_idx;\nALTER TABLE users DROP COLUMN a;",
        target=target,
    )
    rev = report.reversibility
    assert rev.checked and rev.reversible, rev.differences
    assert rev.differences == [] and rev.data_differences == []
    assert rev.up_changed == 3  # column, index and constraint were really there in between
    assert [s.status for s in rev.down] == ["ok", "ok", "ok"]
    assert rev.down[1].table_locks() == {"public.users": "AccessExclusiveLock"}  # DROP INDEX, observed too
    assert report.ok


async def test_type_change_without_way_back(target):
    report = await dry_run_migration(
        "ALTER TABLE users ALTER COLUMN n TYPE bigint;\nALTER TABLE users ADD COLUMN keep int;",
        down_sql="ALTER TABLE users DROP COLUMN keep;",
        target=target,
    )
    rev = report.reversibility
    assert rev.checked and not rev.reversible and not report.ok
    assert [(d.key, d.change) for d in rev.differences] == [("column public.users.n", "changed")]
    assert "type=integer" in rev.differences[0].before and "type=bigint" in rev.differences[0].after
    finding = next(f for f in report.findings if f.rule == "dry-run-not-reversible")
    assert "column public.users.n changed" in finding.message
    text = render_text(report)
    assert "NOT reversible: 1 catalog difference(s)" in text and "changed: column public.users.n" in text
    assert "#1 (line 1) AlterTableStmt [ok]: locks public.users ACCESS EXCLUSIVE; REWROTE public.users" in text


async def test_drop_and_re_add_moves_the_column_and_loses_the_data(target):
    report = await dry_run_migration(
        "ALTER TABLE users DROP COLUMN nick;",
        down_sql="ALTER TABLE users ADD COLUMN nick varchar(30);",
        target=target,
    )
    rev = report.reversibility
    assert not rev.reversible
    nick = next(d for d in rev.differences if d.key == "column public.users.nick")
    assert "position=3" in nick.before and "position=8" in nick.after
    # the values of nick are gone although the column is back
    assert [(d.table, d.columns) for d in rev.data_differences] == [("public.users", ["nick"])]
    assert {f.rule for f in report.findings} >= {"dry-run-not-reversible", "dry-run-data-not-restored"}


async def test_trailing_column_comes_back_with_schema_but_not_data(target):
    report = await dry_run_migration(
        "ALTER TABLE orders DROP COLUMN note;", down_sql="ALTER TABLE orders ADD COLUMN note text;", target=target
    )
    rev = report.reversibility
    assert rev.reversible and rev.differences == []
    assert [(d.table, d.columns) for d in rev.data_differences] == [("public.orders", ["note"])]
    assert not any(f.rule == "dry-run-not-reversible" for f in report.findings)
    assert any(f.rule == "dry-run-data-not-restored" for f in report.findings)


async def test_constraint_validity_is_part_of_the_fingerprint(target):
    report = await dry_run_migration(
        "ALTER TABLE orders DROP CONSTRAINT orders_total_check;",
        down_sql="ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total > 0) NOT VALID;",
        target=target,
    )
    diff = report.reversibility.differences
    assert [(d.key, d.change) for d in diff] == [("constraint public.orders.orders_total_check", "changed")]
    assert "validated=true" in diff[0].before and "validated=false" in diff[0].after


async def test_failing_down_is_reported_not_judged(target):
    report = await dry_run_migration(
        "ALTER TABLE users ADD COLUMN a int;", down_sql="ALTER TABLE users DROP COLUMN does_not_exist;", target=target
    )
    rev = report.reversibility
    assert rev.checked is False and rev.reason == "the down migration failed"
    assert rev.down[0].status == "error" and rev.down[0].error.sqlstate == "42703"
    assert report.shadow.dropped
