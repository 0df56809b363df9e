"""No leftovers, ever: every scratch-using tool cancelled at many points leaves no scratch database
and no session behind the moment the cancelled call returns; shadows carry an owner record; a
crashed process's shadows are dropped when a server starts (and periodically), another live
process's are not."""

import json
import os
import subprocess
import sys
import time

import anyio
import pytest
from mcp import Client

from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.core.design.spec import SchemaSpec
from dbarchitect.live.postgres import shadow
from dbarchitect.live.postgres.shadow import SHADOW_PREFIX, list_shadows
from dbarchitect.server import build_server
from dbarchitect.tools.migration import draft_migration, dry_run_migration
from dbarchitect.tools.schema import design_schema, review_schema

pytestmark = pytest.mark.anyio

DDL = """
CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    author_id bigint NOT NULL REFERENCES authors (id), title text NOT NULL);
CREATE INDEX ON books (author_id);
"""
SPEC = {
    "entities": [
        {"name": "authors", "attributes": [{"name": "name", "type": "text"}]},
        {"name": "books", "attributes": [{"name": "title", "type": "text"}]},
    ],
    "relationships": [{"kind": "one_to_many", "parent": "authors", "child": "books"}],
}

CALLS = {
    "dry_run_migration": lambda app: dry_run_migration(app, "ALTER TABLE users ADD COLUMN nick text;\n"
                                                            "CREATE INDEX ON users (nick);"),
    "draft_migration": lambda app: draft_migration(app, DDL),
    "review_schema": lambda app: review_schema(app, ddl=DDL),
    "design_schema": lambda app: design_schema(app, SchemaSpec.model_validate(SPEC)),
}


def _sessions_in_shadows(pg) -> int:
    return pg.admin("SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s", params=(SHADOW_PREFIX + "%",))[0][0]


@pytest.mark.parametrize("tool", sorted(CALLS))
async def test_cancelled_at_many_points_leaves_nothing(pg, blog_dsn, tool):
    admin = pg.dsn()
    before = set(await list_shadows(admin))
    app = App(load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=admin, use_embedded_scratch=False))
    try:
        t0 = time.perf_counter()
        await CALLS[tool](app)  # how long the whole call takes, then cancel it at points across that time
        full = time.perf_counter() - t0
        assert set(await list_shadows(admin)) == before
        points = [full * k / 10 for k in range(10)] + [0.001, 0.01]
        for delay in points:
            with anyio.move_on_after(delay):
                await CALLS[tool](app)
            left = set(await list_shadows(admin)) - before
            assert not left, f"{tool} cancelled after {delay:.3f} s of {full:.2f} s left {left}"
            assert _sessions_in_shadows(pg) == 0
    finally:
        await app.close()


async def test_shadows_carry_an_owner_record(pg):
    host = shadow.ScratchHost("scratch_server", pg.dsn())
    name = shadow.new_shadow_name()
    await shadow.create_shadow_db(host, name)
    try:
        comment = pg.admin("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           params=(name,))[0][0]  # fmt: skip
        owner = json.loads(comment)
        assert owner["owner"] == "dbarchitect" and owner["pid"] == os.getpid() and owner["host"] == shadow.HOSTNAME
        assert name in shadow.IN_USE and not shadow.is_stale(name, comment)
    finally:
        await shadow.drop_shadow_db(host, name)
    assert name not in shadow.IN_USE


def _fake_shadow(pg, pid: int, created: int | None = None, record: bool = True) -> str:
    created = created or int(time.time())
    name = f"{SHADOW_PREFIX}{created}_{pid}_abcd{pid % 10000:04x}"
    pg.admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    if record:
        owner = {"owner": "dbarchitect", "host": shadow.HOSTNAME, "pid": pid, "created": created}
        pg.admin(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(owner)}'")
    return name


async def test_server_start_sweeps_a_crashed_process_shadows_only(pg, blog_dsn):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # a process that has exited: its shadows are a crash's leftovers
    crashed = _fake_shadow(pg, dead_pid)
    old_unknown = _fake_shadow(pg, dead_pid + 1, created=int(time.time()) - 7200, record=False)
    live_proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = _fake_shadow(pg, live_proc.pid)  # another live dbarchitect process's work in progress
        fresh_unknown = _fake_shadow(pg, dead_pid + 2, record=False)  # no record, recent: left for now
        settings = load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False)
        async with Client(build_server(settings)) as client:
            await client.list_tools()
            for _ in range(100):
                left = set(await list_shadows(pg.dsn()))
                if crashed not in left and old_unknown not in left:
                    break
                await anyio.sleep(0.1)
        left = set(await list_shadows(pg.dsn()))
        assert crashed not in left and old_unknown not in left
        assert busy in left and fresh_unknown in left
    finally:
        live_proc.kill()
        live_proc.wait()
    for name in (busy, fresh_unknown):
        pg.admin(f'DROP DATABASE IF EXISTS "{name}"')
