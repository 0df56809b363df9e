"""CPU-bound work off the event loop: parsing, rule runs, planning, diffing, rendering.

`cpu(fn, *args, **kwargs)` runs a pure function in a worker thread, at most `CPU_WORKERS` at a time
(per event loop), so one heavy call — a 2 MB statement to review, a 150-table diff — never stalls the
loop that serves every other call and client. A cancelled caller returns at once; the thread finishes
its (pure) work and the result is dropped.

The loop still shares the GIL with a busy worker; `responsive_switch_interval()` shortens the
interpreter's switch interval so the loop gets it back within about a millisecond. A very large input
(`weight` ≥ `PROCESS_THRESHOLD` characters) goes to a worker process instead: parsing megabytes builds
millions of objects, and the garbage collector's full passes over them hold the GIL for hundreds of
milliseconds at a time. Cancelling the caller kills that worker process. Worker processes run at a lower
CPU priority (`PROCESS_NICENESS`), so a heavy call yields the machine's cores to the cheap ones.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_process
import anyio.to_thread

T = TypeVar("T")

#: worker threads for CPU-bound work per event loop
CPU_WORKERS = 4
#: worker processes for very large inputs per event loop
PROCESS_WORKERS = 2
#: inputs at least this long (characters) are handled in a worker process
PROCESS_THRESHOLD = 200_000
#: the interpreter's switch interval while a server runs (CPython's default is 5 ms)
SWITCH_INTERVAL_S = 0.001

_limiters: weakref.WeakKeyDictionary[Any, dict[str, anyio.CapacityLimiter]] = weakref.WeakKeyDictionary()


def _limiter(kind: str) -> anyio.CapacityLimiter:
    try:
        loop: Any = asyncio.get_running_loop()
    except RuntimeError:  # another backend: one set of limiters per process is fine
        loop = _limiter
    limiters = _limiters.setdefault(loop, {})
    if kind not in limiters:
        limiters[kind] = anyio.CapacityLimiter(CPU_WORKERS if kind == "thread" else PROCESS_WORKERS)
    return limiters[kind]


async def cpu(fn: Callable[..., T], /, *args: Any, weight: int = 0, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in a bounded worker thread — or, when `weight` (the input's size in
    characters) reaches PROCESS_THRESHOLD, in a worker process (then `fn` and its arguments must
    pickle). Exceptions propagate unchanged."""
    call = functools.partial(fn, *args, **kwargs)
    if weight >= PROCESS_THRESHOLD:
        try:
            return await anyio.to_process.run_sync(functools.partial(_niced, call), cancellable=True,
                                                   limiter=_limiter("process"))
        except anyio.BrokenWorkerProcess:
            pass  # no usable worker process here: a thread still keeps the loop free
    return await anyio.to_thread.run_sync(call, limiter=_limiter("thread"), abandon_on_cancel=True)


#: how much lower the worker processes' CPU priority is than the server's (`os.nice` increment)
PROCESS_NICENESS = 10
_niced_already = False


def _niced(call: Callable[[], T]) -> T:
    """Run `call` in a worker process at a lower CPU priority than the server (once per process): on a
    busy machine a heavy review never takes the core the event loop needs for the cheap calls."""
    global _niced_already
    if not _niced_already:
        _niced_already = True
        try:
            os.nice(PROCESS_NICENESS)
        except OSError:  # not permitted here: the work still runs
            pass
    return call()


def responsive_switch_interval() -> None:
    """Let the event loop preempt a CPU-bound worker thread quickly (see the module doc)."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
