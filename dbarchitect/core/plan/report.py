"""What `explain_plan` and `explain_query` return: a summary, a compact tree, ranked insights."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.models import Finding


class IndexSuggestion(BaseModel):
    """An index that the insight's remedy proposes, ready for HypoPG and for the migration."""

    table: str = Field(description="The table, schema-qualified when the plan says so.")
    columns: list[str] = Field(description="Key columns (or expressions) in order: equality first, then range.")
    include: list[str] = Field(default_factory=list)
    where: str | None = Field(default=None, description="Predicate of a partial index.")
    sql: str = Field(description="CREATE INDEX CONCURRENTLY statement.")
    existing: str | None = Field(
        default=None, description="An existing index that already leads with these columns (catalog check)."
    )


class PlanFinding(Finding):
    """One plan insight: a Finding placed on a plan node, with the time its remedy could save."""

    node: int | None = Field(default=None, description="Node id in the tree (preorder, root = 0).")
    node_label: str | None = Field(default=None, description="The node's operation and target.")
    saving_ms: float | None = Field(default=None, description="Estimated milliseconds the remedy could save.")
    saving_share: float | None = Field(
        default=None,
        description="Estimated share of the statement's time (of its cost, without ANALYZE) the remedy could save.",
    )
    index: IndexSuggestion | None = None


class HotNode(BaseModel):
    node: int
    label: str
    exclusive_ms: float | None = None
    exclusive_cost: float
    share: float = Field(description="Share of the statement's time (or of the plan's cost without ANALYZE).")


class PlanSummary(BaseModel):
    headline: str = Field(description="One sentence: what runs how long and where the time goes.")
    analyzed: bool
    buffers: bool
    execution_ms: float | None = None
    planning_ms: float | None = None
    total_cost: float
    rows: float | None = Field(default=None, description="Rows the statement returned (ANALYZE).")
    node_count: int
    hottest: list[HotNode] = Field(default_factory=list)
    trigger_ms: float | None = None
    jit_ms: float | None = None


class HypotheticalResult(BaseModel):
    """A HypoPG re-plan: the statement's estimated cost without and with a hypothetical index."""

    sql: str = Field(description="The CREATE INDEX that was simulated.")
    cost_before: float
    cost_after: float
    used: bool = Field(description="Whether the re-planned statement uses the hypothetical index.")
    improvement: float = Field(description="1 - after/before; 0.9 means the plan became 10x cheaper.")
    plan_after: str = Field(default="", description="Compact tree of the plan with the index.")
    error: str | None = None


class PlanReport(BaseModel):
    summary: PlanSummary
    tree: str = Field(description="One line per node: id, operation, target, rows est->act, exclusive time, flags.")
    tree_nodes_shown: int
    insights: list[PlanFinding] = Field(default_factory=list, description="Ranked by estimated saving.")
    dropped: int = Field(default=0, description="Insights dropped because their saving was tiny.")
    hypothetical: list[HypotheticalResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    source_format: Literal["json", "text"] = "json"
    statement: str | None = Field(default=None, description="The statement explained, when known.")
    params: list[str] = Field(default_factory=list, description="Values bound to $n parameters, as text.")
