"""EXPLAIN's text format, read back into the JSON document form.

People paste the text format most often (psql output, logs, auto_explain). This parser rebuilds
the dictionary EXPLAIN (FORMAT JSON) would have produced for the same plan, with the JSON key
names, so that one normaliser and one set of rules serve both formats. It accepts psql's
decorations (the `QUERY PLAN` header, the dashes, `(N rows)`, trailing `+`) and the output of
PostgreSQL 12 to 18 (`rows=1.00`, `Index Searches`, `Disabled`, per-worker blocks, JIT, triggers).
"""

from __future__ import annotations

import re
from typing import Any

_NUM = r"-?\d+(?:\.\d+)?"
_COST_RE = re.compile(rf"\(cost=({_NUM})\.\.({_NUM}) rows=({_NUM}) width=(\d+)\)")
_ACTUAL_RE = re.compile(
    rf"\(actual(?: time=({_NUM})\.\.({_NUM}))? rows=({_NUM}) loops=({_NUM})\)"
)
_NEVER = "(never executed)"
_WORKER_RE = re.compile(r"^Worker (\d+):\s*(.*)$")
_SUBPLAN_RE = re.compile(r"^(InitPlan \d+.*|SubPlan \d+.*|CTE .+)$")
_TRIGGER_RE = re.compile(
    rf"^Trigger (?:for constraint (?P<con>.+?)|(?P<name>.+?))(?: on (?P<rel>\S+))?: time=(?P<time>{_NUM}) calls=(?P<calls>{_NUM})$"
)
_WORKER_ACTUAL_RE = re.compile(rf"^actual(?: time=({_NUM})\.\.({_NUM}))? rows=({_NUM}) loops=({_NUM})")

# Node labels, longest first; each maps to JSON attributes.
_JOIN_TYPES = ("Left", "Full", "Right", "Semi", "Anti", "Right Semi", "Right Anti")
_LIST_KEYS = {"Sort Key", "Group Key", "Presorted Key", "Output", "Hash Key", "Partition Key", "Repartition Key"}
_INT_KEYS = {
    "Rows Removed by Filter",
    "Rows Removed by Index Recheck",
    "Rows Removed by Join Filter",
    "Rows Removed by Conflict Filter",
    "Heap Fetches",
    "Workers Planned",
    "Workers Launched",
    "Planned Partitions",
    "Subplans Removed",
    "Index Searches",
    "Tuples Inserted",
    "Conflicting Tuples",
    "Query Identifier",
}

_RELATION_NODES = {
    "Seq Scan",
    "Index Scan",
    "Index Only Scan",
    "Bitmap Heap Scan",
    "Tid Scan",
    "Tid Range Scan",
    "Sample Scan",
    "Foreign Scan",
    "Custom Scan",
    "ModifyTable",
}
_NAMED_SCANS = {
    "CTE Scan": "CTE Name",
    "WorkTable Scan": "CTE Name",
    "Named Tuplestore Scan": "Tuplestore Name",
    "Function Scan": "Function Name",
    "Table Function Scan": "Table Function Name",
}


def _number(text: str) -> float | int:
    f = float(text)
    return int(f) if f.is_integer() and "." not in text else f


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def _split_ident(text: str) -> list[str]:
    """Split `schema.name alias` into identifiers, honouring double quotes."""
    out: list[str] = []
    cur = ""
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            cur += ch
        elif ch in " ." and not quoted:
            if cur:
                out.append(cur)
            cur = ""
            if ch == ".":
                out.append(".")
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside parentheses, brackets and quotes."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    cur: list[str] = []
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if cur or parts:
        parts.append("".join(cur).strip())
    return [p for p in parts if p != ""]


