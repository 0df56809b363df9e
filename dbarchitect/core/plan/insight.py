"""What a plan rule receives (`PlanContext`) and returns (`Insight`).

A plan rule module (under `dbarchitect.core.rules.plan`) exposes `RULE` and
`check(ctx: PlanContext) -> Iterable[Insight]`. It reads normalised nodes only, never raw
per-loop numbers, and only fields that both EXPLAIN formats show, so JSON and text agree.
Optionally `SUPERSEDES = ("PL006", ...)`: codes whose insights on the same node this rule's
insight makes redundant; `SUPPORTING = True` marks a rule whose insight only points at a node
(hotspots) and is dropped where any other insight already explains that node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dbarchitect.core.models import Evidence, SchemaSnapshot, Severity, Table
from dbarchitect.core.plan.nodes import Plan, PlanNode
from dbarchitect.core.plan.report import IndexSuggestion


@dataclass(slots=True)
class Insight:
    node: PlanNode | None
    severity: Severity
    message: str
    fix: str | None
    proof: dict[str, Any] = field(default_factory=dict)
    saving_ms: float | None = None
    saving_cost: float | None = None
    index: IndexSuggestion | None = None
    catalog: list[Evidence] = field(default_factory=list)
    object: str | None = None
    share: float | None = None  # overrides saving_ms / total when the saving is not part of execution


@dataclass(slots=True)
class PlanContext:
    plan: Plan
    sql: str | None = None
    catalog: SchemaSnapshot | None = None
    _sql_lower: str | None = None
    _executed: list[PlanNode] | None = None

    @property
    def analyzed(self) -> bool:
        return self.plan.analyzed

    @property
    def timed(self) -> bool:
        return self.plan.analyzed and self.plan.timing

    @property
    def total_ms(self) -> float:
        return self.plan.total_ms

    def share(self, ms: float) -> float:
        total = self.plan.total_ms
        return ms / total if total > 0 else 0.0

    def sql_has(self, word: str) -> bool | None:
        """Whether the SQL text contains `word` (case-insensitive); None without SQL."""
        if self.sql is None:
            return None
        if self._sql_lower is None:
            self._sql_lower = self.sql.lower()
        return word.lower() in self._sql_lower

    def table(self, node: PlanNode) -> Table | None:
        if self.catalog is None or not node.relation:
            return None
        return self.catalog.table(node.qualified_relation or node.relation)

    def executed(self):
        """Nodes that ran (all nodes of a plain EXPLAIN)."""
        if self._executed is None:
            self._executed = [n for n in self.plan.nodes if n.executed]
        return self._executed


def misestimate(node: PlanNode) -> tuple[float, str]:
    """(factor, direction) of a node's per-loop row estimate; direction 'under' or 'over'."""
    est, act = node.plan_rows, node.actual_rows
    hi, lo = max(est, act), max(min(est, act), 1.0)
    return hi / lo, ("under" if act > est else "over")


def grade(value: float, warning: float, error: float | None = None) -> Severity:
    if error is not None and value >= error:
        return Severity.error
    if value >= warning:
        return Severity.warning
    return Severity.advice


def fmt_ms(ms: float) -> str:
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 10:
        return f"{ms:.0f} ms"
    return f"{ms:.2f} ms"


def fmt_rows(n: float) -> str:
    n = float(n)
    if n >= 1e9:
        return f"{n / 1e9:.1f}G"
    if n >= 1e6:
        return f"{n / 1e6:.1f}M"
    if n >= 1e4:
        return f"{n / 1e3:.0f}k"
    return f"{n:.0f}" if n == int(n) else f"{n:.2f}"


def pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def who(node: PlanNode) -> str:
    """`Seq Scan on orders` (node #3): how a message names a node."""
    target = node.target
    return f"{node.label} on {target} (node {node.id})" if target else f"{node.label} (node {node.id})"



# ------------------------------------------------------------------------------------------------
# Shared predicates of the spill rules (the temp I/O rule must not repeat what they explain)
# ------------------------------------------------------------------------------------------------


def sort_spilled(n: PlanNode) -> bool:
    if n.node_type not in ("Sort", "Incremental Sort"):
        return False
    if str(n.get("Sort Method", "")).startswith("external") or n.get("Sort Space Type") == "Disk":
        return True
    for w in n.get("Workers") or ():
        if str(w.get("Sort Method", "")).startswith("external") or w.get("Sort Space Type") == "Disk":
            return True
    for key in ("Full-sort Groups", "Pre-sorted Groups"):
        group = n.get(key)
        if isinstance(group, dict) and group.get("Sort Space Disk"):
            return True
    return False


def hash_batched(n: PlanNode) -> bool:
    return n.node_type == "Hash" and int(n.get("Hash Batches") or 1) > 1


def hashagg_spilled(n: PlanNode) -> bool:
    if n.node_type != "Aggregate" or n.get("Strategy") not in ("Hashed", "Mixed"):
        return False
    if int(n.get("HashAgg Batches") or 1) > 1 or (n.get("Disk Usage") or 0) > 0:
        return True
    return any(int(w.get("HashAgg Batches") or 1) > 1 or (w.get("Disk Usage") or 0) > 0 for w in n.get("Workers") or ())


def plain_children(n: PlanNode) -> list[PlanNode]:
    """Children that are not InitPlans or SubPlans (outer, inner, members)."""
    return [c for c in n.children if c.relationship not in ("InitPlan", "SubPlan")]


def suggest_work_mem(kb_needed: float) -> str:
    """A work_mem that fits `kb_needed` kB in memory: the next power of two in MB, at least 4 MB."""
    mb = max(4, int(kb_needed / 1024) + 1)
    size = 4
    while size < mb:
        size *= 2
    return f"{size}MB" if size < 1024 else f"{size // 1024}GB"
