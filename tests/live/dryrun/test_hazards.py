"""Every row of the catalogue's "Migration hazards" through one dry run: what PostgreSQL did, and whether
lint_migration predicted exactly that (lock per relation, rewrite, full scan, transactional).

One shadow, each statement in its own transaction (assume_in_transaction=False) so each statement's lock
set is its own, continuing after the statements that must fail. Expectations marked "obs" are the
catalogue's observations on PostgreSQL 15.18; the lint comparison keeps the rule catalogue honest.
"""

import anyio
import psycopg
import pytest

from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.versions import LOCK_CHANGES, lock_for
from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.lint_context import build_lint_context

pytestmark = [pytest.mark.live, pytest.mark.version_sensitive]

AE, EXCL, SRE, SHARE, SUE, RS, RE = (
    "AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock", "ShareUpdateExclusiveLock",
    "RowShareLock", "RowExclusiveLock",
)  # fmt: skip

SETUP = """
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email varchar(50) NOT NULL,
  name varchar(50), age int, created timestamp NOT NULL DEFAULT '2024-01-01', bio text, status text);
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_age_idx ON users (age);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10, 2), note text);
CREATE INDEX orders_note_idx ON orders (note);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE TABLE nopk (id int NOT NULL, v text);
CREATE TABLE nopk2 (id int NOT NULL);
CREATE UNIQUE INDEX nopk2_id_idx ON nopk2 (id);
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE feelings (id int, m mood);
CREATE DOMAIN email_d AS text;
CREATE TABLE contacts (e email_d);
CREATE TABLE meas (at date NOT NULL, v int) PARTITION BY RANGE (at);
CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE meas_old PARTITION OF meas FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE meas_2025 (at date NOT NULL CHECK (at >= '2025-01-01' AND at < '2026-01-01'), v int);
CREATE MATERIALIZED VIEW order_stats AS SELECT user_id, count(*) AS n FROM orders GROUP BY 1;
CREATE UNIQUE INDEX order_stats_uid ON order_stats (user_id);
CREATE TABLE logs (id int, msg text);
CREATE INDEX logs_id_idx ON logs (id);
CREATE TABLE logs2 (id int);
CREATE TABLE trash (id int);
CREATE TABLE ren (a int, b int);
CREATE TABLE ren2 (a int);
CREATE TABLE ex (r int4range);
CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
INSERT INTO users (email, age) SELECT 'u' || g, g FROM generate_series(1, 10) g;
INSERT INTO orders SELECT g, 1 + g % 10, g, 'n' || g FROM generate_series(1, 20) g;
ANALYZE;
"""