def parse_label(label: str) -> dict[str, Any]:
    """`Parallel Hash Left Join` -> {"Node Type": "Hash Join", "Join Type": "Left", "Parallel Aware": true}."""
    out: dict[str, Any] = {"Parallel Aware": False, "Async Capable": False}
    name = label.strip()
    if name.startswith("Parallel "):
        out["Parallel Aware"] = True
        name = name[len("Parallel ") :]
    if name.startswith("Async "):
        out["Async Capable"] = True
        name = name[len("Async ") :]
    if name.endswith(" Backward") and name.startswith("Index"):
        out["Scan Direction"] = "Backward"
        name = name[: -len(" Backward")]
    elif name in ("Index Scan", "Index Only Scan"):
        out["Scan Direction"] = "Forward"
    for base, node_type in (("Hash", "Hash Join"), ("Merge", "Merge Join"), ("Nested Loop", "Nested Loop")):
        if name == node_type:
            out.update({"Node Type": node_type, "Join Type": "Inner"})
            return out
        for jt in _JOIN_TYPES:
            if name == f"{base} {jt} Join":
                out.update({"Node Type": node_type, "Join Type": jt})
                return out
    agg = {"Aggregate": "Plain", "HashAggregate": "Hashed", "GroupAggregate": "Sorted", "MixedAggregate": "Mixed"}
    mode = "Simple"
    bare = name
    for prefix in ("Partial ", "Finalize "):
        if name.startswith(prefix):
            mode = prefix.strip()
            bare = name[len(prefix) :]
    if bare in agg:
        out.update({"Node Type": "Aggregate", "Strategy": agg[bare], "Partial Mode": mode})
        return out
    for setop, strategy in (("HashSetOp", "Hashed"), ("SetOp", "Sorted")):
        if name == setop or name.startswith(setop + " "):
            out.update({"Node Type": "SetOp", "Strategy": strategy})
            cmd = name[len(setop) :].strip()
            if cmd:
                out["Command"] = cmd
            return out
    if name in ("Insert", "Update", "Delete", "Merge"):
        out.update({"Node Type": "ModifyTable", "Operation": name})
        return out
    m = re.match(r"Custom Scan \((.+)\)$", name)
    if m:
        out.update({"Node Type": "Custom Scan", "Custom Plan Provider": m.group(1)})
        return out
    if name == "Result Cache":  # PG14 betas
        name = "Memoize"
    out["Node Type"] = name
    return out


_HEADER_RE = re.compile(r"^(?P<label>.+?)(?: using (?P<index>\"(?:[^\"]|\"\")+\"|\S+))?(?: on (?P<target>.+))?$")


def parse_header(header: str) -> dict[str, Any]:
    """A node line without its leading arrow: label, target, costs and actuals."""
    raw: dict[str, Any] = {}
    text = header.strip()
    never = _NEVER in text
    cost = _COST_RE.search(text)
    actual = _ACTUAL_RE.search(text)
    cut = min(
        [m.start() for m in (cost, actual) if m] + ([text.index(_NEVER)] if never else []) + [len(text)]
    )
    head = text[:cut].rstrip()
    m = _HEADER_RE.match(head)
    label = m.group("label") if m else head
    raw.update(parse_label(label))
    nt = raw["Node Type"]
    if m and m.group("index"):
        raw["Index Name"] = _unquote(m.group("index"))
    target = m.group("target") if m else None
    if target:
        parts = _split_ident(target)
        schema = None
        if len(parts) >= 3 and parts[1] == ".":
            schema, parts = _unquote(parts[0]), [parts[2], *parts[3:]]
        name = _unquote(parts[0])
        alias = _unquote(parts[1]) if len(parts) > 1 else None
        if nt == "Bitmap Index Scan":
            raw["Index Name"] = name
        elif nt in _RELATION_NODES:
            raw["Relation Name"] = name
            if schema:
                raw["Schema"] = schema
            raw["Alias"] = alias or name
        elif nt in _NAMED_SCANS:
            raw[_NAMED_SCANS[nt]] = name
            if schema:
                raw["Schema"] = schema
            raw["Alias"] = alias or name
        else:  # Subquery Scan, Values Scan: the alias only
            raw["Alias"] = name
    if cost:
        raw["Startup Cost"] = float(cost.group(1))
        raw["Total Cost"] = float(cost.group(2))
        raw["Plan Rows"] = _number(cost.group(3))
        raw["Plan Width"] = int(cost.group(4))
    if actual:
        if actual.group(1) is not None:
            raw["Actual Startup Time"] = float(actual.group(1))
            raw["Actual Total Time"] = float(actual.group(2))
        raw["Actual Rows"] = _number(actual.group(3))
        raw["Actual Loops"] = _number(actual.group(4))
    elif never:
        raw["Actual Rows"] = 0
        raw["Actual Loops"] = 0
        raw["_never"] = True
    return raw


