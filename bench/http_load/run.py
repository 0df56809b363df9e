"""Benchmark: the HTTP server under load with one heavy call running (issue 19: 100 clients × 1,000
cheap calls, p99 < 200 ms, 0 errors).

Starts a throwaway local PostgreSQL 15 with the sample blog database and `dbarchitect serve --http` in
its own process; then C concurrent MCP clients make N calls each of a cheap tool, while one client runs
`review_query` of a ~2 MB statement (started first). Clients: `raw` (default) — hand-built HTTP/1.1 requests over
one keep-alive asyncio socket each, so the bench measures the server and not its own HTTP stack; `httpx` —
JSON-RPC POSTs over one httpx client each; `sdk` — the official MCP client, one session each.

Load-independent figures (the shared machine's wall clock swings 2x): the CPU time (utime + stime from
/proc/<pid>/stat, before and after each phase) of the server process, of the bench's own process (the
clients) and of PostgreSQL (postmaster and backends), each per cheap call. Prints JSON: per-call latency percentiles, errors, session connect times, the heavy
call's duration and whether it was still running while the cheap calls ran. The same load without the
heavy call (the anchor) runs first against the same server, and the ratios are printed: on a machine
shared with other work the anchor is what the heavy call's numbers mean anything against.
Usage: .venv/bin/python bench/http_load/run.py [--clients 100] [--calls 1000] [--tool run_query] [--client raw|httpx|sdk]
       [--repeat 3] [--profile FILE] [--workers N] [--probe] [--variant NAME=TREE[,ARG...] ...]
(--variant: several server variants alternated in one run, each on a fresh server, medians per variant;
--probe: the server's event-loop lag and GC pauses per phase, see probe.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

import anyio
import httpx2 as httpx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.embedded import load_sample

TOKEN = "bench"
CHEAP = {"run_query": {"sql": "SELECT 1"}, "describe_schema": {"table": "tags"}}
PROTOCOL = "2025-06-18"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int, children: bool = False) -> float:
    """utime + stime of process `pid` (all its threads) in seconds; with `children`, also the waited-for
    children's (cutime + cstime)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / CLK_TCK


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return kids


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = children_of(todo.pop())
        out += kids
        todo += kids
    return out


