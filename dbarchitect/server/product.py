"""What an assistant sees beside the tools: prompts that drive the tools, and resources.

Prompts are markdown files in dbarchitect/prompts. A line starting `[tool]` is kept only when that
tool is registered (`[!tool]`: only when it is not), so a prompt names the tools this build has;
`#. ` starts a numbered step. Resources:
- `rules://index` and `rules://{name}`: the rulebook (an unknown name is a not-found error);
- `schema://{connection}/{table}`: a table's description, describe_schema's table mode as JSON;
- `dbarchitect://connections`: the configured connections, names and engines, never a secret.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Annotated
from urllib.parse import urlsplit

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.dsn import describe_dsn, redact
from dbarchitect.core.rulebook import all_rules, find_rule, rule_doc
from dbarchitect.live.engine import Engine, EngineUnsupported, engine_of
from dbarchitect.live.errors import DatabaseError

_MARK = re.compile(r"^\[(!?)(\w+)\]")

CONNECTION_ARG = Field(
    description="Named connection to work on (resource dbarchitect://connections lists them); the default when empty."
)


def render_prompt(name: str, tools: set[str], **values: str) -> str:
    """Prompt `name` for a server with `tools`: conditional lines resolved, steps numbered, {values} filled."""
    text = resources.files("dbarchitect.prompts").joinpath(f"{name}.md").read_text()
    out, step = [], 0
    for line in text.splitlines():
        if m := _MARK.match(line):
            negated, tool = m.groups()
            if (tool in tools) == bool(negated):
                continue
            line = line[m.end():]
        if line.startswith("#. "):
            step += 1
            line = f"{step}. {line[3:]}"
        out.append(line)
    text = "\n".join(out).rstrip() + "\n"
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _on(connection: str) -> str:
    return f' (connection "{connection}": pass connection="{connection}" to every tool)' if connection else ""


def _fenced(sql: str) -> str:
    return f"\n\n```sql\n{sql.strip()}\n```\n"


def register_prompts(server: MCPServer, tools: set[str]) -> None:
    @server.prompt(name="database-architect", title="Work as a senior database architect")
    def database_architect(
        focus: Annotated[str, Field(description='What this session is about, e.g. "migrations" or "slow checkout".')] = "",
        connection: Annotated[str, CONNECTION_ARG] = "",
    ) -> str:
        """How a senior DBA works with this database, and which tool to call at each step."""
        return render_prompt(
            "database-architect", tools, connection=_on(connection),
            focus=f"\nFocus for this session: {focus}" if focus else "",
        )  # fmt: skip

    @server.prompt(name="schema-review", title="Review the schema, step by step")
    def schema_review(
        schema: Annotated[str, Field(description="Only this schema (e.g. public); every schema when empty.")] = "",
        connection: Annotated[str, CONNECTION_ARG] = "",
    ) -> str:
        """Review the schema with review_schema, review_indexes (and review_security), then explain the findings."""
        return render_prompt(
            "schema-review", tools, connection=_on(connection),
            scope=f" (schema {schema})" if schema else "",
            scope_args=f' (schema="{schema}")' if schema else "",
        )  # fmt: skip

    @server.prompt(name="migration-review", title="Review a migration before it ships")
    def migration_review(
        migration: Annotated[
            str, Field(description="The migration's SQL, or the path of its file; asked for when empty.")
        ] = "",
        connection: Annotated[str, CONNECTION_ARG] = "",
    ) -> str:
        """Lint a migration, dry-run it on a shadow database, and draft the safe version."""
        given = _fenced(migration) if "\n" in migration or ";" in migration else f"`{migration}`" if migration else (
            "not given yet: ask for it, or find the newest file in the repository's migrations folder."
        )
        return render_prompt("migration-review", tools, connection=_on(connection), migration=given)

    @server.prompt(name="slow-query", title="Find and fix slow queries")
    def slow_query(
        sql: Annotated[str, Field(description="A slow query to start from; the top queries by total time when empty.")] = "",
        connection: Annotated[str, CONNECTION_ARG] = "",
    ) -> str:
        """Top queries, then explain each, then recommend indexes proven with HypoPG."""
        query = f"\nStart with this query (look at the top queries only if asked):{_fenced(sql)}" if sql else ""
        return render_prompt("slow-query", tools, connection=_on(connection), query=query)


def where(dsn: str) -> str:
    """Where a DSN points — host, port, database, user — never its password."""
    if engine_of(dsn) is Engine.postgresql:
        return describe_dsn(dsn)
    parts = urlsplit(dsn.strip())
    host = parts.hostname or "local socket"
    try:
        host = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        pass
    db = parts.path.lstrip("/") or "(default)"
    return f"database {db} at {host}" + (f" as {parts.username}" if parts.username else "")


def connections_listing(app: App) -> list[dict]:
    """The configured connections: name, engine, whether it is the default, where it points (no secret)."""
    secrets = app.settings.secrets()
    rows = []
    for name in app.connection_names:
        dsn = app.settings.connections[name]
        row: dict = {"name": name, "default": name == app.settings.default_connection.lower()}
        try:
            engine = engine_of(dsn)
            row |= {"engine": engine.value, "engine_label": engine.label, "where": redact(where(dsn), secrets)}
        except UserInputError as exc:
            row |= {"engine": None, "error": redact(str(exc), secrets)}
        rows.append(row)
    return rows


def register_resources(server: MCPServer, app: App) -> None:
    from dbarchitect.tools.schema import describe_schema

    @server.resource("rules://{name}", name="rule", title="Rule documentation", mime_type="text/markdown")
    def rule_resource(name: str) -> str:
        """A rule's documentation: what it flags, why, an example and what to do instead."""
        module = find_rule(name)
        if module is None:
            raise ResourceNotFoundError(f"No rule named {name!r}. Read rules://index for the list of rules.")
        return rule_doc(module)

    @server.resource("rules://index", name="rules", title="All rules", mime_type="text/markdown")
    def rules_index() -> str:
        """Every rule with its code, family, severity and summary."""
        rows = [f"- {m.RULE.code} {m.RULE.name} ({m.RULE.family}, {m.RULE.severity.value}): {m.RULE.summary}" for m in all_rules()]
        return "\n".join(rows) or "No rules registered."

    @server.resource("dbarchitect://connections", name="connections", title="Configured connections",
                     mime_type="application/json")  # fmt: skip
    def connections() -> str:
        """The named connections every tool's `connection` argument accepts, with their engines (never a DSN's password)."""
        return json.dumps(connections_listing(app), indent=1)

    @server.resource("schema://{connection}/{table}", name="table", title="A table's description",
                     mime_type="application/json")  # fmt: skip
    async def table_resource(connection: str, table: str) -> str:
        """One table in full — DDL, columns, constraints, indexes, statistics — as describe_schema with `table=` returns it."""
        secrets = app.settings.secrets()
        try:
            result = await describe_schema(app, table=table, connection=connection)
        except EngineUnsupported as exc:
            raise ResourceError(str(exc)) from None
        except UserInputError as exc:
            raise ResourceNotFoundError(redact(str(exc), secrets)) from None
        except DatabaseError as exc:
            raise ResourceError(redact(str(exc), secrets)) from None
        return json.dumps(result.model_dump(mode="json", by_alias=True))
