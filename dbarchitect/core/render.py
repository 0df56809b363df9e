"""Reports -> compact text for the text content of a tool result (the structured content carries
the full model). Renderers are registered per model class; anything else becomes compact JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import BaseModel

from dbarchitect.core.describe import DescribeSchemaResult
from dbarchitect.core.models import Finding
from dbarchitect.core.results import QueryResult

_RENDERERS: dict[type, Callable[[BaseModel], str]] = {}


def renderer(model: type) -> Callable:
    def deco(fn: Callable[[BaseModel], str]) -> Callable[[BaseModel], str]:
        _RENDERERS[model] = fn
        return fn

    return deco


def render(obj: BaseModel, max_chars: int = 40_000) -> str:
    for cls in type(obj).__mro__:
        if cls in _RENDERERS:
            text = _RENDERERS[cls](obj)
            break
    else:
        text = json.dumps(obj.model_dump(mode="json", exclude_none=True), ensure_ascii=False, separators=(",", ":"))
    if len(text) > max_chars:
        text = text[:max_chars] + f"\n…[text cut at {max_chars} characters; the structured result has everything]"
    return text


def render_findings(findings: list[Finding]) -> str:
    """The shared shape of any list of findings: severity, rule, where, message, fix, evidence."""
    if not findings:
        return "No findings."
    out = []
    for f in findings:
        where = f.object or (f"statement {f.statement}" if f.statement else "")
        if f.line:
            where += f" (line {f.line})"
        out.append(f"- [{f.severity.value}] {f.rule} ({f.code}){' — ' + where if where else ''}: {f.message}")
        if f.fix:
            out.append("  fix: " + f.fix.replace("\n", "\n       "))
        for e in f.evidence:
            out.append(f"  evidence ({e.kind}): {e.detail}")
    return "\n".join(out)


@renderer(QueryResult)
def _query(r: QueryResult) -> str:
    head = " | ".join(f"{c.name} ({c.type})" for c in r.columns)
    lines = [head, "-" * min(len(head), 80)]
    for row in r.rows:
        lines.append(" | ".join("NULL" if v is None else json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row))
    tail = f"{r.row_count} row(s) in {r.elapsed_ms} ms"
    if r.truncated:
        tail += f"; truncated: {r.truncated_reason}"
    if r.truncated_cells:
        tail += f"; {r.truncated_cells} long cell(s) shortened"
    return "\n".join(lines + [tail])


@renderer(DescribeSchemaResult)
def _describe(r: DescribeSchemaResult) -> str:
    if r.mode == "table" and r.detail:
        d = r.detail
        extra = []
        if d.referenced_by:
            extra.append("-- referenced by: " + "; ".join(d.referenced_by))
        if d.views:
            extra.append("-- read by views: " + ", ".join(d.views))
        return "\n".join([d.ddl, *extra])
    if r.mode == "mermaid" and r.mermaid:
        return "```mermaid\n" + r.mermaid + "\n```"
    s = r.summary
    if s is None:
        return ""
    totals = ", ".join(f"{v} {k}" for k, v in s.totals.items() if v)
    lines = [f"{s.database} (PostgreSQL {s.server_version}): {totals}"]
    if s.role or s.capabilities:
        caps = "; ".join(f"{k}: {v}" for k, v in s.capabilities.items())
        lines.append(f"connected as {s.role}" + (f"; {caps}" if caps else ""))
    lines += [t.line for t in s.tables]
    shown = len(s.tables)
    if s.next_cursor:
        lines.append(f"… {s.total_tables - int(s.next_cursor)} more tables: call again with cursor={s.next_cursor!r}")
    elif shown == 0:
        lines.append("No tables match.")
    return "\n".join(lines)
