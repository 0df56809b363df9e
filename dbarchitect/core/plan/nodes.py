"""The normalised plan: one `PlanNode` per plan node, with the numbers the insights judge.

EXPLAIN reports most figures per loop and, under a Gather, per process; buffers are totals that
include every child. Rules must not redo that arithmetic, so it happens once, here:

* rows: `Actual Rows` is a per-loop average; `rows` is the total (per loop x loops). The same for
  the `Rows Removed by ...` counters, which EXPLAIN also prints as per-loop averages.
* time: `Actual Total Time` is per loop; `total_ms` is per loop x loops, divided by the processes
  that ran the node concurrently (launched workers + the leader) when it sits under a Gather.
* exclusive figures (time, cost, buffers): the node's own share, i.e. inclusive minus children,
  with two corrections. A CTE's work is paid by the CTE Scans that read it (split by the rows each
  read), not by the node the CTE hangs off. An InitPlan's work is paid by the node whose
  expressions use its output parameter when that is visible (VERBOSE), else by its parent.

Both parsers (JSON and text) produce the JSON document form; `build_plan` turns either into this
model, which is why the two formats give the same analysis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.core.plan.thresholds import T

BUFFER_KEYS = (
    "Shared Hit Blocks",
    "Shared Read Blocks",
    "Shared Dirtied Blocks",
    "Shared Written Blocks",
    "Local Hit Blocks",
    "Local Read Blocks",
    "Local Dirtied Blocks",
    "Local Written Blocks",
    "Temp Read Blocks",
    "Temp Written Blocks",
)

# I/O timing keys of every version, folded into three numbers (ms).
_IO_READ_KEYS = ("I/O Read Time", "Shared I/O Read Time", "Local I/O Read Time")
_IO_WRITE_KEYS = ("I/O Write Time", "Shared I/O Write Time", "Local I/O Write Time")
_TEMP_IO_KEYS = ("Temp I/O Read Time", "Temp I/O Write Time")

# Expression fields searched for InitPlan parameters and SubPlan references.
EXPRESSION_KEYS = (
    "Filter",
    "Index Cond",
    "Recheck Cond",
    "Join Filter",
    "Hash Cond",
    "Merge Cond",
    "One-Time Filter",
    "TID Cond",
    "Order By",
)

_AGG_LABELS = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate", "Mixed": "MixedAggregate"}
_JOIN_BASE = {"Hash Join": "Hash", "Merge Join": "Merge", "Nested Loop": "Nested Loop"}


def node_label(raw: dict[str, Any]) -> str:
    """The operation as EXPLAIN's text format names it: `Parallel Seq Scan`, `Hash Left Join`..."""
    nt = str(raw.get("Node Type", "?"))
    if nt == "Aggregate":
        name = _AGG_LABELS.get(str(raw.get("Strategy")), "Aggregate")
        mode = raw.get("Partial Mode")
        if mode in ("Partial", "Finalize"):
            name = f"{mode} {name}"
    elif nt == "SetOp":
        name = "HashSetOp" if raw.get("Strategy") == "Hashed" else "SetOp"
        if raw.get("Command"):
            name = f"{name} {raw['Command']}"
    elif nt == "ModifyTable":
        name = str(raw.get("Operation", "ModifyTable"))
    elif nt in _JOIN_BASE:
        jt = raw.get("Join Type", "Inner")
        base = _JOIN_BASE[nt]
        if jt != "Inner":
            name = f"{base} {jt} Join"
        else:
            name = nt
    elif nt == "Custom Scan":
        name = f"Custom Scan ({raw.get('Custom Plan Provider', '?')})"
    else:
        name = nt
    if raw.get("Scan Direction") == "Backward" and nt in ("Index Scan", "Index Only Scan"):
        name += " Backward"
    if raw.get("Async Capable") is True:
        name = "Async " + name
    if raw.get("Parallel Aware") is True:
        name = "Parallel " + name
    return name


