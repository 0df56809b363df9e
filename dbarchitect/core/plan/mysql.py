"""MySQL and MariaDB plans: `EXPLAIN FORMAT=JSON` (both), MariaDB's `ANALYZE FORMAT=JSON` and MySQL 8's
`EXPLAIN ANALYZE` / `EXPLAIN FORMAT=TREE` text, read into one flat list of plan nodes (`MyNode`),
then the `mysql_plan` rules (MY2xx) turn them into insights ranked by estimated saving.

Shapes:
- MariaDB JSON: `query_block` → `nested_loop` [ {`table`} | {`block-nl-join`: {`table`, `join_type`,
  `attached_condition`}} ], `filesort` / `temporary_table` wrappers, `subqueries` [ {`expression_cache`:
  {`query_block`}} ] for correlated subqueries; ANALYZE adds `r_loops`, `r_rows`, `r_filtered`,
  `r_table_time_ms`, `r_other_time_ms`, `r_total_time_ms`.
- MySQL 8 JSON: `query_block` with `cost_info`, `ordering_operation` / `grouping_operation` /
  `duplicates_removal` carrying `using_filesort` / `using_temporary_table`, tables with
  `rows_examined_per_scan`, `rows_produced_per_join`, `using_join_buffer` ("hash join", "Block
  Nested Loop"), and `attached_subqueries` / `select_list_subqueries` items with `dependent`.
- MySQL 8 tree text: `-> Table scan on orders  (cost=10085 rows=99845) (actual time=0.05..20.3 rows=100000 loops=1)`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.core.models import SchemaSnapshot, Severity
from dbarchitect.core.plan.report import PlanFinding, PlanReport, PlanSummary


class MySQLPlanError(ValueError):
    pass


@dataclass
class MyNode:
    id: int
    depth: int
    label: str
    table: str | None = None
    access: str | None = None
    key: str | None = None
    possible_keys: list[str] = field(default_factory=list)
    rows_est: float | None = None  # rows examined per scan (estimate)
    loops: float = 1.0
    rows_actual: float | None = None  # rows read per loop (ANALYZE)
    filtered: float | None = None  # percent kept by the attached condition (estimate)
    r_filtered: float | None = None  # percent kept (ANALYZE)
    time_ms: float | None = None
    condition: str | None = None
    join_condition: str | None = None
    flags: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def examined(self) -> float:
        """Rows examined over all loops: measured when analyzed, else estimated."""
        if self.rows_actual is not None:
            return self.rows_actual * self.loops
        return (self.rows_est or 0) * self.loops

    @property
    def kept_share(self) -> float | None:
        share = self.r_filtered if self.r_filtered is not None else self.filtered
        return None if share is None else share / 100.0

    def describe(self) -> str:
        parts = [self.label]
        if self.table:
            parts.append(f"on {self.table}")
        if self.key:
            parts.append(f"using {self.key}")
        return " ".join(parts)


@dataclass
class MyPlan:
    nodes: list[MyNode]
    analyzed: bool
    flavor: str  # MariaDB, MySQL, or MySQL (tree)
    total_ms: float | None = None
    query_cost: float | None = None
    source_format: str = "json"


@dataclass
class MyPlanContext:
    plan: MyPlan
    sql: str | None = None
    catalog: SchemaSnapshot | None = None

    def table_rows(self, node: MyNode) -> float | None:
        """The table's row estimate from the catalog (when the node names a table it knows)."""
        if self.catalog is None or not node.extra.get("real_table"):
            return None
        t = self.catalog.table(node.extra["real_table"])
        return float(t.estimated_rows) if t is not None else None


@dataclass
class MyInsight:
    node: MyNode | None
    severity: Severity
    message: str
    fix: str | None
    proof: dict[str, Any] = field(default_factory=dict)
    saving_rows: float = 0.0
    saving_ms: float | None = None
    object: str | None = None


_STRING_MEMBER_LINE = re.compile(r'^(\s*"[^"\\]+": ")(.*)("\s*,?\s*)$')


