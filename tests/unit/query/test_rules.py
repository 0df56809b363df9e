"""Every query rule: a statement that must fire it and one that must not, with and without a catalog."""

from __future__ import annotations

import inspect

import pytest

from dbarchitect.core.query_review import QueryParseError, review_query
from dbarchitect.core.rulebook import REQUIRED_HEADINGS, family_modules

from snapshots import blog  # noqa: E402  (tests/unit/query is on sys.path via conftest)

SNAP = blog()
SMALL = blog(rows=200)

# code -> (fires, quiet); each entry is (sql, snapshot or None, dialect)
CASES: dict[str, tuple[list, list]] = {
    "QR001": (
        [("SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans)", SNAP, "postgres"),
         ("SELECT * FROM users WHERE id NOT IN (SELECT user_id FROM bans)", None, "mysql"),
         ("SELECT * FROM users WHERE id NOT IN (1, NULL)", None, "postgres")],
        [("SELECT * FROM users WHERE id IN (SELECT user_id FROM bans)", SNAP, "postgres"),
         ("SELECT * FROM users WHERE id NOT IN (1, 2)", None, "postgres")],
    ),
    "QR002": (
        [("SELECT * FROM posts WHERE user_id IN (SELECT id FROM users WHERE score > 3)", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE user_id IN (SELECT DISTINCT user_id FROM bans)", None, "postgres")],
        [("SELECT * FROM users WHERE id IN (SELECT user_id FROM posts)", SNAP, "postgres")],
    ),
    "QR003": (
        [("SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u", SNAP, "postgres"),
         ("SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u", None, "mysql")],
        [("SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u", SMALL, "postgres"),
         ("SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id)", SNAP, "postgres")],
    ),
    "QR004": (
        [("WITH r AS MATERIALIZED (SELECT * FROM posts) SELECT * FROM r WHERE user_id = 4", SNAP, "postgres"),
         ("WITH r AS (SELECT * FROM posts) SELECT * FROM r a JOIN r b ON a.id = b.id WHERE a.user_id = 4", None, "postgres")],
        [("WITH r AS (SELECT * FROM posts) SELECT * FROM r WHERE user_id = 4", SNAP, "postgres")],
    ),
    "QR005": (
        [("SELECT s.id FROM (SELECT id, status FROM posts WHERE status = 'draft') s WHERE s.id > 10", None, "postgres")],
        [("SELECT s.user_id FROM (SELECT user_id, count(*) FROM posts GROUP BY user_id) s", None, "postgres")],
    ),
    "QR006": (
        [("WITH stale AS (SELECT id FROM posts) SELECT count(*) FROM posts", None, "postgres")],
        [("WITH stale AS (SELECT id FROM posts) SELECT count(*) FROM stale", None, "postgres"),
         ("WITH gone AS (DELETE FROM posts RETURNING id) SELECT 1", None, "postgres")],
    ),
    "QR007": (
        [("SELECT p.id FROM posts p LEFT JOIN users u ON u.id = p.user_id", SNAP, "postgres")],
        [("SELECT p.id, u.email FROM posts p LEFT JOIN users u ON u.id = p.user_id", SNAP, "postgres"),
         ("SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id", SNAP, "postgres"),
         ("SELECT p.id FROM posts p LEFT JOIN users u ON u.id = p.user_id", None, "postgres")],
    ),
    "QR008": (
        [("SELECT DISTINCT id, email FROM users", SNAP, "postgres"),
         ("SELECT DISTINCT p.id, t.id FROM posts p JOIN tags t ON t.id = p.id", SNAP, "postgres")],
        [("SELECT DISTINCT user_id FROM posts", SNAP, "postgres"),
         ("SELECT DISTINCT id FROM events", SNAP, "postgres"),
         ("SELECT DISTINCT id, email FROM users", None, "postgres"),
         ("SELECT DISTINCT id, unnest(ARRAY[1, 1]) FROM users", SNAP, "postgres")],
    ),
    "QR009": (
        [("SELECT DISTINCT u.id, u.email FROM users u JOIN posts p ON p.user_id = u.id", None, "postgres")],
        [("SELECT DISTINCT u.id, p.title FROM users u JOIN posts p ON p.user_id = u.id", None, "postgres"),
         ("SELECT DISTINCT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id", None, "postgres")],
    ),
    "QR010": (
        [("SELECT id FROM posts UNION SELECT id FROM users", None, "postgres")],
        [("SELECT id FROM posts UNION ALL SELECT id FROM users", None, "postgres")],
    ),
    "QR011": (
        [("SELECT * FROM posts WHERE status = 'a' OR status = 'b'", None, "postgres"),
         ("SELECT * FROM posts WHERE status = 'a' OR status IN ('b', 'c')", None, "mysql")],
        [("SELECT * FROM posts WHERE status = 'a' OR title = 'b'", None, "postgres")],
    ),
    "QR012": (
        [("SELECT * FROM users WHERE email = $1 OR phone = $2", SNAP, "postgres"),
         ("SELECT * FROM users WHERE email = 'a' OR phone = 'b'", None, "mysql")],
        [("SELECT * FROM users WHERE email = $1 OR username = $2", SNAP, "postgres"),
         ("SELECT * FROM users WHERE email = $1 OR phone = $2", SMALL, "postgres")],
    ),
    "QR013": (
        [("SELECT * FROM posts WHERE date(created_at) = '2024-01-01'", SNAP, "postgres"),
         ("SELECT * FROM users WHERE lower(email) = 'a@b.c'", None, "mysql"),
         ("SELECT * FROM posts WHERE extract(year FROM created_at) = 2024", SNAP, "postgres")],
        [("SELECT * FROM posts WHERE created_at >= '2024-01-01'", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE date(created_at) = '2024-01-01'", SMALL, "postgres"),
         ("SELECT * FROM posts WHERE day::date = '2024-01-01'", SNAP, "postgres")],
    ),
    "QR014": (
        [("SELECT * FROM posts WHERE views + 1 > 5", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE 2 * views = 10", None, "mysql")],
        [("SELECT * FROM posts WHERE views > 4", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE views + 1 > 5", SMALL, "postgres")],
    ),
    "QR015": (
        [("SELECT * FROM users WHERE phone = 5551234", SNAP, "postgres"),
         ("SELECT * FROM users u JOIN posts p ON p.title = u.id", SNAP, "mysql")],
        [("SELECT * FROM users WHERE phone = '5551234'", SNAP, "postgres"),
         ("SELECT * FROM users WHERE id = '42'", SNAP, "postgres"),
         ("SELECT * FROM users WHERE phone = 5551234", None, "postgres")],
    ),
    "QR016": (
        [("SELECT * FROM posts WHERE title LIKE '%foo%'", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE title LIKE '%foo'", None, "mysql")],
        [("SELECT * FROM posts WHERE title LIKE 'foo%'", SNAP, "postgres"),
         ("SELECT * FROM tags WHERE name LIKE '%foo%'", SNAP, "postgres")],
    ),
    "QR017": (
        [("SELECT * FROM posts WHERE title LIKE 'foo%'", SNAP, "postgres")],
        [("SELECT * FROM posts WHERE title LIKE 'foo%'", None, "postgres"),
         ("SELECT * FROM posts WHERE status LIKE 'foo%'", SNAP, "postgres")],
    ),
    "QR018": (
        [("SELECT * FROM posts ORDER BY created_at LIMIT 20 OFFSET 10000", None, "postgres"),
         ("SELECT * FROM posts ORDER BY created_at LIMIT 20 OFFSET $1", None, "postgres"),
         ("SELECT * FROM posts LIMIT 20 OFFSET 20", None, "mysql")],
        [("SELECT * FROM posts ORDER BY created_at LIMIT 20 OFFSET 40", None, "postgres")],
    ),
    "QR019": (
        [("SELECT * FROM posts ORDER BY random() LIMIT 5", SNAP, "postgres"),
         ("SELECT * FROM posts ORDER BY RAND() LIMIT 5", None, "mysql")],
        [("SELECT * FROM tags ORDER BY random() LIMIT 5", SNAP, "postgres")],
    ),
    "QR020": (
        [("SELECT * FROM users WHERE id = $1", SNAP, "postgres"), ("SELECT u.* FROM users u", None, "mysql")],
        [("SELECT id FROM users WHERE EXISTS (SELECT * FROM posts)", None, "postgres"),
         ("SELECT count(*) FROM users", None, "postgres")],
    ),
    "QR021": (
        [("SELECT * FROM users WHERE deleted_at = NULL", None, "postgres"),
         ("SELECT CASE deleted_at WHEN NULL THEN 1 END FROM users", None, "mysql")],
        [("SELECT * FROM users WHERE deleted_at IS NULL", None, "postgres")],
    ),
    "QR022": (
        [("SELECT user_id, count(*) FROM posts GROUP BY user_id HAVING user_id > 5", None, "postgres")],
        [("SELECT user_id, count(*) FROM posts GROUP BY user_id HAVING count(*) > 5", None, "postgres"),
         ("SELECT user_id, count(*) FROM posts GROUP BY ROLLUP (user_id) HAVING user_id > 5", None, "postgres")],
    ),
    "QR023": (
        [("SELECT * FROM posts WHERE 1 = 1 AND status = 'x'", None, "postgres"),
         ("SELECT * FROM posts WHERE NOT NOT status = 'x'", None, "postgres")],
        [("SELECT * FROM posts WHERE status = 'x'", None, "postgres")],
    ),
    "QR024": (
        [("SELECT * FROM posts WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31'", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31 23:59:59'", None, "postgres")],
        [("SELECT * FROM posts WHERE day BETWEEN '2024-01-01' AND '2024-01-31'", SNAP, "postgres"),
         ("SELECT * FROM posts WHERE created_at BETWEEN '2024-01-01' AND '2024-02-01 12:00'", SNAP, "postgres")],
    ),
    "QR025": (
        [("SELECT * FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 0", None, "postgres"),
         ("SELECT * FROM users u WHERE 0 = (SELECT count(*) FROM posts p WHERE p.user_id = u.id)", None, "mysql")],
        [("SELECT * FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 3", None, "postgres")],
    ),
    "QR026": (
        [("SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.status = 'published'", None, "postgres")],
        [("SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id AND p.status = 'published'", None, "postgres"),
         ("SELECT u.id FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id IS NULL", None, "postgres")],
    ),
    "QR027": (
        [("SELECT * FROM users WHERE id IN (SELECT user_id FROM posts ORDER BY created_at)", None, "postgres")],
        [("SELECT * FROM users WHERE id IN (SELECT user_id FROM posts ORDER BY created_at LIMIT 5)", None, "postgres"),
         ("SELECT array_agg(id) FROM (SELECT id FROM posts ORDER BY created_at) s", None, "postgres")],
    ),
    "QR028": (
        [("SELECT * FROM posts WHERE (user_id = $1 OR $1 IS NULL)", None, "postgres"),
         ("SELECT * FROM posts WHERE status = COALESCE(:s, status)", None, "postgres")],
        [("SELECT * FROM posts WHERE user_id = $1", None, "postgres")],
    ),
    "QR029": (
        [("SELECT * FROM posts WHERE title LIKE '%,x,%'", None, "postgres"),
         ("SELECT * FROM posts WHERE FIND_IN_SET('x', title)", None, "mysql")],
        [("SELECT * FROM posts WHERE title LIKE '%x%'", None, "postgres")],
    ),
    "QR030": (
        [("SELECT user_id, title, count(*) FROM posts GROUP BY user_id", SNAP, "postgres"),
         ("SELECT user_id, title, count(*) FROM posts GROUP BY user_id", None, "mysql")],
        [("SELECT u.id, u.email, count(*) FROM users u JOIN posts p ON p.user_id = u.id GROUP BY u.id", SNAP, "postgres"),
         ("SELECT user_id, count(*) FROM posts GROUP BY user_id", SNAP, "postgres")],
    ),
}


def codes(sql, snapshot, dialect):
    return [f.code for f in review_query(sql, dialect=dialect, snapshot=snapshot).findings]


def test_every_rule_is_documented_and_has_cases():
    modules = family_modules("query")
    assert [m.RULE.code for m in modules] == [f"QR{i:03d}" for i in range(1, 32)]
    for module in modules:
        doc = inspect.cleandoc(module.__doc__ or "")
        for heading in REQUIRED_HEADINGS:
            assert f"## {heading}" in doc, (module.RULE.code, heading)
        if not hasattr(module, "check"):
            continue  # QR031 reads statement sequences: tests/unit/query/test_n_plus_one.py
        fires, quiet = CASES[module.RULE.code]
        assert fires and quiet, module.RULE.code


@pytest.mark.parametrize("code,sql,snapshot,dialect",
                         [(c, *case) for c, (fires, _) in CASES.items() for case in fires])
def test_rule_fires(code, sql, snapshot, dialect):
    assert code in codes(sql, snapshot, dialect)


@pytest.mark.parametrize("code,sql,snapshot,dialect",
                         [(c, *case) for c, (_, quiet) in CASES.items() for case in quiet])
def test_rule_stays_quiet(code, sql, snapshot, dialect):
    assert code not in codes(sql, snapshot, dialect)


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
