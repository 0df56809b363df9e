"""Every analysis tool answers over MCP on the sample blog: structured result, useful text, and
clear tool errors for bad input."""

import pathlib

import pytest
import yaml
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def server(pg, blog_dsn):
    settings = load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False)
    return build_server(settings)


async def call(client, tool, args):
    res = await client.call_tool(tool, args)
    assert not res.is_error, res.content[0].text
    return res.structured_content, res.content[0].text


async def test_review_schema_live_and_ddl(server):
    async with Client(server) as client:
        report, text = await call(client, "review_schema", {})
        rules = {(f["rule"], o) for f in report["findings"] for o in f["objects"]}
        assert any(r == "table-without-primary-key" and "audit_log" in (o or "") for r, o in rules), rules
        assert "Schema review of" in text and "fix:" in text
        # index findings are review_indexes': counted in a note, not repeated
        assert not any(r == "foreign-key-without-index" for r, _ in rules)
        assert any("SD002" in n and "review_indexes" in n for n in report["notes"]) and "review_indexes" in text
        assert len({f["code"] for f in report["findings"]}) == len(report["findings"])  # one finding per rule
        report, _ = await call(client, "review_schema", {"rules": "SD002"})
        assert [f["rule"] for f in report["findings"]] == ["foreign-key-without-index"]
        assert any("comments" in o for o in report["findings"][0]["objects"])

        report, _ = await call(client, "review_schema", {"ddl": "CREATE TABLE t (id serial PRIMARY KEY, at timestamp);"})
        assert report["source"] == "scratch"
        assert {f["code"] for f in report["findings"]} >= {"SD003"}  # timestamp without time zone

        res = await client.call_tool("review_schema", {"ddl": "CREATE TABLE t (id int REFERENCES nowhere(id));"})
        assert res.is_error and "The DDL does not run" in res.content[0].text and "nowhere" in res.content[0].text

        report, _ = await call(client, "review_schema", {"min_severity": "warning"})
        assert report["findings"] and all(f["severity"] in ("warning", "error") for f in report["findings"])


async def test_design_schema_verified(server):
    spec = yaml.safe_load((FIXTURES / "design" / "blog.yaml").read_text())
    async with Client(server) as client:
        design, text = await call(client, "design_schema", {"spec": spec})
        assert design["verified"] is True
        assert "CREATE TABLE" in design["up_sql"] and design["mermaid"].startswith("erDiagram")
        assert not [f for f in design["review"]["findings"] if f["severity"] in ("warning", "error")]
        res = await client.call_tool("design_schema", {"spec": {"entities": []}})
        assert res.is_error


async def test_lint_migration_uses_the_catalog(server):
    sql = "CREATE INDEX comments_post_idx ON comments (post_id);\nALTER TABLE posts ALTER COLUMN user_id TYPE bigint;"
    async with Client(server) as client:
        report, text = await call(client, "lint_migration", {"sql": sql})
        assert report["catalog"] is True and report["pg_version"] == 15
        codes = {f["rule"] for f in report["findings"]}
        assert "create-index-non-concurrently" in codes
        first = report["statements"][0]
        assert first["locks"] == {"public.comments": "ShareLock"}
        assert report["statements"][1]["rewrites"] == ["public.posts"]
        assert "CONCURRENTLY" in text
        offline, _ = await call(client, "lint_migration", {"sql": sql, "offline": True})
        assert offline["catalog"] is False


async def test_review_rewrite_and_n_plus_one(server):
    async with Client(server) as client:
        review, text = await call(client, "review_query", {"sql": "SELECT * FROM comments WHERE user_id NOT IN (SELECT id FROM users WHERE status = 'banned')"})
        assert review["catalog"] is True
        assert any(f["rule"].startswith("not-in") for f in review["findings"]), [f["rule"] for f in review["findings"]]

        mysql, _ = await call(client, "review_query", {"sql": "SELECT * FROM t ORDER BY RAND() LIMIT 1", "dialect": "mysql"})
        assert mysql["catalog"] is False and mysql["findings"]

        rw, text = await call(client, "rewrite_query", {"sql": "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u"})
        assert rw["rewrites"] and rw["rewrites"][0]["safety"] in ("verified", "unverified", "proven")

        res = await client.call_tool("rewrite_query", {"sql": "SELECT 1; SELECT 2"})
        assert res.is_error and "one statement" in res.content[0].text

        log = ["SELECT * FROM users WHERE status = 'active' LIMIT 3"] + [f"SELECT * FROM posts WHERE user_id = {i}" for i in (1, 2, 3)]
        n1, text = await call(client, "review_query", {"sql": ";\n".join(log)})
        assert n1["n_plus_one"] and n1["n_plus_one"][0]["table"].endswith("posts") and "QR031" in text


