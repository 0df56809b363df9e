"""Partial targets (scope="objects") and extension drops, on hand-built snapshots (pure: no database)."""

from __future__ import annotations

from dbarchitect.core.diff import CatalogExtras, plan_migration
from dbarchitect.core.diff.planner import keep_refused
from dbarchitect.core.diff.scope import (
    FingerprintScope,
    left_alone,
    scoped_fingerprint,
    scoped_target,
    target_scope,
)
from dbarchitect.core.migration.dryrun_models import CatalogFingerprint
from dbarchitect.core.models import Column, Extension, Index, SchemaSnapshot, Sequence, Table, View

ID = Column(name="id", position=1, type="bigint", not_null=True)
EMAIL = Column(name="email", position=2, type="text")
USERS_EMAIL = Index(name="users_email", definition="CREATE INDEX users_email ON public.users USING btree (email)")
POSTS_USER = Index(name="posts_user", definition="CREATE INDEX posts_user ON public.posts USING btree (user_id)")


def _current() -> tuple[SchemaSnapshot, CatalogExtras]:
    snap = SchemaSnapshot(
        server_version_num=150000, schemas=["public"],
        tables=[Table(schema="public", name="users", columns=[ID, EMAIL]),
                Table(schema="public", name="posts", columns=[ID, Column(name="user_id", position=2, type="bigint")],
                      indexes=[POSTS_USER])],
        views=[View(schema="public", name="recent_posts", definition=" SELECT id FROM posts;", columns=["id"],
                    depends_on=["posts"])],
        extensions=[Extension(name="plpgsql", version="1.0", schema="pg_catalog"),
                    Extension(name="pg_stat_statements", version="1.10", schema="public")],
    )  # fmt: skip
    extras = CatalogExtras(function_defs={"public.touch()": "CREATE OR REPLACE FUNCTION public.touch() ..."},
                           comments={"index public.posts_user": "by author", "function public.touch()": "util"})
    return snap, extras


def _partial() -> tuple[SchemaSnapshot, CatalogExtras]:
    snap = SchemaSnapshot(server_version_num=150000, schemas=["public"],
                          tables=[Table(schema="public", name="users", columns=[ID, EMAIL], indexes=[USERS_EMAIL])],
                          extensions=[Extension(name="plpgsql", version="1.0", schema="pg_catalog")])  # fmt: skip
    return snap, CatalogExtras()


def test_schema_scope_drops_what_the_target_omits_and_refuses_the_extension():
    (cur, cx), (tgt, tx) = _current(), _partial()
    plan = plan_migration(cur, tgt, current_extras=cx, target_extras=tx)
    actions = {s.action for s in plan.steps}
    assert {"drop-view", "drop-function", "create-index-concurrently"} <= actions
    assert "drop-extension" not in actions
    assert sorted((r.change, r.object) for r in plan.refused) == [("drop extension", "pg_stat_statements"),
                                                                  ("drop table", "public.posts")]  # fmt: skip
    assert any(h.code == "data-loss-refused" and h.object == "pg_stat_statements" for h in plan.hazards)
    # the catalog the plan reaches keeps the refused extension, so the down plan does not re-create it
    reached = keep_refused(tgt, cur, plan)
    assert "pg_stat_statements" in {e.name for e in reached.extensions}


def test_extension_drop_happens_with_allow_data_loss():
    (cur, cx), (tgt, tx) = _current(), _partial()
    plan = plan_migration(cur, tgt, current_extras=cx, target_extras=tx, allow_data_loss=True)
    (step,) = [s for s in plan.steps if s.action == "drop-extension"]
    assert step.phase == "contract" and step.statements == ["DROP EXTENSION IF EXISTS pg_stat_statements"]
    assert {h.code for h in step.hazards} >= {"data-loss", "extension-drop"}
    assert not plan.refused or all(r.change != "drop extension" for r in plan.refused)


