"""Command line: `dbarchitect serve | demo | embedded` and one command per tool.

The tool commands are generated from `dbarchitect.tools.TOOLS`, the list the MCP server exposes: the
command `review-schema` runs `review_schema`, each parameter is an option (`page_size` → `--page-size`,
help from its Field description, Literal → choices, bool → flag, list/dict → repeatable or JSON), the
arguments are validated by pydantic against the function's own annotations (so `--page-size 0` is
refused with the message an MCP client would get), and the result prints as the server renders it, or
as the structured model with `--json`. `CLI` below only adds what a shell needs: the positional
argument, old spellings kept as aliases, and parameters that name files.

Every subcommand reads the same settings (DATABASE_URL, DBARCHITECT_DB_<NAME>, libpq's PG* variables)
and flags for the limits. Passwords are scrubbed from everything it prints or logs. Exit codes: 0 done,
1 the tool failed (or lint-migration found an error), 2 a usage error.
"""

from __future__ import annotations

import argparse
import inspect
import ipaddress
import json
import logging
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbarchitect import __version__
from dbarchitect.config import Settings, load_settings
from dbarchitect.core.dsn import redact


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = ()
        return True


def setup_logging(settings: Settings, level: str = "WARNING") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(settings.secrets()))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("connection and limits")
    g.add_argument("--dsn", help="the default connection (overrides DATABASE_URL)")
    g.add_argument(
        "--connection", action="append", default=[], dest="connections", metavar="NAME=DSN",
        help="add a named connection (repeatable); a tool command picks one with --on NAME",
    )  # fmt: skip
    g.add_argument("--embedded", action="store_true", help="use the embedded local PostgreSQL with the sample schema")
    g.add_argument("--allow-writes", action="store_true", help="enable tools that write (off by default)")
    g.add_argument("--role", help="SET ROLE to this least-privilege role for every call")
    g.add_argument("--scratch-dsn", help="server for scratch databases (dry runs, DDL review); or DBARCHITECT_SCRATCH_DSN")
    g.add_argument("--statement-timeout", type=float, metavar="SECONDS", help="per-statement limit (default 15)")
    g.add_argument("--lock-timeout", type=float, metavar="SECONDS", help="lock wait limit (default 3)")
    g.add_argument("--max-rows", type=int, help="rows returned by run_query at most (default 200)")
    g.add_argument("--max-response-chars", type=int, help="characters per response at most (default 60000)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    env = dict(os.environ)
    if args.embedded:
        from dbarchitect.live.postgres.embedded import ensure_embedded

        env["DATABASE_URL"] = ensure_embedded()
    if args.dsn:
        env["DATABASE_URL"] = args.dsn
    extra = []
    for item in args.connections:
        name, sep, dsn = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"--connection expects NAME=DSN, got {redact(item)!r}")
        extra.append((name.lower(), dsn))
    return load_settings(
        env,
        extra_dsns=extra,
        allow_writes=args.allow_writes or None,
        role=args.role,
        scratch_dsn=args.scratch_dsn,
        use_embedded_scratch=True if args.embedded else None,  # asked for the embedded cluster: scratch there too
        statement_timeout_ms=int(args.statement_timeout * 1000) if args.statement_timeout else None,
        lock_timeout_ms=int(args.lock_timeout * 1000) if args.lock_timeout else None,
        max_rows=args.max_rows,
        max_response_chars=args.max_response_chars,
    )


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    setup_logging(settings, "INFO" if args.verbose else "WARNING")
    from dbarchitect.server import build_server

    if args.workers != 1 and (not args.http or args.workers < 1):
        print("--workers N (N ≥ 1) applies to --http only", file=sys.stderr)
        return 2
    server = build_server(settings)
    if not args.http:
        server.run("stdio")
        return 0
    host, _, port = args.http.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    token = args.token or os.environ.get("DBARCHITECT_TOKEN")
    if not _is_loopback(host) and not token:
        print(
            f"Refusing to serve on {host}: a non-loopback address needs a bearer token "
            "(--token or DBARCHITECT_TOKEN). Clients then send 'Authorization: Bearer <token>'.",
            file=sys.stderr,
        )
        return 2
    from dbarchitect.server.http import serve_http

    serve_http(server, host, int(port), token, workers=args.workers)
    return 0


