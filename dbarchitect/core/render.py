"""Reports -> compact text for the text content of a tool result (the structured content carries
the full model). Renderers are registered per model class; anything else becomes compact JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import BaseModel

from dbarchitect.core.describe import DescribeSchemaResult, human_bytes
from dbarchitect.core.design import SchemaDesign
from dbarchitect.core.indexing.models import IndexAdvice
from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.diff.models import DraftReport
from dbarchitect.core.migration.dryrun_models import DryRunReport
from dbarchitect.core.migration.dryrun_models import render_text as render_dry_run
from dbarchitect.core.migration.models import MigrationReport
from dbarchitect.core.migration.render import render_text as render_migration_text
from dbarchitect.core.models import Finding
from dbarchitect.core.mysql_migration.dryrun_models import MyDryRunReport
from dbarchitect.core.mysql_migration.dryrun_models import render_text as render_mysql_dry_run
from dbarchitect.core.mysql_migration.models import MySQLMigrationReport
from dbarchitect.core.mysql_migration.render import render_lint as render_mysql_lint
from dbarchitect.core.n_plus_one import NPlusOneReport
from dbarchitect.core.plan.render import render_report as render_plan
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.core.query_review import QueryReview
from dbarchitect.core.results import QueryResult
from dbarchitect.core.review_report import render_review
from dbarchitect.core.rewrites import RewriteReport
from dbarchitect.core.schema_review import SchemaReview

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
        text = text[:max_chars] + f"\n…[text cut at {max_chars} characters: narrow the call (one table, fewer rows or statements) for the rest]"
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
    lines = [f"{s.database} ({s.flavor} {s.server_version}): {totals}"]
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


def _counts(findings: list[Finding]) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    order = ("error", "warning", "advice", "info")
    return ", ".join(f"{counts[s]} {s}" for s in order if s in counts) or "no findings"


def _with_findings(title: str, findings: list[Finding], extra: list[str] = ()) -> str:
    return "\n".join([f"{title}: {_counts(findings)}", *extra, render_findings(findings) if findings else ""]).rstrip()


@renderer(SchemaReview)
def _schema_review(r: SchemaReview) -> str:
    where = r.database or "the DDL"
    extra = [f"skipped {s.code} {s.rule}: {s.reason}" for s in r.skipped] + list(r.notes)
    return render_review(f"Schema review of {where} ({r.tables} tables, source {r.source}): {_counts(r.findings)}", r, extra)


@renderer(QueryReview)
def _query_review(r: QueryReview) -> str:
    how = "with the catalog" if r.catalog else "without a catalog (rules only)"
    return _with_findings(f"Query review of {r.statements} statement(s) {how}", r.findings)


@renderer(MigrationReport)
def _migration(r: MigrationReport) -> str:
    return render_migration_text(r)


@renderer(MySQLMigrationReport)
def _mysql_migration(r: MySQLMigrationReport) -> str:
    return render_mysql_lint(r)


@renderer(MyDryRunReport)
def _mysql_dry_run(r: MyDryRunReport) -> str:
    return render_mysql_dry_run(r)


@renderer(SchemaDesign)
def _design(d: SchemaDesign) -> str:
    parts = ["-- up", d.up_sql.strip(), "", "-- down", d.down_sql.strip(), "", "```mermaid", d.mermaid, "```"]
    parts += [f"verified on PostgreSQL: {'yes' if d.verified else 'no'}", *(f"- {v}" for v in d.verification)]
    parts += [f"note: {n}" for n in d.notes]
    parts.append(_with_findings("Review of the design", d.review.findings))
    return "\n".join(parts)


@renderer(RewriteReport)
def _rewrites(r: RewriteReport) -> str:
    if not r.rewrites:
        return "No rewrite applies." + ("" if r.catalog else " (No catalog was available: some rewrites need one.)")
    out = []
    for rw in r.rewrites:
        out.append(f"- [{rw.safety}] {rw.name} ({rw.code}): {rw.title}")
        out.append(f"  condition: {rw.condition}")
        if rw.changes:
            out.append(f"  changes: {rw.changes}")
        out.append(f"  {rw.before.strip()}  →  {rw.after.strip()}")
        if rw.index:
            out.append(f"  needs: {rw.index}")
        if v := rw.verification:
            cost = f"; cost {v.cost_original} → {v.cost_rewritten}" if v.cost_original is not None else ""
            out.append(f"  verification: {v.status} ({v.rows_original} vs {v.rows_rewritten} rows{cost}) {v.detail}".rstrip())
            for row in v.only_in_original[:3]:
                out.append(f"    only in original: {row}")
            for row in v.only_in_rewritten[:3]:
                out.append(f"    only in rewrite: {row}")
        for e in rw.evidence:
            out.append(f"  evidence ({e.kind}): {e.detail}")
    if r.applied:
        out += ["", f"Safe rewrites applied ({', '.join(r.applied)}):", r.sql]
    return "\n".join(out)


@renderer(NPlusOneReport)
def _n_plus_one(r: NPlusOneReport) -> str:
    if not r.patterns:
        return f"No N+1 pattern found in {r.source}."
    out = []
    for p in r.patterns:
        ratio = f", {p.ratio:.0f}× its parent" if p.ratio else ""
        out.append(f"- {p.kind} lookup on {p.table}.{p.column}: {p.calls} calls{ratio}")
        out.append(f"  repeated: {p.lookup}")
        if p.parent:
            out.append(f"  parent: {p.parent}")
        out.append(f"  batched: {p.batched}")
        if p.json_agg:
            out.append("  one query:\n    " + p.json_agg.replace("\n", "\n    "))
    return "\n".join(out)


@renderer(PlanReport)
def _plan(r: PlanReport) -> str:
    return render_plan(r)


@renderer(DryRunReport)
def _dry_run(r: DryRunReport) -> str:
    return render_dry_run(r)


@renderer(DraftReport)
def _draft(r: DraftReport) -> str:
    v = r.verification
    out: list[str] = []
    if not r.steps:
        out.append("Nothing to change: the current schema already matches the target" + (" (except what was refused below)." if r.refused else "."))
    else:
        checks = (
            f"converges: {'yes' if v.converged else 'NO'}; re-plan empty: {'yes' if v.replan_empty else 'NO'}; "
            f"down restores the original: {'yes' if v.reversible else 'NO'}; dry run: "
            + {True: "ok", False: "FAILED", None: "not run"}[v.dry_run_ok]
        )
        if v.untouched is not None:
            checks += f"; objects outside the target untouched: {'yes' if v.untouched else 'NO'}"
        out += [f"Migration plan: {len(r.steps)} step(s), patterns: {', '.join(r.patterns) or 'none'}",
                f"verification ({'ran' if v.ran else 'not run'}): {checks}" + (f"; error: {v.error}" if v.error else "")]  # fmt: skip
        out += [f"- changed outside the target: {d.key} {d.change}" for d in v.out_of_scope_changes[:10]]
        for phase in r.phases:
            out.append(f"phase {phase.name}" + (" (deploy the application first)" if phase.deploy_before else ""))
            for sid in phase.steps:
                st = next(s for s in r.steps if s.id == sid)
                seen = ""
                if st.observed and st.observed.locks:
                    seen = "; observed " + ", ".join(f"{lk.relation} {lk.mode}" for lk in st.observed.locks)
                where = "in a transaction" if st.transactional else "outside a transaction"
                out.append(f"  {st.id}. {st.description} [{where}, lock {st.lock or 'none'}{seen}]")
    if r.hazards:
        out.append("hazards:")
        out += [f"- [{h.severity}] {h.code}: {h.message}" for h in r.hazards]
    if r.refused:
        out.append("refused (data loss):")
        out += [f"- {x.change} {x.object}: {x.reason} (enable with {x.enable_with})" for x in r.refused]
    if r.left_alone:
        out.append(f"left alone (not in the target): {', '.join(r.left_alone[:30])}" + (" …" if len(r.left_alone) > 30 else ""))
    out += [f"note: {n}" for n in r.notes]
    if r.steps:
        out += ["", r.up_sql.strip(), "", r.down_sql.strip()]
    return "\n".join(out)


@renderer(IndexReview)
def _index_review(r: IndexReview) -> str:
    age = f"usage statistics {r.stats_age_days:.1f} days old" if r.stats_age_days is not None else "usage statistics age unknown"
    return render_review(f"Index review of {r.database or 'the database'} ({r.indexes} indexes, {age}): {_counts(r.findings)}", r, r.notes)


@renderer(IndexAdvice)
def _index_advice(a: IndexAdvice) -> str:
    head = f"Index advice ({a.mode}, workload from {a.workload_source}, {len(a.queries)} queries, {a.costings} costings, {a.elapsed_s:.1f} s)"
    out = [head]
    if a.workload_cost_before is not None and a.workload_cost_after is not None:
        cut = 100 * (1 - a.workload_cost_after / a.workload_cost_before) if a.workload_cost_before else 0
        out.append(f"workload cost {a.workload_cost_before:,.0f} → {a.workload_cost_after:,.0f} ({cut:.0f} % lower); "
                   f"new indexes {human_bytes(a.total_size_bytes)}" + (f" of a {human_bytes(a.budget_bytes)} budget" if a.budget_bytes else ""))  # fmt: skip
    if not a.recommendations:
        out.append("No index to recommend.")
    for r in a.recommendations:
        out.append(f"{r.rank}. {r.ddl}  (~{human_bytes(r.estimated_size_bytes)})")
        out.append(f"   why: {r.reason}")
        for q in r.helps:
            out.append(f"   {q.query}: cost {q.cost_before:,.1f} → {q.cost_after:,.1f}")
        out.append(f"   evidence ({r.evidence.kind}): {r.evidence.detail}")
        out.append(f"   undo: {r.undo}")
    if a.rejected:
        out.append("rejected: " + "; ".join(f"{x.index} — {x.reason}" for x in a.rejected[:8]))
    out += [f"skipped {k}: {v}" for k, v in a.skipped_queries.items()]
    out += [f"note: {n}" for n in a.notes]
    if a.validation is not None:
        out.append(f"validation: {a.validation.model_dump_json(exclude_none=True)[:1500]}")
    return "\n".join(out)

import dbarchitect.core.render_ops  # noqa: E402,F401 - registers the operations renderers
