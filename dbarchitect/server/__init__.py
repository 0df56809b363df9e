"""MCP wiring only: build_server(), tool registration, prompts, resources, error mapping.

This package is the only place that imports `mcp`. Tools live in dbarchitect.tools as plain async
functions `(app, **arguments) -> pydantic model`; `expose()` turns each into an MCP tool whose
output schema is the model, whose structured content is the model, and whose text content is a
compact rendering. Problems the caller can fix become tool errors with one actionable sentence.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, ValidationError

from dbarchitect import __version__
from dbarchitect.app import App
from dbarchitect.config import Settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.dsn import redact
from dbarchitect.core.safe_text import clean_message, find_nul, nul_message
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.offload import cpu, responsive_switch_interval
from dbarchitect.server.arguments import invalid_arguments, unknown_arguments, unknown_tool
from dbarchitect.server.budget import tool_result
from dbarchitect.server.product import register_prompts, register_resources
from dbarchitect.server.schemas import compact_input, compact_output
from dbarchitect.tools import TOOLS

log = logging.getLogger("dbarchitect")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
# Never writes to the target database, but creates and drops a scratch database — on the same server
# when its role may CREATE DATABASE and no scratch server is configured — so not "read-only".
SCRATCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

INSTRUCTIONS = """dbarchitect is a PostgreSQL database architect. Its answers are deterministic findings
that carry their proof. Start with describe_schema; run_query is read-only, capped and time-limited.
Every tool takes an optional `connection` naming one of the configured databases (the default one when
omitted; resource dbarchitect://connections lists them)."""

TOO_DEEP = ("{tool} gave up: the input is nested too deeply to analyse (Python's recursion limit; nothing "
            "was concluded). Flatten it: a long OR chain as IN (…) or = ANY(…), fewer nested parentheses or subqueries.")

# Errors whose message is written for the caller: they become tool errors, not crashes.
USER_ERRORS = (DatabaseError, UserInputError)


def expose(server: MCPServer, app: App, fn: Callable[..., Any], *, annotations: ToolAnnotations = READ_ONLY) -> None:
    """Register `fn(app, **kwargs) -> Model` as an MCP tool with Model as its output schema."""
    hints = typing.get_type_hints(fn, include_extras=True)
    model = hints["return"]
    sig = inspect.signature(fn)
    params = [p.replace(annotation=hints.get(name, p.annotation)) for name, p in sig.parameters.items() if name != "app"]
    wants_ctx = "ctx" in sig.parameters  # tools that report progress get the request Context as `ctx`
    if wants_ctx:
        params = [p for p in params if p.name != "ctx"]
        params.append(inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context, default=None))
    secrets = app.settings.secrets()

    @functools.wraps(fn)
    async def tool(**kwargs: Any) -> CallToolResult:
        if (nul := find_nul({k: v for k, v in kwargs.items() if k != "ctx"})) is not None:
            raise ToolError(nul_message(nul))
        try:
            result: BaseModel = await fn(app, **kwargs)
        except USER_ERRORS as exc:
            raise ToolError(clean_message(redact(str(exc), secrets))) from None
        except RecursionError:  # a walker over a 50,000-term OR chain or 5,000 nested parentheses
            raise ToolError(TOO_DEEP.format(tool=fn.__name__)) from None
        except Exception as exc:  # the SDK would echo it unbounded, escapes and all
            log.exception("tool %s failed", fn.__name__)
            raise ToolError(clean_message(redact(f"{fn.__name__} failed: {type(exc).__name__}: {exc}", secrets))) from None
        if _small(result):  # a thread hop costs more than rendering a small result (most calls)
            return tool_result(result, app.settings.limits.max_response_chars, secrets, fn.__name__)
        return await cpu(tool_result, result, app.settings.limits.max_response_chars, secrets, fn.__name__)

    ret = Annotated[CallToolResult, model]
    tool.__signature__ = sig.replace(parameters=params, return_annotation=ret)  # type: ignore[attr-defined]
    tool.__annotations__ = {p.name: p.annotation for p in params} | {"return": ret}
    del tool.__wrapped__  # the SDK must read our signature, not the wrapped function's
    server.add_tool(tool, name=fn.__name__, description=tool_description(fn), annotations=annotations)
    # what every client loads into its model's context: compact schemas (see server/schemas.py)
    registered = server._tool_manager.get_tool(fn.__name__)
    registered.parameters = compact_input(registered.parameters)
    registered.fn_metadata.output_schema = compact_output(registered.fn_metadata.output_schema)