async def test_explain_query_and_explain_plan(server):
    sql = "SELECT c.body, u.username FROM comments c JOIN users u ON u.id = c.user_id WHERE c.post_id = $1 ORDER BY c.created_at"
    async with Client(server) as client:
        report, text = await call(client, "explain_query", {"sql": sql, "analyze": True})
        codes = {i["code"] for i in report["insights"]}
        assert "PL008" in codes, codes
        assert any(e["kind"] == "hypopg" for i in report["insights"] for e in i["evidence"])
        assert report["params"]
        res = await client.call_tool("explain_query", {"sql": "DELETE FROM posts WHERE id < 10", "analyze": True})
        assert res.is_error and "writes" in res.content[0].text.lower()
        plain, _ = await call(client, "run_query", {"sql": "EXPLAIN (FORMAT JSON) SELECT * FROM comments WHERE post_id = 7"})
        from_json, _ = await call(client, "explain_plan", {"plan": plain["rows"][0][0]})
        assert from_json["tree"]
        res = await client.call_tool("explain_plan", {"plan": "this is not a plan"})
        assert res.is_error and "could not be read" in res.content[0].text


async def test_dry_run_migration_with_progress(server, blog_dsn):
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done, total, message):
        progress.append((done, total, message))

    sql = "CREATE INDEX comments_post_idx ON comments (post_id);\nALTER TABLE posts ALTER COLUMN user_id TYPE bigint;"
    down = "DROP INDEX comments_post_idx;\nALTER TABLE posts ALTER COLUMN user_id TYPE integer;"
    async with Client(server) as client:
        res = await client.call_tool("dry_run_migration", {"sql": sql, "down_sql": down}, progress_callback=on_progress)
        assert not res.is_error, res.content[0].text
        report = res.structured_content
    first, second = report["statements"][0], report["statements"][1]
    assert first["status"] == "ok" and second["status"] == "ok"
    assert report["predicted"] and report["reversibility"]["reversible"] is True
    assert any("posts" in r["relation"] for r in second["rewritten"]), second
    assert progress and progress[-1][0] == progress[-1][1]  # reached the end
    assert not report["shadow"]["database"] in [r[0] for r in __import__("psycopg").connect(blog_dsn).execute("SELECT datname FROM pg_database").fetchall()]


async def test_draft_migration_from_ddl(server):
    before = "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);"
    after = ("CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n"
             "CREATE INDEX users_email_idx ON users (email);")  # fmt: skip
    async with Client(server) as client:
        report, text = await call(client, "draft_migration", {"target_ddl": after, "from_ddl": before})
        assert "CREATE INDEX CONCURRENTLY" in report["up_sql"] and "DROP INDEX" in report["down_sql"]
        assert report["verification"]["converged"] is True
        res = await client.call_tool("draft_migration", {"target_ddl": "CREATE TABLE t (id int REFERENCES nowhere);", "from_ddl": before})
        assert res.is_error and "nowhere" in res.content[0].text


WORKLOAD = [
    "SELECT id, title, created_at FROM posts WHERE user_id = 42 AND status = 'published' ORDER BY created_at DESC LIMIT 10",
    "SELECT * FROM comments WHERE post_id = 17 ORDER BY created_at",
    "SELECT * FROM users WHERE lower(email) = lower('User7@example.com')",
]


async def test_recommend_and_review_indexes(server, blog_dsn):
    progress = []

    async def on_progress(done, total, message):
        progress.append(done)

    async with Client(server) as client:
        res = await client.call_tool("recommend_indexes", {"queries": WORKLOAD}, progress_callback=on_progress)
        assert not res.is_error, res.content[0].text
        advice = res.structured_content
        assert advice["mode"] == "hypopg" and advice["recommendations"]
        ddl = " ".join(r["ddl"] for r in advice["recommendations"])
        assert "ON public.comments (post_id)" in ddl and "CONCURRENTLY" in ddl and "LOWER(email)" in ddl, ddl
        assert advice["workload_cost_after"] < advice["workload_cost_before"]
        assert "workload cost" in res.content[0].text and progress
        left = __import__("psycopg").connect(blog_dsn).execute("SELECT count(*) FROM hypopg_list_indexes").fetchone()
        assert left == (0,)

        res = await client.call_tool("recommend_indexes", {"queries": WORKLOAD, "validate": True})
        assert res.is_error and "validate_connection" in res.content[0].text

        review, text = await call(client, "review_indexes", {})
        rules = {f["rule"] for f in review["findings"]}
        assert "redundant-prefix-index" in rules or any("redundant" in r for r in rules), rules
        assert "Index review of" in text


async def test_health_security_and_top_queries(server):
    async with Client(server) as client:
        health, text = await call(client, "review_health", {})
        assert health["checks"][0] == "wraparound" and health["unchecked"] == [] and "fix:" in text
        res = await client.call_tool("review_health", {"checks": ["nonsense"]})
        assert res.is_error
        security, _ = await call(client, "review_security", {})
        assert {f["code"][:2] for f in security["findings"]} <= {"SC"} and security["rules_run"]
        top, _ = await call(client, "top_queries", {"order_by": "mean", "limit": 3})
        assert top["available"] is True and len(top["queries"]) <= 3
