"""The summary and the compact tree of a plan (one line per node, capped for large plans)."""

from __future__ import annotations

from dbarchitect.core.plan.insight import fmt_ms, fmt_rows, misestimate
from dbarchitect.core.plan.nodes import Plan, PlanNode
from dbarchitect.core.plan.report import HotNode, PlanReport, PlanSummary

DEFAULT_TREE_LINES = 60
HOTTEST = 3


def jit_timing(plan: Plan) -> dict[str, float]:
    """JIT phase times in ms (Generation, Inlining, Optimization, Emission, Total); PG17 nests Deform."""
    timing = (plan.jit or {}).get("Timing")
    if not isinstance(timing, dict):
        return {}
    out: dict[str, float] = {}
    for k, v in timing.items():
        if isinstance(v, dict):
            v = v.get("Total", 0.0)
        if isinstance(v, (int, float)):
            out[k] = float(v)
    if "Total" not in out:
        out["Total"] = sum(out.values())
    return out


def hottest(plan: Plan, n: int = HOTTEST) -> list[HotNode]:
    timed = plan.analyzed and plan.timing
    total = plan.total_ms if timed else plan.total_cost
    key = (lambda x: x.exclusive_ms) if timed else (lambda x: x.exclusive_cost)
    ranked = sorted((x for x in plan.nodes if x.executed), key=key, reverse=True)[:n]
    out = []
    for x in ranked:
        share = key(x) / total if total > 0 else 0.0
        out.append(
            HotNode(
                node=x.id,
                label=f"{x.label} on {x.target}" if x.target else x.label,
                exclusive_ms=round(x.exclusive_ms, 3) if timed else None,
                exclusive_cost=round(x.exclusive_cost, 2),
                share=round(share, 4),
            )
        )
    return out


def summarize(plan: Plan) -> PlanSummary:
    timed = plan.analyzed and plan.timing
    hot = hottest(plan)
    trig = sum(t.time_ms for t in plan.triggers) if plan.triggers else None
    jit = jit_timing(plan).get("Total")
    if timed:
        head = f"Executed in {fmt_ms(plan.total_ms)}"
        if plan.planning_ms is not None:
            head += f" (+ {fmt_ms(plan.planning_ms)} planning)"
        if plan.analyzed:
            head += f", returning {fmt_rows(plan.root.rows)} rows"
        if hot and hot[0].share > 0:
            parts = [f"{h.label} (node {h.node}) {fmt_ms(h.exclusive_ms or 0)} = {100 * h.share:.0f} %" for h in hot if h.share >= 0.05]
            if parts:
                head += "; the time goes to " + ", ".join(parts)
        if trig:
            head += f"; triggers {fmt_ms(trig)}"
        if jit:
            head += f"; JIT {fmt_ms(jit)}"
    else:
        head = f"Estimated cost {plan.total_cost:,.0f} for ~{fmt_rows(plan.root.plan_rows)} rows"
        if plan.analyzed:
            head += f" (ANALYZE without timing: {fmt_rows(plan.root.rows)} rows returned)"
        parts = [f"{h.label} (node {h.node}) {100 * h.share:.0f} %" for h in hot if h.share >= 0.05]
        if parts:
            head += "; the cost goes to " + ", ".join(parts)
    head += "."
    return PlanSummary(
        headline=head,
        analyzed=plan.analyzed,
        buffers=plan.has_buffers,
        execution_ms=round(plan.total_ms, 3) if timed else None,
        planning_ms=plan.planning_ms,
        total_cost=plan.total_cost,
        rows=plan.root.rows if plan.analyzed else None,
        node_count=len(plan.nodes),
        hottest=hot,
        trigger_ms=round(trig, 3) if trig is not None else None,
        jit_ms=round(jit, 3) if jit is not None else None,
    )


