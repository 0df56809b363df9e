"""Rewrite fixtures (pure) and the negative cases: what must never be called safe."""

from __future__ import annotations

import inspect
import sys

import pytest
import sqlglot

from dbarchitect.core.query_review import review_query
from dbarchitect.core.rewrites import TRANSFORMS, implemented, rewrite_query
from dbarchitect.core.rewrites._base import RewriteContext

from rewrite_fixtures import load_pairs
from snapshots import blog

SNAP = blog()
PAIRS = load_pairs()


def normal(sql: str) -> str:
    return sqlglot.parse_one(sql, read="postgres").sql("postgres")


def test_fixtures_cover_every_transform():
    files = {p.file for p in PAIRS}
    assert files == {t.__module__.rsplit(".", 1)[1] for t in TRANSFORMS}
    assert sum(p.execute for p in PAIRS) >= 25


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.id)
def test_fixture_pair(pair):
    report = rewrite_query(pair.input, snapshot=SNAP)
    (hit,) = [r for r in report.rewrites if r.name == pair.rewrite]
    assert hit.safety == pair.safety
    assert normal(hit.sql) == normal(pair.expected)
    if hit.safety == "proven":
        assert hit.evidence, "a proven rewrite cites its proof"
    if hit.safety == "advisory":
        assert hit.changes


def test_not_in_over_nullable_column_is_never_proven():
    for sql in ("SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans)",
                "SELECT id FROM users WHERE score NOT IN (SELECT views FROM posts)",
                "SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id NOT IN (SELECT post_id FROM post_tags)"):
        for snapshot in (SNAP, None):
            report = rewrite_query(sql, snapshot=snapshot)
            assert all(r.safety != "proven" for r in report.rewrites if r.name == "not-in-to-not-exists"), sql
            assert "NOT IN" in report.sql.upper() or "NOT" in report.sql.upper()
            assert "not-in-to-not-exists" not in report.applied


def test_not_in_is_proven_with_is_not_null_filters():
    sql = "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans WHERE user_id IS NOT NULL)"
    (r,) = [r for r in rewrite_query(sql, snapshot=SNAP).rewrites if r.name == "not-in-to-not-exists"]
    assert r.safety == "proven" and {e.kind for e in r.evidence} == {"catalog", "static"}


def test_distinct_removal_without_unique_not_null_key_is_never_proven():
    for sql in ("SELECT DISTINCT slug FROM tags",            # UNIQUE but nullable
                "SELECT DISTINCT user_id FROM posts",         # not unique
                "SELECT DISTINCT id FROM events",             # no key at all
                "SELECT DISTINCT id, email FROM users"):       # fine with the catalog, unknown without
        snapshot = None if "email" in sql else SNAP
        report = rewrite_query(sql, snapshot=snapshot)
        assert not [r for r in report.rewrites if r.name == "remove-redundant-distinct"], sql
        assert report.sql.upper().startswith("SELECT DISTINCT")


def test_correlated_subquery_in_case_is_not_turned_into_a_join():
    sql = ("SELECT u.id, CASE WHEN u.score > 5 THEN (SELECT count(*) FROM posts p WHERE p.user_id = u.id) "
           "ELSE 0 END AS n FROM users u")
    report = rewrite_query(sql, snapshot=SNAP)
    assert not [r for r in report.rewrites if r.name == "correlated-subquery-to-join"]
    assert "JOIN" not in report.sql.upper()


def test_correlated_subquery_is_never_an_inner_join():
    sql = "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u"
    (r,) = [r for r in rewrite_query(sql, snapshot=SNAP).rewrites if r.name == "correlated-subquery-to-join"]
    assert "LEFT JOIN" in r.sql and "COALESCE(" in r.sql and r.safety == "unverified"


def test_splice_keeps_the_users_text():
    sql = "select id\n  from posts\n where date(created_at) = '2024-01-03'  -- today\n   and title like 'x%'"
    (r,) = [r for r in rewrite_query(sql, snapshot=SNAP).rewrites if r.name == "date-function-to-range"]
    assert r.sql.startswith("select id\n  from posts\n where created_at >= '2024-01-03' AND created_at < '2024-01-04'")
    assert "title like 'x%'" in r.sql


