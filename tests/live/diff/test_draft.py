"""draft_migration end to end: the live database as the current schema, the dry run's locks per step,
clean-up of scratch databases, and load errors."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.live.postgres.draft import DraftInputError, draft_migration
from dbarchitect.live.postgres.shadow import SHADOW_PREFIX, ScratchHost

BEFORE = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"


def _shadows(pg) -> list:
    return pg.admin("SELECT datname FROM pg_database WHERE datname LIKE %s", params=(SHADOW_PREFIX + "%",))


@pytest.mark.anyio
async def test_live_database_with_dry_run_locks(pg):
    dsn = pg.create_db(BEFORE)
    after = BEFORE + "CREATE INDEX users_email ON users (email);\nALTER TABLE users ADD COLUMN bio text;\n"
    left_before = _shadows(pg)
    report = await draft_migration(after, dsn=dsn, scratch=ScratchHost("local_cluster", pg.dsn()))
    v = report.verification
    assert v.converged and v.replan_empty and v.reversible, (v.error, v.convergence_differences)
    assert report.current_source == "connection"
    cic = next(s for s in report.steps if s.action == "create-index-concurrently")
    assert cic.observed is not None and cic.observed.transactional is False
    assert {lk.mode for lk in cic.observed.locks if lk.relation == "public.users"} == {"ShareUpdateExclusiveLock"}
    add = next(s for s in report.steps if s.action == "add-column")
    assert add.lock_relations == {"public.users": "AccessExclusiveLock"}
    assert [lk.mode for lk in add.observed.locks] == ["AccessExclusiveLock"]
    assert v.dry_run_ok is True
    assert _shadows(pg) == left_before  # every scratch database is gone
    with psycopg.connect(dsn) as conn:  # the live database was only read
        assert conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email'").fetchone()[0] == 0


@pytest.mark.anyio
async def test_target_that_does_not_load_names_the_statement(pg):
    left_before = _shadows(pg)
    with pytest.raises(DraftInputError, match="statement 2"):
        await draft_migration(BEFORE + "CREATE INDEX x ON missing (a);\n", from_ddl=BEFORE,
                              scratch=ScratchHost("local_cluster", pg.dsn()))  # fmt: skip
    assert _shadows(pg) == left_before
