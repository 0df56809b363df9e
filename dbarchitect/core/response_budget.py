"""One budget for a whole tool response — text and structured content together (issue 19).

Clients hand the model either part (Claude Code gives it the structured content), so each must stay
readable and the two together must stay within the budget (default ≈ 20k tokens). A result over it is
cut here, whatever the tool: the longest strings are shortened first, then the longest lists, level
by level until the structured part fits its share; the text gets the rest. Each cut string ends with
`…[+N characters cut]`; the text ends with one line naming what was cut and how to get the rest (the
tool's own way to narrow — paging, a filter, fewer rows — or the CLI's `--json`, which prints the
whole result). A result within the budget is returned unchanged.

Pure and CPU-bound: the server calls it in a worker thread with the rendered text and the dumped model.
"""

from __future__ import annotations

import json
from typing import Any

#: (longest string kept, longest list kept), tried from the most generous down
LEVELS: tuple[tuple[int, int], ...] = (
    (4000, 200), (2000, 100), (1000, 50), (500, 25), (300, 12), (200, 6), (120, 3), (80, 2), (60, 1),
)  # fmt: skip

#: how to see the rest, per tool (the default names the CLI, which prints everything with --json)
HOW_TO_GET_THE_REST: dict[str, str] = {
    "run_query": "select fewer rows or columns (max_rows=, LIMIT, WHERE, left(col, 200) for long values)",
    "describe_schema": "pass table= for one table in full, pattern= or schema= to narrow, or a smaller page_size",
    "review_schema": "page with cursor=next_cursor, or narrow with rules= / min_severity= / limit=",
    "review_indexes": "page with cursor=next_cursor, or narrow with rules= / min_severity= / limit=",
    "draft_migration": "draft fewer tables at a time (target_ddl with only the tables that change)",
    "design_schema": "design fewer entities at a time",
    "lint_migration": "lint the migration in smaller files",
    "dry_run_migration": "dry-run the migration in smaller files",
    "recommend_indexes": "pass fewer queries, or max_indexes=",
    "top_queries": "ask for a smaller limit",
}


def size(value: Any) -> int:
    """Characters `value` takes as JSON on the wire."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


class _Cuts:
    def __init__(self) -> None:
        self.strings = 0
        self.lists: list[tuple[str, int, int]] = []


def _shrink(value: Any, max_str: int, max_list: int, cuts: _Cuts, path: str) -> Any:
    if isinstance(value, str):
        if len(value) > max_str:
            cuts.strings += 1
            return value[:max_str] + f"…[+{len(value) - max_str} characters cut]"
        return value
    if isinstance(value, list):
        if len(value) > max_list:
            cuts.lists.append((path or "result", len(value), max_list))
            value = value[:max_list]
        return [_shrink(v, max_str, max_list, cuts, f"{path}[]") for v in value]
    if isinstance(value, dict):
        return {k: _shrink(v, max_str, max_list, cuts, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    return value


def _cut_note(tool: str, cuts: _Cuts, text_cut: int) -> str:
    what = []
    if cuts.lists:
        shown = "; ".join(f"{p} {n} → {k}" for p, n, k in cuts.lists[:6])
        more = f" and {len(cuts.lists) - 6} more list(s)" if len(cuts.lists) > 6 else ""
        what.append(f"lists shortened ({shown}{more})")
    if cuts.strings:
        what.append(f"{cuts.strings} long value(s) shortened")
    if text_cut:
        what.append(f"the text cut by {text_cut} characters")
    how = HOW_TO_GET_THE_REST.get(tool, "narrow the input (fewer tables, statements or rows)")
    cli = tool.replace("_", "-")
    return (f"\n…[response cut to its budget: {', '.join(what) or 'nothing'}. To get the rest: {how}; "
            f"or run `dbarchitect {cli} … --json`, which prints the whole result]")


def fit_response(text: str, structured: dict | None, budget_chars: int, tool: str = "") -> tuple[str, dict | None]:
    """`text` and `structured` cut so that together they take at most `budget_chars` characters."""
    s_size = size(structured) if structured is not None else 0
    if len(text) + s_size <= budget_chars:
        return text, structured
    reserve = 700  # the cut note
    cuts = _Cuts()
    if structured is not None:
        # the structured part gets what the text leaves, and at least half
        share = max(budget_chars // 2, budget_chars - reserve - len(text))
        for max_str, max_list in LEVELS:
            cuts = _Cuts()
            shrunk = _shrink(structured, max_str, max_list, cuts, "")
            s_size = size(shrunk)
            if s_size <= share:
                break
        structured = shrunk
    room = max(budget_chars - reserve - s_size, min(len(text), 2_000))
    text_cut = max(0, len(text) - room)
    if text_cut:
        text = text[:room]
    return text + _cut_note(tool, cuts, text_cut), structured
