import datetime as dt
import decimal
import ipaddress
import uuid

from dbarchitect.config import load_settings
from dbarchitect.core.dsn import describe_dsn, parse_dsn, redact
from dbarchitect.core.results import json_safe

SECRET = "s3cr3t-P@ss"


def test_parse_url_and_keyvalue():
    assert parse_dsn("postgresql://bob:pw%40x@db.example.com:6543/app?sslmode=require") == {
        "host": "db.example.com", "port": "6543", "user": "bob", "password": "pw@x", "dbname": "app",
        "sslmode": "require",
    }  # fmt: skip
    assert parse_dsn("host=h port=5 dbname=d user=u password='a b\\'c'")["password"] == "a b'c"


def test_describe_never_shows_the_password():
    for dsn in (f"postgresql://bob:{SECRET}@h:5432/app", f"host=h dbname=app user=bob password={SECRET}"):
        text = describe_dsn(dsn)
        assert SECRET not in text and "app" in text and "bob" in text


def test_redact_known_secret_url_and_pairs():
    text = f"failed for postgresql://bob:{SECRET}@h/app and password={SECRET} and {SECRET}"
    out = redact(text, [SECRET])
    assert SECRET not in out
    assert redact("password='x y' host=h") == "password=*** host=h"


def test_settings_named_connections_and_secrets(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    s = load_settings(
        {"DATABASE_URL": f"postgresql://u:{SECRET}@h/db", "DBARCHITECT_DB_ANALYTICS": "host=a dbname=x"},
        max_rows=10,
        statement_timeout_ms=None,
    )
    assert set(s.connections) == {"default", "analytics"}
    assert s.limits.max_rows == 10 and s.limits.statement_timeout_ms == 15_000
    assert s.secrets() == [SECRET]
    assert load_settings({}).connections == {"default": ""}  # libpq defaults (PG* env, service, .pgpass)


def test_json_safe_values():
    cases = [
        (decimal.Decimal("12.50"), 12.5),
        (decimal.Decimal("10"), 10),
        (decimal.Decimal("3.141592653589793238462643"), "3.141592653589793238462643"),
        (decimal.Decimal("NaN"), "NaN"),
        (float("inf"), "inf"),
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), "2024-01-02T03:04:05+00:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.timedelta(days=1, hours=2, seconds=3.5), "P1DT2H3.5S"),
        (b"\x00\xff", "\\x00ff"),
        (memoryview(b"ab"), "\\x6162"),
        ([1, None, decimal.Decimal("2.5")], [1, None, 2.5]),
        ({"a": [dt.date(2020, 1, 1)]}, {"a": ["2020-01-01"]}),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (ipaddress.ip_network("10.0.0.0/8"), "10.0.0.0/8"),
    ]
    for value, expected in cases:
        assert json_safe(value, 1000) == (expected, False), value


def test_long_cells_are_shortened():
    value, shortened = json_safe("x" * 5000, 100)
    assert shortened and value.startswith("x" * 100) and "4900 more chars" in value
    value, shortened = json_safe({"k": "y" * 500}, 50)
    assert shortened and isinstance(value, str)