def _num(value: Any) -> float:
    if value is None or value is True or value is False:
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass(slots=True, eq=False)
class PlanNode:
    """One plan node with its raw fields (JSON keys) and its normalised numbers."""

    id: int
    raw: dict[str, Any]
    depth: int = 0
    parent: PlanNode | None = None
    children: list[PlanNode] = field(default_factory=list)
    label: str = ""
    # raw-derived
    node_type: str = ""
    relation: str | None = None
    schema: str | None = None
    alias: str | None = None
    index_name: str | None = None
    relationship: str | None = None
    subplan_name: str | None = None
    plan_rows: float = 0.0
    plan_width: float = 0.0
    startup_cost: float = 0.0
    total_cost: float = 0.0
    # normalised (ANALYZE)
    loops: float = 0.0
    actual_rows: float = 0.0  # per loop, as EXPLAIN prints it
    rows: float = 0.0  # total over loops
    total_ms: float = 0.0  # inclusive wall-clock estimate
    exclusive_ms: float = 0.0
    exclusive_cost: float = 0.0
    processes: int = 1  # concurrent processes dividing the time (under a Gather)
    removed_by_filter: float = 0.0  # totals over loops
    removed_by_join_filter: float = 0.0
    removed_by_recheck: float = 0.0
    buffers: dict[str, float] = field(default_factory=dict)  # inclusive totals
    exclusive_buffers: dict[str, float] = field(default_factory=dict)
    io_read_ms: float = 0.0
    io_write_ms: float = 0.0
    temp_io_ms: float = 0.0
    exclusive_io_read_ms: float = 0.0
    in_parallel: bool = False
    disabled: bool = False
    executed: bool = True  # False only for a node ANALYZE reports as never executed

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @property
    def is_cte(self) -> bool:
        return self.relationship == "InitPlan" and (self.subplan_name or "").startswith("CTE ")

    @property
    def target(self) -> str | None:
        """What the node reads or writes, for display: `public.orders o`, `idx`, `CTE x`."""
        if self.relation:
            qual = f"{self.schema}.{self.relation}" if self.schema else self.relation
            return qual if not self.alias or self.alias == self.relation else f"{qual} {self.alias}"
        for key in ("CTE Name", "Function Name", "Table Function Name", "Tuplestore Name"):
            if self.raw.get(key):
                name = str(self.raw[key])
                return name if not self.alias or self.alias == name else f"{name} {self.alias}"
        if self.node_type == "Bitmap Index Scan":
            return self.index_name
        return self.alias

    @property
    def qualified_relation(self) -> str | None:
        if not self.relation:
            return None
        return f"{self.schema}.{self.relation}" if self.schema else self.relation

    def expressions(self) -> str:
        """All expression fields joined, for parameter and subplan searches."""
        parts = [str(self.raw[k]) for k in EXPRESSION_KEYS if self.raw.get(k)]
        out = self.raw.get("Output")
        if isinstance(out, list):
            parts.extend(str(x) for x in out)
        return "\n".join(parts)

    def walk(self):
        """This node and every descendant, preorder."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def ancestors(self):
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def blocks(self, exclusive: bool = True) -> float:
        """Shared + local blocks touched (hit + read)."""
        b = self.exclusive_buffers if exclusive else self.buffers
        return (
            b.get("Shared Hit Blocks", 0.0)
            + b.get("Shared Read Blocks", 0.0)
            + b.get("Local Hit Blocks", 0.0)
            + b.get("Local Read Blocks", 0.0)
        )


@dataclass(slots=True)
class TriggerTime:
    name: str | None
    constraint: str | None
    relation: str | None
    time_ms: float
    calls: float


@dataclass(slots=True, eq=False)
class Plan:
    """A whole EXPLAIN result, normalised."""

    root: PlanNode
    nodes: list[PlanNode]
    analyzed: bool
    timing: bool
    has_buffers: bool
    planning_ms: float | None = None
    execution_ms: float | None = None
    triggers: list[TriggerTime] = field(default_factory=list)
    jit: dict[str, Any] | None = None
    settings: dict[str, str] = field(default_factory=dict)
    source_format: str = "json"
    io_timing: bool = False
    verbose: bool = False

    @property
    def total_ms(self) -> float:
        """Execution time of the statement: `Execution Time`, else the root's inclusive time."""
        if self.execution_ms is not None:
            return self.execution_ms
        return self.root.total_ms

    @property
    def total_cost(self) -> float:
        return self.root.total_cost

    def node(self, node_id: int) -> PlanNode:
        return self.nodes[node_id]


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------

_PARAM_RE = re.compile(r"\$\d+")