def is_offload_worker(pid: int) -> bool:
    """A worker process for heavy calls (anyio.to_process), not an HTTP server process."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"anyio" in f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False


class CpuMeter:
    """CPU seconds used by the server's processes (the HTTP process, or with --workers the supervisor and
    its HTTP worker processes), its worker processes for heavy calls, the bench process and PostgreSQL."""

    def __init__(self, server_pid: int, postmaster_pid: int | None):
        self.server_pid, self.postmaster_pid = server_pid, postmaster_pid

    def sample(self) -> dict[str, float]:
        procs = [self.server_pid, *descendants(self.server_pid)]
        offload = {p for p in procs if is_offload_worker(p)}
        out = {"server": sum(proc_cpu_s(p) for p in procs if p not in offload),
               "server_workers": sum(proc_cpu_s(p) for p in offload)
               + sum(proc_cpu_s(p, children=True) - proc_cpu_s(p) for p in procs)}  # + the exited ones
        t = os.times()
        out["bench"] = t.user + t.system
        if self.postmaster_pid:
            out["postgres"] = proc_cpu_s(self.postmaster_pid, children=True) + sum(
                proc_cpu_s(k) for k in children_of(self.postmaster_pid))
        return out

    @staticmethod
    def per_call(before: dict[str, float], after: dict[str, float], calls: int) -> dict[str, float]:
        return {k: round((after[k] - before[k]) * 1000 / calls, 3) for k in before if calls}


def postmaster_pid(cluster: LocalCluster) -> int | None:
    try:
        return int((cluster.data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


class RawClient:
    """One MCP client as bytes on one keep-alive HTTP/1.1 connection: hand-built POSTs, the answer read
    from a JSON body or an SSE stream (Content-Length or chunked)."""

    def __init__(self, host: str, port: int, path: str):
        self.host, self.port, self.path = host, port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
                     f"Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
                     f"MCP-Protocol-Version: {PROTOCOL}\r\n")

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    async def rpc(self, n: int, method: str, params: dict) -> dict:
        body = json.dumps({"jsonrpc": "2.0", "id": n, "method": method, "params": params}).encode()
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            payload = b"".join(parts)
        else:
            raise RuntimeError(f"HTTP {status}: neither Content-Length nor chunked")
        if status >= 400:
            raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
        if headers.get("content-type", "").startswith("application/json"):
            return json.loads(payload)
        for line in payload.splitlines():
            if line.startswith(b"data:"):
                msg = json.loads(line[5:])
                if msg.get("id") == n:
                    return msg
        raise RuntimeError(f"no answer to request {n} in the stream")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000, 1) if values else 0.0


def start_server(dsn: str, profile: str | None = None, tree: str | None = None, extra: list[str] | None = None,
                 probe: str | None = None) -> tuple[subprocess.Popen, str]:
    """`dbarchitect serve --http` from source tree `tree` (its PYTHONPATH; default: this process's), with
    `extra` serve arguments; under cProfile (`profile`) or the probe (`probe`: the stats file prefix)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn}
    if tree:
        env["PYTHONPATH"] = os.path.abspath(tree)
    if probe:
        env["PROBE_OUT"] = probe
    entry = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.py")] if probe else ["-m", "dbarchitect"]
    prefix = ["-m", "cProfile", "-o", profile] if profile else []
    log = open(f"/tmp/http_load_server_{os.getpid()}.log", "w")  # the server's stderr, shown if it fails to start
    proc = subprocess.Popen([sys.executable, *prefix, *entry, "serve", "--http", f"127.0.0.1:{port}", "--token", TOKEN, *(extra or [])],
                            env=env, stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    with open(log.name) as f:
        raise SystemExit(f"the HTTP server did not start (exit code {proc.poll()}): {f.read()[-2000:]}")


class Probe:
    """The server processes' probe figures (bench/http_load/probe.py): SIGUSR1 to the server and its
    children, one JSON file per process."""

    def __init__(self, server_pid: int, prefix: str):
        self.server_pid, self.prefix = server_pid, prefix

    def _pids(self) -> list[int]:
        """The server process and its HTTP worker processes; never a worker for heavy calls (SIGUSR1
        would end it)."""
        return [p for p in (self.server_pid, *children_of(self.server_pid)) if not is_offload_worker(p)]

    def collect(self) -> list[dict]:
        """Figures since the previous collect(), one dict per server process that runs an event loop."""
        out = []
        for pid in self._pids():
            path = f"{self.prefix}.{pid}"
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            try:
                os.kill(pid, signal.SIGUSR1)
            except ProcessLookupError:
                continue
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not os.path.exists(path):
                time.sleep(0.02)
            if os.path.exists(path):
                with open(path) as f:
                    figures = json.load(f)
                if figures["loop_lag_ms"]["samples"]:  # not the --workers supervisor (no event loop)
                    out.append(figures)
        return out


async def load(url: str, clients: int, calls: int, tool: str, heavy_values: int, client: str = "raw",
               meter: CpuMeter | None = None, probe: Probe | None = None) -> dict:
    latencies: list[float] = []
    connects: list[float] = []
    errors: list[str] = []
    heavy: dict[str, float] = {}
    heavy_sql = "SELECT id FROM users WHERE id IN (" + ", ".join(str(10**6 + i) for i in range(heavy_values)) + ")"
    heavy_sql = heavy_sql if heavy_values else ""

    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json, text/event-stream",
               "Content-Type": "application/json", "MCP-Protocol-Version": PROTOCOL}  # fmt: skip

    async def rpc(http: httpx.AsyncClient, n: int, method: str, params: dict) -> dict:
        """One JSON-RPC request as a client sends it over streamable HTTP; the answer of the SSE stream
        (or the JSON body)."""
        body = {"jsonrpc": "2.0", "id": n, "method": method, "params": params}
        r = await http.post(url, content=json.dumps(body), headers=headers)
        r.raise_for_status()
        if r.headers.get("content-type", "").startswith("application/json"):
            return r.json()
        for line in r.text.splitlines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("id") == n:
                    return msg
        raise RuntimeError(f"no answer to request {n} in the stream")

    async def run_raw_client() -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            t = time.perf_counter()
            try:
                init = {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "bench", "version": "1"}}  # fmt: skip
                await rpc(http, 0, "initialize", init)
                connects.append(time.perf_counter() - t)
                for i in range(calls):
                    t = time.perf_counter()
                    try:
                        msg = await rpc(http, i + 1, "tools/call", {"name": tool, "arguments": CHEAP[tool]})
                        if "error" in msg or msg["result"].get("isError"):
                            errors.append(json.dumps(msg)[:200])
                    except Exception as exc:  # noqa: BLE001 - counted, not fatal
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    latencies.append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"session: {type(exc).__name__}: {exc}"[:200])

    async def run_socket_client() -> None:
        parts = httpx.URL(url)
        conn = RawClient(parts.host, parts.port, parts.path)
        t = time.perf_counter()
        try:
            await conn.connect()
            init = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
            await conn.rpc(0, "initialize", init)
            connects.append(time.perf_counter() - t)
            for i in range(calls):
                t = time.perf_counter()
                try:
                    msg = await conn.rpc(i + 1, "tools/call", {"name": tool, "arguments": CHEAP[tool]})
                    if "error" in msg or msg["result"].get("isError"):
                        errors.append(json.dumps(msg)[:200])
                except Exception as exc:  # noqa: BLE001 - counted, not fatal
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    await conn.close()
                    await conn.connect()  # the stream may be out of step: a fresh connection
                latencies.append(time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"session: {type(exc).__name__}: {exc}"[:200])
        finally:
            await conn.close()

    def session(http: httpx.AsyncClient) -> Client:
        return Client(streamable_http_client(url, http_client=http))

    async def run_heavy() -> None:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600) as http:
            async with session(http) as client:
                t = time.perf_counter()
                res = await client.call_tool("review_query", {"sql": heavy_sql})
                heavy["seconds"] = time.perf_counter() - t
                heavy["error"] = res.content[0].text[:300] if res.is_error else None

    async def run_client() -> None:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as http:
            t = time.perf_counter()
            try:
                async with session(http) as client:
                    connects.append(time.perf_counter() - t)
                    for _ in range(calls):
                        t = time.perf_counter()
                        try:
                            res = await client.call_tool(tool, CHEAP[tool])
                            if res.is_error:
                                errors.append(res.content[0].text[:200])
                        except Exception as exc:  # noqa: BLE001 - counted, not fatal
                            errors.append(f"{type(exc).__name__}: {exc}"[:200])
                        latencies.append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"session: {type(exc).__name__}: {exc}"[:200])

    async with anyio.create_task_group() as tg:
        if heavy_values:
            tg.start_soon(run_heavy)
            await anyio.sleep(1.5)  # the heavy call is being parsed
        runner = {"raw": run_socket_client, "httpx": run_raw_client, "sdk": run_client}[client]
        if probe:
            probe.collect()  # reset: the phase's figures only
        cpu_before = meter.sample() if meter else None
        started = time.perf_counter()
        async with anyio.create_task_group() as load_tg:
            for _ in range(clients):
                load_tg.start_soon(runner)
        wall = time.perf_counter() - started
        cpu = CpuMeter.per_call(cpu_before, meter.sample(), len(latencies)) if meter and cpu_before else None
        probed = probe.collect() if probe else None
        still = "seconds" not in heavy if heavy_values else None
    return {
        "clients": clients, "calls_per_client": calls, "tool": tool, "client": client, "calls": len(latencies),
        "errors": len(errors), "first_errors": errors[:3], "wall_s": round(wall, 1),
        "throughput_per_s": round(len(latencies) / wall, 1) if wall else None,
        "cpu_ms_per_call": cpu,
        "latency_ms": {"p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99),
                       "max": pct(latencies, 100)},
        "connect_ms": {"p50": pct(connects, 50), "p99": pct(connects, 99), "max": pct(connects, 100)},
        "heavy_statement_chars": len(heavy_sql), "heavy_still_running_when_load_ended": still,
        "heavy_call_s": round(heavy.get("seconds", 0), 1), "heavy_call_error": heavy.get("error"),
    } | ({"server_probe": probed} if probed is not None else {})  # fmt: skip


