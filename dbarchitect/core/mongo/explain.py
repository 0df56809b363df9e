"""explain() output as a stage tree: find and aggregate, "queryPlanner" or "executionStats"
verbosity, classic or slot-based engine (`winningPlan.queryPlan`), sharded (`shards`).

The tree is the execution stages when executionStats is there (they carry nReturned, docsExamined,
keysExamined, memUsage, usedDisk), else the winning plan. An aggregation's `stages` list keeps each
pipeline stage after the `$cursor` with its own statistics ($group's usedDisk and
totalOutputDataSizeBytes, $lookup's collectionScans and indexesUsed, …).

The slot-based engine (SBE, explainVersion "2": the default for eligible queries from 7.0, and in 8.0)
names its execution stages in lower case (`scan`, `ixseek`, `fetch`, `nlj`, `seek`, …) with `numReads`
instead of docsExamined, while `winningPlan.queryPlan` keeps the classic names, each node with a
`planNodeId` that the execution stages repeat. The execution stages that implement a classic stage are
read under its name (`scan` → COLLSCAN, `ixseek` → IXSCAN, `seek`/`fetch` → FETCH, `sort` → SORT,
`group` → GROUP; numReads → docsExamined) and take what their queryPlan twin (same planNodeId) adds
(filter, sortPattern, keyPattern), so the rules read one vocabulary; the others (`nlj`, `limit`,
`project`, …) keep their name. The original name stays in `info["sbeStage"]`.

An aggregation explained through mongos has no top-level plan: `shards` maps each shard's name to its
own explain (`{host, stages: [{$cursor: …}, …]}`, or `{host, queryPlanner, executionStats}` when the
shard's part of the pipeline was pushed into the query layer), and `splitPipeline` (null when one shard
runs the whole pipeline) names the `shardsPart` and the `mergerPart` that `mergeType` ("mongos"/"router",
"anyShard", "primaryShard", "specificShard"; `needsPrimaryShardMerger` before 3.6) says where runs. Each
shard's explain is parsed on its own (`Explain.shards`), so the rules read every shard as they read one server.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from dbarchitect.core.mongo.documents import DocumentParseError, loads, scalar

_KEEP = (
    "nReturned", "docsExamined", "keysExamined", "executionTimeMillisEstimate", "indexName", "keyPattern", "filter",
    "sortPattern", "memLimit", "memUsage", "totalDataSizeSorted", "usedDisk", "spills", "limitAmount", "direction",
    "isMultiKey", "foreignCollection", "localField", "foreignField", "strategy", "planNodeId", "sbeStage",
    "shardName", "totalDocsExamined", "totalKeysExamined", "spilledRecords", "spilledBytes", "spilledBytesApprox",
    "spilledDataStorageSize",
)  # fmt: skip
#: SBE execution stage → the classic stage it implements (stages with no classic twin keep their name)
_SBE_CLASSIC = {
    "scan": "COLLSCAN", "ixseek": "IXSCAN", "ixscan": "IXSCAN", "ixscan_generic": "IXSCAN", "fetch": "FETCH",
    "seek": "FETCH", "sort": "SORT", "group": "GROUP",
}  # fmt: skip
_CHILDREN = ("inputStage", "outerStage", "innerStage", "thenStage", "elseStage")


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
    error: str | None = Field(default=None, description="executionStats.errorMessage when the plan failed")
    n_returned: int | None = None
    docs_examined: int | None = None
    keys_examined: int | None = None
    time_ms: float | None = None
    nodes: list[StageNode] = Field(default_factory=list, description="Preorder; root = 0")
    pipeline: list[PipelineStage] = Field(default_factory=list)
    parsed_query: dict | None = None
    winning: list[StageNode] = Field(default_factory=list, description="queryPlanner.winningPlan, preorder")
    shards: list[ShardExplain] = Field(default_factory=list, description="mongos aggregate: each shard's own explain")
    merge_type: str | None = Field(default=None, description="mongos aggregate: where the merger part runs")
    shards_part: list[str] = Field(default_factory=list, description="splitPipeline.shardsPart stage names")
    merger_part: list[str] = Field(default_factory=list, description="splitPipeline.mergerPart stage names")

    @property
    def collection(self) -> str | None:
        return self.namespace.split(".", 1)[1] if self.namespace and "." in self.namespace else self.namespace

    def stages(self, name: str) -> list[StageNode]:
        return [n for n in self.nodes if n.stage == name]

    def uses(self, name: str) -> bool:
        """Whether the execution tree or the winning plan has a stage `name` (a published excerpt may cut one)."""
        return any(n.stage == name for n in (*self.nodes, *self.winning))


class ShardExplain(BaseModel):
    name: str
    host: str | None = None
    explain: Explain


#: the first stage of an aggregation's explain, holding the query layer's plan
_CURSORS = ("$cursor", "$geoNearCursor")


def is_explain(value: Any) -> bool:
    return isinstance(value, dict) and (
        "queryPlanner" in value or "executionStats" in value or _is_mongos_aggregate(value)
        or (isinstance(value.get("stages"), list) and any(isinstance(s, dict) and any(c in s for c in _CURSORS)
                                                         for s in value["stages"]))
    )  # fmt: skip


def _is_mongos_aggregate(value: dict) -> bool:
    shards = value.get("shards")
    return (isinstance(shards, dict) and bool(shards) and all(isinstance(b, dict) for b in shards.values())
            and ("splitPipeline" in value or "mergeType" in value or "needsPrimaryShardMerger" in value))  # fmt: skip


def is_explain_text(plan: str | dict | list) -> bool:
    """Whether pasted plan output is MongoDB's explain() (JSON with queryPlanner/executionStats, or
    an aggregation's stages with $cursor) rather than PostgreSQL's EXPLAIN."""
    if isinstance(plan, str):
        if not any(key in plan for key in ("queryPlanner", "executionStats", "$cursor", "splitPipeline")):
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
            "not MongoDB explain() output: expected queryPlanner / executionStats (find), stages with $cursor "
            "(aggregate), or shards with splitPipeline (aggregate through mongos)"
        )
    if _is_mongos_aggregate(value):
        return _mongos_aggregate(value)
    pipeline: list[PipelineStage] = []
    root = value
    if isinstance(value.get("stages"), list):
        for i, st in enumerate(value["stages"]):
            name = next((k for k in st if k.startswith("$")), "?")
            if name in _CURSORS and isinstance(st[name], dict):
                root = st[name]
            pipeline.append(PipelineStage(index=i, name=name, spec=st.get(name), stats={k: v for k, v in st.items() if k != name}))
    planner = root.get("queryPlanner") or {}
    stats = root.get("executionStats") or {}
    winning_plan = planner.get("winningPlan") or {}
    top = stats.get("executionStages") or {}
    tree = _tree(winning_plan, top) if stats.get("executionStages") else _plan(winning_plan)
    nodes: list[StageNode] = []
    _walk(tree, 0, nodes)
    winning: list[StageNode] = []
    _walk(_plan(winning_plan), 0, winning)
    server = value.get("serverInfo") or root.get("serverInfo") or {}
    shard = _first_shard(winning_plan)  # a sharded queryPlanner keeps namespace and parsedQuery per shard
    parsed = planner.get("parsedQuery") or shard.get("parsedQuery")
    return Explain(
        namespace=planner.get("namespace") or shard.get("namespace") or (value.get("command") or {}).get("find"),
        version=server.get("version"), executed=bool(stats),
        error=stats.get("errorMessage") if stats.get("executionSuccess") is False else None,
        n_returned=_int(_first(stats, top, "nReturned")), docs_examined=_int(_first(stats, top, "totalDocsExamined")),
        keys_examined=_int(_first(stats, top, "totalKeysExamined")), time_ms=_float(stats.get("executionTimeMillis")),
        nodes=nodes, winning=winning, pipeline=pipeline, parsed_query=parsed if isinstance(parsed, dict) else None,
    )  # fmt: skip


def _mongos_aggregate(value: dict) -> Explain:
    """An aggregation explained through mongos: each shard parsed on its own, the split kept by stage name."""
    shards = []
    for name, body in value["shards"].items():
        if not is_explain(body):
            raise DocumentParseError(f"shard {name}: no stages nor queryPlanner in its explain")
        shards.append(ShardExplain(name=str(name), host=body.get("host"), explain=parse_explain(body)))
    split = value.get("splitPipeline") if isinstance(value.get("splitPipeline"), dict) else {}
    merge = value.get("mergeType")
    if merge is None and "needsPrimaryShardMerger" in value:  # 3.2-3.4: merged on a random shard unless the primary was needed
        merge = "primaryShard" if value["needsPrimaryShardMerger"] else "anyShard"
    first = shards[0].explain
    server = value.get("serverInfo") or {}

    def total(attr: str) -> int | None:
        values = [getattr(s.explain, attr) for s in shards]
        return sum(values) if all(v is not None for v in values) else None

    return Explain(
        namespace=first.namespace, version=server.get("version") or first.version,
        executed=any(s.explain.executed for s in shards),
        n_returned=first.n_returned if len(shards) == 1 and not split else None,
        docs_examined=total("docs_examined"), keys_examined=total("keys_examined"), parsed_query=first.parsed_query,
        shards=shards, merge_type=merge if isinstance(merge, str) else None,
        shards_part=[_stage_name(s) for s in split.get("shardsPart") or [] if isinstance(s, dict)],
        merger_part=[_stage_name(s) for s in split.get("mergerPart") or [] if isinstance(s, dict)],
    )  # fmt: skip


def _stage_name(stage: dict) -> str:
    return next((k for k in stage if k.startswith("$")), "?")


def _first(stats: dict, top: dict, key: str) -> Any:
    """A total from executionStats, else from its root stage (a sharded root stage carries the totals)."""
    return stats[key] if key in stats else top.get(key)


def _first_shard(winning: dict) -> dict:
    shards = winning.get("shards") if isinstance(winning, dict) else None
    return shards[0] if isinstance(shards, list) and shards and isinstance(shards[0], dict) else {}


def _is_sbe(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("stage"), str) and node["stage"].islower()


def _tree(winning: dict, executed: dict) -> dict:
    """The execution stages as a classic-named tree (see the module docstring for SBE)."""
    if not _is_sbe(executed):
        if isinstance(executed.get("shards"), list):  # sharded: each shard's stages, paired with its plan
            plans = {s.get("shardName"): s.get("winningPlan") or {}
                     for s in winning.get("shards") or [] if isinstance(s, dict)}  # fmt: skip
            shards = [
                {**s, "executionStages": _tree(plans.get(s.get("shardName"), {}), s.get("executionStages") or {})}
                for s in executed["shards"] if isinstance(s, dict)
            ]  # fmt: skip
            return {**executed, "shards": shards}
        return executed
    twins: dict[Any, dict] = {}
    _index(winning.get("queryPlan") if isinstance(winning, dict) else None, twins)
    return _classic_names(executed, twins)


def _index(node: Any, out: dict[Any, dict]) -> None:
    """queryPlan nodes by planNodeId."""
    if not isinstance(node, dict) or "stage" not in node:
        return
    if "planNodeId" in node:
        out.setdefault(node["planNodeId"], node)
    for key in _CHILDREN:
        _index(node.get(key), out)
    for child in node.get("inputStages") or []:
        _index(child, out)


def _sbe_stats(stage: dict) -> dict:
    """One SBE stage's statistics under the classic keys (numReads of a scan/seek/fetch = documents read)."""
    out = {k: stage[k] for k in _KEEP if k in stage and k != "stage"}
    if stage.get("stage") in ("scan", "seek", "fetch") and "numReads" in stage:
        out["docsExamined"] = stage["numReads"]
    if "peakTrackedMemBytes" in stage and "memUsage" not in out:
        out["memUsage"] = stage["peakTrackedMemBytes"]
    return out


