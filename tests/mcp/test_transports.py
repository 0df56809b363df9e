"""`dbarchitect serve` as a real process: stdio, and streamable HTTP with a bearer token."""

import subprocess
import sys

import httpx2 as httpx
import pytest
from mcp import Client, StdioServerParameters

from tests.serving import http_server as serve_http
from tests.serving import server_env

pytestmark = pytest.mark.anyio


def _env(dsn: str) -> dict:
    return server_env(dsn, drop=("DBARCHITECT_DB_", "PG"))


async def test_stdio(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=60) as client:
        res = await client.call_tool("run_query", {"sql": "SELECT count(*) FROM tags"})
        assert res.structured_content["rows"] == [[50]]


def test_non_loopback_http_needs_a_token(blog_dsn):
    proc = subprocess.run(
        [sys.executable, "-m", "dbarchitect", "serve", "--http", "0.0.0.0:0"],
        capture_output=True, text=True, env=_env(blog_dsn), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2 and "needs a bearer token" in proc.stderr


@pytest.fixture
def http_server(blog_dsn):
    with serve_http(_env(blog_dsn), "--token", "sesame", stderr=subprocess.PIPE) as (url, _proc):
        yield url


async def test_http_with_token(http_server):
    resp = httpx.post(http_server, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, timeout=5)
    assert resp.status_code == 401
    client_http = httpx.AsyncClient(headers={"Authorization": "Bearer sesame"}, timeout=30)
    from mcp.client.streamable_http import streamable_http_client

    async with client_http:
        async with Client(streamable_http_client(http_server, http_client=client_http)) as client:
            res = await client.call_tool("describe_schema", {"table": "tags"})
            assert not res.is_error and res.structured_content["detail"]["table"]["name"] == "tags"
