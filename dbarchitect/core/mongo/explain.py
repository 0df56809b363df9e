"""explain() output as a stage tree: find and aggregate, "queryPlanner" or "executionStats"
verbosity, classic or slot-based engine (`winningPlan.queryPlan`), sharded (`shards`).

The tree is the execution stages when executionStats is there (they carry nReturned, docsExamined,
keysExamined, memUsage, usedDisk), else the winning plan. An aggregation's `stages` list keeps each
pipeline stage after the `$cursor` with its own statistics ($group's usedDisk and
totalOutputDataSizeBytes, $lookup's collectionScans and indexesUsed, …).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from dbarchitect.core.mongo.documents import DocumentParseError, loads, scalar

_KEEP = (
    "nReturned", "docsExamined", "keysExamined", "executionTimeMillisEstimate", "indexName", "keyPattern", "filter",
    "sortPattern", "memLimit", "memUsage", "totalDataSizeSorted", "usedDisk", "spills", "limitAmount", "direction",
    "isMultiKey", "foreignCollection", "localField", "foreignField", "strategy",
)  # fmt: skip


class StageNode(BaseModel):
    id: int
    depth: int
    stage: str
    info: dict[str, Any] = Field(default_factory=dict)

    def num(self, key: str) -> float | None:
        value = scalar(self.info.get(key))
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class PipelineStage(BaseModel):
    index: int = Field(description="Position in the explained pipeline (0 = the $cursor)")
    name: str
    spec: Any = None
    stats: dict[str, Any] = Field(default_factory=dict)

    def num(self, key: str) -> float | None:
        value = scalar(self.stats.get(key))
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class Explain(BaseModel):
    namespace: str | None = None
    version: str | None = None
    executed: bool = Field(description="executionStats present")
    n_returned: int | None = None
    docs_examined: int | None = None
    keys_examined: int | None = None
    time_ms: float | None = None
    nodes: list[StageNode] = Field(default_factory=list, description="Preorder; root = 0")
    pipeline: list[PipelineStage] = Field(default_factory=list)
    parsed_query: dict | None = None
    winning: list[StageNode] = Field(default_factory=list, description="queryPlanner.winningPlan, preorder")

    @property
    def collection(self) -> str | None:
        return self.namespace.split(".", 1)[1] if self.namespace and "." in self.namespace else self.namespace

    def stages(self, name: str) -> list[StageNode]:
        return [n for n in self.nodes if n.stage == name]

    def uses(self, name: str) -> bool:
        """Whether the execution tree or the winning plan has a stage `name` (a published excerpt may cut one)."""
        return any(n.stage == name for n in (*self.nodes, *self.winning))


def is_explain(value: Any) -> bool:
    return isinstance(value, dict) and (
        "queryPlanner" in value or "executionStats" in value
        or (isinstance(value.get("stages"), list) and any(isinstance(s, dict) and "$cursor" in s for s in value["stages"]))
    )  # fmt: skip


def is_explain_text(plan: str | dict | list) -> bool:
    """Whether pasted plan output is MongoDB's explain() (JSON with queryPlanner/executionStats, or
    an aggregation's stages with $cursor) rather than PostgreSQL's EXPLAIN."""
    if isinstance(plan, str):
        if not any(key in plan for key in ("queryPlanner", "executionStats", "$cursor")):
            return False
        try:
            plan = loads(plan)
        except DocumentParseError:
            return False
    if isinstance(plan, list) and len(plan) == 1:
        plan = plan[0]
    return is_explain(plan)


def parse_explain(raw: str | dict | list) -> Explain:
    value = loads(raw) if isinstance(raw, str) else raw
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not is_explain(value):
        raise DocumentParseError(
            "not MongoDB explain() output: expected queryPlanner / executionStats (find) or stages with $cursor (aggregate)"
        )
    pipeline: list[PipelineStage] = []
    root = value
    if isinstance(value.get("stages"), list):
        for i, st in enumerate(value["stages"]):
            name = next((k for k in st if k.startswith("$")), "?")
            if name == "$cursor":
                root = st["$cursor"]
            pipeline.append(PipelineStage(index=i, name=name, spec=st.get(name), stats={k: v for k, v in st.items() if k != name}))
    planner = root.get("queryPlanner") or {}
    stats = root.get("executionStats") or {}
    tree = stats.get("executionStages") or _plan(planner.get("winningPlan") or {})
    nodes: list[StageNode] = []
    _walk(tree, 0, nodes)
    winning: list[StageNode] = []
    _walk(_plan(planner.get("winningPlan") or {}), 0, winning)
    server = value.get("serverInfo") or root.get("serverInfo") or {}
    parsed = planner.get("parsedQuery")
    return Explain(
        namespace=planner.get("namespace") or (value.get("command") or {}).get("find"), version=server.get("version"),
        executed=bool(stats), n_returned=_int(stats.get("nReturned")), docs_examined=_int(stats.get("totalDocsExamined")),
        keys_examined=_int(stats.get("totalKeysExamined")), time_ms=_float(stats.get("executionTimeMillis")),
        nodes=nodes, winning=winning, pipeline=pipeline, parsed_query=parsed if isinstance(parsed, dict) else None,
    )  # fmt: skip


def _plan(winning: dict) -> dict:
    return winning.get("queryPlan") or winning


def _walk(node: Any, depth: int, out: list[StageNode]) -> None:
    if not isinstance(node, dict) or "stage" not in node:
        return
    out.append(StageNode(id=len(out), depth=depth, stage=str(node["stage"]), info={k: node[k] for k in _KEEP if k in node}))
    children = []
    if isinstance(node.get("inputStage"), dict):
        children.append(node["inputStage"])
    children += [c for c in node.get("inputStages") or [] if isinstance(c, dict)]
    for shard in node.get("shards") or []:
        if isinstance(shard, dict):
            children.append(shard.get("executionStages") or _plan(shard.get("winningPlan") or {}))
    for child in children:
        _walk(child, depth + 1, out)


def _int(v: Any) -> int | None:
    v = scalar(v)
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _float(v: Any) -> float | None:
    v = scalar(v)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def render_tree(ex: Explain) -> str:
    """One line per stage: id, stage, index, rows and documents examined."""
    lines = []
    for n in ex.nodes:
        bits = [f"{n.id:>2} {'  ' * n.depth}{n.stage}"]
        if "indexName" in n.info:
            bits.append(f"{n.info['indexName']} {json.dumps(n.info.get('keyPattern', {}))}")
        if "sortPattern" in n.info:
            bits.append(f"sort {json.dumps(n.info['sortPattern'])}")
        for key, label in (("nReturned", "returned"), ("docsExamined", "docs"), ("keysExamined", "keys")):
            if n.num(key) is not None:
                bits.append(f"{label}={int(n.num(key))}")
        if n.info.get("usedDisk"):
            bits.append("usedDisk")
        lines.append("  ".join(bits))
    for st in ex.pipeline[1:]:
        extra = " ".join(f"{k}={st.stats[k]}" for k in ("nReturned", "usedDisk", "totalOutputDataSizeBytes") if k in st.stats)
        lines.append(f"   {st.name} {extra}".rstrip())
    return "\n".join(lines)
