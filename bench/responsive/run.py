"""Benchmark: how long a cheap call takes while a heavy one runs (issue 19's 200 ms target).

On a throwaway local PostgreSQL 15 with the sample blog database, over the in-process MCP client:
  - idle: `run_query("SELECT 1")` N times, one after another;
  - loaded: the same while `review_query` of a ~2 MB statement is running (started first, cheap calls
    begin 1.5 s later, as in the issue's report), and the heavy call's own duration.
Prints JSON: p50/p95/p99/max per phase in ms, and whether the heavy call was still running when the
last cheap call answered (otherwise the numbers prove nothing).
Usage: .venv/bin/python bench/responsive/run.py [--calls 50] [--heavy-values 250000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import anyio
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.embedded import load_sample
from dbarchitect.server import build_server


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000, 1)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "p99_ms": pct(values, 99),
            "max_ms": round(max(values) * 1000, 1), "mean_ms": round(statistics.mean(values) * 1000, 1)}  # fmt: skip


async def cheap_calls(client: Client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        res = await client.call_tool("run_query", {"sql": "SELECT 1"})
        assert not res.is_error
        times.append(time.perf_counter() - t)
    return times


async def measure(dsn: str, calls: int, values: int) -> dict:
    heavy_sql = "SELECT id, email FROM users WHERE id IN (" + ", ".join(str(10**6 + i) for i in range(values)) + ")"
    server = build_server(load_settings({"DATABASE_URL": dsn}, use_embedded_scratch=False))
    out: dict = {"heavy_statement_chars": len(heavy_sql)}
    async with Client(server) as client:
        await cheap_calls(client, 5)  # warm
        out["idle"] = summary(await cheap_calls(client, calls))
        heavy: dict[str, float] = {}

        async def run_heavy() -> None:
            t = time.perf_counter()
            res = await client.call_tool("review_query", {"sql": heavy_sql})
            heavy["seconds"] = time.perf_counter() - t
            heavy["error"] = bool(res.is_error)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run_heavy)
            due = time.perf_counter() + 1.5
            await anyio.sleep(1.5)
            late = time.perf_counter() - due  # a blocked event loop wakes this task late
            loaded = await cheap_calls(client, calls)
            loaded[0] += late  # the first cheap call was due when the sleep should have ended
            out["first_call_late_ms"] = round(late * 1000, 1)
            out["heavy_still_running_after_cheap_calls"] = "seconds" not in heavy
        out["loaded"] = summary(loaded)
        out["heavy_call_s"] = round(heavy["seconds"], 2)
        out["heavy_call_error"] = heavy["error"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--heavy-values", type=int, default=250_000)
    args = ap.parse_args()
    cluster = LocalCluster.temporary().start()
    try:
        dsn = load_sample(cluster)
        print(json.dumps(anyio.run(measure, dsn, args.calls, args.heavy_values), indent=2))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