# (catalogue row, statement, {relation: strongest lock} or None to skip, rewritten relations, expected SQLSTATE)
HAZARDS = [
    (1, "ALTER TABLE users ADD COLUMN c1 float8 DEFAULT random()", {"public.users": AE}, {"public.users"}, None),
    (1, "ALTER TABLE users ADD COLUMN c1b timestamptz DEFAULT now()", {"public.users": AE}, set(), None),
    (2, "ALTER TABLE users ADD COLUMN c2 int NOT NULL", None, set(), "23502"),
    (3, "ALTER TABLE users ADD COLUMN c3 bigserial", {"public.users": AE}, {"public.users"}, None),
    (4, "ALTER TABLE users ADD COLUMN c4 int GENERATED ALWAYS AS IDENTITY", {"public.users": AE}, {"public.users"}, None),
    (5, "ALTER TABLE users ADD COLUMN c5 int GENERATED ALWAYS AS (id * 2) STORED", {"public.users": AE},
     {"public.users"}, None),
    (6, "ALTER TABLE users ALTER COLUMN age TYPE bigint", {"public.users": AE}, {"public.users"}, None),
    (7, "ALTER TABLE users ALTER COLUMN name TYPE varchar(100)", {"public.users": AE}, set(), None),
    (7, "ALTER TABLE users ALTER COLUMN created TYPE timestamptz", {"public.users": AE}, set(), None),
    (8, "ALTER TABLE orders ALTER COLUMN total SET NOT NULL", {"public.orders": AE}, set(), None),
    (9, "ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total > 0)", {"public.orders": AE}, set(), None),
    (9, "ALTER TABLE orders ADD CONSTRAINT total_small CHECK (total < 1e6) NOT VALID", {"public.orders": AE}, set(),
     None),
    (9, "ALTER TABLE orders VALIDATE CONSTRAINT total_small", {"public.orders": SUE}, set(), None),
    (10, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
     {"public.orders": SRE, "public.users": SRE}, set(), None),
    (10, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
     {"public.orders": SRE, "public.users": SRE}, set(), None),
    (10, "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk2", {"public.orders": SUE, "public.users": RS}, set(),
     None),
    (11, "BEGIN", {}, set(), None),
    (11, "ALTER TABLE orders ADD CONSTRAINT note_len CHECK (length(note) < 100) NOT VALID", {"public.orders": AE},
     set(), None),
    (11, "ALTER TABLE orders VALIDATE CONSTRAINT note_len", {"public.orders": SUE}, set(), None),
    (11, "COMMIT", {}, set(), None),
    (12, "CREATE INDEX orders_total_idx ON orders (total)", {"public.orders": SHARE}, set(), None),
    (13, "BEGIN", {}, set(), None),
    (13, "CREATE INDEX CONCURRENTLY orders_total2_idx ON orders (total)", None, set(), "25001"),
    (13, "COMMIT", {}, set(), None),
    (13, "CREATE INDEX CONCURRENTLY orders_total3_idx ON orders (total)", {"public.orders": SUE}, set(), None),
    (14, "DROP INDEX orders_note_idx", {"public.orders": AE}, set(), None),
    (14, "DROP INDEX CONCURRENTLY orders_user_idx", {"public.orders": SUE}, set(), None),
    (15, "REINDEX TABLE logs", {"public.logs": SHARE}, set(), None),
    (15, "REINDEX TABLE CONCURRENTLY logs", {"public.logs": SUE}, set(), None),
    (16, "ALTER TABLE users ADD CONSTRAINT users_email_uq UNIQUE (email)", {"public.users": AE}, set(), None),
    (17, "ALTER TABLE nopk ADD PRIMARY KEY (id)", {"public.nopk": AE}, set(), None),
    (17, "ALTER TABLE nopk2 ADD CONSTRAINT nopk2_pk PRIMARY KEY USING INDEX nopk2_id_idx", {"public.nopk2": AE},
     set(), None),
    (18, "ALTER TABLE ex ADD CONSTRAINT ex_no_overlap EXCLUDE USING gist (r WITH &&)", {"public.ex": AE}, set(), None),
    (19, "ALTER TABLE ren RENAME COLUMN b TO c", {"public.ren": AE}, set(), None),
    (20, "ALTER TABLE ren2 RENAME TO ren3", {"public.ren2": AE}, set(), None),
    (21, "ALTER TABLE users DROP COLUMN bio", {"public.users": AE}, set(), None),
    (22, "DROP TABLE trash", {"public.trash": AE}, set(), None),
    (23, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL", {"public.users": AE}, set(), None),
    (24, "ALTER TYPE mood ADD VALUE 'glad'", {}, set(), None),
    (25, "SET lock_timeout = '2s'", {}, set(), None),
    (26, "VACUUM FULL logs", {"public.logs": AE}, {"public.logs"}, None),  # seen waiting for the gate
    (26, "CLUSTER logs USING logs_id_idx", {"public.logs": AE}, {"public.logs"}, None),
    (27, "ALTER TABLE logs SET UNLOGGED", {"public.logs": AE}, {"public.logs"}, None),
    (28, "REFRESH MATERIALIZED VIEW order_stats", {"public.order_stats": AE, "public.orders": "AccessShareLock"},
     {"public.order_stats"}, None),
    (28, "REFRESH MATERIALIZED VIEW CONCURRENTLY order_stats",
     {"public.order_stats": EXCL, "public.orders": "AccessShareLock"}, set(), None),
    (29, "ALTER TABLE meas ATTACH PARTITION meas_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
     {"public.meas": SUE, "public.meas_2025": AE}, set(), None),
    (29, "ALTER TABLE meas DETACH PARTITION meas_old",  # meas_old: SHARE UPDATE EXCLUSIVE on 13 (LOCK_CHANGES)
     {"public.meas": AE, "public.meas_old": "detach_partition_child"}, set(), None),
    (30, "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION trg_fn()", {"public.users": SRE},
     set(), None),
    (31, "ALTER TABLE orders ADD COLUMN payload json", {"public.orders": AE}, set(), None),
    (32, "CREATE TABLE t32 (id serial, at timestamp, code char(3))", {}, set(), None),
    (33, "ALTER DOMAIN email_d ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%') NOT VALID", {}, set(), None),
    (34, "UPDATE orders SET note = 'x'", {"public.orders": RE}, set(), None),
    (35, "CREATE TABLE IF NOT EXISTS t35 (a int)", {}, set(), None),
    (36, "CREATE INDEX users_created_and_a_very_long_index_name_that_goes_past_sixty_three_bytes_idx "
         "ON users (created)", {"public.users": SHARE}, set(), None),
    (37, "ALTER TABLE users REPLICA IDENTITY FULL", {"public.users": AE}, set(), None),
    (38, "CREATE TABLE t38 (id int, user_id bigint REFERENCES users (id))", {"public.users": SRE}, set(), None),
    (39, "ALTER TABLE logs2 ADD COLUMN a int, ADD COLUMN b int", {"public.logs2": AE}, set(), None),
    (40, "CREATE SEQUENCE s40", {}, set(), None),
    (22, "TRUNCATE logs", {"public.logs": AE}, {"public.logs"}, None),
]
MIGRATION = "\n".join(sql + ";" for _row, sql, *_ in HAZARDS)

# Where lint_migration and PostgreSQL 15 disagree: (statement, aspect, relation). The test fails when one of
# them goes away (the lint improved: delete it here) or a new one appears. Empty since the lint predicts FK
# validation reading (and, for VALIDATE, ROW SHARE-locking) the referenced table, REINDEX reading its table,
# and REFRESH locking and reading the matview's base tables (from the catalog) and, CONCURRENTLY, the matview.
KNOWN_LINT_GAPS: set[tuple[int, str, str | None]] = set()


@pytest.fixture(scope="module")
def major(pg) -> int:
    return int(pg.admin("SHOW server_version_num")[0][0]) // 10000


@pytest.fixture(scope="module")
def hazard_run(pg, major):
    target = pg.create_db(SETUP)

    async def run():
        async with await psycopg.AsyncConnection.connect(target, autocommit=True) as conn:
            context = await build_lint_context(conn, MIGRATION, timezone="UTC")
        prediction = lint(MIGRATION, context=context, pg_version=major, assume_in_transaction=False)
        assert prediction.parse_error is None
        return await dry_run_migration(
            MIGRATION, target=target, prediction=prediction, assume_in_transaction=False, continue_on_error=True,
            session_settings={"TimeZone": "UTC"},
        )  # fmt: skip

    return anyio.run(run)


def test_every_version_change_is_observed_here():
    """Each entry of the lint's version table is a statement this dry run observes (on 13..18 by
    `make test-matrix`, so on both sides of each change)."""
    observed = {(sql, rel) for _row, sql, locks, *_ in HAZARDS for rel, m in (locks or {}).items() if m in LOCK_CHANGES}
    assert observed == {(c.example, c.relation) for c in LOCK_CHANGES.values()}


def test_every_catalogue_row_is_covered():
    assert {row for row, *_ in HAZARDS} == set(range(1, 41))


@pytest.mark.parametrize("n", range(1, len(HAZARDS) + 1), ids=[f"{i + 1}-row{h[0]}" for i, h in enumerate(HAZARDS)])
def test_postgres_did_what_the_catalogue_says(hazard_run, major, n):
    _row, sql, locks, rewrites, sqlstate = HAZARDS[n - 1]
    if locks:  # a behaviour that changed across versions: the lint's version table says which lock
        locks = {rel: lock_for(m, major) if m in LOCK_CHANGES else m for rel, m in locks.items()}
    obs = hazard_run.statement(n)
    assert obs.sql == sql
    if sqlstate:
        assert obs.status == "error" and obs.error.sqlstate == sqlstate, obs
        return
    assert obs.status in ("ok", "transaction_control"), obs.error
    if locks is not None:
        assert obs.table_locks() == locks, obs.locks
    assert obs.heap_rewrites() == rewrites, obs.rewritten


def test_lint_predicts_what_postgres_did(hazard_run):
    gaps = {(c.statement, c.aspect, c.relation) for c in hazard_run.disagreements}
    described = "\n".join(
        f"#{c.statement} {HAZARDS[c.statement - 1][1][:60]!r}: {c.aspect} {c.relation}: predicted {c.predicted}, "
        f"observed {c.observed}"
        for c in hazard_run.disagreements
    )
    assert gaps - KNOWN_LINT_GAPS == set(), f"new disagreements:\n{described}"
    assert KNOWN_LINT_GAPS - gaps == set(), "fixed in the lint: remove them from KNOWN_LINT_GAPS"
    assert len(hazard_run.comparisons) > 100