def _classic_names(node: dict, twins: dict[Any, dict]) -> dict:
    """An SBE stage under its classic name, with what its queryPlan twin (same planNodeId) says and it does
    not (filter, sortPattern, keyPattern, …)."""
    out = {**_sbe_stats(node), "stage": _SBE_CLASSIC.get(node["stage"], node["stage"]), "sbeStage": node["stage"]}
    twin = twins.get(node.get("planNodeId"))
    if twin is not None and twin.get("stage") == out["stage"]:
        out.update({k: twin[k] for k in _KEEP if k in twin and k not in out})
    for key in _CHILDREN:
        if isinstance(node.get(key), dict):
            out[key] = _classic_names(node[key], twins)
    if isinstance(node.get("inputStages"), list):
        out["inputStages"] = [_classic_names(c, twins) for c in node["inputStages"] if isinstance(c, dict)]
    return out


def _plan(winning: dict) -> dict:
    return winning.get("queryPlan") or winning


def _walk(node: Any, depth: int, out: list[StageNode]) -> None:
    if not isinstance(node, dict) or "stage" not in node:
        return
    out.append(StageNode(id=len(out), depth=depth, stage=str(node["stage"]), info={k: node[k] for k in _KEEP if k in node}))
    children = [node[k] for k in _CHILDREN if isinstance(node.get(k), dict)]
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
    """One line per stage: id, stage, index, rows and documents examined; through mongos, each shard's
    tree under its name, then where the merger part runs."""
    if ex.shards:
        lines = []
        for shard in ex.shards:
            lines.append(f"shard {shard.name}" + (f" ({shard.host})" if shard.host else ""))
            lines += ["  " + line for line in render_tree(shard.explain).splitlines()]
        if ex.merger_part:
            lines.append(f"merge on {ex.merge_type or 'mongos'}: {' > '.join(ex.merger_part)}")
        return "\n".join(lines)
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
        extra = " ".join(f"{k}={scalar(st.stats[k])}" for k in ("nReturned", "usedDisk", "totalOutputDataSizeBytes",
                                                               "collectionScans", "indexesUsed") if k in st.stats)
        lines.append(f"   {st.name} {extra}".rstrip())
    return "\n".join(lines)


Explain.model_rebuild()