def cmd_embedded(args: argparse.Namespace) -> int:
    from dbarchitect.live.postgres.embedded import embedded_cluster, ensure_embedded

    if args.action == "start" or args.action == "dsn":
        dsn = ensure_embedded()
        print(dsn if args.action == "dsn" else f"embedded PostgreSQL running: {dsn}")
    elif args.action == "stop":
        cluster = embedded_cluster()
        cluster.stop()
        print("embedded PostgreSQL stopped")
    else:
        cluster = embedded_cluster()
        print(f"running on port {cluster.current_port()}" if cluster.running() else "not running")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dbarchitect.demo import run_demo

    return run_demo(keep=args.keep)


# ── Tool commands, generated from dbarchitect.tools.TOOLS ─────────────────────────────────────────


@dataclass(frozen=True)
class Shell:
    """What a shell adds to a tool's generated command; everything else comes from the signature."""

    aliases: tuple[str, ...] = ()  # other names of the command, e.g. the short ones of the first CLI
    positional: str | None = None  # the parameter given as the positional argument
    each: bool = False  # the positional takes several values: one call of the tool per value
    files: frozenset[str] = frozenset()  # text parameters whose value names a file (or - for stdin)
    spellings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # more option strings for a parameter
    negations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # options setting a bool parameter false
    # The command line's default for a parameter, where it differs from the tool's: (function of the
    # parsed arguments, what the help says).
    defaults: Mapping[str, tuple[Callable[[argparse.Namespace], Any], str]] = field(default_factory=dict)


def _named_database(args: argparse.Namespace) -> bool:
    """The command names a database (--dsn, --embedded or --on); DATABASE_URL alone does not count."""
    return bool(args.dsn or args.embedded or getattr(args, "connection", None))


_NAMED = "unless --dsn, --embedded or --on names a database"

CLI: dict[str, Shell] = {
    "describe_schema": Shell(aliases=("describe",)),
    "run_query": Shell(aliases=("query",), positional="sql"),
    "review_schema": Shell(files=frozenset({"ddl"})),
    "review_query": Shell(positional="sql"),
    "rewrite_query": Shell(positional="sql"),
    "explain_query": Shell(
        aliases=("explain",), positional="sql", spellings={"hypothetical_indexes": ("--hypothetical",)}
    ),
    "explain_plan": Shell(positional="plan", defaults={"use_catalog": (_named_database, f"default: off {_NAMED}")}),
    "recommend_indexes": Shell(spellings={"queries": ("--query",)}),
    "lint_migration": Shell(
        positional="sql",
        each=True,  # one report per file
        files=frozenset({"sql"}),
        defaults={"offline": (lambda args: not _named_database(args), f"default: offline {_NAMED}")},
    ),
    "dry_run_migration": Shell(
        aliases=("dry-run",),
        positional="sql",
        files=frozenset({"sql", "down_sql"}),
        spellings={"down_sql": ("--down",)},
    ),
    "draft_migration": Shell(
        files=frozenset({"target_ddl", "from_ddl"}),
        spellings={"target_ddl": ("--target",), "from_ddl": ("--from",), "renames": ("--rename", "--renames-json")},
        negations={"online": ("--offline-changes",)},
    ),
}

# The tools' `connection` (a configured name) is --on: --connection NAME=DSN configures one.
CONNECTION_OPTION = "--on"
# Large text parameters: the value is the text, @FILE, or - for standard input.
TEXT_PARAMETERS = frozenset({"sql", "ddl", "plan", "queries", "statements", "hypothetical_indexes"})


def command_name(tool_name: str) -> str:
    return tool_name.replace("_", "-")


class UsageError(Exception):
    """A value the command line cannot turn into an argument; exit 2 with this message."""