# ------------------------------------------------------------------------------------------------
# Property lines
# ------------------------------------------------------------------------------------------------

_BUF_GROUPS = {"shared": "Shared", "local": "Local", "temp": "Temp"}
_BUF_KINDS = {"hit": "Hit", "read": "Read", "dirtied": "Dirtied", "written": "Written"}


def _parse_buffers(value: str, out: dict[str, Any]) -> None:
    for group in split_top_level(value):
        words = group.split()
        if not words or words[0] not in _BUF_GROUPS:
            continue
        prefix = _BUF_GROUPS[words[0]]
        for item in words[1:]:
            k, _, v = item.partition("=")
            if k in _BUF_KINDS and v:
                out[f"{prefix} {_BUF_KINDS[k]} Blocks"] = int(v)


def _parse_io_timings(value: str, out: dict[str, Any]) -> None:
    # PG<15 "read=1.2 write=0.3"; PG15-16 "shared read=.. write=.., temp read=.."; PG17 adds "local ...".
    # Shared timings keep the PG<=16 JSON key; the normaliser folds every variant into one number.
    for group in split_top_level(value):
        words = group.split()
        if not words:
            continue
        if "=" in words[0]:
            scope, items = "", words
        else:
            scope, items = words[0], words[1:]
        for item in items:
            k, _, v = item.partition("=")
            if not v:
                continue
            kind = "Read" if k == "read" else "Write"
            if scope in ("", "shared", "shared/local"):
                key = f"I/O {kind} Time"
            elif scope == "local":
                key = f"Local I/O {kind} Time"
            else:
                key = f"Temp I/O {kind} Time"
            out[key] = float(v)


def _kb(text: str) -> int:
    return int(text.strip().removesuffix("kB"))


def _parse_pairs(value: str) -> list[tuple[str, str]]:
    """`Buckets: 1024  Batches: 1  Memory Usage: 9kB` -> [(Buckets, 1024), ...] (two-space separated)."""
    out = []
    for chunk in re.split(r"\s{2,}", value.strip()):
        k, sep, v = chunk.partition(":")
        if sep:
            out.append((k.strip(), v.strip()))
    return out


def _parse_sort_groups(key: str, value: str, out: dict[str, Any]) -> None:
    # Incremental Sort: "Full-sort Groups: 2  Sort Method: quicksort  Average Memory: 26kB  Peak Memory: 26kB"
    pairs = _parse_pairs(f"{key}: {value}")
    group: dict[str, Any] = {}
    for k, v in pairs:
        if k in ("Full-sort Groups", "Pre-sorted Groups"):
            group["Group Count"] = int(v)
        elif k in ("Sort Method", "Sort Methods"):
            group["Sort Methods Used"] = [s.strip() for s in v.split(",")]
        elif k in ("Average Memory", "Peak Memory"):
            mem = group.setdefault("Sort Space Memory", {})
            mem["Average Sort Space Used" if k.startswith("Average") else "Peak Sort Space Used"] = _kb(v)
        elif k in ("Average Disk", "Peak Disk"):
            disk = group.setdefault("Sort Space Disk", {})
            disk["Average Sort Space Used" if k.startswith("Average") else "Peak Sort Space Used"] = _kb(v)
    out[key] = group


def _parse_jit_line(key: str, value: str, jit: dict[str, Any]) -> None:
    if key == "Functions":
        jit["Functions"] = int(value)
    elif key == "Options":
        opts = {}
        for item in split_top_level(value):
            name, _, flag = item.rpartition(" ")
            opts[name] = flag == "true"
        jit["Options"] = opts
    elif key == "Timing":
        timing: dict[str, Any] = {}
        for item in split_top_level(value):
            m = re.match(rf"(\w+) ({_NUM}) ms(?: \(Deform ({_NUM}) ms\))?", item.strip())
            if not m:
                continue
            if m.group(3) is not None:
                timing[m.group(1)] = {"Deform": float(m.group(3)), "Total": float(m.group(2))}
            else:
                timing[m.group(1)] = float(m.group(2))
        jit["Timing"] = timing


