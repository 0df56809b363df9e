"""One budget for the whole response, text + structured content (issue 19): results that used to be
megabytes — a 2 MB statement echoed back, a 150-table migration linted, 1,000 rows of 1,000
characters, a 150-entity design — come back within the budget with a cut that says how to get the
rest, and the cut structured content still validates as the tool's output model.

`tool_result` (dbarchitect/server/budget.py) is what the server's `expose()` answers with; the stdio
test checks it end to end."""

import sys

import pytest
from mcp import Client, StdioServerParameters

from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.core.design.spec import SchemaSpec
from dbarchitect.core.render import render
from dbarchitect.core.response_budget import fit_response, size
from dbarchitect.server.budget import budget_chars, tool_result
from dbarchitect.tools.migration import dry_run_migration, lint_migration
from dbarchitect.tools.query import rewrite_query, run_query
from dbarchitect.tools.schema import design_schema
from tests.serving import server_env

pytestmark = pytest.mark.anyio

MAX = 60_000  # the default --max-response-chars
BUDGET = budget_chars(MAX)
HUGE = "SELECT " + "x" * 2_000_000
WIDE = "\n".join(["CREATE TABLE t0 (id serial PRIMARY KEY, b text);"] + [
    f"CREATE TABLE t{i} (id serial PRIMARY KEY, a{i} int, b text, c float, ref int REFERENCES t{i - 1}(id));"
    for i in range(1, 150)])  # fmt: skip
SPEC = {"entities": [{"name": f"e{i}", "attributes": [{"name": "name", "type": "text"}]} for i in range(150)]}
ROWS = "SELECT repeat('x', 1000) FROM generate_series(1, 1000)"


def _total(res) -> int:
    return len(res.content[0].text) + size(res.structured_content)


def _cases():
    return [
        ("rewrite_query", rewrite_query, {"sql": HUGE, "verify": True}),
        ("dry_run_migration", dry_run_migration, {"sql": HUGE}),
        ("lint_migration", lint_migration, {"sql": WIDE}),
        ("run_query", run_query, {"sql": ROWS, "max_rows": 10**9}),
        ("design_schema", design_schema, {"spec": SchemaSpec.model_validate(SPEC), "verify": False}),
    ]


async def test_large_results_fit_the_budget_and_say_how_to_get_the_rest(pg, blog_dsn):
    app = App(load_settings({"DATABASE_URL": blog_dsn}, scratch_dsn=pg.dsn(), use_embedded_scratch=False))
    try:
        for name, fn, args in _cases():
            model = await fn(app, **args)
            whole = len(render(model, max_chars=MAX)) + size(model.model_dump(mode="json", by_alias=True))
            assert whole > BUDGET, (name, whole)  # the case is one the budget must cut
            res = tool_result(model, MAX, [], name)
            assert _total(res) <= BUDGET, (name, _total(res))
            text = res.content[0].text
            assert "response cut to its budget" in text and "To get the rest" in text, (name, text[-400:])
            assert f"dbarchitect {name.replace('_', '-')}" in text and "--json" in text
            assert "structured result has everything" not in text
            type(model).model_validate(res.structured_content)  # still the tool's output model
        small = await run_query(app, sql="SELECT 1 AS one")
        res = tool_result(small, MAX, [], "run_query")
        assert res.structured_content == small.model_dump(mode="json", by_alias=True)
        assert "cut" not in res.content[0].text
    finally:
        await app.close()


def test_fit_response_cuts_long_strings_and_lists_level_by_level():
    structured = {"rows": [["y" * 5000] for _ in range(2000)], "note": "z" * 50_000, "n": 3}
    text, out = fit_response("t" * 100_000, structured, 20_000, "run_query")
    assert len(text) + size(out) <= 20_000
    assert out["n"] == 3 and len(out["rows"]) < 2000 and out["note"].endswith("characters cut]")
    assert "rows 2000 →" in text and "max_rows=" in text and "the text cut by" in text
    assert fit_response("short", {"a": [1, 2]}, 20_000) == ("short", {"a": [1, 2]})


def _env(dsn: str) -> dict:
    return server_env(dsn)


async def test_every_large_answer_over_stdio_fits_the_budget(blog_dsn):
    params = StdioServerParameters(command=sys.executable, args=["-m", "dbarchitect", "serve"], env=_env(blog_dsn))
    async with Client(params, read_timeout_seconds=180) as client:
        for name, _fn, args in _cases():
            args = {k: (v.model_dump(exclude_none=True) if k == "spec" else v) for k, v in args.items()}
            res = await client.call_tool(name, args)
            assert not res.is_error, (name, res.content[0].text[:300])
            assert _total(res) <= BUDGET and "To get the rest" in res.content[0].text, (name, _total(res))
            ok = await client.call_tool("run_query", {"sql": "SELECT 1"})
            assert not ok.is_error