def node_line(plan: Plan, n: PlanNode, flags: list[str] | None = None) -> str:
    timed = plan.analyzed and plan.timing
    pad = "  " * n.depth
    prefix = ""
    if n.subplan_name:
        prefix = f"{n.subplan_name}: "
    target = f" on {n.target}" if n.target else ""
    if n.index_name and n.node_type != "Bitmap Index Scan":
        target = f" using {n.index_name}{target}"
    parts = [f"[{n.id}] {pad}{'-> ' if n.depth else ''}{prefix}{n.label}{target}"]
    if plan.analyzed:
        if not n.executed:
            parts.append("never executed")
        else:
            rows = f"rows {fmt_rows(n.plan_rows)}->{fmt_rows(n.actual_rows)}"
            factor, direction = misestimate(n)
            if factor >= 10:
                rows += f" ({'under' if direction == 'under' else 'over'}estimated {factor:,.0f}x)"
            if n.loops != 1:
                rows += f" x{fmt_rows(n.loops)} loops"
            parts.append(rows)
            if timed:
                share = n.exclusive_ms / plan.total_ms if plan.total_ms > 0 else 0.0
                parts.append(f"{fmt_ms(n.exclusive_ms)} ({100 * share:.0f} %)")
    else:
        share = n.exclusive_cost / plan.total_cost if plan.total_cost > 0 else 0.0
        parts.append(f"rows~{fmt_rows(n.plan_rows)}")
        parts.append(f"cost {n.exclusive_cost:,.0f} ({100 * share:.0f} %)")
    if flags:
        parts.append("! " + " ".join(flags))
    return "  ".join(parts)


def render_tree(plan: Plan, flags: dict[int, list[str]] | None = None, max_lines: int = DEFAULT_TREE_LINES) -> tuple[str, int]:
    """The compact tree and the number of nodes it shows. Large plans keep the root, the flagged and
    hottest nodes with their ancestors, then fill the budget breadth-first; gaps say what was left out."""
    flags = flags or {}
    nodes = plan.nodes
    if len(nodes) <= max_lines:
        keep = {n.id for n in nodes}
    else:
        keep = {plan.root.id}
        timed = plan.analyzed and plan.timing
        key = (lambda x: x.exclusive_ms) if timed else (lambda x: x.exclusive_cost)
        wanted = [nodes[i] for i in sorted(flags)] + sorted(nodes, key=key, reverse=True)[: max(1, max_lines // 4)]
        for n in wanted:
            chain = [n, *n.ancestors()]
            new = [c.id for c in chain if c.id not in keep]
            if len(keep) + len(new) > max_lines:
                continue
            keep.update(new)
        for n in sorted(nodes, key=lambda x: (x.depth, x.id)):
            if len(keep) >= max_lines:
                break
            if n.parent is None or n.parent.id in keep:
                keep.add(n.id)
    lines = []
    skipped = 0
    for n in nodes:
        if n.id not in keep:
            skipped += 1
            continue
        if skipped:
            lines.append(f"     ... {skipped} node{'s' if skipped > 1 else ''} not shown")
            skipped = 0
        lines.append(node_line(plan, n, flags.get(n.id)))
    if skipped:
        lines.append(f"     ... {skipped} node{'s' if skipped > 1 else ''} not shown")
    return "\n".join(lines), len(keep)


def render_report(report: PlanReport) -> str:
    """Markdown for a tool's text content or the CLI: headline, insights, tree."""
    out = [report.summary.headline, ""]
    if report.insights:
        out.append("Insights (largest estimated saving first):")
        for i, f in enumerate(report.insights, 1):
            saving = f" - could save ~{100 * f.saving_share:.0f} %" if f.saving_share else ""
            out.append(f"{i}. [{f.code} {f.severity.value}] {f.message}{saving}")
            if f.fix:
                out.append(f"   Fix: {f.fix}")
            for ev in f.evidence:
                if ev.kind != "static":
                    out.append(f"   Evidence ({ev.kind}): {ev.detail}")
    else:
        out.append("No insight: nothing in this plan stands out.")
    for h in report.hypothetical:
        verdict = "used" if h.used else "NOT used"
        out.append(
            f"HypoPG: {h.sql} -> cost {h.cost_before:,.0f} -> {h.cost_after:,.0f} ({100 * h.improvement:.0f} % cheaper, index {verdict})"
        )
    for note in report.notes:
        out.append(f"Note: {note}")
    out += ["", "Plan:", report.tree]
    return "\n".join(out)
