"""Pure renderers of a MigrationReport: text (terminal), json, sarif 2.1.0, GitHub workflow annotations."""

from __future__ import annotations

import json

from dbarchitect.core.migration.models import LOCK_SQL_NAME, MigrationReport
from dbarchitect.core.models import Severity

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.advice: "note", Severity.info: "note"}
_GITHUB_LEVEL = {Severity.error: "error", Severity.warning: "warning", Severity.advice: "notice",
                 Severity.info: "notice"}


def render(reports: list[MigrationReport], fmt: str) -> str:
    if fmt == "text":
        return "\n".join(render_text(r) for r in reports)
    if fmt == "json":
        return json.dumps([r.model_dump(mode="json") for r in reports], indent=2, ensure_ascii=False)
    if fmt == "sarif":
        return json.dumps(render_sarif(reports), indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(line for r in reports for line in render_github(r))
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_text(report: MigrationReport) -> str:
    src = report.source or "<sql>"
    if report.parse_error:
        return f"{src}: syntax error: {report.parse_error}\n"
    out = [f"{src}: error: {u}" for u in report.unsupported_syntax]
    by_stmt = {s.index: s for s in report.statements}
    for f in report.findings:
        s = by_stmt.get(f.statement or 0)
        out.append(f"{src}:{f.line}: {f.severity.value} {f.code} {f.rule}")
        if s is not None:
            first = s.sql.splitlines()[0] if s.sql else ""
            out.append(f"  statement {s.index}: {first[:100]}")
            if s.locks:
                locks = ", ".join(f"{rel} {LOCK_SQL_NAME[m]}" for rel, m in s.locks.items())
                extra = (f"; rewrites {', '.join(s.rewrites)}" if s.rewrites else "") + (
                    f"; scans {', '.join(s.scans)}" if s.scans else "")
                out.append(f"  predicted: {locks}{extra}")
        out.append(f"  {f.message}")
        if f.fix:
            out.append("  fix:")
            out.extend(f"    {line}" for line in f.fix.splitlines())
        out.append("")
    counts = report.counts()
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
    out.append(f"{src}: {len(report.statements)} statements, {summary} (PostgreSQL {report.pg_version}"
               f"{', catalog' if report.catalog else ', offline'})")
    return "\n".join(out) + "\n"


def _escape_github(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(report: MigrationReport) -> list[str]:
    src = report.source or "migration.sql"
    if report.parse_error:
        return [f"::error file={src}::{_escape_github('syntax error: ' + report.parse_error)}"]
    lines = []
    for f in report.findings:
        body = f.message + (f"\n\nFix:\n{f.fix}" if f.fix else "")
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} file={src},line={f.line},title={f.code} {f.rule}::"
                     f"{_escape_github(body)}")
    return lines


def render_sarif(reports: list[MigrationReport]) -> dict:
    from dbarchitect.core.migration.engine import rules

    metas = [m.RULE for m in rules()]
    index = {m.name: i for i, m in enumerate(metas)}
    results = []
    for r in reports:
        src = r.source or "migration.sql"
        if r.parse_error:
            results.append({"ruleId": "syntax-error", "level": "error", "message": {"text": r.parse_error},
                            "locations": [{"physicalLocation": {"artifactLocation": {"uri": src}}}]})
            continue
        for f in r.findings:
            results.append({
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule, -1),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message + (f"\nFix:\n{f.fix}" if f.fix else "")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": src},
                                                    "region": {"startLine": f.line or 1}}}],
                "properties": {"code": f.code, "statement": f.statement,
                               "evidence": [e.model_dump(mode="json") for e in f.evidence]},
            })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dbarchitect",
                "informationUri": "https://github.com/dbarchitect/dbarchitect",
                "rules": [{"id": m.name, "name": m.code, "shortDescription": {"text": m.summary},
                           "helpUri": f"rules://{m.name}",
                           "defaultConfiguration": {"level": _SARIF_LEVEL[m.severity]}} for m in metas],
            }},
            "results": results,
        }],
    }
