"""The fault suite over stdio with the official client (issue 19): for EVERY tool in tools/list, on
PostgreSQL and MariaDB, garbage / empty / 2 MB / NUL / ANSI / unicode text in every string argument,
wrong types, out-of-range numbers, garbage cursors and misspelled names. Each answer is checked:

- an error (isError) whenever the main input could not be read — never "no findings" for garbage;
- error text bounded (≤ 2,500 characters, no run of more than ~260 characters of the input), no
  terminal escapes; an answer within the whole-response budget;
- the next call works, and afterwards nothing is left running (pg_stat_activity / PROCESSLIST) or
  behind (shadow databases).
Every failure is collected and reported together (tool, argument, input → what came back)."""

import json
import re
import sys

import psycopg
import pytest
from mcp import Client, StdioServerParameters

from dbarchitect.server.budget import budget_chars
from tests.serving import server_env

pytestmark = pytest.mark.anyio

SELECT = "SELECT * FROM users WHERE email = 'a'"
DDL = "CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL);"
PLAN = '[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "users", "Total Cost": 10.5, "Plan Rows": 100}}]'

# the smallest call each tool answers, and its main input (the argument whose garbage must be an error)
BASE = {
    "describe_schema": ({}, "table"),
    "run_query": ({"sql": "SELECT 1"}, "sql"),
    "review_schema": ({}, "ddl"),
    "design_schema": ({"spec": {"entities": [{"name": "things"}]}, "verify": False}, "spec"),
    "review_query": ({"sql": SELECT}, "sql"),
    "rewrite_query": ({"sql": SELECT, "verify": False}, "sql"),
    "explain_query": ({"sql": SELECT}, "sql"),
    "explain_plan": ({"plan": PLAN}, "plan"),
    "recommend_indexes": ({"queries": [SELECT]}, "queries"),
    "review_indexes": ({}, None),
    "lint_migration": ({"sql": "CREATE INDEX ON users (email);"}, "sql"),
    "dry_run_migration": ({"sql": "CREATE INDEX ON users (email);"}, "sql"),
    "draft_migration": ({"target_ddl": DDL, "verify": False}, "target_ddl"),
    "review_health": ({}, None),
    "review_security": ({}, None),
    "top_queries": ({}, None),
}
HUGE = "x" * 2_000_000
TEXTS = {
    "empty": "",
    "garbage": "SELEC FROM WHERE ((( \x1b[31mred\x1b[0m",
    "nul": "SELECT 1;\x00 SELECT 2",
    "unicode": "SELECT * FROM 用户表 WHERE naïve = '✓' -- 🚀",
}
# text arguments that name something: a misspelling is an error (with a suggestion where there is one)
NAMES = {"table": "usres", "schema": "pubilc", "connection": "nosuchdb", "validate_connection": "nosuchdb",
         "cursor": "garbage-cursor", "rules": "no-such-rule"}  # fmt: skip
# values an argument may leave empty with a documented meaning (schema "" = every schema, ...)
EMPTY_OK = {"table", "schema", "pattern", "rules", "down_sql", "from_ddl", "sql"}
INPUT_RUN = re.compile(r"([^\s])\1{260,}")


def _env(url: str) -> dict:
    return server_env(url, DBARCHITECT_EMBEDDED_SCRATCH="0")


def _size(res) -> int:
    return sum(len(c.text) for c in res.content if hasattr(c, "text")) + len(json.dumps(res.structured_content or {}))


