"""Planner on hand-built snapshots (pure: no database)."""

from __future__ import annotations

import sys

from dbarchitect.core.diff import plan_migration
from dbarchitect.core.diff.sqltext import derived_name, index_shape, index_sql, qi
from dbarchitect.core.models import Column, Index, SchemaSnapshot, Table


def _users(*cols: Column, indexes: list[Index] | None = None) -> SchemaSnapshot:
    base = [Column(name="id", position=1, type="bigint", not_null=True)]
    return SchemaSnapshot(server_version_num=150000, schemas=["public"],
                          tables=[Table(schema="public", name="users", columns=base + list(cols), indexes=indexes or [])])


def test_identical_snapshots_plan_nothing():
    plan = plan_migration(_users(), _users())
    assert plan.empty and "nothing to do" in plan.up_sql


def test_new_index_is_built_concurrently_outside_a_transaction():
    ix = Index(name="users_email", definition="CREATE INDEX users_email ON public.users USING btree (email)")
    email = Column(name="email", position=2, type="text")
    plan = plan_migration(_users(email), _users(email, indexes=[ix]))
    (step,) = plan.steps
    assert not step.transactional
    assert step.statements == ["CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON public.users USING btree (email)"]
    assert "create-index-concurrently" in plan.patterns and "BEGIN" not in step.sql


def test_dropping_a_column_is_refused_without_allow_data_loss():
    bio = Column(name="bio", position=2, type="text")
    plan = plan_migration(_users(bio), _users())
    assert plan.empty and [r.object for r in plan.refused] == ["public.users.bio"]
    allowed = plan_migration(_users(bio), _users(), allow_data_loss=True)
    assert [s.phase for s in allowed.steps] == ["contract"]
    assert allowed.phases[-1].deploy_before


def test_rename_becomes_rename_column():
    plan = plan_migration(_users(Column(name="name", position=2, type="text")),
                          _users(Column(name="full_name", position=2, type="text")), renames={"users.name": "full_name"})
    assert [s.action for s in plan.steps] == ["rename-column"]
    assert plan.steps[0].statements == ["ALTER TABLE public.users RENAME COLUMN name TO full_name"]


def test_set_not_null_goes_through_a_validated_check():
    plan = plan_migration(_users(Column(name="email", position=2, type="text")),
                          _users(Column(name="email", position=2, type="text", not_null=True)))
    assert [s.action for s in plan.steps] == ["add-check-not-valid", "validate-check", "set-not-null"]
    assert plan.steps[0].statements[0].endswith("NOT VALID") and plan.steps[1].lock == "ShareUpdateExclusiveLock"


def test_sql_text_helpers():
    assert qi("user") == '"user"' and qi("users") == "users" and qi("Mixed") == '"Mixed"'
    assert len(derived_name("x" * 70, "__new").encode()) == 63
    d = "CREATE UNIQUE INDEX a ON public.t USING btree (x)"
    assert index_shape(d) == index_shape(d.replace(" a ", " b "))
    assert index_sql(d, name="b", concurrently=True).startswith("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS b ON")


def test_core_diff_stays_pure():
    assert "psycopg" not in {m.split(".")[0] for m in sys.modules if m.startswith("dbarchitect.core.diff")}