def loads_explain_json(text: str) -> Any:
    """`EXPLAIN` / `ANALYZE FORMAT=JSON` text as Python. MariaDB (10.11 at least) prints conditions
    without escaping the double quotes in their string literals — `"attached_condition":
    "json_contains(p.attrs,'{"eco": true}')"` — which is not JSON. Its writer puts every member on a
    line of its own, so when the text does not parse, each `"name": "value"` line gets its value
    escaped as the raw text the server printed, and the text is parsed again."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    lines = []
    for line in text.splitlines():
        m = _STRING_MEMBER_LINE.match(line)
        if m:
            line = m.group(1) + m.group(2).replace("\\", "\\\\").replace('"', '\\"') + m.group(3)
        lines.append(line)
    return json.loads("\n".join(lines))


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------

_SUBQUERY_LISTS = ("attached_subqueries", "select_list_subqueries", "having_subqueries", "order_by_subqueries",
                   "group_by_subqueries", "optimized_away_subqueries")  # fmt: skip


def parse_json_plan(plan: Any) -> MyPlan:
    if isinstance(plan, str):
        try:
            plan = loads_explain_json(plan)
        except json.JSONDecodeError as exc:
            raise MySQLPlanError(f"not JSON: {exc}") from None
    if isinstance(plan, list) and plan and isinstance(plan[0], dict):
        plan = plan[0]
    if isinstance(plan, dict) and "plan" in plan and "query_block" not in plan:
        plan = plan["plan"]
    if not isinstance(plan, dict) or "query_block" not in plan:
        raise MySQLPlanError("a MySQL/MariaDB JSON plan has a top-level 'query_block'")
    nodes: list[MyNode] = []
    analyzed = '"r_loops"' in json.dumps(plan) or "r_total_time_ms" in json.dumps(plan)
    mysql8 = "cost_info" in json.dumps(plan) or "rows_examined_per_scan" in json.dumps(plan)

    def add(**kw) -> MyNode:
        node = MyNode(id=len(nodes), **kw)
        nodes.append(node)
        return node

    prefix: list[float | None] = [None]  # rows produced so far in the current nested loop (estimates)

    def table_node(t: dict, depth: int, flags: set[str], join: dict | None = None) -> None:
        if "message" in t and "table_name" not in t:  # "Impossible WHERE", "No tables used", …
            add(depth=depth, label=str(t["message"]), flags=set(flags))
            return
        alias = t.get("table_name")
        access = t.get("access_type")
        loops = _num(t.get("r_loops"))
        node = add(
            depth=depth,
            label={"ALL": "Full table scan", "index": "Full index scan", "range": "Range scan", "ref": "Index lookup",
                   "eq_ref": "Unique lookup", "const": "Constant row", "system": "Constant row",
                   "index_merge": "Index merge", "fulltext": "Full-text search", "ref_or_null": "Index lookup (or NULL)"
                   }.get(access or "", access or "Table"),  # fmt: skip
            table=alias,
            access=access,
            key=t.get("key"),
            possible_keys=list(t.get("possible_keys") or []),
            rows_est=_num(t.get("rows_examined_per_scan", t.get("rows"))),
            loops=loops or 1.0,
            rows_actual=_num(t.get("r_rows")),
            filtered=_num(t.get("filtered")),
            r_filtered=_num(t.get("r_filtered")),
            time_ms=(_num(t.get("r_table_time_ms")) or 0) + (_num(t.get("r_other_time_ms")) or 0)
            if t.get("r_table_time_ms") is not None
            else None,
            condition=t.get("attached_condition"),
            flags=set(flags),
        )
        node.extra["real_table"] = t.get("table_name")
        node.extra["used_key_parts"] = list(t.get("used_key_parts") or [])
        if t.get("r_loops") is None and prefix[0] is not None:
            node.loops = max(prefix[0], 1.0)  # an estimate: one scan/lookup per row produced before it
        produced = _num(t.get("rows_produced_per_join"))
        if produced is None and node.rows_est is not None:
            produced = node.rows_est * (node.filtered if node.filtered is not None else 100) / 100 * node.loops
        if t.get("r_loops") is None:
            prefix[0] = produced
        if t.get("using_join_buffer"):
            node.flags.add("join_buffer")
            node.extra["join_type"] = t["using_join_buffer"]
        if access == "index_merge":
            node.flags.add("index_merge")
            node.extra["index_merge"] = t.get("index_merge") or t.get("key")
        if join is not None:
            node.flags.add("join_buffer")
            node.join_condition = join.get("attached_condition")
            node.extra["join_type"] = join.get("join_type", "BNL")
            if join.get("r_filtered") is not None:
                node.extra["join_r_filtered"] = _num(join["r_filtered"])
            if join.get("r_loops") is not None:
                node.extra["join_probes"] = _num(join["r_loops"])
            if join.get("r_effective_rows") is not None:
                node.extra["join_effective_rows"] = _num(join["r_effective_rows"])
            if join.get("r_other_time_ms") is not None and node.time_ms is not None:
                node.time_ms += (_num(join.get("r_other_time_ms")) or 0) + (_num(join.get("r_unpack_time_ms")) or 0)
        if t.get("using_filesort"):
            node.flags.add("filesort")
        if t.get("using_temporary_table"):
            node.flags.add("temporary")
        for key in ("materialized_from_subquery", "materialized"):
            if key in t:
                walk(t[key], depth + 1, set())
        saved = prefix[0]
        for key in _SUBQUERY_LISTS:
            for item in t.get(key) or []:
                prefix[0] = None
                walk(item, depth + 1, {"dependent"} if item.get("dependent") else set())
        prefix[0] = saved

    def wrapper(label: str, depth: int, flags: set[str], body: dict, time_key: str = "r_total_time_ms") -> None:
        add(depth=depth, label=label, flags=set(flags), time_ms=_num(body.get(time_key)) if isinstance(body, dict) else None,
            extra={k: body.get(k) for k in ("sort_key", "r_output_rows", "r_limit") if isinstance(body, dict) and k in body})  # fmt: skip

    def walk(obj: Any, depth: int, flags: set[str]) -> None:
        if isinstance(obj, list):
            for x in obj:
                walk(x, depth, flags)
            return
        if not isinstance(obj, dict):
            return
        if "table_name" in obj:
            table_node(obj, depth, flags)
            return
        for key, val in obj.items():
            if key == "nested_loop" and isinstance(val, list):
                saved = prefix[0]
                prefix[0] = None
                for item in val:
                    walk(item, depth, flags)
                prefix[0] = saved
            elif key == "table" and isinstance(val, dict):
                table_node(val, depth, flags)
            elif key == "block-nl-join" and isinstance(val, dict):
                table_node(val.get("table", {}), depth, flags, join=val)
            elif key == "filesort" and isinstance(val, dict):
                wrapper("Filesort", depth, flags | {"filesort"}, val)
                walk({k: v for k, v in val.items() if isinstance(v, (dict, list))}, depth + 1, flags)
            elif key == "temporary_table" and isinstance(val, dict):
                wrapper("Temporary table", depth, flags | {"temporary"}, val)
                walk(val, depth + 1, flags)
            elif key in ("ordering_operation", "grouping_operation", "duplicates_removal") and isinstance(val, dict):
                own = set()
                if val.get("using_filesort"):
                    own.add("filesort")
                if val.get("using_temporary_table"):
                    own.add("temporary")
                if own:
                    label = {"ordering_operation": "Sort", "grouping_operation": "Group",
                             "duplicates_removal": "Distinct"}[key]  # fmt: skip
                    wrapper(f"{label} ({' and '.join(sorted('filesort' if f == 'filesort' else 'temporary table' for f in own))})",
                            depth, flags | own, val)  # fmt: skip
                walk({k: v for k, v in val.items() if isinstance(v, (dict, list))}, depth + (1 if own else 0), flags)
            elif key == "expression_cache" and isinstance(val, dict):
                saved = prefix[0]
                prefix[0] = None
                walk(val, depth + 1, flags | {"dependent"})
                prefix[0] = saved
            elif key in _SUBQUERY_LISTS and isinstance(val, list):
                saved = prefix[0]
                prefix[0] = None
                for item in val:
                    walk(item, depth + 1, flags | ({"dependent"} if isinstance(item, dict) and item.get("dependent") else set()))
                prefix[0] = saved
            elif isinstance(val, (dict, list)):
                walk(val, depth, flags)

    walk(plan["query_block"], 0, set())
    qb = plan["query_block"]
    total = _num(qb.get("r_total_time_ms"))
    cost = _num((qb.get("cost_info") or {}).get("query_cost"))
    return MyPlan(nodes=nodes, analyzed=analyzed, flavor="MySQL" if mysql8 else "MariaDB", total_ms=total, query_cost=cost)


# ---------------------------------------------------------------------------------------------
# MySQL 8 tree text (EXPLAIN ANALYZE, EXPLAIN FORMAT=TREE)
# ---------------------------------------------------------------------------------------------

_TREE_LINE = re.compile(r"^(?P<indent>\s*)->\s*(?P<label>.*?)\s*(?P<rest>(\((?:cost|actual|rows)[^)]*\)\s*)*)$")
_COST = re.compile(r"\(cost=(?P<cost>[\d.e+]+)(?:\.\.[\d.e+]+)?\s+rows=(?P<rows>[\d.e+]+)\)")
_ACTUAL = re.compile(r"\(actual time=(?P<first>[\d.e+]+)\.\.(?P<last>[\d.e+]+)\s+rows=(?P<rows>[\d.e+]+)\s+loops=(?P<loops>[\d.e+]+)\)")
_ON = re.compile(r"\bon (?P<table>[`\w.$]+)")
_USING = re.compile(r"\busing (?P<key>[`\w$]+)")


def parse_tree_plan(text: str) -> MyPlan:
    lines = [ln for ln in text.splitlines() if ln.strip().startswith("->")]
    if not lines:
        raise MySQLPlanError("a MySQL tree plan has lines starting with '->'")
    nodes: list[MyNode] = []
    analyzed = "actual time=" in text
    for ln in lines:
        m = _TREE_LINE.match(ln.rstrip())
        if not m:
            continue
        label = m.group("label").strip()
        depth = len(m.group("indent")) // 4
        node = MyNode(id=len(nodes), depth=depth, label=label)
        if c := _COST.search(ln):
            node.rows_est = float(c.group("rows"))
            node.extra["cost"] = float(c.group("cost"))
        if a := _ACTUAL.search(ln):
            node.loops = float(a.group("loops"))
            node.rows_actual = float(a.group("rows"))
            node.time_ms = float(a.group("last")) * node.loops
        low = label.lower()
        if t := _ON.search(label):
            node.table = t.group("table").strip("`")
            node.extra["real_table"] = node.table
        if k := _USING.search(label):
            node.key = k.group("key").strip("`")
        if low.startswith("table scan on") and "<temporary>" not in low:
            node.access = "ALL"
        elif low.startswith("index scan on"):
            node.access = "index"
        elif low.startswith(("index lookup", "single-row index lookup", "index range scan", "covering index")):
            node.access = "ref"
        if low.startswith("sort"):
            node.flags.add("filesort")
        if "temporary" in low and not low.startswith("table scan on <temporary>"):
            node.flags.add("temporary")
        if low.startswith(("hash", "inner hash join", "left hash join", "hash join")) or "hash join" in low:
            node.flags.add("join_buffer")
            node.extra["join_type"] = "hash join"
            node.join_condition = label.partition("join")[2].strip() or None
        if "dependent subquery" in low or low.startswith("select #") and "dependent" in low:
            node.flags.add("dependent")
        if "index merge" in low or low.startswith(("sort-union", "union of", "intersect")):
            node.flags.add("index_merge")
        if low.startswith("filter:"):
            node.condition = label.partition(":")[2].strip()
        nodes.append(node)
    # a Filter's condition belongs to the scan right below it
    for k, n in enumerate(nodes):
        if n.condition and k + 1 < len(nodes) and nodes[k + 1].depth == n.depth + 1 and nodes[k + 1].table:
            below = nodes[k + 1]
            below.condition = n.condition
            if n.rows_actual is not None and below.rows_actual:
                below.r_filtered = 100.0 * n.rows_actual / below.rows_actual
    # "Select #2 (subquery in condition; dependent)" marks the subtree below it
    for k, n in enumerate(nodes):
        if "dependent" in n.label.lower():
            for m in nodes[k + 1 :]:
                if m.depth <= n.depth:
                    break
                m.flags.add("dependent")
    total = nodes[0].time_ms if analyzed and nodes else None
    return MyPlan(nodes=nodes, analyzed=analyzed, flavor="MySQL", total_ms=total, source_format="text")


def parse_mysql_plan(plan: Any) -> MyPlan:
    if isinstance(plan, str) and plan.lstrip().startswith("->"):
        return parse_tree_plan(plan)
    if isinstance(plan, str) and "->" in plan and not plan.lstrip().startswith(("{", "[")):
        return parse_tree_plan(plan)
    return parse_json_plan(plan)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def render_tree(plan: MyPlan, limit: int = 60) -> str:
    out = []
    for n in plan.nodes[:limit]:
        bits = [f"{n.id:>2} {'  ' * n.depth}{n.describe()}"]
        if n.access:
            bits.append(f"type={n.access}")
        if n.rows_est is not None:
            est = f"rows≈{n.rows_est:g}"
            if n.rows_actual is not None:
                est += f"→{n.rows_actual:g}"
            bits.append(est)
        if n.loops != 1:
            bits.append(f"loops={n.loops:g}")
        share = n.r_filtered if n.r_filtered is not None else n.filtered
        if share is not None and share < 100:
            bits.append(f"kept={share:g}%")
        if n.time_ms is not None:
            bits.append(f"{n.time_ms:.1f} ms")
        flags = sorted(n.flags)
        if flags:
            bits.append("[" + " ".join(flags) + "]")
        out.append("  ".join(bits))
    if len(plan.nodes) > limit:
        out.append(f"… {len(plan.nodes) - limit} more nodes")
    return "\n".join(out)


def explain_mysql_plan(plan: Any, *, sql: str | None = None, catalog: SchemaSnapshot | None = None) -> PlanReport:
    """Diagnose a MySQL/MariaDB plan (JSON or MySQL 8 tree text) into a PlanReport."""
    from dbarchitect.core.rulebook import family_modules

    parsed = parse_mysql_plan(plan)
    if sql:
        aliases = alias_map(sql)
        for n in parsed.nodes:
            if n.table and n.table in aliases:
                n.extra["real_table"] = aliases[n.table]
    ctx = MyPlanContext(plan=parsed, sql=sql, catalog=catalog)
    raw = [(mod, ins) for mod in family_modules("mysql_plan") for ins in mod.check(ctx)]
    # a node's stronger insight supersedes weaker ones (a full scan already says rows were discarded)
    by_node: dict[int, set[str]] = {}
    for mod, ins in raw:
        if ins.node is not None:
            by_node.setdefault(ins.node.id, set()).add(mod.RULE.code)
    total_rows = sum(n.examined for n in parsed.nodes) or 1.0
    findings = []
    for mod, ins in raw:
        if ins.node is not None and by_node.get(ins.node.id, set()) & set(getattr(mod, "SUPERSEDED_BY", ())):
            continue
        if ins.saving_ms is not None and parsed.total_ms:
            share = ins.saving_ms / parsed.total_ms
        else:
            share = ins.saving_rows / total_rows
        findings.append(
            PlanFinding(
                rule=mod.RULE.name,
                code=mod.RULE.code,
                severity=ins.severity,
                message=ins.message,
                fix=ins.fix,
                evidence=[_proof(ins, parsed.analyzed)],
                object=ins.object,
                node=ins.node.id if ins.node else None,
                node_label=ins.node.describe() if ins.node else None,
                saving_ms=round(ins.saving_ms, 3) if ins.saving_ms is not None else None,
                saving_share=round(min(share, 1.0), 4),
            )
        )
    findings.sort(key=lambda f: (-(f.saving_share or 0), -f.severity.rank, f.code))
    hot = max(parsed.nodes, key=lambda n: (n.time_ms or 0, n.examined), default=None)
    headline = (
        f"{parsed.flavor} plan, {len(parsed.nodes)} nodes"
        + (f", {parsed.total_ms:.1f} ms" if parsed.total_ms is not None else "")
        + (f"; most work in node {hot.id} ({hot.describe()}, {hot.examined:,.0f} rows examined)" if hot else "")
        + (f"; {len(findings)} insight(s)" if findings else "; no problems found")
    )
    summary = PlanSummary(
        headline=headline,
        analyzed=parsed.analyzed,
        buffers=False,
        execution_ms=parsed.total_ms,
        total_cost=parsed.query_cost or 0.0,
        node_count=len(parsed.nodes),
    )
    notes = []
    if not parsed.analyzed:
        notes.append("Estimates only (EXPLAIN): row counts are the optimizer's guesses; analyze=True measures them (read-only statements).")
    return PlanReport(
        summary=summary,
        tree=render_tree(parsed),
        tree_nodes_shown=min(len(parsed.nodes), 60),
        insights=findings,
        notes=notes,
        source_format="text" if parsed.source_format == "text" else "json",
        statement=sql,
    )


def alias_map(sql: str) -> dict[str, str]:
    """alias -> table name of every table the statement reads (sqlglot, MySQL dialect)."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except Exception:  # noqa: BLE001 - an unparsable statement keeps the plan's aliases
        return {}
    return {t.alias_or_name: t.name for t in tree.find_all(exp.Table) if t.name}


def _proof(ins: MyInsight, analyzed: bool):
    from dbarchitect.core.models import Evidence

    detail = ", ".join(f"{k}={v}" for k, v in ins.proof.items())
    return Evidence(kind="execution" if analyzed else "static", detail=detail or ins.message, data=ins.proof)
