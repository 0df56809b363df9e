"""core/sql/mysql_readonly.py without a server: the tokeniser and the verdicts."""

from __future__ import annotations

import pytest

from dbarchitect.core.sql.mysql_readonly import GateError, check_mysql_read_only, tokenize


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 /*! ; DROP TABLE t */",
        "SELECT 1 /*!50000 UNION SELECT 2 */",
        "SELECT 1 /*M!100100 ; DROP TABLE t */",
        "SELECT 1; DROP TABLE t",
        "SELECT 1 --; DROP TABLE t",  # "--" without a space is not a comment in MySQL
        "SELECT 'a\\' ; DROP TABLE t; -- '",
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE",
        "SELECT * FROM t LOCK IN SHARE MODE",
        "SELECT * INTO OUTFILE '/tmp/x' FROM t",
        "SELECT x.load_file('/etc/passwd')",
        "SELECT NEXT VALUE FOR s",
        "SELECT @v := 1",
        "ANALYZE DELETE FROM t",
        "EXPLAIN ANALYZE UPDATE t SET a = 1",
        "ANALYZE TABLE t",
        "SET STATEMENT max_statement_time=0 FOR SELECT 1",
        "HANDLER t READ FIRST",
        "SELECT /*+ SET_VAR(sql_mode='') */ 1",
        "SELECT 1 /* unterminated",
        "",
    ],
)
def test_refused(sql):
    v = check_mysql_read_only(sql)
    assert not v.ok and v.reason.endswith(".")


@pytest.mark.parametrize(
    "sql,kind",
    [
        ("SELECT 1;", "select"),
        ("select 'x;y' -- DROP TABLE t\n", "select"),
        ("SELECT 1 # ; DROP TABLE t", "select"),
        ("WITH a AS (SELECT 1 x) SELECT * FROM a", "select"),
        ("SELECT row_number() OVER w FROM t WINDOW w AS (ORDER BY a)", "select"),
        ("EXPLAIN FORMAT=JSON SELECT * FROM t", "explain"),
        ("ANALYZE FORMAT=JSON SELECT * FROM t", "analyze"),
        ("DESC db.t", "describe"),
        ("SHOW ENGINE INNODB STATUS", "show"),
        ("SELECT 1 -- ; DROP TABLE t", "select"),
    ],
)
def test_accepted(sql, kind):
    v = check_mysql_read_only(sql)
    assert v.ok, v.reason
    assert v.statement_kind == kind


def test_functions_are_collected_for_the_routine_check():
    v = check_mysql_read_only("SELECT myfn(a), db.f(b), `q`(1), concat(a, b) FROM t WHERE a IN (1)")
    assert v.ok and {"myfn", "db.f", "q", "concat"} <= set(v.functions) and "in" not in v.functions


def test_tokeniser_reads_comments_and_strings_like_the_server():
    toks = [t.text for t in tokenize("SELECT `a``b`, 'it''s', \"q\" -- c\n# d\n/* e */ FROM t")]
    assert toks == ["SELECT", "a`b", ",", "'it''s'", ",", '"q"', "FROM", "t"]
    with pytest.raises(GateError):
        tokenize("SELECT /*!1*/")
