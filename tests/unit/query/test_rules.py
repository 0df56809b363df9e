"""Query review beyond the per-rule cases (tests/fixtures/rules/query, run by test_rule_fixtures.py): severities
that follow catalog proofs, statement numbering, ordering and parse errors."""

from __future__ import annotations

import pytest

from dbarchitect.core.query_review import QueryParseError, review_query

from snapshots import blog  # noqa: E402  (tests/unit/query is on sys.path via conftest)

SNAP = blog()


def test_not_in_severity_follows_null_proof():
    nullable = review_query("SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans)", snapshot=SNAP)
    proven = review_query("SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM posts)", snapshot=SNAP)
    (a,) = [f for f in nullable.findings if f.code == "QR001"]
    (b,) = [f for f in proven.findings if f.code == "QR001"]
    assert a.severity.value == "warning" and "user_id" in a.message
    assert b.severity.value == "advice"
    assert {e.kind for e in b.evidence} == {"catalog"}
    assert any("NOT NULL" in e.detail for e in b.evidence)


def test_outer_join_side_is_not_proven_not_null():
    sql = ("SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id "
           "WHERE p.id NOT IN (SELECT id FROM tags)")
    (f,) = [f for f in review_query(sql, snapshot=SNAP).findings if f.code == "QR001"]
    assert f.severity.value == "warning" and "p.id" in f.message


def test_statement_numbers_and_lines():
    review = review_query("SELECT 1;\n\nSELECT * FROM users WHERE deleted_at = NULL;")
    (f,) = [f for f in review.findings if f.code == "QR021"]
    assert (f.statement, f.line) == (2, 3)
    assert review.statements == 2 and not review.catalog


def test_findings_sorted_most_severe_first():
    review = review_query("SELECT * FROM users WHERE deleted_at = NULL")
    ranks = [f.severity.rank for f in review.findings]
    assert ranks == sorted(ranks, reverse=True) and review.findings[0].code == "QR021"


def test_parse_error_is_a_clear_user_error():
    with pytest.raises(QueryParseError, match="Cannot parse"):
        review_query("SELECT FROM WHERE (")
    with pytest.raises(QueryParseError, match="Unsupported dialect"):
        review_query("SELECT 1", dialect="oracle")
