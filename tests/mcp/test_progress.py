"""Progress notifications with a stable total from the calls that can run long (issue 19):
explain_query with analyze, review_schema with ddl, design_schema with verify."""

import pathlib

import pytest
import yaml
from mcp import Client

from dbarchitect.config import load_settings
from dbarchitect.server import build_server

pytestmark = pytest.mark.anyio

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def server(pg, blog_dsn):
    return build_server(load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))


async def test_long_calls_report_progress(server):
    spec = yaml.safe_load((FIXTURES / "design" / "blog.yaml").read_text())
    calls = [
        ("explain_query", {"sql": "SELECT count(*), pg_sleep(1.5) FROM posts", "analyze": True}),
        ("review_schema", {"ddl": "CREATE TABLE t (id int PRIMARY KEY, created timestamp);"}),
        ("design_schema", {"spec": spec}),
    ]
    async with Client(server) as client:
        for tool, args in calls:
            seen: list[tuple[float, float | None, str | None]] = []

            async def on_progress(done, total, message, seen=seen):
                seen.append((done, total, message))

            res = await client.call_tool(tool, args, progress_callback=on_progress)
            assert not res.is_error, (tool, res.content[0].text[:300])
            assert len(seen) >= 2, (tool, seen)
            assert {total for _, total, _ in seen} == {100}, (tool, seen)  # one stable total
            assert [d for d, _, _ in seen] == sorted({d for d, _, _ in seen}), (tool, seen)  # strictly increasing
            assert seen[0][0] == 0 and seen[-1][0] == 100 and "done" in seen[-1][2], (tool, seen)
        # the explain slept 1.5 s: at least one heartbeat between start and end
        res_progress: list[float] = []

        async def on_beat(done, total, message):
            res_progress.append(done)

        await client.call_tool("explain_query", calls[0][1], progress_callback=on_beat)
        assert len(res_progress) >= 3 and 0 < res_progress[1] < 90