def parse_property(line: str, out: dict[str, Any]) -> None:
    """One `Key: value` line of a node (or of a worker block) into JSON keys."""
    key, sep, value = line.partition(": ")
    if not sep:
        key, value = line.rstrip(":"), ""
    key = key.strip()
    value = value.strip()
    if key == "Buffers":
        _parse_buffers(value, out)
    elif key == "I/O Timings":
        _parse_io_timings(value, out)
    elif key == "Sort Method":
        pairs = _parse_pairs(line)
        for k, v in pairs:
            if k == "Sort Method":
                out["Sort Method"] = v
            elif k in ("Memory", "Disk"):
                out["Sort Space Used"] = _kb(v)
                out["Sort Space Type"] = k
    elif key in ("Full-sort Groups", "Pre-sorted Groups"):
        _parse_sort_groups(key, value, out)
    elif key == "Heap Blocks":
        for item in value.split():
            k, _, v = item.partition("=")
            if k == "exact":
                out["Exact Heap Blocks"] = int(v)
            elif k == "lossy":
                out["Lossy Heap Blocks"] = int(v)
    elif key == "Buckets":
        for k, v in _parse_pairs(line):
            m = re.match(r"(\d+)(?: \(originally (\d+)\))?", v)
            if k == "Buckets" and m:
                out["Hash Buckets"] = int(m.group(1))
                out["Original Hash Buckets"] = int(m.group(2) or m.group(1))
            elif k == "Batches" and m:
                out["Hash Batches"] = int(m.group(1))
                out["Original Hash Batches"] = int(m.group(2) or m.group(1))
            elif k == "Memory Usage":
                out["Peak Memory Usage"] = _kb(v)
    elif key == "Batches":  # HashAgg (PG13+)
        for k, v in _parse_pairs(line):
            if k == "Batches":
                out["HashAgg Batches"] = int(v)
            elif k == "Memory Usage":
                out["Peak Memory Usage"] = _kb(v)
            elif k == "Disk Usage":
                out["Disk Usage"] = _kb(v)
    elif key == "Planned Partitions":
        for k, v in _parse_pairs(line):
            if k == "Planned Partitions":
                out["Planned Partitions"] = int(v)
            elif k == "Batches":
                out["HashAgg Batches"] = int(v)
            elif k == "Memory Usage":
                out["Peak Memory Usage"] = _kb(v)
            elif k == "Disk Usage":
                out["Disk Usage"] = _kb(v)
    elif key == "Hits":  # Memoize
        names = {"Hits": "Cache Hits", "Misses": "Cache Misses", "Evictions": "Cache Evictions", "Overflows": "Cache Overflows"}
        for k, v in _parse_pairs(line):
            if k in names:
                out[names[k]] = int(v)
            elif k == "Memory Usage":
                out["Peak Memory Usage"] = _kb(v)
    elif key == "Storage":  # PG18: "Storage: Memory  Maximum Storage: 17kB"
        for k, v in _parse_pairs(line):
            if k == "Storage":
                out["Storage"] = v
            elif k == "Maximum Storage":
                out["Maximum Storage"] = _kb(v)
    elif key == "WAL":
        names = {"records": "WAL Records", "fpi": "WAL FPI", "bytes": "WAL Bytes", "buffers full": "WAL Buffers Full"}
        for item in value.split(" "):
            k, _, v = item.partition("=")
            if k in names and v:
                out[names[k]] = int(v)
    elif key == "Disabled":
        out["Disabled"] = value == "true"
    elif key in _LIST_KEYS:
        out[key] = split_top_level(value)
    elif key in _INT_KEYS:
        try:
            out[key] = int(value)
        except ValueError:
            out[key] = value
    elif value in ("true", "false"):
        out[key] = value == "true"
    else:
        out[key] = value


# ------------------------------------------------------------------------------------------------
# The tree
# ------------------------------------------------------------------------------------------------


_DASHES = re.compile(r"-{3,}[-+]*")
_ROWS = re.compile(r"\(\d+ rows?\)")


