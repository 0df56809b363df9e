import pytest

from dbarchitect.core.sql.readonly import check_read_only

REFUSED = {
    "stacked statements": "SELECT 1; COMMIT; DROP TABLE t",
    "data-modifying CTE": "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
    "insert CTE": "WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x",
    "update": "UPDATE t SET a = 1",
    "set_config": "SELECT set_config('transaction_read_only', 'off', false)",
    "qualified set_config": "SELECT pg_catalog.set_config('role', 'postgres', false)",
    "terminate": "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
    "copy to program": "COPY t TO PROGRAM 'cat > /tmp/x'",
    "copy to stdout": "COPY t TO STDOUT",
    "nextval": "SELECT nextval('s')",
    "setval in subquery": "SELECT * FROM t WHERE a = (SELECT setval('s', 1))",
    "advisory lock": "SELECT pg_advisory_lock(1)",
    "file read": "SELECT pg_read_file('/etc/passwd')",
    "large object": "SELECT lo_import('/etc/passwd')",
    "dblink": "SELECT * FROM dblink('host=x', 'delete from t') AS r(a int)",
    "query_to_xml runs SQL text": "SELECT query_to_xml('delete from t', true, false, '')",
    "for update": "SELECT * FROM t FOR UPDATE",
    "for share in subquery": "SELECT * FROM (SELECT * FROM t FOR SHARE) s",
    "select into": "SELECT * INTO t2 FROM t",
    "set": "SET statement_timeout = 0",
    "begin": "BEGIN",
    "commit": "COMMIT",
    "call": "CALL p()",
    "do": "DO $$ BEGIN DELETE FROM t; END $$",
    "explain analyze delete": "EXPLAIN ANALYZE DELETE FROM t",
    "create table as": "CREATE TABLE t2 AS SELECT 1",
    "notify": "NOTIFY ch",
    "pg_notify": "SELECT pg_notify('ch', 'x')",
    "empty": "  ",
    "garbage": "SELEKT * FROM t",
}

ACCEPTED = {
    "window": "SELECT a, row_number() OVER (PARTITION BY b ORDER BY c) FROM t",
    "percentile": "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t",
    "recursive CTE": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
    "lateral": "SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.id = t.id LIMIT 1) x",
    "json operators": "SELECT j->>'a', j @> '{\"b\": 1}', jsonb_path_query(j, '$.c') FROM t",
    "grouping sets": "SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a), (b), ())",
    "rollup": "SELECT a, sum(c) FROM t GROUP BY ROLLUP (a)",
    "distinct on": "SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC",
    "explain": "EXPLAIN SELECT * FROM t",
    "explain analyze select": "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM t",
    "catalog": "SELECT relname, reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
    "values": "VALUES (1, 'a'), (2, 'b')",
    "table": "TABLE t",
    "show": "SHOW work_mem",
    "random is fine": "SELECT * FROM t ORDER BY random() LIMIT 5",
    "currval-like harmless": "SELECT now(), clock_timestamp(), gen_random_uuid()",
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_refused(sql):
    verdict = check_read_only(sql)
    assert not verdict.ok
    assert verdict.reason and verdict.reason[-1] in ".;)" or verdict.reason.endswith(".")


@pytest.mark.parametrize("sql", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted(sql):
    verdict = check_read_only(sql)
    assert verdict.ok, verdict.reason


def test_user_functions_are_reported_for_the_volatility_check():
    verdict = check_read_only("SELECT app.score(x), lower(y) FROM t")
    assert verdict.ok
    assert "app.score" in verdict.functions and "lower" in verdict.functions


def test_reason_names_the_problem():
    assert "DELETE" in check_read_only("WITH x AS (DELETE FROM t RETURNING 1) SELECT 1").reason
    assert "nextval" in check_read_only("SELECT nextval('s')").reason
    assert "3" in check_read_only("SELECT 1; SELECT 2; SELECT 3").reason
