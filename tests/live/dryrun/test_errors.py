"""Errors, timeouts, cancellation and refusals: reported per statement, and the shadow always goes away."""

import time

import anyio
import psycopg
import pytest

from dbarchitect.core.sql.statements import SQLParseError
from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.errors import DatabaseError
from dbarchitect.live.postgres.shadow import DryRunUnavailable, list_shadows

pytestmark = [pytest.mark.anyio, pytest.mark.live]


async def test_first_error_stops_the_migration(target, no_shadows_left):
    report = await dry_run_migration(
        "ALTER TABLE users ADD COLUMN a int;\n-- needs a value in every existing row\n"
        "ALTER TABLE users ADD COLUMN b int NOT NULL;\nALTER TABLE users ADD COLUMN c int;",
        target=target,
    )
    assert [s.status for s in report.statements] == ["ok", "error", "not_run"]
    failed = report.statements[1]
    assert failed.error.sqlstate == "23502" and failed.line == 3
    assert not report.ok
    finding = next(f for f in report.findings if f.rule == "dry-run-statement-failed")
    assert finding.statement == 2 and finding.line == 3 and finding.code == "MG901"
    assert report.shadow.dropped


async def test_statement_timeout_is_reported_as_timeout(target, no_shadows_left):
    t0 = time.monotonic()
    report = await dry_run_migration("SELECT pg_sleep(5)", target=target, statement_timeout_s=0.3)
    obs = report.statements[0]
    assert obs.status == "error" and obs.error.phase == "timeout" and obs.error.sqlstate == "57014"
    assert time.monotonic() - t0 < 4.5
    assert report.shadow.dropped


async def test_overall_time_limit_drops_the_shadow_even_mid_statement(target, no_shadows_left):
    t0 = time.monotonic()
    report = await dry_run_migration(
        "SET statement_timeout = 0;\nSELECT pg_sleep(60);\nCREATE TABLE never (a int);", target=target, timeout_s=5
    )
    assert report.timed_out and not report.ok
    assert [s.status for s in report.statements] == ["ok", "error", "not_run"]
    assert report.statements[1].error.phase == "timeout"
    assert report.shadow.dropped
    assert time.monotonic() - t0 < 20


async def test_cancelled_by_the_caller_still_drops_the_shadow(pg, target, no_shadows_left):
    with anyio.move_on_after(2.5) as scope:
        await dry_run_migration("SELECT pg_sleep(60)", target=target)
    assert scope.cancelled_caught
    assert await list_shadows(pg.dsn()) == []


async def test_cluster_wide_statements_are_refused_not_run(pg, target):
    report = await dry_run_migration(
        "CREATE ROLE dry_run_should_not_exist;\nALTER SYSTEM SET work_mem = '1MB';\n"
        "COPY users TO '/tmp/dry_run_users.csv';\nCREATE TABLE audit (a int);",
        target=target,
    )
    assert [s.status for s in report.statements] == ["refused", "refused", "refused", "ok"]
    assert "cluster-wide" in report.statements[0].error.message
    assert pg.admin("SELECT 1 FROM pg_roles WHERE rolname = 'dry_run_should_not_exist'") == []
    assert pg.admin("SELECT 1 FROM pg_file_settings WHERE name = 'work_mem' AND setting = '1MB'") == []
    assert {f.rule for f in report.findings} == {"dry-run-statement-refused"}


async def test_the_target_is_never_written(pg, target):
    before = pg.admin("SELECT count(*) FROM users", dbname=psycopg.conninfo.conninfo_to_dict(target)["dbname"])
    report = await dry_run_migration(
        "TRUNCATE order_lines, orders, users;\nDROP TABLE order_lines;\nALTER TABLE users ADD COLUMN z int;", target=target
    )
    assert all(s.status == "ok" for s in report.statements)
    db = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    assert pg.admin("SELECT count(*) FROM users", dbname=db) == before
    assert pg.admin("SELECT to_regclass('order_lines') IS NOT NULL", dbname=db) == [(True,)]
    assert pg.admin("SELECT 1 FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'z'", dbname=db) == []


async def test_unparsable_migration_is_a_clear_error(target):
    with pytest.raises(DatabaseError, match="does not parse: syntax error at or near") as info:
        await dry_run_migration("ALTER TABLE users ADD COLUMN;", target=target)
    assert isinstance(info.value.__cause__, SQLParseError) and info.value.__cause__.line == 1


async def test_role_without_createdb_uses_the_scratch_server(pg, target, no_shadows_left):
    db = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    pg.admin("DROP ROLE IF EXISTS dry_reader")
    pg.admin("CREATE ROLE dry_reader LOGIN PASSWORD 's3cret-dry-pw' NOCREATEDB")
    pg.admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO dry_reader", dbname=db)
    reader = pg.dsn(db, user="dry_reader", password="s3cret-dry-pw")
    with pytest.raises(DryRunUnavailable, match="may not CREATE DATABASE"):
        await dry_run_migration("CREATE INDEX ON users (n)", target=reader)
    report = await dry_run_migration("CREATE INDEX ON users (n)", target=reader, scratch=pg.dsn())
    assert report.shadow.host == "scratch_server" and report.shadow.source == "pg_dump"
    assert report.statements[0].table_locks() == {"public.users": "ShareLock"}
    assert "s3cret-dry-pw" not in report.model_dump_json()


async def test_progress_is_reported_in_order(target):
    seen = []

    async def progress(done, total, message):
        seen.append((done, total, message))

    await dry_run_migration("CREATE INDEX ON users (n);\nCREATE INDEX ON orders (note);", target=target,
                            progress=progress)  # fmt: skip
    dones = [d for d, _, _ in seen]
    assert dones == sorted(dones) and len(set(t for _, t, _ in seen)) == 1
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == "done"
    assert any("statement 2" in m for _, _, m in seen)


@pytest.mark.requires_hypopg
async def test_ordinary_role_with_createdb_keeps_the_shadow_next_to_the_target(pg, target, no_shadows_left):
    db = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    pg.admin("DROP ROLE IF EXISTS dry_owner")
    pg.admin("CREATE ROLE dry_owner LOGIN PASSWORD 'owner-pw-77' CREATEDB")
    pg.admin("GRANT SELECT ON ALL TABLES IN SCHEMA public TO dry_owner", dbname=db)
    report = await dry_run_migration(
        "ALTER TABLE users ALTER COLUMN n TYPE bigint", target=pg.dsn(db, user="dry_owner", password="owner-pw-77")
    )
    assert report.shadow.host == "same_server" and report.shadow.dropped
    assert report.statements[0].heap_rewrites() == {"public.users"}
    # extensions only a superuser may create are reported, not silently missing
    assert any("hypopg" in s for s in report.shadow.skipped_objects), report.shadow.skipped_objects


async def test_role_that_cannot_read_the_tables_gets_a_remedy(pg, target):
    pg.admin("DROP ROLE IF EXISTS dry_blind")
    pg.admin("CREATE ROLE dry_blind LOGIN PASSWORD 'blind-pw-5' CREATEDB")
    blind = pg.dsn(psycopg.conninfo.conninfo_to_dict(target)["dbname"], user="dry_blind", password="blind-pw-5")
    with pytest.raises(DryRunUnavailable, match="needs SELECT") as info:
        await dry_run_migration("CREATE INDEX ON users (n)", target=blind)
    assert "blind-pw-5" not in str(info.value)
    assert await list_shadows(pg.dsn()) == []
