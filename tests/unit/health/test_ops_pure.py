"""The pure parts of the operations tools: credential-like names and hash-like values, the health check
selection, top_queries' ranking and next steps, the text renderings."""

import pytest

from dbarchitect.core.health.review import CHECKS, select_checks
from dbarchitect.core.render import render
from dbarchitect.core.security.facts import is_sensitive_name, looks_hashed
from dbarchitect.core.security.rls import tenant_policy_sql
from dbarchitect.core.top_queries import StatementRow, TopQueries, rank


@pytest.mark.parametrize("name", ["password", "passwd", "pwd", "api_key", "apikey", "secret", "refresh_token",
                                  "card_number", "credit_card", "ssn", "national_id", "tax_id", "iban"])
def test_credential_like_names(name):
    assert is_sensitive_name(name)


@pytest.mark.parametrize("name", ["password_hash", "password_digest", "token_expires_at", "user_id", "email",
                                  "encrypted_api_key", "card_last4", "tokens_count", "passport_type"])
def test_names_that_say_hash_or_are_not_secrets(name):
    assert not is_sensitive_name(name)


@pytest.mark.parametrize("value", [
    "$2b$12$" + "a" * 53, "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "5f4dcc3b5aa765d61d8327deb882cf99",
    "SCRAM-SHA-256$4096:c2FsdA==$a:b", "$6$salt$" + "x" * 86, "pbkdf2_sha256$260000$salt$hash",
    "wcBMA0Xx2+aA9vS1AQf/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",
])
def test_hash_like_values(value):
    assert looks_hashed(value)


@pytest.mark.parametrize("value", ["hunter2", "correct horse battery staple", "4111 1111 1111 1111", "123-45-6789"])
def test_plain_values(value):
    assert not looks_hashed(value)


def test_check_selection():
    assert select_checks(None) == list(CHECKS)
    assert select_checks(["config", "sequences"]) == ["sequences", "config"]
    with pytest.raises(ValueError, match="Unknown check"):
        select_checks(["disk"])


def test_tenant_policy_quotes_and_casts():
    sql = tenant_policy_sql("public", "order", "tenant_id", "uuid")
    assert 'ON public."order"' in sql and "current_setting('app.tenant_id', true)::uuid" in sql and "WITH CHECK" in sql


ROWS = [
    StatementRow(query="SELECT * FROM big WHERE x = $1", calls=10, total_ms=900, mean_ms=90, rows=10,
                 shared_hit=50_000, shared_read=50_000),
    StatementRow(query="SELECT 1", calls=100_000, total_ms=50, mean_ms=0.0005, rows=100_000, shared_hit=0),
    StatementRow(query="SELECT * FROM t ORDER BY md5(x)", calls=2, total_ms=40, mean_ms=20, rows=2, temp_written=900),
    StatementRow(query="UPDATE t SET x = $1 WHERE id = $2", calls=5, total_ms=10, mean_ms=2, rows=5),
]


def test_rank_orders_and_advises():
    by_total = rank(ROWS, "total", 10)
    assert [q.query for q in by_total][:2] == [ROWS[0].query, ROWS[1].query]
    assert abs(sum(q.share for q in by_total) - 100) < 0.1
    assert "recommend_indexes" in by_total[0].next_step and by_total[0].hit_ratio == 0.5
    assert rank(ROWS, "calls", 1)[0].query == "SELECT 1"
    temp = rank(ROWS, "temp", 10)
    assert [q.query for q in temp] == [ROWS[2].query] and "work_mem" in temp[0].next_step
    assert "A write" in rank(ROWS, "mean", 10)[-1].next_step or any("A write" in q.next_step for q in rank(ROWS, "mean", 10))
    assert rank(ROWS, "n_plus_one", 10) == []


def test_renderings():
    text = render(TopQueries(available=False, enable="CREATE EXTENSION pg_stat_statements;"))
    assert "not available" in text and "CREATE EXTENSION" in text
    text = render(TopQueries(available=True, queries=rank(ROWS, "total", 2), statements=4, total_ms=1000))
    assert text.startswith("Top 2 of 4 statements by total") and "next:" in text
