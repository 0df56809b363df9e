"""What PostgreSQL 15 does, observed by the dry run on a shadow of `target` (pg_dump + synthetic rows).

Expected values are the observations recorded in the domain catalogue ("Observed on PostgreSQL
15.18"), so these tests pin the dry run to the server's real behaviour.
"""

import anyio
import pytest

from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.shadow import list_shadows

pytestmark = [pytest.mark.live]

AE, SHARE, SUE = "AccessExclusiveLock", "ShareLock", "ShareUpdateExclusiveLock"

CASES = {
    # id: (statement, table, strongest lock on it, rewritten?, scanned?, server message that must appear)
    "create-index": ("CREATE INDEX users_email_idx ON users (email)", "public.users", SHARE, False, True,
                     'building index "users_email_idx"'),
    "add-column-default-now": ("ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT now()", "public.users", AE,
                               False, False, None),
    "add-column-default-random": ("ALTER TABLE users ADD COLUMN r float8 DEFAULT random()", "public.users", AE,
                                  True, True, 'rewriting table "users"'),
    "add-column-default-clock-timestamp": ("ALTER TABLE users ADD COLUMN t timestamptz DEFAULT clock_timestamp()",
                                           "public.users", AE, True, True, 'rewriting table "users"'),
    "int-to-bigint": ("ALTER TABLE users ALTER COLUMN n TYPE bigint", "public.users", AE, True, True,
                      'rewriting table "users"'),
    "varchar-widening": ("ALTER TABLE users ALTER COLUMN nick TYPE varchar(100)", "public.users", AE, False, False,
                         None),
    "set-not-null": ("ALTER TABLE orders ALTER COLUMN total SET NOT NULL", "public.orders", AE, False, True,
                     'verifying table "orders"'),
    "add-check-not-valid": ("ALTER TABLE orders ADD CONSTRAINT total_small CHECK (total < 1000) NOT VALID",
                            "public.orders", AE, False, False, None),
    "validate-check": ("ALTER TABLE orders VALIDATE CONSTRAINT total_small", "public.orders", SUE, False, True,
                       'verifying table "orders"'),
    "create-index-concurrently": ("CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note)", "public.orders",
                                  SUE, False, True, None),
}


@pytest.fixture(scope="module")
def observed(target):
    """All cases in one dry run, each statement in its own transaction (so each lock set is its own)."""
    sql = "\n".join(stmt + ";" for stmt, *_ in CASES.values())
    return anyio.run(lambda: dry_run_migration(sql, target=target, assume_in_transaction=False))


@pytest.mark.parametrize("case", list(CASES))
def test_observed_lock_rewrite_scan(case, observed):
    sql, table, lock, rewrite, scan, message = CASES[case]
    obs = observed.statements[list(CASES).index(case)]
    assert obs.sql == sql
    assert obs.status == "ok", obs.error
    assert obs.table_locks().get(table) == lock, obs.locks
    assert (table in obs.heap_rewrites()) is rewrite, obs.rewritten
    scanned = {s.table for s in obs.scanned if s.seq_scans > 0}
    assert (table in scanned) is scan, obs.scanned
    if message:
        assert any(message in n for n in obs.notices), obs.notices


def test_shadow_was_seeded_and_dropped(observed, pg):
    shadow = observed.shadow
    assert shadow.dropped and shadow.source == "pg_dump" and shadow.host == "same_server"
    assert shadow.tables == 3 and shadow.unseeded_tables == [] and shadow.rows_seeded == 9
    # order_lines.qty must lie in 4..5: only the CHECK's own literals satisfy it
    assert "public.orders.note" in shadow.nulls_from_statistics
    assert anyio.run(list_shadows, pg.dsn()) == []


@pytest.mark.anyio
async def test_concurrently_runs_outside_a_transaction_in_autocommit(target):
    report = await dry_run_migration(
        "ALTER TABLE users ADD COLUMN x int;\nCREATE INDEX CONCURRENTLY users_x_idx ON users (x);\n"
        "ALTER TABLE users ADD COLUMN y int;",
        target=target, runner="autocommit",
    )
    first, cic, last = report.statements
    assert [s.status for s in report.statements] == ["ok", "ok", "ok"]
    assert first.ran_in_transaction and first.transactional is True and first.lock_observation == "exact"
    assert cic.ran_in_transaction is False and cic.transactional is False and cic.lock_observation == "sampled"
    # the gate session made the build wait after taking its lock, so the lock is seen every time
    assert cic.table_locks() == {"public.users": SUE}
    assert "public.users_x_idx (index)" in cic.created
    assert last.ran_in_transaction and last.locks_already_held == {}  # a new transaction after the CIC