def tool_description(fn: Callable[..., Any]) -> str:
    """The docstring as a model reads it: each paragraph (what / when, and which sibling instead /
    what it returns) on one line."""
    paragraphs = inspect.cleandoc(fn.__doc__ or "").split("\n\n")
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


#: seconds between two sweeps of stale scratch databases (the first one runs at server start)
SWEEP_INTERVAL_S = 600.0


async def sweep_scratch_periodically(app: App, interval_s: float | None = None) -> None:
    while True:
        try:
            with anyio.move_on_after(120):
                if dropped := await app.sweep_scratch():
                    log.info("dropped %d stale scratch database(s): %s", len(dropped), ", ".join(dropped))
        except Exception as exc:  # noqa: BLE001 - the sweep never takes the server down
            log.warning("scratch sweep failed: %s", exc)
        await anyio.sleep(interval_s or SWEEP_INTERVAL_S)


#: a result is rendered on the event loop when a walk of its values (one unit per value and per 16
#: characters of text) ends within this budget — about 0.1 ms of rendering; larger ones in a worker thread
INLINE_RESULT_BUDGET = 2_000


def _small(result: BaseModel, budget: int = INLINE_RESULT_BUDGET) -> bool:
    """Whether `result` is small enough to render without leaving the event loop (the walk stops as
    soon as the budget is spent, so a large result costs at most `budget` steps here)."""
    stack: list[Any] = [result]
    while stack:
        value = stack.pop()
        if isinstance(value, BaseModel):
            fields = value.__dict__
            budget -= len(fields)
            stack.extend(fields.values())
        elif isinstance(value, (list, tuple)):
            budget -= len(value)
            stack.extend(value)
        elif isinstance(value, dict):
            budget -= len(value)
            stack.extend(value.values())
        elif isinstance(value, (str, bytes)):
            budget -= 1 + len(value) // 16
        else:
            budget -= 1
        if budget < 0:
            return False
    return True


class Server(MCPServer):
    """MCPServer whose tool calls refuse what they would not read: an unknown tool or argument name
    (with the closest valid one), and invalid values in one line each (see server/arguments.py)."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is None:
            raise ToolError(unknown_tool(name, [t.name for t in self._tool_manager.list_tools()]))
        fields = tool.fn_metadata.arg_model.model_fields
        allowed = [f.alias or n for n, f in fields.items()]
        if (problem := unknown_arguments(name, arguments, allowed)) is not None:
            raise ToolError(problem)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError) and exc.__cause__.title.endswith("Arguments"):
                raise ToolError(invalid_arguments(name, exc.__cause__)) from exc.__cause__
            raise


def build_server(settings: Settings | None = None, app: App | None = None) -> MCPServer:
    """The dbarchitect MCP server. `app` (settings + connections) is created from `settings` when omitted."""
    from dbarchitect.config import load_settings

    app = app or App(settings or load_settings())
    responsive_switch_interval()  # a worker thread busy parsing yields the GIL to the loop quickly

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[App]:
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(sweep_scratch_periodically, app)  # stale scratch databases: now, then every few minutes
                yield app
                tg.cancel_scope.cancel()
        finally:
            await app.close()

    server = Server(
        "dbarchitect",
        title="dbarchitect — database architect",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
    )
    for tool in TOOLS:
        expose(server, app, tool.fn, annotations=SCRATCH if tool.scratch else READ_ONLY)

    register_prompts(server, {tool.name for tool in TOOLS})
    register_resources(server, app)
    return server

