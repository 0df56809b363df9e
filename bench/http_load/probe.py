"""Server-side probe for bench/http_load (a bench tool, not part of the product).

`python bench/http_load/probe.py serve --http …` runs `dbarchitect serve` with two meters in each server
process (the parent's patch is inherited by `--workers` children):
- event-loop lag: a task that sleeps 5 ms and records by how much each wake-up came late — the time
  the loop was busy with something else (a callback that did not yield, a GC pass, the GIL held by a
  thread) or the process was not scheduled;
- garbage-collector pauses: `gc.callbacks`, the duration of every collection by generation.
SIGUSR1 writes the figures since the previous SIGUSR1 to `$PROBE_OUT.<pid>` (JSON, atomically) and
resets them; `run.py --probe` sends it around each phase.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
import time

INTERVAL_S = 0.005

_lags: list[float] = []
_gc: dict[int, list[float]] = {0: [], 1: [], 2: []}
_gc_started = [0.0]


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc[info["generation"]].append(time.perf_counter() - _gc_started[0])


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000, 2)


def _dump(*_: object) -> None:
    lags, pauses = list(_lags), {g: list(v) for g, v in _gc.items()}
    _lags.clear()
    for v in _gc.values():
        v.clear()
    out = {
        "pid": os.getpid(),
        "loop_lag_ms": {"samples": len(lags), "p50": _pct(lags, 50), "p99": _pct(lags, 99), "p999": _pct(lags, 99.9),
                        "max": _pct(lags, 100), "over_20ms": sum(x > 0.02 for x in lags),
                        "over_50ms": sum(x > 0.05 for x in lags), "over_100ms": sum(x > 0.1 for x in lags)},
        "gc": {f"gen{g}": {"count": len(v), "total_ms": round(sum(v) * 1000, 1), "max_ms": _pct(v, 100)}
               for g, v in pauses.items()},
        "gc_frozen": gc.get_freeze_count(),
    }  # fmt: skip
    path = f"{os.environ['PROBE_OUT']}.{os.getpid()}"
    with open(path + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(path + ".tmp", path)


async def _monitor() -> None:
    while True:  # perf_counter, not loop.time(): uvloop's clock has a resolution of 1 ms
        t = time.perf_counter()
        await asyncio.sleep(INTERVAL_S)
        _lags.append(max(0.0, time.perf_counter() - t - INTERVAL_S))


def _install() -> None:
    import dbarchitect.server.http as http

    inner = http.http_app

    def http_app(*args, **kwargs):
        app = inner(*args, **kwargs)

        async def probed(scope, receive, send):
            if scope["type"] == "lifespan":  # once per server process, on its loop
                gc.callbacks.append(_gc_callback)
                signal.signal(signal.SIGUSR1, _dump)
                probed.task = asyncio.get_running_loop().create_task(_monitor())  # type: ignore[attr-defined]
            return await app(scope, receive, send)

        return probed

    http.http_app = http_app
    signal.signal(signal.SIGUSR1, _dump)  # also in a --workers supervisor (no loop: no samples), never fatal


if __name__ == "__main__":  # not when a worker process loads this module
    _install()
    from dbarchitect.cli import main

    sys.exit(main(sys.argv[1:]))