def test_objects_scope_changes_only_what_the_target_defines():
    (cur, cx), (tgt, tx) = _current(), _partial()
    scope = target_scope(cur, tgt, tx)
    assert scope.tables == {"public.users"} and not scope.views and not scope.functions
    eff, ex = scoped_target(cur, tgt, cx, tx, scope)
    assert {t.qualified for t in eff.tables} == {"public.users", "public.posts"}
    assert eff.table("public.posts").indexes == [POSTS_USER]
    assert [v.qualified for v in eff.views] == ["public.recent_posts"]
    assert "public.touch()" in ex.function_defs and ex.comments == cx.comments
    assert "pg_stat_statements" in {e.name for e in eff.extensions}
    plan = plan_migration(cur, eff, current_extras=cx, target_extras=ex)
    assert [s.action for s in plan.steps] == ["create-index-concurrently"] and not plan.refused
    assert left_alone(cur, cx, scope) == ["extension pg_stat_statements", "function public.touch()",
                                          "table public.posts", "view public.recent_posts"]  # fmt: skip


def test_objects_scope_diffs_a_target_table_in_full():
    """An index, a column and a comment of a table the target defines are dropped when the target omits them."""
    cur, cx = _current()
    cur.tables[0].indexes = [USERS_EMAIL]
    cx.comments["index public.users_email"] = "lookup"
    tgt = SchemaSnapshot(server_version_num=150000, schemas=["public"],
                         tables=[Table(schema="public", name="users", columns=[ID])])  # fmt: skip
    scope = target_scope(cur, tgt, CatalogExtras())
    eff, ex = scoped_target(cur, tgt, cx, CatalogExtras(), scope)
    assert "index public.users_email" not in ex.comments and "index public.posts_user" in ex.comments
    plan = plan_migration(cur, eff, current_extras=cx, target_extras=ex)
    assert [s.action for s in plan.steps] == ["drop-index-concurrently"]
    assert [r.object for r in plan.refused] == ["public.users.email"]


def test_objects_scope_follows_table_renames_and_owned_sequences():
    cur = SchemaSnapshot(tables=[Table(schema="public", name="users", columns=[ID])],
                         sequences=[Sequence(schema="public", name="users_id_seq", owned_by="users.id"),
                                    Sequence(schema="public", name="invoice_no")])  # fmt: skip
    tgt = SchemaSnapshot(tables=[Table(schema="public", name="accounts", columns=[ID])])
    scope = target_scope(cur, tgt, CatalogExtras(), renames={"users": "accounts"})
    assert scope.tables == {"public.users", "public.accounts"}
    assert scope.sequences == {"public.users_id_seq"}
    eff, _ = scoped_target(cur, tgt, CatalogExtras(), CatalogExtras(), scope)
    assert [t.qualified for t in eff.tables] == ["public.accounts"]
    assert [q.qualified for q in eff.sequences] == ["public.invoice_no"]


def test_fingerprint_scope_sorts_keys_by_owner():
    (cur, cx), (tgt, tx) = _current(), _partial()
    scope = target_scope(cur, tgt, tx)
    current = CatalogFingerprint(entries={
        "relation public.users": "kind=r", "column public.users.email": "type=text",
        "relation public.posts": "kind=r", "column public.posts.user_id": "type=bigint",
        "index public.posts_user": "def=CREATE INDEX posts_user ON public.posts USING btree (user_id) valid=true",
        "view public.recent_posts": "SELECT id FROM posts", "function public.touch()": "returns=trigger",
        "extension pg_stat_statements": "version=1.10", "extension plpgsql": "version=1.0",
        "comment index posts_user": "by author", "comment column email of table users": "old",
        "comment function touch()": "util", "comment table \"Odd\"\"Name\"": "x",
    })  # fmt: skip
    target = CatalogFingerprint(entries={
        "relation public.users": "kind=r", "column public.users.email": "type=text",
        "index public.users_email": "def=CREATE INDEX users_email ON public.users USING btree (email) valid=true",
        "comment column email of table users": "new", "extension plpgsql": "version=1.0",
    })  # fmt: skip
    fs = FingerprintScope(scope, current, target)
    assert fs("index public.users_email") and fs("comment column email of table users")
    assert not fs("index public.posts_user") and not fs("comment index posts_user")
    assert not fs("extension pg_stat_statements") and not fs("comment function touch()")
    assert not fs('comment table "Odd""Name"') and not fs("view public.recent_posts")
    expected = scoped_fingerprint(current, target, fs)
    assert expected.entries["comment column email of table users"] == "new"
    assert "index public.users_email" in expected.entries and "index public.posts_user" in expected.entries
    assert expected.entries["extension pg_stat_statements"] == "version=1.10"