def medians(runs: list[dict]) -> dict:
    keys = ("p50", "p95", "p99")
    return {k: statistics.median(r["latency_ms"][k] for r in runs) for k in keys} | {
        "throughput_per_s": statistics.median(r["throughput_per_s"] for r in runs),
        "cpu_ms_per_call": {k: statistics.median(r["cpu_ms_per_call"][k] for r in runs) for k in runs[0]["cpu_ms_per_call"]},
        "errors": sum(r["errors"] for r in runs), "runs": len(runs)}  # fmt: skip


def parse_variant(text: str) -> tuple[str, str | None, list[str]]:
    """NAME=TREE[,ARG...] -> (name, tree or None for this process's PYTHONPATH, extra serve arguments)."""
    name, _, rest = text.partition("=")
    tree, *extra = rest.split(",") if rest else [""]
    return name, tree or None, extra


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--tool", choices=sorted(CHEAP), default="run_query")
    ap.add_argument("--client", choices=["raw", "httpx", "sdk"], default="raw",
                    help="raw: hand-built HTTP/1.1 over one asyncio socket each; httpx: JSON-RPC POSTs over one httpx "
                         "client each; sdk: the official Client")
    ap.add_argument("--repeat", type=int, default=1, help="alternate anchor and heavy runs this many times; medians")
    ap.add_argument("--profile", metavar="FILE", help="run the server under cProfile, its stats written to FILE")
    ap.add_argument("--heavy-values", type=int, default=250_000, help="0: only the anchor (no heavy call)")
    ap.add_argument("--workers", type=int, default=1, help="serve --workers N (server processes)")
    ap.add_argument("--no-anchor", action="store_true", help="only the run with the heavy call")
    ap.add_argument("--probe", action="store_true",
                    help="server event-loop lag and GC pauses per phase (bench/http_load/probe.py)")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=TREE[,ARG...]",
                    help="alternate server variants in one run (a fresh server each): the source tree (PYTHONPATH; "
                         "empty: this one) and extra serve arguments, e.g. main=/work/main w2=,--workers,2")  # fmt: skip
    args = ap.parse_args()
    base_extra = ["--workers", str(args.workers)] if args.workers != 1 else []
    variants = [parse_variant(v) for v in args.variant] or [("this", None, base_extra)]
    cluster = LocalCluster.temporary().start()
    proc = None
    try:
        dsn = load_sample(cluster)
        results: dict[str, dict[str, list[dict]]] = {name: {"anchor": [], "heavy": []} for name, _, _ in variants}
        for _ in range(args.repeat):
            for name, tree, extra in variants:
                probe_prefix = f"/tmp/http_load_probe_{os.getpid()}" if args.probe else None
                proc, url = start_server(dsn, args.profile, tree, extra, probe_prefix)
                meter = CpuMeter(proc.pid, postmaster_pid(cluster))
                probe = Probe(proc.pid, probe_prefix) if probe_prefix else None
                if args.workers > 1 or "--workers" in extra:
                    time.sleep(2)  # every worker process up
                try:
                    if not args.no_anchor:
                        results[name]["anchor"].append(anyio.run(load, url, args.clients, args.calls, args.tool, 0,
                                                                 args.client, meter, probe))  # fmt: skip
                    if args.heavy_values:
                        results[name]["heavy"].append(anyio.run(load, url, args.clients, args.calls, args.tool,
                                                                args.heavy_values, args.client, meter, probe))  # fmt: skip
                finally:
                    proc.send_signal(signal.SIGINT) if args.profile else proc.terminate()  # SIGINT: cProfile writes
                    proc.wait(timeout=30)
                    proc = None
        out: dict = {}
        for name, runs in results.items():
            key = f"variant {name}" if len(variants) > 1 else None
            section = {"anchor_no_heavy_call": runs["anchor"], "with_heavy_call": runs["heavy"]}
            section = {k: (v if len(v) != 1 else v[0]) for k, v in section.items() if v}
            section["medians"] = {phase: medians(r) for phase, r in runs.items() if r}
            m = section["medians"]
            if "anchor" in m and "heavy" in m:
                section["ratio_heavy_to_anchor"] = {
                    k: round(m["heavy"][k] / m["anchor"][k], 2) if m["anchor"][k] else None for k in ("p50", "p95", "p99")}
            if key:
                section["tree"], section["serve_args"] = next((t, e) for n, t, e in variants if n == name)
                out[key] = section
            else:
                out.update(section)
        out["load_average_after"] = os.getloadavg()
        print(json.dumps(out, indent=2))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        cluster.stop()


if __name__ == "__main__":
    main()