def _cases(tool: str, schema: dict):
    """(label, arguments, must_fail) for one tool."""
    base, main = BASE[tool]
    props = schema["properties"]
    for name, prop in props.items():
        types = prop.get("type") or []
        types = [types] if isinstance(types, str) else types
        if "enum" in prop:
            yield f"{name}=bogus enum", base | {name: "bogus"}, True
            continue
        if "string" in types or name in ("plan", "spec"):
            for label, text in TEXTS.items():
                if label == "nul":
                    must = True
                elif name == main:
                    must = label in ("garbage", "empty") and not (label == "empty" and name in EMPTY_OK and tool != "run_query")
                else:
                    must = label == "garbage" and name in NAMES
                if tool == "describe_schema" and name == "pattern":
                    must = label == "nul"
                yield f"{name}={label}", base | {name: text}, must
            if name == main:
                yield f"{name}=2MB", base | {name: HUGE}, True
            if name in NAMES:
                yield f"{name}={NAMES[name]}", base | {name: NAMES[name]}, True
            yield f"{name}=wrong type", base | {name: 12345 if name != "plan" else True}, True
        if "integer" in types or "number" in types:
            for value in (-1, 10**15, "many"):
                # a huge limit/page is clamped (an answer); negative and non-numbers are errors
                yield f"{name}={value}", base | {name: value}, value != 10**15
        if "array" in types:
            yield f"{name}=[]", base | {name: []}, name == main
            yield f"{name}=[garbage]", base | {name: [TEXTS["garbage"]]}, name in (main, "hypothetical_indexes")
            yield f"{name}=wrong type", base | {name: "not a list" if name != "queries" else 7}, True
        if "object" in types:
            yield f"{name}=wrong type", base | {name: ["a"]}, True
    yield "unknown argument", base | {"limt": 3}, True


async def _run_suite(url: str, engine: str) -> list[str]:
    failures: list[str] = []
    budget = budget_chars(60_000) + 2_000  # the JSON framing of the structured part
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(url))
    async with Client(params, read_timeout_seconds=180) as client:
        tools = {t.name: t.input_schema for t in (await client.list_tools()).tools}
        assert set(tools) == set(BASE), set(tools) ^ set(BASE)
        for tool, schema in tools.items():
            for label, args, must_fail in _cases(tool, schema):
                res = await client.call_tool(tool, args)
                text = " ".join(c.text for c in res.content if hasattr(c, "text"))
                where = f"{engine} {tool}({label})"
                if must_fail and not res.is_error:
                    failures.append(f"{where}: answered without isError: {text[:200]!r}")
                if "\x1b" in text:
                    failures.append(f"{where}: terminal escapes in the text: {text[:200]!r}")
                if res.is_error and (len(text) > 2_500 or INPUT_RUN.search(text)):
                    failures.append(f"{where}: error of {len(text)} characters quotes too much input: {text[:200]!r}")
                if not res.is_error and _size(res) > budget:
                    failures.append(f"{where}: {_size(res)} characters, over the response budget {budget}")
                if res.is_error and ("Traceback" in text or "failed: " in text and "Error:" in text):
                    failures.append(f"{where}: a crash, not an actionable error: {text[:300]!r}")
            ok = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
            if ok.is_error or ok.structured_content["rows"] != [[1]]:
                failures.append(f"{engine}: the call after {tool}'s faults failed: {ok.content[0].text[:200]!r}")
    return failures


async def test_every_tool_on_postgresql(pg, blog_dsn):
    failures = await _run_suite(blog_dsn, "postgresql")
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        running = conn.execute("SELECT datname, left(query, 80) FROM pg_stat_activity WHERE state = 'active' "
                               "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchall()  # fmt: skip
        shadows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'dbarchitect%' AND datname <> 'dbarchitect_template'").fetchall()
    assert failures == [], "\n".join(failures)
    assert running == [] and shadows == [], (running, shadows)


async def test_every_tool_on_mariadb(mysql):
    url = mysql.create_db("CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL);\n"
                          "CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL, title varchar(200));")
    failures = await _run_suite(url, "mariadb")
    with mysql.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT id, LEFT(info, 80) FROM information_schema.PROCESSLIST WHERE command = 'Query' "
                    "AND id <> CONNECTION_ID()")  # fmt: skip
        running = cur.fetchall()
        cur.execute("SELECT schema_name FROM information_schema.SCHEMATA WHERE schema_name LIKE 'dbarchitect%'")
        shadows = cur.fetchall()
    assert failures == [], "\n".join(failures)
    assert not running and not shadows, (running, shadows)
