"""`dbarchitect serve --http` answers single JSON-RPC request POSTs itself (server/http.py, issue 19):
JSON when the call sent no notification, SSE once it sends progress; a client that disconnects
cancels its call on PostgreSQL; everything else keeps the SDK's answers."""

import json
import socket
import time

import anyio
import httpx2 as httpx
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.serving import http_server, server_env

pytestmark = pytest.mark.anyio

TOKEN = "sesame"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream",
           "Content-Type": "application/json", "MCP-Protocol-Version": "2025-06-18"}  # fmt: skip


@pytest.fixture
def server_url(blog_dsn):
    with http_server(server_env(blog_dsn, drop=("DBARCHITECT_DB_", "PG")), "--token", TOKEN) as (url, _proc):
        yield url


def post(url: str, body, headers: dict | None = None) -> httpx.Response:
    content = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return httpx.post(url, content=content, headers=headers or HEADERS, timeout=60)


def call(n: int, tool: str, arguments: dict, meta: dict | None = None) -> dict:
    params = {"name": tool, "arguments": arguments} | ({"_meta": meta} if meta else {})
    return {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}


def events(resp: httpx.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in resp.text.splitlines() if line.startswith("data:")]


def test_cheap_calls_are_answered_as_json(server_url):
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    r = post(server_url, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["result"]["protocolVersion"] == "2025-06-18" and "mcp-session-id" not in r.headers

    r = post(server_url, call(1, "run_query", {"sql": "SELECT 41 + 1 AS answer"}))
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    msg = r.json()
    assert msg["id"] == 1 and not msg["result"]["isError"]
    assert msg["result"]["structuredContent"]["rows"] == [[42]] and "42" in msg["result"]["content"][0]["text"]

    r = post(server_url, call("two", "describe_schema", {"table": "tags"}))
    assert r.json()["id"] == "two" and r.json()["result"]["structuredContent"]["detail"]["table"]["name"] == "tags"

    r = post(server_url, {"jsonrpc": "2.0", "id": 3, "method": "ping"})
    assert r.json() == {"jsonrpc": "2.0", "id": 3, "result": {}}

    # a tool error is a result with isError, a write refused; the server answers the next call
    r = post(server_url, call(4, "run_query", {"sql": "DELETE FROM tags"}))
    assert r.json()["result"]["isError"] and "Refused" in r.json()["result"]["content"][0]["text"]
    # arguments that fail the schema, an unknown method: JSON-RPC errors or isError, never a crash
    r = post(server_url, call(5, "run_query", {"sql": 12}))
    assert r.status_code == 200 and ("error" in r.json() or r.json()["result"]["isError"])
    r = post(server_url, {"jsonrpc": "2.0", "id": 6, "method": "no/such"})
    assert r.json()["error"]["code"] == -32601
    r = post(server_url, call(7, "no_such_tool", {}))
    assert "error" in r.json() or r.json()["result"]["isError"]
    tools = post(server_url, {"jsonrpc": "2.0", "id": 8, "method": "tools/list"}).json()["result"]["tools"]
    assert "run_query" in {t["name"] for t in tools}


def test_what_the_fast_path_does_not_take_keeps_the_sdk_answers(server_url):
    # a notification: 202, no body
    r = post(server_url, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert r.status_code == 202
    # malformed JSON: the SDK's parse error
    r = post(server_url, "{not json")
    assert r.status_code == 400 and r.json()["error"]["code"] == -32700
    # a client that does not accept SSE: the SDK's 406
    r = post(server_url, call(1, "run_query", {"sql": "SELECT 1"}), HEADERS | {"Accept": "application/json"})
    assert r.status_code == 406
    # no token: 401 before anything else
    r = post(server_url, call(1, "run_query", {"sql": "SELECT 1"}), {k: v for k, v in HEADERS.items() if k != "Authorization"})
    assert r.status_code == 401
    # a foreign Host header (DNS rebinding protection on loopback): refused as the SDK refuses it
    r = post(server_url, call(1, "run_query", {"sql": "SELECT 1"}), HEADERS | {"Host": "evil.example:80"})
    assert r.status_code == 421
    # and the server still answers
    assert post(server_url, call(2, "run_query", {"sql": "SELECT 1"})).json()["result"]["structuredContent"]["rows"] == [[1]]


def test_progress_turns_the_answer_into_an_sse_stream(server_url):
    args = {"sql": "SELECT count(*), pg_sleep(1.5) FROM posts", "analyze": True}
    r = post(server_url, call(9, "explain_query", args, meta={"progressToken": "tok"}))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    msgs = events(r)
    progress = [m["params"] for m in msgs if m.get("method") == "notifications/progress"]
    assert len(progress) >= 2 and {p["progressToken"] for p in progress} == {"tok"}
    assert [p["progress"] for p in progress] == sorted(p["progress"] for p in progress)
    assert msgs[-1]["id"] == 9 and not msgs[-1]["result"]["isError"]
    # without a progress token the same call is one JSON answer
    r = post(server_url, call(10, "explain_query", {"sql": "SELECT 1", "analyze": True}))
    assert r.headers["content-type"] == "application/json" and not r.json()["result"]["isError"]


async def test_the_official_client_over_legacy_http_gets_progress(server_url):
    seen: list[float] = []

    async def on_progress(done, total, message):
        seen.append(done)

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
        async with Client(streamable_http_client(server_url, http_client=http), mode="legacy") as client:
            res = await client.call_tool("run_query", {"sql": "SELECT 1 AS one"})
            assert res.structured_content["rows"] == [[1]]
            args = {"sql": "SELECT count(*), pg_sleep(1.5) FROM posts", "analyze": True}
            res = await client.call_tool("explain_query", args, progress_callback=on_progress)
            assert not res.is_error and len(seen) >= 2 and seen[-1] == 100


async def test_a_client_that_disconnects_cancels_its_statement(server_url, blog_dsn):
    mark = "pg_sleep(31)"

    def sleeping() -> list:
        with psycopg.connect(blog_dsn, autocommit=True) as conn:
            return conn.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s "
                                "AND pid <> pg_backend_pid()", (f"%{mark}%",)).fetchall()  # fmt: skip

    host, port = server_url.split("//")[1].split("/")[0].split(":")
    body = json.dumps(call(1, "run_query", {"sql": f"SELECT {mark}"})).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"POST /mcp HTTP/1.1\r\nHost: {host}:{port}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    t0 = time.monotonic()
    while not sleeping():
        assert time.monotonic() - t0 < 30, "the statement never started"
        await anyio.sleep(0.05)
    sock.close()
    t1 = time.monotonic()
    while sleeping():
        assert time.monotonic() - t1 < 3, "the statement ran on after the client disconnected"
        await anyio.sleep(0.05)
    r = post(server_url, call(2, "run_query", {"sql": "SELECT 2 AS two"}))
    assert r.json()["result"]["structuredContent"]["rows"] == [[2]]
