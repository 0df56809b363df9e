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


TWO_TABLES = ("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
              "CREATE INDEX users_email_idx ON users (email);\n"
              "CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);\n")  # fmt: skip
ORDERS_ONLY = ("CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz);\n"
               "CREATE INDEX orders_placed_at_idx ON orders (placed_at);\n")  # fmt: skip


@pytest.mark.anyio
async def test_objects_scope_verification_catches_a_plan_that_touches_other_objects(pg, monkeypatch):
    """The 'untouched' half of the proof is real: a plan that also drops an index of a table the target
    does not mention is reported as an out-of-scope change, not as converged."""
    import dbarchitect.live.postgres.draft as draft_mod
    from dbarchitect.core.diff.models import Step

    host = ScratchHost("local_cluster", pg.dsn())
    report = await draft_migration(ORDERS_ONLY, from_ddl=TWO_TABLES, scratch=host, dry_run=False)
    assert report.scope == "objects" and report.left_alone == ["table public.users"]
    assert report.verification.untouched is True and report.verification.converged and report.ok
    assert [s.action for s in report.steps] == ["create-index-concurrently"]

    real = draft_mod.plan_migration

    def sloppy(current, target, **kw):
        plan = real(current, target, **kw)
        if kw.get("context") is not None:  # the up plan
            plan.steps.append(Step(id=len(plan.steps) + 1, action="drop-index", object="public.users_email_idx",
                                   description="drop an index the target does not mention",
                                   statements=["DROP INDEX public.users_email_idx"], transactional=True))  # fmt: skip
        return plan

    monkeypatch.setattr(draft_mod, "plan_migration", sloppy)
    bad = await draft_migration(ORDERS_ONLY, from_ddl=TWO_TABLES, scratch=host, dry_run=False)
    v = bad.verification
    assert v.applied and not v.convergence_differences  # the target's own objects are right
    assert v.untouched is False and not v.converged and not bad.ok
    assert [d.key for d in v.out_of_scope_changes] == ["index public.users_email_idx"]


@pytest.mark.anyio
async def test_schema_scope_plans_the_drops_the_partial_target_implies(pg):
    report = await draft_migration(ORDERS_ONLY, from_ddl=TWO_TABLES, scope="schema", dry_run=False,
                                   scratch=ScratchHost("local_cluster", pg.dsn()))  # fmt: skip
    assert [r.object for r in report.refused] == ["public.users"] and report.left_alone == []
    assert report.verification.untouched is None


@pytest.mark.anyio
async def test_partial_target_stands_on_the_current_schema_and_names_what_is_in_neither(pg):
    host = ScratchHost("local_cluster", pg.dsn())
    # users is not in the target: it is loaded from the current schema, and compared as it is there
    report = await draft_migration("CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz, "
                                   "user_id bigint REFERENCES users (id));", from_ddl=TWO_TABLES, scratch=host)  # fmt: skip
    assert [s.action for s in report.steps] == ["add-column", "add-foreign-key-not-valid", "validate-constraint"]
    assert report.verification.converged and report.verification.untouched
    with pytest.raises(DraftInputError, match="define it in the target"):
        await draft_migration("CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES customers (id));",
                              from_ddl=TWO_TABLES, scratch=host)  # fmt: skip
    with pytest.raises(ValueError, match="scope"):
        await draft_migration(ORDERS_ONLY, from_ddl=TWO_TABLES, scope="tables")  # type: ignore[arg-type]
