"""The tool commands are generated from the tools the MCP server exposes: they cannot drift apart."""

import json
import os
import subprocess
import sys

import pytest
from mcp import Client

from dbarchitect.cli import UsageError, build_parser, tool_arguments
from dbarchitect.config import load_settings
from dbarchitect.server import build_server
from dbarchitect.tools import TOOLS

UNREACHABLE = "postgresql://127.0.0.1:1/nowhere"  # refused at once: the commands below run offline
# Options of the command line itself, not arguments of a tool: connection and limits, output.
OWN_OPTIONS = {"help", "dsn", "connections", "embedded", "allow_writes", "role", "scratch_dsn", "statement_timeout",
               "lock_timeout", "max_rows", "max_response_chars", "json"}  # fmt: skip
EXTRA = {"lint-migration": {"format"}}  # the lint's text | json | sarif | github output


def commands():
    parser = build_parser()
    return next(a for a in parser._actions if a.dest == "command").choices


def run(*args, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_URL", "DBARCHITECT_"))}
    return subprocess.run([sys.executable, "-m", "dbarchitect", *args, "--dsn", UNREACHABLE], input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


@pytest.mark.anyio
async def test_every_mcp_tool_has_a_command_with_exactly_its_parameters():
    async with Client(build_server(load_settings({"DATABASE_URL": UNREACHABLE}))) as client:
        listed = (await client.list_tools()).tools
    assert sorted(t.name for t in listed) == sorted(t.name for t in TOOLS)
    cmds = commands()
    for tool in listed:
        name = tool.name.replace("_", "-")
        assert name in cmds, f"no command for {tool.name}"
        properties = set(tool.input_schema["properties"])
        required = set(tool.input_schema.get("required", []))
        dests = {a.dest for a in cmds[name]._actions}
        assert properties <= dests, f"{name} lacks options for {properties - dests}"
        assert dests - properties <= OWN_OPTIONS | EXTRA.get(name, set()), f"{name} has options no tool parameter has"
        for prop in properties:  # run_query's max_rows is the global --max-rows: the cap and this call's rows
            mine = [a for a in cmds[name]._actions if a.dest == prop]
            assert any(a.required for a in mine) == (prop in required), f"{name} {prop}"
            spelled = {o for a in mine for o in a.option_strings}
            positional = any(not a.option_strings for a in mine)
            assert positional or ("--on" if prop == "connection" else "--" + prop.replace("_", "-")) in spelled


def test_old_command_names_are_aliases_of_the_generated_ones():
    cmds = commands()
    for old, new in (("describe", "describe-schema"), ("query", "run-query"), ("explain", "explain-query"),
                     ("dry-run", "dry-run-migration")):  # fmt: skip
        assert cmds[old] is cmds[new]


def args_of(*argv, **override):
    return tool_arguments(build_parser().parse_args(list(argv)), **override)


def test_lists_dicts_and_files_become_tool_arguments(tmp_path):
    target = tmp_path / "t.sql"
    target.write_text("CREATE TABLE users (id bigint);")
    got = args_of("draft-migration", "--target", str(target), "--rename", "users.name=full_name",
                  "--renames-json", '{"orders": "purchases"}', "--backfill", "users.plan='free'",
                  "--offline-changes", "--no-verify")  # fmt: skip
    assert got == {
        "target_ddl": "CREATE TABLE users (id bigint);",
        "renames": {"users.name": "full_name", "orders": "purchases"},
        "backfill": {"users.plan": "'free'"},
        "online": False,
        "verify": False,
    }
    q = tmp_path / "q.sql"
    q.write_text("SELECT 2")
    got = args_of("recommend-indexes", "--query", "SELECT 1", "--query", f"@{q}", "--weights", "[3, 0.5]")
    assert got == {"queries": ["SELECT 1", "SELECT 2"], "weights": [3.0, 0.5]}
    got = args_of("explain", "SELECT $1, $2", "--params", "5", "--params", "x", 
                  "--hypothetical", "CREATE INDEX ON t (a)")
    assert got == {"sql": "SELECT $1, $2", "params": [5, "x"], "hypothetical_indexes": ["CREATE INDEX ON t (a)"]}
    assert args_of("design-schema", "--spec", '{"entities": [{"name": "a"}]}')["spec"].entities[0].name == "a"


def test_the_command_line_defaults_that_differ_from_the_tools(tmp_path):
    # lint and explain-plan read a catalog only from a database the command names, as they always did
    m = tmp_path / "m.sql"
    m.write_text("SELECT 1;")
    assert args_of("lint-migration", str(m), sql=str(m)) == {"sql": "SELECT 1;", "offline": True}
    assert args_of("lint-migration", str(m), "--dsn", UNREACHABLE, sql=str(m))["offline"] is False
    assert args_of("explain-plan", "Seq Scan on t")["use_catalog"] is False
    assert args_of("explain-plan", "Seq Scan on t", "--on", "prod")["use_catalog"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["describe", "--page-size", "0"], "--page-size: Input should be greater than or equal to 1 (got 0)"),
        (["describe", "--page-size", "many"], "--page-size: Input should be a valid integer"),
        (["recommend-indexes", "--budget-mb", "0"], "--budget-mb: Input should be greater than 0"),
        (["recommend-indexes", "--weights", "[1,"], "--weights: not a JSON array"),
        (["draft-migration", "--target", "/nonexistent.sql"], "--target-ddl: cannot read /nonexistent.sql"),
        (["draft-migration", "--target", __file__, "--backfill", "x"], "--backfill: expects KEY=VALUE"),
        (["design-schema", "--spec", '{"entities": [{}]}'], "--spec: entities.0.name: Field required"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_option(argv, message):
    with pytest.raises(UsageError) as exc:
        args_of(*argv)
    assert str(exc.value).startswith(message)


def test_a_bad_value_exits_2_with_the_reason():
    proc = run("describe-schema", "--page-size", "0")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "describe-schema: error: --page-size: Input should be greater than or equal to 1 (got 0)" in proc.stderr
    proc = run("review-query", "SELECT 1", "--dialect", "oracle")
    assert proc.returncode == 2 and "invalid choice: 'oracle'" in proc.stderr


def test_design_schema_runs_from_a_spec_file(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({
        "entities": [{"name": "authors", "attributes": [{"name": "email", "type": "email", "unique": True}]},
                     {"name": "articles", "attributes": [{"name": "title", "type": "text"}]}],
        "relationships": [{"kind": "one_to_many", "parent": "authors", "child": "articles"}],
    }))  # fmt: skip
    proc = run("design-schema", "--spec", f"@{spec}", "--no-verify")
    assert proc.returncode == 0, proc.stderr
    assert "CREATE TABLE public.articles" in proc.stdout and "REFERENCES public.authors" in proc.stdout
    proc = run("design-schema", "--spec", "-", "--no-verify", "--json", stdin=spec.read_text())
    assert proc.returncode == 0, proc.stderr
    assert "CREATE UNIQUE INDEX authors_email_key" in json.loads(proc.stdout)["up_sql"]


def test_review_query_finds_n_plus_one_in_a_statement_log(tmp_path):
    log = ["SELECT * FROM posts LIMIT 10"] + [f"SELECT * FROM users WHERE id = {i}" for i in range(1, 6)]
    f = tmp_path / "log.sql"
    f.write_text(";\n".join(log) + ";\n")
    proc = run("review-query", f"@{f}", "--offline", "--json")
    assert proc.returncode == 0, proc.stderr
    loops = json.loads(proc.stdout)["n_plus_one"]
    assert loops and "ANY($1)" in json.dumps(loops)
