"""Compact text of the MySQL/MariaDB lint and dry-run reports (the tool result's text content)."""

from __future__ import annotations

from dbarchitect.core.mysql_migration.models import MySQLMigrationReport, MyStatementPrediction


def render_lint(r: MySQLMigrationReport) -> str:
    src = r.source or "<sql>"
    out = []
    for s in r.statements:
        if not isinstance(s, MyStatementPrediction):
            continue
        head = f"#{s.index} (line {s.line}) {s.kind}"
        if not s.understood:
            out.append(f"{head}: not analysed")
            continue
        if s.algorithm:
            est = f", ~{s.estimated_seconds:g} s" if s.estimated_seconds else ""
            out.append(f"{head}: ALGORITHM={s.algorithm}{' (rebuild)' if s.rebuild and s.algorithm == 'INPLACE' else ''}, "
                       f"LOCK={s.lock}{est}" + (f" — REFUSED: {s.refused}" if s.refused else f" — {s.why}"))  # fmt: skip
        else:
            out.append(head)
        out += [f"    assumed: {a}" for a in s.assumptions]
    out.append("")
    for f in r.findings:
        out.append(f"{src}:{f.line}: {f.severity.value} {f.code} {f.rule}")
        out.append(f"  {f.message}")
        if f.fix:
            out.append("  fix:")
            out.extend(f"    {line}" for line in f.fix.splitlines())
        out.append("")
    out += [f"note: {n}" for n in r.notes]
    counts = r.counts()
    summary = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n) or "no findings"
    out.append(f"{src}: {len(r.statements)} statements, {summary} ({r.server}{' assumed' if r.server_assumed else ''}"
               f"{', catalog' if r.catalog else ', offline'})")  # fmt: skip
    return "\n".join(out) + "\n"