@dataclass(frozen=True)
class Param:
    """One tool parameter as the command line sees it."""

    name: str
    annotation: Any  # as declared, Annotated[..., Field(...)]; pydantic validates against it
    default: Any  # inspect.Parameter.empty when required
    kind: str  # bool | choice | number | text | value | list | dict | model
    description: str
    base: Any = Any  # the type without Annotated and None (int for number, the item type for list, …)
    choices: tuple[Any, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    @property
    def text(self) -> bool:
        return self.name in TEXT_PARAMETERS or self.name.endswith(("_sql", "_ddl"))


def _param(p: inspect.Parameter) -> Param:
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    ann, base, info = p.annotation, p.annotation, None
    if typing.get_origin(base) is typing.Annotated:
        base, *meta = typing.get_args(base)
        info = next((m for m in meta if isinstance(m, FieldInfo)), None)
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(base) if a is not type(None)]
        base = members[0] if len(members) == 1 else (str if str in members else Any)
    origin, choices = typing.get_origin(base), ()
    if base is bool:
        kind = "bool"
    elif origin is typing.Literal:
        kind, choices = "choice", typing.get_args(base)
    elif base in (int, float):
        kind = "number"
    elif base is str:
        kind = "text"
    elif origin is list or base is list:
        kind, base = "list", (typing.get_args(base) or (Any,))[0]
    elif origin is dict or base is dict:
        kind = "dict"
    elif inspect.isclass(base) and issubclass(base, BaseModel):
        kind = "model"
    else:
        kind = "value"
    description = (info.description if info else None) or ""
    return Param(p.name, ann, p.default, kind, description, base, choices)


def _constraint(param: Param) -> str:
    rules = []
    for m in _metadata(param.annotation):
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(m, attr, None) is not None:
                rules.append(f"{sign} {getattr(m, attr)}")
    return ", ".join(rules)


def _metadata(annotation: Any) -> list[Any]:
    from pydantic.fields import FieldInfo

    if typing.get_origin(annotation) is not typing.Annotated:
        return []
    out = []
    for m in typing.get_args(annotation)[1:]:
        out.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    return out


def _help(param: Param, shell: Shell) -> str:
    notes = []
    if rule := _constraint(param):
        notes.append(rule)
    if param.name in shell.defaults:
        notes.append(shell.defaults[param.name][1])
    elif param.kind == "bool":
        notes.append("default: on" if param.default is True else "")
    elif not param.required and param.default not in (None, []):
        notes.append(f"default: {param.default}")
    if param.kind == "list":
        notes.append("repeatable, or a JSON array")
    elif param.kind == "dict":
        notes.append("repeatable KEY=VALUE, or a JSON object")
    if param.name in shell.files:
        notes.append("a file, or - for standard input")
    elif param.text or param.kind == "model":
        notes.append("text, @FILE, or - for standard input")
    notes = [n for n in notes if n]
    text = param.description + (f" ({'; '.join(notes)})" if notes else "")
    return text.replace("%", "%%")


def _metavar(param: Param, shell: Shell) -> str | None:
    if param.name in shell.files:
        return "FILE"
    if param.name.endswith("connection"):
        return "NAME"
    if param.kind == "number":
        return "N" if param.base is int else "X"
    if param.kind == "dict":
        return "KEY=VALUE"
    if param.kind == "model":
        return "JSON"
    if param.text:
        return "TEXT" if param.name.endswith("ddl") else "PLAN" if param.name == "plan" else "SQL"
    return None


