"""`dbarchitect serve --http … --workers N` (server/http.py, issue 19): N forked server processes, one
SO_REUSEPORT socket each, under a supervisor. Every process answers; a call's progress and its
cancellation (the client disconnects) stay in the process serving it; a worker that dies is replaced;
SIGTERM stops them all; a port in use is an error before anything starts."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import anyio
import httpx2 as httpx
import psycopg
import pytest

from dbarchitect.live.postgres.cluster import free_port
from tests.serving import server_env

pytestmark = pytest.mark.anyio

TOKEN = "sesame"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream",
           "Content-Type": "application/json", "MCP-Protocol-Version": "2025-06-18"}  # fmt: skip


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def http_workers(pid: int) -> list[int]:
    """The supervisor's HTTP worker processes (not the worker processes a heavy call may start)."""
    out = []
    for kid in children(pid):
        try:
            with open(f"/proc/{kid}/cmdline", "rb") as f:
                if b"dbarchitect" in f.read():
                    out.append(kid)
        except FileNotFoundError:
            pass
    return out


def established_to(pid: int, port: int) -> int:
    """TCP connections accepted on `port` that process `pid` holds open (its fds ∩ /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    with open(f"/proc/{pid}/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            local_port, state, inode = int(parts[1].split(":")[1], 16), parts[3], parts[9]
            if local_port == port and state == "01" and inode in inodes:  # 01: ESTABLISHED
                count += 1
    return count


def wait_up(url: str, proc: subprocess.Popen, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            httpx.get(url, timeout=1)
            if len(http_workers(proc.pid)) == workers:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not start")


@pytest.fixture
def served(blog_dsn):
    env = server_env(blog_dsn, drop=("DBARCHITECT_DB_", "PG"))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbarchitect", "serve", "--http", f"127.0.0.1:{port}", "--token", TOKEN, "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_up(url, proc, 2)
        yield proc, url, port
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()


def call(n: int, tool: str, arguments: dict, meta: dict | None = None) -> dict:
    params = {"name": tool, "arguments": arguments} | ({"_meta": meta} if meta else {})
    return {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}


def post(url: str, body: dict) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body), headers=HEADERS, timeout=60)


async def answers_on_many_connections(url: str, port: int, workers: list[int], n: int) -> tuple[list[int], list[int]]:
    """n clients, each on its own kept-alive connection: their answers, and how many of the connections
    each of `workers` holds (counted while all are still open)."""
    got: list[int] = []
    clients = [httpx.AsyncClient(timeout=60) for _ in range(n)]
    try:
        async def one(i: int) -> None:
            r = await clients[i].post(url, content=json.dumps(call(i, "run_query", {"sql": f"SELECT {i} AS i"})),
                                      headers=HEADERS)  # fmt: skip
            assert r.json()["id"] == i
            got.append(r.json()["result"]["structuredContent"]["rows"][0][0])

        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
        return got, [established_to(pid, port) for pid in workers]
    finally:
        for c in clients:
            await c.aclose()


async def test_every_worker_process_answers(served):
    proc, url, port = served
    workers = http_workers(proc.pid)
    assert len(workers) == 2 and proc.pid not in workers
    got, counts = await answers_on_many_connections(url, port, workers, 40)
    assert sorted(got) == list(range(40))
    # the kernel spread the 40 connections over both processes (all on one: chance 2 in 2^40)
    assert all(c > 0 for c in counts) and sum(counts) == 40, counts

    # progress still streams from the process serving the call
    args = {"sql": "SELECT count(*), pg_sleep(1.2) FROM posts", "analyze": True}
    r = post(url, call(9, "explain_query", args, meta={"progressToken": "tok"}))
    assert r.headers["content-type"].startswith("text/event-stream")
    msgs = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:")]
    assert any(m.get("method") == "notifications/progress" for m in msgs) and msgs[-1]["id"] == 9


async def test_a_disconnect_cancels_the_statement_in_whichever_worker_serves_it(served, blog_dsn):
    proc, url, port = served

    def sleeping(mark: str) -> list:
        with psycopg.connect(blog_dsn, autocommit=True) as conn:
            return conn.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s "
                                "AND pid <> pg_backend_pid()", (f"%{mark}%",)).fetchall()  # fmt: skip

    head = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
    for n in range(4):  # several connections: both processes get some (the kernel picks)
        mark = f"pg_sleep(31.{n})"
        body = json.dumps(call(n, "run_query", {"sql": f"SELECT {mark}"})).encode()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        t0 = time.monotonic()
        while not sleeping(mark):
            assert time.monotonic() - t0 < 30, "the statement never started"
            await anyio.sleep(0.05)
        sock.close()
        t1 = time.monotonic()
        while sleeping(mark):
            assert time.monotonic() - t1 < 3, "the statement ran on after the client disconnected"
            await anyio.sleep(0.05)
    assert post(url, call(9, "run_query", {"sql": "SELECT 2 AS two"})).json()["result"]["structuredContent"]["rows"] == [[2]]


async def test_a_dead_worker_is_replaced_and_sigterm_stops_all(served):
    from dbarchitect.server.http import RESTART_MIN_UPTIME_S

    proc, url, port = served
    before = http_workers(proc.pid)
    await anyio.sleep(RESTART_MIN_UPTIME_S + 0.5)  # past the startup window: a crash, not a startup failure
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not (len(now := http_workers(proc.pid)) == 2 and before[0] not in now):
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        await anyio.sleep(0.1)
    got, counts = await answers_on_many_connections(url, port, now, 20)
    assert sorted(got) == list(range(20)) and all(c > 0 for c in counts), counts  # the new process answers too

    proc.terminate()
    assert proc.wait(timeout=40) == 0
    for pid in now:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"


def test_a_port_in_use_is_an_error_before_any_worker_starts(blog_dsn):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBARCHITECT_DB_", "PG"))}
        env["DATABASE_URL"] = blog_dsn
        r = subprocess.run([sys.executable, "-m", "dbarchitect", "serve", "--http", f"127.0.0.1:{port}", "--workers", "2"],
                           env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert r.returncode != 0 and "in use" in r.stderr, r.stderr[-500:]
    r = subprocess.run([sys.executable, "-m", "dbarchitect", "serve", "--workers", "2"], env=env, capture_output=True,
                       text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2 and "--http only" in r.stderr
