"""Starting the dbarchitect server as a client would, for the tests that talk to it over stdio or HTTP:
the environment it gets and an HTTP server on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx

from dbarchitect.live.postgres.cluster import free_port


def server_env(dsn: str, drop: tuple[str, ...] = ("DBARCHITECT_", "PG"), **extra: str) -> dict:
    """This process's environment without the settings a test must not inherit (`drop` prefixes), with
    `DATABASE_URL=dsn` and `extra` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["DATABASE_URL"] = dsn
    env.update(extra)
    return env


def wait_for_http(url: str, timeout_s: float = 30) -> bool:
    """Whether `url` answered any HTTP response within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


@contextmanager
def http_server(env: dict, *args: str, stderr=subprocess.DEVNULL) -> Iterator[tuple[str, subprocess.Popen]]:
    """`dbarchitect serve --http 127.0.0.1:<free port> *args` with `env`: its /mcp URL and the process,
    once it answers; terminated on exit."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dbarchitect", "serve", "--http", f"127.0.0.1:{port}", *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=stderr)  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_for_http(url)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sleeping_calls(mark: str, table: str) -> dict[str, dict]:
    """One call per tool that can run a statement of the caller's on a server (or a scratch database),
    each running `mark` (e.g. pg_sleep(20)) so that a test can find it in pg_stat_activity."""
    return {
        "run_query": {"sql": f"SELECT {mark}"},
        "explain_query": {"sql": f"SELECT {mark}", "analyze": True},
        "dry_run_migration": {"sql": f"CREATE TABLE {table} (id int);\nSELECT {mark};"},
        "draft_migration": {"target_ddl": f"CREATE TABLE {table} (id int);\nDO $$ BEGIN PERFORM {mark}; END $$;"},
        "review_schema": {"ddl": f"CREATE TABLE {table} (id int);\nSELECT {mark};"},
    }
