"""Real clients (issue 21): the official MCP Inspector CLI over stdio and over streamable HTTP (a
loopback server without a token, and one behind a bearer token), and the Python client over stdio.

The Inspector comes from the npm registry, pinned, installed once into a cache folder of the
project's own ($DBARCHITECT_INSPECTOR_DIR, default ~/.cache/dbarchitect/inspector-<version>); the
tests run when `npm` and `node` are present and skip otherwise. The first install takes ≈ 25 s;
each Inspector run that starts the server over stdio takes a few seconds (Python start-up).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from dbarchitect.live.postgres.cluster import free_port
from dbarchitect.tools import TOOLS

INSPECTOR_VERSION = "2.12.0"
PROJECT = Path(__file__).resolve().parents[2]


def _server_env(dsn: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBARCHITECT_DB_", "PG"))}
    env["DATABASE_URL"] = dsn
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def inspector() -> Path:
    """The Inspector CLI's executable, installed into the cache folder on first use."""
    if not (shutil.which("npm") and shutil.which("node")):
        pytest.skip("npm/node not installed: the MCP Inspector test needs them")
    default = Path.home() / ".cache" / "dbarchitect" / f"inspector-{INSPECTOR_VERSION}"
    folder = Path(os.environ.get("DBARCHITECT_INSPECTOR_DIR") or default)
    exe = folder / "node_modules" / ".bin" / "mcp-inspector"
    if not exe.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel=error",
             f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}"],
            check=True, timeout=600, capture_output=True,
        )  # fmt: skip
    return exe


def run_inspector(exe: Path, target: list[str], *args: str, env: dict | None = None, ok: bool = True) -> dict:
    """One Inspector CLI call; its JSON envelope ({"result": …} or {"error": …})."""
    cmd = [str(exe), "--cli", "--format", "json", "-q", *args]
    for key, value in (env or {}).items():
        cmd += ["-e", f"{key}={value}"]
    # the target goes last, after "--", so the server's own options are not read as the Inspector's
    proc = subprocess.run([*cmd, "--", *target], capture_output=True, text=True, timeout=180, cwd=PROJECT)
    out = (proc.stdout or proc.stderr).strip()
    assert out, f"no output (exit {proc.returncode}): {proc.stderr[-2000:]}"
    envelope = json.loads(out.splitlines()[-1]) if not out.startswith("{") else json.loads(out)
    assert (proc.returncode == 0) is ok, (proc.returncode, out[-2000:])
    return envelope


def stdio_target() -> list[str]:
    return [sys.executable, "-m", "dbarchitect", "serve"]


def test_inspector_over_stdio(inspector, blog_dsn):
    env = _server_env(blog_dsn)
    server_env = {k: env[k] for k in ("DATABASE_URL", "PYTHONPATH")}

    listed = run_inspector(inspector, stdio_target(), "--method", "tools/list", env=server_env)["result"]
    tools = {t["name"]: t for t in listed["tools"]}
    assert set(tools) == {t.name for t in TOOLS}
    assert all(t["outputSchema"]["type"] == "object" and t["annotations"] for t in tools.values())

    called = run_inspector(
        inspector, stdio_target(), "--method", "tools/call", "--tool-name", "run_query",
        "--tool-arg", "sql=SELECT count(*) AS n FROM tags", env=server_env,
    )["result"]  # fmt: skip
    assert not called.get("isError") and called["structuredContent"]["rows"] == [[50]]

    missing = run_inspector(
        inspector, stdio_target(), "--method", "resources/read", "--uri", "rules://nonexistent", env=server_env, ok=False
    )
    assert "No rule named 'nonexistent'" in json.dumps(missing)


@pytest.fixture
def loopback_http(blog_dsn):
    """`dbarchitect serve --http` on loopback without a token, and one with a token."""
    procs, urls = [], {}
    for label, extra in (("open", []), ("token", ["--token", "sesame"])):
        port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "dbarchitect", "serve", "--http", f"127.0.0.1:{port}", *extra],
            env=_server_env(blog_dsn), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT,
        ))  # fmt: skip
        urls[label] = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 60
    for url in urls.values():  # ready once the port accepts connections (a GET on /mcp may open a stream)
        port = int(url.split(":")[2].split("/")[0])
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
    yield urls
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def test_inspector_over_http(inspector, loopback_http):
    url = loopback_http["open"]
    got = run_inspector(inspector, [url], "--method", "tools/call", "--tool-name", "describe_schema",
                        "--tool-arg", "table=tags")["result"]  # fmt: skip
    assert got["structuredContent"]["detail"]["table"]["name"] == "tags"
    prompt = run_inspector(inspector, [url], "--method", "prompts/get", "--prompt-name", "migration-review",
                           "--prompt-args", "migration=DROP TABLE tags;")["result"]  # fmt: skip
    assert "lint_migration" in prompt["messages"][0]["content"]["text"]
    conns = run_inspector(inspector, [url], "--method", "resources/read", "--uri", "dbarchitect://connections")["result"]
    assert json.loads(conns["contents"][0]["text"])[0]["name"] == "default"

    secured = loopback_http["token"]
    refused = run_inspector(inspector, [secured], "--method", "tools/list", "--stored-auth-only", ok=False)
    assert refused["error"]["code"] == "auth_required", refused
    allowed = run_inspector(inspector, [secured], "--method", "tools/list", "--header", "Authorization: Bearer sesame")
    assert len(allowed["result"]["tools"]) == len(TOOLS)


@pytest.mark.anyio
async def test_python_client_over_stdio_sees_prompts_and_resources(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_server_env(blog_dsn))
    async with Client(params, read_timeout_seconds=60) as client:
        assert {p.name for p in (await client.list_prompts()).prompts} >= {"migration-review", "slow-query"}
        table = await client.read_resource("schema://default/posts")
        assert json.loads(table.contents[0].text)["detail"]["table"]["name"] == "posts"
        conns = await client.read_resource("dbarchitect://connections")
        assert [c["name"] for c in json.loads(conns.contents[0].text)] == ["default"]