def clean_lines(text: str) -> list[str]:
    """Remove psql's decorations: header, dashes, row count, `+` continuations, a quoted wrapper."""
    out = []
    for ln in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        s = ln.rstrip()
        if s.endswith("+"):
            s = s[:-1].rstrip()
        stripped = s.lstrip()
        if not stripped:
            continue
        first = stripped[0]
        if first == "Q" and stripped == "QUERY PLAN":
            continue
        if first == "-" and _DASHES.fullmatch(stripped):
            continue
        if first == "(" and _ROWS.fullmatch(stripped):
            continue
        if first == '"' and len(stripped) >= 2 and stripped[-1] == '"' and stripped.count('"') == 2:
            s = s.replace('"', "", 1)
            s = s[: s.rfind('"')]
        out.append(s)
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# The first word(s) of every plan node type PostgreSQL 12-18 prints; used only to recognise a root
# line printed with COSTS OFF (other lines carry "(cost=" or "(actual").
_NODE_WORDS = frozenset(
    """Aggregate Append Bitmap BitmapAnd BitmapOr CTE Custom Delete Foreign Function Gather Group
    GroupAggregate Hash HashAggregate Incremental Index Insert Limit LockRows Materialize Memoize Merge
    MergeAppend Mixed ModifyTable Named Nested Partial ProjectSet Recursive Result Sample Seq SetOp Sort
    Subquery Table TableFunc Tid Unique Update Values WindowAgg WorkTable Finalize Parallel Async""".split()
)


def _looks_like_node(body: str) -> bool:
    if _COST_RE.search(body) or _ACTUAL_RE.search(body) or _NEVER in body:
        return True
    first = body.split(None, 1)[0] if body.split() else ""
    return first in _NODE_WORDS


def parse_text(text: str | list[str]) -> dict[str, Any]:
    """The JSON document (`{"Plan": ..., "Planning Time": ...}`) of a text-format EXPLAIN
    (the text, or its lines already passed through `clean_lines`)."""
    lines = clean_lines(text) if isinstance(text, str) else text
    if not lines:
        raise ValueError("The plan text is empty.")
    doc: dict[str, Any] = {}
    # stack of (indent of the node's header, node dict)
    stack: list[tuple[int, dict[str, Any]]] = []
    pending_sub: list[tuple[int, str]] = []  # (indent, "InitPlan 1 (returns $0)")
    worker: tuple[int, dict[str, Any]] | None = None  # (indent of the "Worker N:" line, worker dict)
    section: tuple[int, str] | None = None  # top-level sections: JIT, Planning, Triggers
    root_seen = False

    for line in lines:
        ind = _indent(line)
        body = line.strip()
        is_arrow = body.startswith("->")
        if is_arrow:
            body = body[2:].strip()
            ind += 2  # properties of this node are indented 4 past the arrow; normalise
        # top-level lines (indent <= root indent) end sections
        if root_seen and not is_arrow and stack and ind <= stack[0][0]:
            worker = None
            section = _top_level_line(body, doc, section, ind)
            continue
        if section is not None and ind > section[0]:
            _section_line(section[1], body, doc)
            continue
        section = None
        if is_arrow or not root_seen:
            if not root_seen and not _looks_like_node(body):
                raise ValueError(
                    f"{body[:60]!r} is not a plan node line (expected e.g. 'Seq Scan on t  (cost=0.00..1.50 rows=50 width=4)')"
                )
            raw = parse_header(body)
            raw_ind = ind
            if not root_seen:
                doc["Plan"] = raw
                stack = [(raw_ind, raw)]
                root_seen = True
                worker = None
                continue
            while stack and stack[-1][0] >= raw_ind:
                stack.pop()
            if not stack:
                raise ValueError(f"Cannot place plan line {line.strip()!r}: it is not indented below the root.")
            parent = stack[-1][1]
            while pending_sub and pending_sub[-1][0] >= raw_ind:
                pending_sub.pop()
            if pending_sub and pending_sub[-1][0] > stack[-1][0]:
                name = pending_sub.pop()[1]
                raw["Parent Relationship"] = "SubPlan" if name.startswith("SubPlan") else "InitPlan"
                raw["Subplan Name"] = name
            else:
                raw["Parent Relationship"] = _relationship(parent)
            parent.setdefault("Plans", []).append(raw)
            stack.append((raw_ind, raw))
            worker = None
            continue
        # a property line: find its node (the deepest whose header indent is below this line)
        while len(stack) > 1 and stack[-1][0] >= ind:
            stack.pop()
        node = stack[-1][1]
        if _SUBPLAN_RE.match(body) and ":" not in body:
            pending_sub.append((ind, body))
            worker = None
            continue
        wm = _WORKER_RE.match(body)
        if wm:
            wdict: dict[str, Any] = {"Worker Number": int(wm.group(1))}
            node.setdefault("Workers", []).append(wdict)
            worker = (ind, wdict)
            rest = wm.group(2).strip()
            if rest:
                _worker_line(rest, wdict)
            continue
        if worker is not None and ind > worker[0]:
            _worker_line(body, worker[1])
            continue
        worker = None
        parse_property(body, node)
    if "Plan" not in doc:
        raise ValueError("No plan node found in the text.")
    _finish(doc["Plan"])
    return doc