def test_combined_sql_applies_only_proven_rewrites_in_sequence():
    sql = ("SELECT id FROM posts WHERE (status = 'a' OR status = 'b') AND views + 1 > 5 "
           "AND created_at BETWEEN '2024-01-01' AND '2024-01-31'")
    report = rewrite_query(sql, snapshot=SNAP)
    assert report.applied == ["or-to-in", "arithmetic-on-column"]
    assert "IN ('a', 'b')" in report.sql and "views > 4" in report.sql and "BETWEEN" in report.sql


def test_arithmetic_on_float_or_unknown_type_is_not_proven():
    float_report = rewrite_query("SELECT id FROM posts WHERE rating + 1 > 5", snapshot=SNAP)
    assert not [r for r in float_report.rewrites if r.name == "arithmetic-on-column"]
    unknown = rewrite_query("SELECT id FROM posts WHERE views + 1 > 5")
    assert [r.safety for r in unknown.rewrites if r.name == "arithmetic-on-column"] == ["unverified"]
    assert not [r for r in rewrite_query("SELECT id FROM posts WHERE views * 2 = 7", snapshot=SNAP).rewrites
                if r.name == "arithmetic-on-column"]


def test_keyset_names_the_index_it_needs():
    (r,) = rewrite_query("SELECT id FROM posts ORDER BY created_at LIMIT 20 OFFSET 5000", snapshot=SNAP).rewrites
    assert r.safety == "advisory" and r.index == "CREATE INDEX CONCURRENTLY ON public.posts (created_at, id);"
    assert "(created_at, id) > ($1, $2)" in r.sql and "OFFSET" not in r.sql
    (u,) = rewrite_query("SELECT id FROM users ORDER BY email LIMIT 20 OFFSET 5000", snapshot=SNAP).rewrites
    assert u.index is None and "email > $1" in u.sql  # email is unique and already indexed
    assert any(e.kind == "catalog" and "users_email_key" in e.detail for e in u.evidence)


def test_in_to_join_needs_uniqueness():
    report = rewrite_query("SELECT id FROM users WHERE id IN (SELECT user_id FROM posts)", snapshot=SNAP)
    assert [r.name for r in report.rewrites] == ["in-subquery-to-exists"]


def test_mysql_rewrites_use_mysql_syntax():
    report = rewrite_query("SELECT id FROM posts WHERE status = 'a' OR status = 'b'", dialect="mysql")
    assert report.dialect == "mysql" and report.sql == "SELECT id FROM posts WHERE status IN ('a', 'b')"


def test_every_transform_returns_nothing_on_a_clean_query():
    ctx = RewriteContext(sql="SELECT id, email FROM users WHERE id = 5", tree=sqlglot.parse_one(
        "SELECT id, email FROM users WHERE id = 5", read="postgres"), snapshot=SNAP)
    assert [r for t in TRANSFORMS for r in t(ctx)] == []


def test_each_rewrite_names_the_query_rule_it_fixes_and_that_rule_fires_on_its_fixtures():
    for transform in TRANSFORMS:
        module = sys.modules[transform.__module__]
        stem = module.__name__.rsplit(".", 1)[1]
        fired = {f.rule for p in PAIRS if p.file == stem for f in review_query(p.input, snapshot=SNAP).findings}
        assert module.IMPLEMENTS in fired, (stem, module.IMPLEMENTS, fired)


def test_rewrites_share_detection_through_facts_not_rule_modules():
    for transform in TRANSFORMS:
        source = inspect.getsource(sys.modules[transform.__module__])
        assert "core.rules.query.qr" not in source, transform.__module__


def test_a_rewrite_naming_no_query_rule_is_rejected():
    def bogus(ctx):
        return []

    with pytest.raises(ValueError, match="names no query rule"):
        implemented([bogus])