def _add_tool_command(sub, tool, shell: Shell) -> None:
    doc = inspect.cleandoc(tool.fn.__doc__ or "")
    summary = re.split(r"(?<=[\w)])(?:\.\s|:\s|\s—\s)", " ".join(doc.split("\n\n")[0].split()), maxsplit=1)[0]
    p = sub.add_parser(
        command_name(tool.name),
        aliases=list(shell.aliases),
        help=f"{tool.name}: {summary[0].lower()}{summary[1:]}".replace("%", "%%"),
        description=f"{tool.name} — the MCP tool, from the command line.\n\n{doc}".replace("%", "%%"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    params = [_param(x) for x in tool.parameters()]
    g = p.add_argument_group("arguments of the tool")
    for param in params:
        help_text, metavar = _help(param, shell), _metavar(param, shell)
        if param.name == shell.positional:
            nargs = "+" if shell.each else None
            g.add_argument(param.name, nargs=nargs, metavar=metavar or param.name.upper(), help=help_text)
            continue
        names = [CONNECTION_OPTION if param.name == "connection" else f"--{command_name(param.name)}"]
        names += shell.spellings.get(param.name, ())
        kw: dict[str, Any] = {"dest": param.name, "default": argparse.SUPPRESS, "help": help_text}
        if param.required:
            kw["required"] = True
        if param.kind == "bool":
            optional = param.default is True or param.name in shell.defaults
            kw["action"] = argparse.BooleanOptionalAction if optional else "store_true"
        elif param.kind == "choice":
            kw["choices"] = list(param.choices)
        elif param.kind in ("list", "dict"):
            kw["action"] = "append"
        if metavar and param.kind not in ("bool", "choice"):
            kw["metavar"] = metavar
        if param.name == "max_rows":  # one option: the settings cap (global --max-rows) and this call's rows
            continue
        g.add_argument(*names, **kw)
        for neg in shell.negations.get(param.name, ()):
            g.add_argument(neg, dest=param.name, action="store_false", default=argparse.SUPPRESS,
                           help=f"same as --no-{command_name(param.name)}")  # fmt: skip
    _common(p)
    if tool.name == "lint_migration":
        p.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text",
                       help="text (default), json, SARIF 2.1.0, or GitHub Actions annotations")  # fmt: skip
        p.add_argument("--json", action="store_true", help="same as --format json")
        p.set_defaults(fn=cmd_lint_migration)
    else:
        p.add_argument("--json", action="store_true", help="print the structured result instead of the text")
        p.set_defaults(fn=cmd_tool)
    clash = {a.dest for a in p._actions if a.container is not g and a.dest != "max_rows"} & {x.name for x in params}
    if clash:  # a tool parameter named like a command-line option (--dsn, --json, …) needs a spelling here
        raise RuntimeError(f"{tool.name}: parameter(s) {sorted(clash)} clash with the command line's own options")
    p.set_defaults(_command=Command(tool, shell, params, p))


@dataclass(frozen=True)
class Command:
    """A generated command: the tool it runs, its shell additions, its parameters, its parser."""

    tool: Any
    shell: Shell
    params: list[Param]
    parser: argparse.ArgumentParser


def _option(param: Param, shell: Shell) -> str:
    if param.name == shell.positional:
        return param.name.upper()
    return CONNECTION_OPTION if param.name == "connection" else f"--{command_name(param.name)}"


def _read(value: str, *, path: bool = False) -> str:
    """Text as given, @FILE for a file's contents, - for standard input; with `path`, the value names a file."""
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        value, path = value[1:], True
    if not path:
        return value
    try:
        with open(value, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise UsageError(f"cannot read {value}: {exc.strerror}") from None


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"not {what}: {exc}") from None


def _convert(param: Param, raw: Any, shell: Shell) -> Any:
    """The parsed option's value as the tool takes it (pydantic validates it next)."""
    if param.kind == "list":
        items: list[Any] = []
        for value in raw:
            text = _read(value)
            if text.lstrip().startswith("["):
                items.extend(_json(text, "a JSON array"))
            elif param.base is str:
                items.append(text)
            else:
                try:
                    items.append(json.loads(text))
                except json.JSONDecodeError:
                    items.append(text)
        return items
    if param.kind == "dict":
        merged: dict[str, Any] = {}
        for value in raw:
            text = _read(value)
            if text.lstrip().startswith("{"):
                obj = _json(text, "a JSON object")
                if not isinstance(obj, dict):
                    raise UsageError("expects a JSON object")
                merged.update(obj)
            elif "=" in text:
                key, _, val = text.partition("=")
                merged[key] = val
            else:
                raise UsageError(f"expects KEY=VALUE or a JSON object, got {text!r}")
        return merged
    if param.kind == "model":
        return _json(_read(raw), "valid JSON")
    if param.kind == "text" and isinstance(raw, str) and (param.text or param.name in shell.files):
        return _read(raw, path=param.name in shell.files)
    return raw


def tool_arguments(args: argparse.Namespace, **override: Any) -> dict[str, Any]:
    """The tool's keyword arguments from the parsed command line, validated by pydantic against the
    tool's own annotations (the checks an MCP call gets). Raises UsageError naming the option."""
    from pydantic import TypeAdapter, ValidationError

    shell = args._command.shell
    out: dict[str, Any] = {}
    for param in args._command.params:
        option = _option(param, shell)
        if param.name in override:
            raw, given = override[param.name], True
        else:
            raw = getattr(args, param.name, None)
            given = raw is not None
        if not given:
            if param.name not in shell.defaults:
                continue  # the tool's default
            out[param.name] = shell.defaults[param.name][0](args)
            continue
        try:
            value = _convert(param, raw, shell)
        except UsageError as exc:
            raise UsageError(f"{option}: {exc}") from None
        try:
            out[param.name] = TypeAdapter(param.annotation).validate_python(value)
        except ValidationError as exc:
            problems = []
            for err in exc.errors(include_url=False):
                where = ".".join(str(x) for x in err["loc"])
                problems.append(f"{where + ': ' if where else ''}{err['msg']}")
            got = f" (got {raw})" if param.kind == "number" else ""
            raise UsageError(f"{option}: {'; '.join(problems)}{got}") from None
    return out


async def _call(settings: Settings, fn: Callable[..., Any], calls: list[dict[str, Any]]) -> list[Any]:
    from dbarchitect.app import App

    app = App(settings)
    try:
        return [await fn(app, **kwargs) for kwargs in calls]
    finally:
        await app.close()


def _user_errors() -> tuple[type[Exception], ...]:
    from dbarchitect.core.describe import UserInputError
    from dbarchitect.live.errors import DatabaseError

    return (DatabaseError, UserInputError)


def cmd_tool(args: argparse.Namespace) -> int:
    """Run one tool: exit 0 with its result, 1 when it reports an error."""
    import anyio

    from dbarchitect.core.render import render

    try:
        kwargs = tool_arguments(args)
    except UsageError as exc:
        args._command.parser.error(str(exc))
    settings = settings_from_args(args)
    setup_logging(settings)
    try:
        (result,) = anyio.run(_call, settings, args._command.tool.fn, [kwargs])
    except _user_errors() as exc:
        print(f"error: {redact(str(exc), settings.secrets())}", file=sys.stderr)
        return 1
    if args.json:
        print(result.model_dump_json(indent=2, by_alias=True))
    else:
        print(redact(render(result, max_chars=settings.limits.max_response_chars), settings.secrets()))
    return 0


def _report_unread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """lint_migration for the command line: a file that does not parse (or holds no statement) is the
    linter's report (a syntax-error finding, exit 1), not the MCP tool error."""
    from dbarchitect.tools.migration import UnreadMigration

    async def lint(app: Any, **kwargs: Any) -> Any:
        try:
            return await fn(app, **kwargs)
        except UnreadMigration as exc:
            return exc.report

    return lint


def cmd_lint_migration(args: argparse.Namespace) -> int:
    """Lint migration files like a CI linter: exit 1 when an error-severity finding (or a syntax
    error) remains, 2 on a usage error or an unreachable database that was named. Offline unless
    --dsn, --embedded or --on names a database whose catalog should sharpen the findings."""
    import anyio

    from dbarchitect.core.migration.render import render

    try:
        calls = [tool_arguments(args, sql=path) for path in args.sql]
    except UsageError as exc:
        args._command.parser.error(str(exc))
    settings = settings_from_args(args)
    setup_logging(settings)
    for kwargs in calls:
        if not kwargs["offline"] and kwargs.get("connection") is None:
            kwargs["connection"] = settings.default_connection  # named, so it must be reachable
    try:
        reports = anyio.run(_call, settings, _report_unread(args._command.tool.fn), calls)
    except _user_errors() as exc:
        print(f"error: {redact(str(exc), settings.secrets())}", file=sys.stderr)
        return 2
    reports = [r.model_copy(update={"source": path}) for r, path in zip(reports, args.sql, strict=True)]
    print(render(reports, "json" if args.json else args.format))
    return 1 if any(r.has_errors for r in reports) else 0


def build_parser() -> argparse.ArgumentParser:
    from dbarchitect.tools import TOOLS

    parser = argparse.ArgumentParser(prog="dbarchitect", description="A database architect for AI assistants (MCP).")
    parser.add_argument("--version", action="version", version=f"dbarchitect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    _common(p)
    p.add_argument("--http", metavar="HOST:PORT", help="serve streamable HTTP (stateless) instead of stdio")
    p.add_argument("--token", help="bearer token required from HTTP clients (or DBARCHITECT_TOKEN)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="HTTP server processes (default 1); each has its own connection pools and caches")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("demo", help="start a throwaway PostgreSQL with a sample schema and show every tool")
    p.add_argument("--keep", action="store_true", help="leave the demo cluster running")
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("embedded", help="manage the embedded local PostgreSQL used by --embedded")
    p.add_argument("action", choices=["start", "stop", "status", "dsn"])
    p.set_defaults(fn=cmd_embedded)

    for tool in TOOLS:
        _add_tool_command(sub, tool, CLI.get(tool.name, Shell()))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