def _relationship(parent: dict[str, Any]) -> str:
    """The Parent Relationship of the next plain child of `parent`, as EXPLAIN assigns it."""
    nt = parent.get("Node Type")
    if nt in ("Append", "Merge Append", "BitmapAnd", "BitmapOr"):
        return "Member"
    if nt == "Subquery Scan":
        return "Subquery"
    if nt in ("Nested Loop", "Hash Join", "Merge Join", "Recursive Union", "SetOp"):
        plain = any(p.get("Parent Relationship") == "Outer" for p in parent.get("Plans", ()))
        return "Inner" if plain else "Outer"
    return "Outer"


def _worker_line(body: str, wdict: dict[str, Any]) -> None:
    m = _WORKER_ACTUAL_RE.match(body)
    if m:
        if m.group(1) is not None:
            wdict["Actual Startup Time"] = float(m.group(1))
            wdict["Actual Total Time"] = float(m.group(2))
        wdict["Actual Rows"] = _number(m.group(3))
        wdict["Actual Loops"] = _number(m.group(4))
        return
    parse_property(body, wdict)


def _top_level_line(body: str, doc: dict[str, Any], section: tuple[int, str] | None, ind: int):
    key, sep, value = body.partition(": ")
    key = key.strip().rstrip(":")
    if key in ("Planning Time", "Execution Time", "Total runtime"):
        doc["Execution Time" if key == "Total runtime" else key] = float(value.split()[0])
        return None
    if key in ("JIT", "Planning", "Serialization"):
        doc.setdefault(key, {})
        return (ind, key)
    m = _TRIGGER_RE.match(body)
    if m:
        trig: dict[str, Any] = {}
        if m.group("con"):
            trig["Constraint Name"] = m.group("con")
        else:
            trig["Trigger Name"] = m.group("name")
        if m.group("rel"):
            trig["Relation"] = m.group("rel")
        trig["Time"] = float(m.group("time"))
        trig["Calls"] = _number(m.group("calls"))
        doc.setdefault("Triggers", []).append(trig)
        return None
    if key == "Settings":
        settings = {}
        for item in split_top_level(value):
            k, _, v = item.partition(" = ")
            settings[k.strip()] = v.strip().strip("'")
        doc["Settings"] = settings
        return None
    if key == "Query Identifier":
        doc["Query Identifier"] = int(value)
        return None
    return None


def _section_line(section: str, body: str, doc: dict[str, Any]) -> None:
    key, _, value = body.partition(": ")
    if section == "JIT":
        _parse_jit_line(key.strip(), value.strip(), doc["JIT"])
    elif section == "Planning":
        if key == "Memory":
            for item in value.split():
                k, _, v = item.partition("=")
                if k == "used":
                    doc["Planning"]["Memory Used"] = _kb(v)
                elif k == "allocated":
                    doc["Planning"]["Memory Allocated"] = _kb(v)
        else:
            parse_property(body, doc["Planning"])
    else:
        parse_property(body, doc[section])


def _finish(raw: dict[str, Any]) -> None:
    raw.pop("_never", None)
    for child in raw.get("Plans", ()):
        _finish(child)
