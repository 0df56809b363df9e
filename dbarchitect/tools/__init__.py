"""Tool adapters: each tool is a short async function `(app, **arguments) -> pydantic model`.

`TOOLS` is the one list of them: the server (dbarchitect.server) exposes each over MCP and the CLI
(dbarchitect.cli) generates one subcommand per entry, both from the function's signature — its
parameters are `Annotated[type, Field(description=...)]`, which become the MCP input schema and the
command's options. A tool's parameters are everything but `app` and `ctx` (the MCP request context,
for progress).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dbarchitect.tools.index import recommend_indexes, review_indexes
from dbarchitect.tools.migration import draft_migration, dry_run_migration, lint_migration
from dbarchitect.tools.plan import explain_plan, explain_query
from dbarchitect.tools.ops import review_health, review_security, top_queries
from dbarchitect.tools.query import review_query, rewrite_query, run_query
from dbarchitect.tools.schema import describe_schema, design_schema, review_schema

# Parameters a tool function takes that are not arguments of the tool.
INTERNAL_PARAMETERS = ("app", "ctx")


@dataclass(frozen=True)
class Tool:
    fn: Callable[..., Awaitable[Any]]
    # Creates and drops a scratch database (never writes to the target, but is not "read-only").
    scratch: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__

    def parameters(self) -> list[inspect.Parameter]:
        """The tool's arguments, in order, with their annotations resolved (Annotated[..., Field] kept)."""
        hints = typing.get_type_hints(self.fn, include_extras=True)
        return [
            p.replace(annotation=hints.get(name, p.annotation))
            for name, p in inspect.signature(self.fn).parameters.items()
            if name not in INTERNAL_PARAMETERS
        ]


TOOLS: tuple[Tool, ...] = (
    Tool(describe_schema),
    Tool(run_query),
    Tool(review_schema),
    Tool(design_schema),
    Tool(review_query),
    Tool(rewrite_query),
    Tool(explain_query),
    Tool(explain_plan),
    Tool(recommend_indexes),
    Tool(review_indexes),
    Tool(lint_migration),
    Tool(dry_run_migration, scratch=True),
    Tool(draft_migration, scratch=True),
    Tool(review_health),
    Tool(review_security, scratch=True),
    Tool(top_queries),
)
