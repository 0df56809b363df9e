"""Command line: `dbarchitect serve | demo | embedded | describe | query`.

Every subcommand reads the same settings (DATABASE_URL, DBARCHITECT_DB_<NAME>, libpq's PG* variables)
and flags for the limits. Passwords are scrubbed from everything it prints or logs.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys

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
        "--connection", action="append", default=[], metavar="NAME=DSN", help="add a named connection (repeatable)"
    )
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
    for item in args.connection:
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

    serve_http(server, host, int(port), token)
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


def _run_tool(args: argparse.Namespace, tool, **kwargs) -> int:
    import anyio

    from dbarchitect.app import App
    from dbarchitect.core.describe import UserInputError
    from dbarchitect.core.render import render
    from dbarchitect.live.postgres.errors import DatabaseError

    settings = settings_from_args(args)
    setup_logging(settings)

    async def go():
        app = App(settings)
        try:
            return await tool(app, **kwargs)
        finally:
            await app.close()

    try:
        result = anyio.run(go)
    except (DatabaseError, UserInputError) as exc:
        print(f"error: {redact(str(exc), settings.secrets())}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(result.model_dump_json(indent=2, by_alias=True))
    else:
        print(redact(render(result), settings.secrets()))
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from dbarchitect.tools.schema import describe_schema

    return _run_tool(
        args, describe_schema, table=args.table, format=args.format, schema=args.schema, connection=args.connection_name
    )


def cmd_query(args: argparse.Namespace) -> int:
    from dbarchitect.tools.query import run_query

    return _run_tool(args, run_query, sql=args.sql, connection=args.connection_name)


def cmd_lint_migration(args: argparse.Namespace) -> int:
    """Lint migration files like a CI linter: exit 1 when an error-severity finding (or a syntax
    error) remains. Offline unless --dsn names a database whose catalog should sharpen the findings."""
    import anyio

    from dbarchitect.core.migration.engine import lint
    from dbarchitect.core.migration.render import render
    from dbarchitect.live.postgres.errors import DatabaseError

    texts = []
    for path in args.files:
        try:
            texts.append((path, sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()))
        except OSError as exc:
            print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 2

    async def contexts():
        from dbarchitect.app import App
        from dbarchitect.live.postgres.lint_context import build_lint_context

        app = App(settings_from_args(args))
        try:
            db = app.db()
            return [await db.run(lambda conn, sql=sql: build_lint_context(conn, sql)) for _, sql in texts]
        finally:
            await app.close()

    ctxs: list = [None] * len(texts)
    if args.dsn:
        try:
            ctxs = anyio.run(contexts)
        except DatabaseError as exc:
            print(f"error: {redact(str(exc))}", file=sys.stderr)
            return 2
    try:
        reports = [
            lint(sql, context=ctx, pg_version=args.pg_version, assume_in_transaction=args.in_transaction, source=path)
            for (path, sql), ctx in zip(texts, ctxs, strict=True)
        ]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(reports, args.format))
    return 1 if any(r.has_errors for r in reports) else 0


def cmd_review_schema(args: argparse.Namespace) -> int:
    from dbarchitect.tools.schema import review_schema

    ddl = open(args.ddl, encoding="utf-8").read() if args.ddl else None
    return _run_tool(args, review_schema, ddl=ddl, schema=args.schema, min_severity=args.min_severity)


def cmd_review_query(args: argparse.Namespace) -> int:
    from dbarchitect.tools.query import review_query

    return _run_tool(args, review_query, sql=_sql_arg(args.sql), dialect=args.dialect)


def cmd_rewrite_query(args: argparse.Namespace) -> int:
    from dbarchitect.tools.query import rewrite_query

    return _run_tool(args, rewrite_query, sql=_sql_arg(args.sql), verify=not args.no_verify)


def cmd_explain(args: argparse.Namespace) -> int:
    from dbarchitect.tools.plan import explain_query

    return _run_tool(args, explain_query, sql=_sql_arg(args.sql), analyze=args.analyze, hypothetical_indexes=args.hypothetical)


def cmd_explain_plan(args: argparse.Namespace) -> int:
    from dbarchitect.tools.plan import explain_plan

    return _run_tool(args, explain_plan, plan=_sql_arg(args.plan), use_catalog=bool(args.dsn or args.embedded))


def _read(path: str | None) -> str | None:
    if path is None:
        return None
    return sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()


def cmd_draft_migration(args: argparse.Namespace) -> int:
    import json

    from dbarchitect.tools.migration import draft_migration

    renames = json.loads(args.renames_json) if args.renames_json else dict(i.split("=", 1) for i in args.rename)
    backfill = dict(item.split("=", 1) for item in args.backfill)
    return _run_tool(
        args,
        draft_migration,
        target_ddl=_read(args.target),
        from_ddl=_read(getattr(args, "from")),
        renames=renames or None,
        allow_data_loss=args.allow_data_loss,
        online=not args.offline_changes,
        backfill=backfill or None,
        scope=args.scope,
        verify=not args.no_verify,
    )


def cmd_dry_run(args: argparse.Namespace) -> int:
    from dbarchitect.tools.migration import dry_run_migration

    return _run_tool(
        args, dry_run_migration, sql=_read(args.file), down_sql=_read(args.down),
        assume_in_transaction=not args.no_transaction,
    )  # fmt: skip


def cmd_recommend_indexes(args: argparse.Namespace) -> int:
    from dbarchitect.tools.index import recommend_indexes

    queries = [_sql_arg(q) for q in args.query] or None
    return _run_tool(args, recommend_indexes, queries=queries, from_stats=args.from_stats, budget_mb=args.budget_mb,
                     max_indexes=args.max_indexes)  # fmt: skip


def cmd_review_indexes(args: argparse.Namespace) -> int:
    from dbarchitect.tools.index import review_indexes

    return _run_tool(args, review_indexes, schema=args.schema)


def _sql_arg(value: str) -> str:
    """SQL text, or @FILE for a file, or - for standard input."""
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        return open(value[1:], encoding="utf-8").read()
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dbarchitect", description="A database architect for AI assistants (MCP).")
    parser.add_argument("--version", action="version", version=f"dbarchitect {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    _common(p)
    p.add_argument("--http", metavar="HOST:PORT", help="serve streamable HTTP (stateless) instead of stdio")
    p.add_argument("--token", help="bearer token required from HTTP clients (or DBARCHITECT_TOKEN)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("demo", help="start a throwaway PostgreSQL with a sample schema and show every tool")
    p.add_argument("--keep", action="store_true", help="leave the demo cluster running")
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("embedded", help="manage the embedded local PostgreSQL used by --embedded")
    p.add_argument("action", choices=["start", "stop", "status", "dsn"])
    p.set_defaults(fn=cmd_embedded)

    p = sub.add_parser("describe", help="describe_schema from the command line")
    _common(p)
    p.add_argument("--table")
    p.add_argument("--format", choices=["summary", "mermaid"], default="summary")
    p.add_argument("--schema")
    p.add_argument("--on", dest="connection_name", help="named connection to use")
    p.add_argument("--json", action="store_true", help="print the structured result")
    p.set_defaults(fn=cmd_describe)

    p = sub.add_parser("lint-migration", help="lint migration files (exit 1 on error findings), like squawk")
    p.add_argument("files", nargs="+", metavar="FILE", help="SQL files, or - for standard input")
    p.add_argument("--pg-version", type=int, help="target major version (default: the --dsn server's, else 17)")
    p.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    p.add_argument("--in-transaction", action="store_true", help="the runner wraps each file in a transaction")
    _common(p)
    p.set_defaults(fn=cmd_lint_migration)

    p = sub.add_parser("dry-run", help="dry_run_migration: run a migration on a shadow and report what happened")
    _common(p)
    p.add_argument("file", help="the migration (or - for standard input)")
    p.add_argument("--down", metavar="FILE", help="its down migration: checks the schema comes back exactly")
    p.add_argument("--no-transaction", action="store_true", help="the runner does not wrap the file in a transaction")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_dry_run)

    p = sub.add_parser("draft-migration", help="draft_migration: a verified, online-safe plan to a target schema")
    _common(p)
    p.add_argument("--target", required=True, metavar="FILE", help="the desired schema (CREATE statements)")
    p.add_argument("--from", metavar="FILE", help="the current schema as DDL (instead of --dsn / DATABASE_URL)")
    p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="e.g. users.name=full_name")
    p.add_argument("--renames-json", help="renames as a JSON object")
    p.add_argument("--backfill", action="append", default=[], metavar="TABLE.COLUMN=SQL", help="value for existing rows")
    p.add_argument("--allow-data-loss", action="store_true")
    p.add_argument("--offline-changes", action="store_true", help="no expand/contract: one blocking ALTER per change")
    p.add_argument("--scope", choices=["objects", "schema"], default="objects",
                   help="objects (default): change only what the target defines; schema: the target is the whole "
                   "schema, what it omits is dropped")  # fmt: skip
    p.add_argument("--no-verify", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_draft_migration)

    p = sub.add_parser("recommend-indexes", help="recommend_indexes: indexes for a workload, proven with HypoPG")
    _common(p)
    p.add_argument("--query", action="append", default=[], metavar="SQL", help="a workload query (repeatable; @FILE)")
    p.add_argument("--from-stats", action="store_true", help="the top queries of pg_stat_statements")
    p.add_argument("--budget-mb", type=float)
    p.add_argument("--max-indexes", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_recommend_indexes)

    p = sub.add_parser("review-indexes", help="review_indexes: unused, duplicate, redundant, invalid, missing FK indexes")
    _common(p)
    p.add_argument("--schema")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_review_indexes)

    p = sub.add_parser("review-schema", help="review_schema: the connected database, or --ddl FILE")
    _common(p)
    p.add_argument("--ddl", metavar="FILE", help="review this DDL (in a scratch database) instead")
    p.add_argument("--schema")
    p.add_argument("--min-severity", choices=["info", "advice", "warning", "error"], default="info")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_review_schema)

    p = sub.add_parser("review-query", help="review_query: anti-patterns in SQL (text, @FILE or -)")
    _common(p)
    p.add_argument("sql")
    p.add_argument("--dialect", choices=["postgres", "mysql"], default="postgres")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_review_query)

    p = sub.add_parser("rewrite-query", help="rewrite_query: labelled rewrites, verified by running both")
    _common(p)
    p.add_argument("sql")
    p.add_argument("--no-verify", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_rewrite_query)

    p = sub.add_parser("explain", help="explain_query: EXPLAIN [ANALYZE] with ranked insights and HypoPG proof")
    _common(p)
    p.add_argument("sql", help="SQL text, @FILE or -")
    p.add_argument("--analyze", action="store_true")
    p.add_argument("--hypothetical", action="append", default=[], metavar="CREATE INDEX …")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_explain)

    p = sub.add_parser("explain-plan", help="explain_plan: diagnose EXPLAIN output (JSON or text; @FILE or -)")
    _common(p)
    p.add_argument("plan")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_explain_plan)

    p = sub.add_parser("query", help="run_query from the command line (read-only)")
    _common(p)
    p.add_argument("sql")
    p.add_argument("--on", dest="connection_name", help="named connection to use")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
