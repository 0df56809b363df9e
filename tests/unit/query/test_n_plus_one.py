"""N+1 from an ordered statement list (an application log), and from pg_stat_statements rows."""

from __future__ import annotations

from dbarchitect.core.n_plus_one import StatementStat, detect_from_statements, detect_from_stats
from dbarchitect.core.query_review import review_query

from snapshots import blog

SNAP = blog()
LOOP = ["SELECT id, username FROM users WHERE score > 3"] + [f"SELECT * FROM posts WHERE user_id = {i}" for i in (1, 2, 5, 7)]


def test_has_many_loop_from_a_log_with_the_catalog():
    (p,) = detect_from_statements(LOOP, snapshot=SNAP).patterns
    assert (p.kind, p.table, p.column, p.calls) == ("has_many", "posts", "user_id", 4)
    assert p.values == ["1", "2", "5", "7"] and p.parent == LOOP[0]
    assert p.batched == "SELECT * FROM posts WHERE user_id = ANY($1)"
    assert p.json_agg == ("SELECT p.id, p.username, COALESCE(JSON_AGG(c) FILTER(WHERE c.user_id IS NOT NULL), '[]') AS posts "
                          "FROM users AS p LEFT JOIN posts AS c ON c.user_id = p.id WHERE p.score > 3 GROUP BY p.id")
    assert any(e.kind == "catalog" and "posts_user_id_fkey" in e.detail for e in p.evidence)


def test_belongs_to_loop_joins_the_parent_row():
    log = ["SELECT id, title, user_id FROM posts WHERE status = 'published' LIMIT 5"] + \
          [f"SELECT id, email FROM users WHERE id = {i}" for i in (4, 9, 12)]
    (p,) = detect_from_statements(log, snapshot=SNAP).patterns
    assert p.kind == "belongs_to" and p.json_agg is None
    assert p.join == ("SELECT p.id, p.title, p.user_id, c.id AS users_id, c.email FROM posts AS p "
                      "LEFT JOIN users AS c ON c.id = p.user_id WHERE p.status = 'published' LIMIT 5")


def test_without_catalog_naming_is_used_and_said():
    (p,) = detect_from_statements(LOOP).patterns
    assert p.parent == LOOP[0] and any("By naming" in e.detail for e in p.evidence)


def test_no_n_plus_one_for_repeated_identical_or_few_lookups():
    same = ["SELECT id FROM users"] + ["SELECT * FROM posts WHERE user_id = 1"] * 5
    few = ["SELECT id FROM users", "SELECT * FROM posts WHERE user_id = 1", "SELECT * FROM posts WHERE user_id = 2"]
    assert detect_from_statements(same, snapshot=SNAP).patterns == []
    assert detect_from_statements(few, snapshot=SNAP).patterns == []


def test_review_query_reports_n_plus_one_in_a_multi_statement_input():
    review = review_query(";\n".join(LOOP), snapshot=SNAP)
    (f,) = [f for f in review.findings if f.code == "QR031"]
    assert "ran 4 times" in f.message and "json_agg" in (f.fix or "").lower()


def test_stats_need_a_parent_called_far_less_often():
    lookup = StatementStat(query="SELECT * FROM posts WHERE user_id = $1", calls=400, rows=4000, queryid=1)
    parent = StatementStat(query="SELECT id, username FROM users WHERE score > $1", calls=8, rows=400, queryid=2)
    busy_parent = StatementStat(query="SELECT id, username FROM users WHERE score > $1", calls=200, rows=400, queryid=2)
    (p,) = detect_from_stats([lookup, parent], SNAP).patterns
    assert p.ratio == 50.0 and p.parent_calls == 8 and p.evidence[0].kind == "execution"
    assert detect_from_stats([lookup, busy_parent], SNAP).patterns == []
    assert detect_from_stats([lookup], SNAP).patterns == []
