"""Run the plan rules over a normalised plan, rank what they find, and build the report."""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any

from dbarchitect.core.models import Evidence, SchemaSnapshot
from dbarchitect.core.plan.insight import Insight, PlanContext
from dbarchitect.core.plan.nodes import Plan
from dbarchitect.core.plan.parse import parse_plan
from dbarchitect.core.plan.render import DEFAULT_TREE_LINES, render_tree, summarize
from dbarchitect.core.plan.report import PlanFinding, PlanReport
from dbarchitect.core.plan.thresholds import T
from dbarchitect.core.rulebook import family_modules


@lru_cache(maxsize=1)
def plan_rules() -> tuple[ModuleType, ...]:
    return tuple(family_modules("plan"))


def run_rules(ctx: PlanContext) -> list[tuple[ModuleType, Insight]]:
    found: list[tuple[ModuleType, Insight]] = []
    for mod in plan_rules():
        for ins in mod.check(ctx):
            found.append((mod, ins))
    return _deduplicate(found)


def _deduplicate(found: list[tuple[ModuleType, Insight]]) -> list[tuple[ModuleType, Insight]]:
    """Drop insights another insight on the same node makes redundant (SUPERSEDES, SUPPORTING)."""
    by_node: dict[int, list[tuple[ModuleType, Insight]]] = {}
    for mod, ins in found:
        if ins.node is not None:
            by_node.setdefault(ins.node.id, []).append((mod, ins))
    drop: set[int] = set()
    for items in by_node.values():
        codes = {m.RULE.code for m, _ in items}
        superseded = {c for m, _ in items for c in getattr(m, "SUPERSEDES", ())}
        explained = any(not getattr(m, "SUPPORTING", False) for m, _ in items)
        for m, ins in items:
            if m.RULE.code in superseded and m.RULE.code in codes:
                drop.add(id(ins))
            elif getattr(m, "SUPPORTING", False) and explained:
                drop.add(id(ins))
    return [(m, i) for m, i in found if id(i) not in drop]


def _share(ctx: PlanContext, ins: Insight) -> float | None:
    if ins.share is not None:
        return min(1.0, max(0.0, ins.share))
    if ins.saving_ms is not None and ctx.timed and ctx.total_ms > 0:
        return min(1.0, max(0.0, ins.saving_ms / ctx.total_ms))
    if ins.saving_cost is not None and ctx.plan.total_cost > 0:
        return min(1.0, max(0.0, ins.saving_cost / ctx.plan.total_cost))
    return None


def _finding(mod: ModuleType, ins: Insight, share: float | None) -> PlanFinding:
    node = ins.node
    evidence: list[Evidence] = []
    if ins.proof:
        where = f"node {node.id} ({node.label})" if node is not None else "the statement"
        evidence.append(Evidence(kind="static", detail=f"Plan fields of {where}.", data=_plain(ins.proof)))
    evidence.extend(ins.catalog)
    obj = ins.object
    if obj is None and node is not None:
        obj = node.qualified_relation
    base = mod.RULE.finding(message=ins.message, fix=ins.fix, evidence=evidence, obj=obj, severity=ins.severity)
    return PlanFinding(
        **dict(base),
        node=node.id if node is not None else None,
        node_label=(f"{node.label} on {node.target}" if node.target else node.label) if node is not None else None,
        saving_ms=round(ins.saving_ms, 3) if ins.saving_ms is not None else None,
        saving_share=round(share, 4) if share is not None else None,
        index=ins.index,
    )


def _plain(data: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in data.items():
        if isinstance(v, float):
            out[k] = round(v, 3)
        else:
            out[k] = v
    return out


def rank(ctx: PlanContext, found: list[tuple[ModuleType, Insight]]) -> tuple[list[PlanFinding], int]:
    """Findings ranked by estimated saving (then severity); tiny savings dropped. Returns (kept, dropped)."""
    scored = []
    dropped = 0
    for mod, ins in found:
        share = _share(ctx, ins)
        if share is not None and (
            share < T("min_saving_share")
            or (ins.saving_ms is not None and ctx.timed and ins.saving_ms < T("min_saving_ms"))
        ):
            dropped += 1
            continue
        scored.append((mod, ins, share))
    scored.sort(
        key=lambda t: (
            -(t[2] or 0.0),
            -t[1].severity.rank,
            t[1].node.id if t[1].node is not None else -1,
            t[0].RULE.code,
        )
    )
    return [_finding(m, i, s) for m, i, s in scored], dropped


def analyze_plan(
    plan: Plan,
    sql: str | None = None,
    catalog: SchemaSnapshot | None = None,
    max_tree_lines: int = DEFAULT_TREE_LINES,
) -> PlanReport:
    """The full analysis of a parsed plan: summary, compact tree, ranked insights."""
    ctx = PlanContext(plan=plan, sql=sql, catalog=catalog)
    findings, dropped = rank(ctx, run_rules(ctx))
    flags: dict[int, list[str]] = {}
    for f in findings:
        if f.node is not None:
            flags.setdefault(f.node, []).append(f.code)
    tree, shown = render_tree(plan, flags, max_lines=max_tree_lines)
    notes = []
    if not plan.analyzed:
        notes.append(
            "Plain EXPLAIN: the insights that need actual rows and times (ANALYZE) were not evaluated; "
            "savings are shares of the estimated cost."
        )
    elif not plan.has_buffers:
        notes.append("No BUFFERS in the plan: read efficiency, cache and temp I/O insights were not evaluated.")
    return PlanReport(
        summary=summarize(plan),
        tree=tree,
        tree_nodes_shown=shown,
        insights=findings,
        dropped=dropped,
        notes=notes,
        source_format="text" if plan.source_format == "text" else "json",
        statement=sql,
    )


def explain_plan(
    plan: str | dict | list,
    sql: str | None = None,
    catalog: SchemaSnapshot | None = None,
    max_tree_lines: int = DEFAULT_TREE_LINES,
) -> PlanReport:
    """Explain EXPLAIN output (JSON of PostgreSQL 12-18 or the text format) without a database.

    `sql` (optional) lets text-dependent insights confirm themselves (OFFSET, count(*)); `catalog`
    (optional) adds the catalog cross-checks (existing indexes, stale statistics, unindexed FKs).
    """
    return analyze_plan(parse_plan(plan), sql=sql, catalog=catalog, max_tree_lines=max_tree_lines)