def _initplan_tokens(name: str) -> list[str]:
    """What an InitPlan's output looks like where it is used: `$2` (PG<18) or `(InitPlan 3)`."""
    tokens = _PARAM_RE.findall(name.split("returns", 1)[1]) if "returns" in name else []
    m = re.match(r"InitPlan (\d+)", name)
    if m:
        tokens.append(f"(InitPlan {m.group(1)})")
    return tokens


def _contains_token(text: str, token: str) -> bool:
    if token.startswith("$"):
        return re.search(re.escape(token) + r"(?!\d)", text) is not None
    return token in text


def _make_node(raw: dict[str, Any], node_id: int, depth: int, parent: PlanNode | None) -> PlanNode:
    n = PlanNode(id=node_id, raw=raw, depth=depth, parent=parent)
    n.node_type = str(raw.get("Node Type", "?"))
    n.label = node_label(raw)
    n.relation = raw.get("Relation Name")
    n.schema = raw.get("Schema")
    n.alias = raw.get("Alias")
    n.index_name = raw.get("Index Name")
    n.relationship = raw.get("Parent Relationship")
    n.subplan_name = raw.get("Subplan Name")
    n.plan_rows = _num(raw.get("Plan Rows"))
    n.plan_width = _num(raw.get("Plan Width"))
    n.startup_cost = _num(raw.get("Startup Cost"))
    n.total_cost = _num(raw.get("Total Cost"))
    n.loops = _num(raw.get("Actual Loops"))
    n.executed = "Actual Loops" not in raw or n.loops > 0
    n.actual_rows = _num(raw.get("Actual Rows"))
    n.rows = n.actual_rows * n.loops
    n.removed_by_filter = _num(raw.get("Rows Removed by Filter")) * n.loops
    n.removed_by_join_filter = _num(raw.get("Rows Removed by Join Filter")) * n.loops
    n.removed_by_recheck = _num(raw.get("Rows Removed by Index Recheck")) * n.loops
    n.buffers = {k: _num(raw.get(k)) for k in BUFFER_KEYS}
    n.io_read_ms = sum(_num(raw.get(k)) for k in _IO_READ_KEYS)
    n.io_write_ms = sum(_num(raw.get(k)) for k in _IO_WRITE_KEYS)
    n.temp_io_ms = sum(_num(raw.get(k)) for k in _TEMP_IO_KEYS)
    # PG18 says so; older versions add disable_cost (1e10) to the node's cost
    n.disabled = raw.get("Disabled") is True
    return n


def build_plan(doc: Any, source_format: str = "json") -> Plan:
    """Turn an EXPLAIN (FORMAT JSON) document (a list of one object, or the object) into a Plan."""
    if isinstance(doc, list):
        if not doc:
            raise ValueError("The EXPLAIN document is empty.")
        doc = doc[0]
    if not isinstance(doc, dict) or "Plan" not in doc:
        raise ValueError("Not an EXPLAIN (FORMAT JSON) document: the top-level object has no \"Plan\" key.")

    nodes: list[PlanNode] = []

    def visit(raw: dict[str, Any], depth: int, parent: PlanNode | None) -> PlanNode:
        node = _make_node(raw, len(nodes), depth, parent)
        nodes.append(node)
        for child in raw.get("Plans") or ():
            node.children.append(visit(child, depth + 1, node))
        return node

    root = visit(doc["Plan"], 0, None)
    analyzed = "Actual Loops" in root.raw
    timing = "Actual Total Time" in root.raw
    has_buffers = any(any(k in n.raw for k in BUFFER_KEYS) for n in nodes)
    io_timing = any(any(k in n.raw for k in _IO_READ_KEYS) for n in nodes)
    plan = Plan(
        root=root,
        nodes=nodes,
        analyzed=analyzed,
        timing=timing,
        has_buffers=has_buffers,
        planning_ms=_opt_num(doc.get("Planning Time")),
        execution_ms=_opt_num(doc.get("Execution Time")),
        jit=doc.get("JIT"),
        settings={str(k): str(v) for k, v in (doc.get("Settings") or {}).items()},
        source_format=source_format,
        io_timing=io_timing,
        verbose=any("Output" in n.raw for n in nodes),
    )
    for t in doc.get("Triggers") or ():
        plan.triggers.append(
            TriggerTime(
                name=t.get("Trigger Name"),
                constraint=t.get("Constraint Name"),
                relation=t.get("Relation"),
                time_ms=_num(t.get("Time")),
                calls=_num(t.get("Calls")),
            )
        )
    _normalise(plan)
    return plan


