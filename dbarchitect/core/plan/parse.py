"""Read a plan in whatever shape it arrives: a JSON document, its text, or the text format."""

from __future__ import annotations

import json
from typing import Any

from dbarchitect.core.plan.nodes import Plan, build_plan
from dbarchitect.core.plan.text import clean_lines, parse_text


class PlanParseError(ValueError):
    """The input is not an EXPLAIN result we can read; the message says what was expected."""


def _strip_explain_wrapper(obj: Any) -> Any:
    # psycopg returns [[{...}]] or [({...},)] when the caller passes fetchall() output through
    while isinstance(obj, (list, tuple)) and len(obj) == 1 and isinstance(obj[0], (list, tuple)):
        obj = obj[0]
    return list(obj) if isinstance(obj, tuple) else obj


def load_document(plan: str | dict | list) -> tuple[dict[str, Any], str]:
    """The JSON document of `plan` and the format it came in ("json" or "text")."""
    if isinstance(plan, (dict, list, tuple)):
        doc = _strip_explain_wrapper(plan)
        fmt = "json"
    elif isinstance(plan, str):
        stripped = plan.strip()
        if not stripped:
            raise PlanParseError("The plan is empty: pass EXPLAIN output as JSON or as text.")
        doc, fmt = _from_string(stripped)
    else:
        raise PlanParseError(f"Cannot read a plan from a {type(plan).__name__}; pass JSON or text.")
    if isinstance(doc, list):
        if not doc:
            raise PlanParseError("The EXPLAIN JSON document is an empty list.")
        doc = doc[0]
    if not isinstance(doc, dict) or "Plan" not in doc:
        raise PlanParseError('Not an EXPLAIN (FORMAT JSON) document: expected [{"Plan": {...}, ...}].')
    return doc, fmt


def _from_string(text: str) -> tuple[Any, str]:
    if text[0] in "[{":
        try:
            return json.loads(text), "json"
        except json.JSONDecodeError as exc:
            raise PlanParseError(f"The plan looks like JSON but does not parse: {exc}") from exc
    lines = clean_lines(text)
    if lines and lines[0].lstrip()[:1] in ("[", "{"):  # JSON pasted from psql, header and `+` continuations
        try:
            return json.loads("\n".join(lines)), "json"
        except json.JSONDecodeError as exc:
            raise PlanParseError(f"The plan looks like JSON but does not parse: {exc}") from exc
    try:
        return parse_text(lines), "text"
    except (ValueError, IndexError) as exc:
        raise PlanParseError(f"Cannot read the text-format plan: {exc}") from exc


def parse_plan(plan: str | dict | list) -> Plan:
    """Parse and normalise EXPLAIN output (JSON of PostgreSQL 12-18, or the text format)."""
    doc, fmt = load_document(plan)
    try:
        return build_plan(doc, source_format=fmt)
    except (KeyError, TypeError) as exc:
        raise PlanParseError(f"The plan document is malformed: {exc}") from exc