@pytest.mark.anyio
async def test_concurrently_stops_the_runners_transaction(target):
    """The transaction model: the runner wraps the file in one transaction, PostgreSQL refuses the CIC there,
    and the migration stops (nothing is run outside, nothing after it runs)."""
    report = await dry_run_migration(
        "ALTER TABLE users ADD COLUMN x int;\nCREATE INDEX CONCURRENTLY users_x_idx ON users (x);\n"
        "ALTER TABLE users ADD COLUMN y int;",
        target=target,
    )
    assert report.runner == "transaction"
    first, cic, last = report.statements
    assert [s.status for s in report.statements] == ["ok", "error", "not_run"]
    assert "cannot run inside a transaction block" in cic.error.message
    assert cic.transactional is False and cic.created == []
    assert any("runs without a transaction" in n for n in cic.notices)


@pytest.mark.anyio
async def test_table_rewrite_renews_every_index(target):
    report = await dry_run_migration("ALTER TABLE users ALTER COLUMN n TYPE bigint", target=target)
    obs = report.statements[0]
    rewritten = {r.relation for r in obs.rewritten}
    assert {"public.users", "public.users_pkey", "public.users_email_key"} <= rewritten
    assert all(r.old_filenode != r.new_filenode for r in obs.rewritten)
    finding = next(f for f in report.findings if f.rule == "dry-run-rewrite-observed")
    assert "ACCESS EXCLUSIVE" in finding.message and finding.evidence[0].kind == "dry_run"


@pytest.mark.anyio
async def test_session_timezone_decides_timestamptz_rewrite(target):
    sql = "ALTER TABLE users ALTER COLUMN created TYPE timestamptz"
    utc = await dry_run_migration(sql, target=target, session_settings={"TimeZone": "UTC"})
    oslo = await dry_run_migration(sql, target=target, session_settings={"TimeZone": "Europe/Oslo"})
    assert utc.statements[0].heap_rewrites() == set()
    assert oslo.statements[0].heap_rewrites() == {"public.users"}
    assert oslo.shadow.session_settings["TimeZone"] == "Europe/Oslo"


@pytest.mark.anyio
async def test_foreign_key_locks_both_tables(target):
    report = await dry_run_migration(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id)",
        target=target,
    )
    locks = report.statements[0].table_locks()
    assert locks == {"public.orders": "ShareRowExclusiveLock", "public.users": "ShareRowExclusiveLock"}


@pytest.mark.anyio
async def test_same_transaction_still_shows_each_mode(target):
    report = await dry_run_migration(
        "ALTER TABLE orders ADD CONSTRAINT c CHECK (total < 1000) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;",
        target=target,
    )
    add, validate = report.statements
    assert add.table_locks() == {"public.orders": AE}
    # pg_locks keeps one row per mode: VALIDATE's own SHARE UPDATE EXCLUSIVE is seen although the
    # transaction already holds ACCESS EXCLUSIVE (which it keeps until commit: the hazard of row 11)
    assert validate.locks_already_held["public.orders"] == [AE]
    assert validate.table_locks() == {"public.orders": SUE}
    assert {s.table for s in validate.scanned} == {"public.orders"}


@pytest.mark.anyio
async def test_synthetic_rows_make_validation_fail_where_production_would(target):
    # orders.note is NULL in every row: SET NOT NULL must fail on the shadow, as it would on the target
    report = await dry_run_migration("ALTER TABLE orders ALTER COLUMN note SET NOT NULL", target=target)
    obs = report.statements[0]
    assert obs.status == "error" and obs.error.sqlstate == "23502"
    assert "contains null values" in obs.error.message


@pytest.mark.anyio
async def test_type_change_under_a_view_fails_as_on_the_target(target):
    report = await dry_run_migration("ALTER TABLE users ALTER COLUMN email TYPE varchar(100)", target=target)
    obs = report.statements[0]
    assert obs.status == "error" and obs.error.sqlstate == "0A000"
    assert "active_users" in obs.error.detail
    assert report.findings[0].rule == "dry-run-statement-failed" and report.findings[0].statement == 1


@pytest.mark.anyio
async def test_refresh_and_reindex_read_their_tables(target):
    report = await dry_run_migration(
        "REFRESH MATERIALIZED VIEW order_totals;\nREINDEX TABLE users;", target=target, assume_in_transaction=False
    )
    refresh, reindex = report.statements
    # the refresh reads its base table in full, writes a new heap and builds its index on it
    assert refresh.table_locks() == {"public.order_totals": AE, "public.orders": "AccessShareLock"}
    assert refresh.heap_rewrites() == {"public.order_totals"}
    assert {s.table for s in refresh.scanned} == {"public.orders", "public.order_totals"}
    # REINDEX: SHARE on the table, new files for every index, the heap read to build them, no heap rewrite
    assert reindex.table_locks() == {"public.users": SHARE}
    assert reindex.heap_rewrites() == set()
    assert reindex.index_only_rewrites(report.index_tables) == {"public.users"}
    assert {s.table for s in reindex.scanned} == {"public.users"}

