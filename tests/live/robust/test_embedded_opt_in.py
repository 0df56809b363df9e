"""The embedded local PostgreSQL (persistent, outlives the server) starts only when asked:
`--embedded` or DBARCHITECT_EMBEDDED_SCRATCH=1. Without it, scratch databases go to the configured
scratch server or the connected server, and a tool that finds no place says how to ask."""

import pytest

import dbarchitect.live.postgres.embedded as embedded
from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.live.postgres.cluster import ClusterError
from dbarchitect.tools.migration import draft_migration

pytestmark = pytest.mark.anyio


@pytest.fixture
def started(monkeypatch):
    """Records every attempt to start the embedded cluster (and refuses it: no persistent cluster in tests)."""
    calls = []

    def embedded_cluster():
        calls.append(1)
        raise ClusterError("refused in this test")

    monkeypatch.setattr(embedded, "embedded_cluster", embedded_cluster)
    return calls


async def test_not_started_unless_asked(started, blog_dsn):
    assert load_settings({}).use_embedded_scratch is False
    detached = App(load_settings({}))
    assert await detached.scratch_admin_dsn(tool="draft_migration") is None
    with pytest.raises(Exception, match="DBARCHITECT_EMBEDDED_SCRATCH=1"):
        await draft_migration(detached, "CREATE TABLE t (id int);", from_ddl="")
    connected = App(load_settings({"DATABASE_URL": blog_dsn}))
    try:
        assert await connected.scratch_admin_dsn(tool="draft_migration") == blog_dsn  # the connected server
    finally:
        await connected.close()
    assert started == []


async def test_started_when_asked(started):
    app = App(load_settings({"DBARCHITECT_EMBEDDED_SCRATCH": "1"}))
    assert app.settings.use_embedded_scratch is True
    assert await app.scratch_admin_dsn(tool="draft_migration") is None  # refused by the fixture
    assert started == [1]