def _opt_num(v: Any) -> float | None:
    return None if v is None else _num(v)


def _normalise(plan: Plan) -> None:
    # 1. processes under each Gather, inclusive time
    def set_processes(node: PlanNode, procs: int, parallel: bool) -> None:
        if node.node_type in ("Gather", "Gather Merge"):
            launched = int(_num(node.get("Workers Launched", node.get("Workers Planned"))))
            outer = [c for c in node.children if c.relationship not in ("InitPlan", "SubPlan")]
            child_loops = outer[0].loops if outer else 0
            leader = not (launched > 0 and child_loops == launched)
            inner_procs = max(1, launched + (1 if leader else 0))
            node.processes = 1
            node.in_parallel = parallel
            for c in node.children:
                set_processes(c, inner_procs, True)
            return
        node.processes = procs
        node.in_parallel = parallel
        for c in node.children:
            set_processes(c, procs, parallel)

    set_processes(plan.root, 1, False)
    for n in plan.nodes:
        per_loop = _num(n.get("Actual Total Time"))
        divisor = max(1.0, min(float(n.processes), n.loops)) if n.loops else 1.0
        n.total_ms = per_loop * n.loops / divisor

    # 2. who pays for CTEs and InitPlans
    payer_ms: dict[int, float] = {}
    payer_buf: dict[int, dict[str, float]] = {}
    payer_cost: dict[int, float] = {}

    def charge(node: PlanNode, sub: PlanNode, share: float) -> None:
        payer_ms[node.id] = payer_ms.get(node.id, 0.0) + sub.total_ms * share
        payer_cost[node.id] = payer_cost.get(node.id, 0.0) + sub.total_cost * share
        acc = payer_buf.setdefault(node.id, dict.fromkeys(BUFFER_KEYS, 0.0))
        for k in BUFFER_KEYS:
            acc[k] += sub.buffers[k] * share

    cte_scans: dict[str, list[PlanNode]] = {}
    for n in plan.nodes:
        if n.node_type == "CTE Scan" and n.get("CTE Name"):
            cte_scans.setdefault(str(n.get("CTE Name")), []).append(n)

    for n in plan.nodes:
        for c in n.children:
            if c.is_cte:
                scans = cte_scans.get((c.subplan_name or "")[4:], [])
                total_rows = sum(s.rows for s in scans)
                if scans:
                    for s in scans:
                        share = (s.rows / total_rows) if total_rows > 0 else 1.0 / len(scans)
                        charge(s, c, share)
                else:
                    charge(n, c, 1.0)
            elif c.relationship == "InitPlan":
                charge(_initplan_user(n, c), c, 1.0)
            else:
                charge(n, c, 1.0)

    for n in plan.nodes:
        n.exclusive_ms = max(0.0, n.total_ms - payer_ms.get(n.id, 0.0))
        n.exclusive_cost = max(0.0, n.total_cost - payer_cost.get(n.id, 0.0))
        sub = payer_buf.get(n.id)
        n.exclusive_buffers = (
            {k: max(0.0, n.buffers[k] - sub[k]) for k in BUFFER_KEYS} if sub else dict(n.buffers)
        )
        child_io = sum(c.io_read_ms for c in n.children if not c.is_cte)
        n.exclusive_io_read_ms = max(0.0, n.io_read_ms - child_io)
        if not n.disabled and n.total_cost >= T("disable_cost") and not any(c.total_cost >= T("disable_cost") for c in n.children):
            n.disabled = True


def _initplan_user(owner: PlanNode, initplan: PlanNode) -> PlanNode:
    """The node that evaluates an InitPlan's output: the deepest user of its parameter, else its owner."""
    tokens = _initplan_tokens(initplan.subplan_name or "")
    if not tokens:
        return owner
    best: PlanNode | None = None
    stack = [owner]
    while stack:
        n = stack.pop()
        if n is initplan:
            continue
        text = n.expressions()
        if text and any(_contains_token(text, t) for t in tokens):
            if best is None or n.depth > best.depth:
                best = n
        stack.extend(n.children)
    return best or owner
