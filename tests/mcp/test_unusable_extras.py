"""Inputs beside the main one that the tool could not use are errors, not a quiet "not used" / "no
index to recommend" (issue 19): a hypothetical index HypoPG cannot create (garbage, unknown table,
misspelled column) given to explain_query, and a recommend_indexes workload whose every query fails to
plan (a misspelled table) — over stdio; the next call still works and no hypothetical index is left."""

import sys

import psycopg
import pytest
from mcp import Client, StdioServerParameters
from tests.serving import server_env

pytestmark = pytest.mark.anyio


def _env(dsn: str) -> dict:
    return server_env(dsn)


async def test_unusable_hypothetical_indexes_and_workloads_are_errors(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=120) as client:
        sql = "SELECT * FROM users WHERE email = 'a'"
        for index, said in [("garbage(((", "syntax error"), ("CREATE INDEX ON usres (email)", '"usres" does not exist'),
                            ("CREATE INDEX ON users (emial)", '"emial" does not exist'),
                            ("CREATE INDEX ON users (\x1b[31memail\x1b[0m)" + "x" * 100_000, "")]:
            res = await client.call_tool("explain_query", {"sql": sql, "hypothetical_indexes": [index]})
            text = res.content[0].text
            assert res.is_error, (index[:50], text[:400])
            assert "could not be created" in text and said in text and "NOT used" not in text, text
            assert "\x1b" not in text and len(text) < 2_500, len(text)
        res = await client.call_tool("explain_query", {"sql": sql, "hypothetical_indexes": ["CREATE INDEX ON users (lower(email))"]})
        assert not res.is_error, res.content[0].text

        res = await client.call_tool("recommend_indexes", {"queries": ["SELECT * FROM usres WHERE email = 'a'"]})
        text = res.content[0].text
        assert res.is_error and "could be used" in text and '"usres" does not exist' in text, text
        assert "No index to recommend" not in text
        # one usable query among them is an answer that names the one skipped
        res = await client.call_tool("recommend_indexes", {"queries": ["SELECT * FROM usres", "SELECT * FROM comments WHERE post_id = 3"]})
        assert not res.is_error and "skipped q1" in res.content[0].text

        ok = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM hypopg_list_indexes"})
        assert not ok.is_error and ok.structured_content["rows"] == [[0]]
    with psycopg.connect(blog_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'").fetchone() == (0,)
