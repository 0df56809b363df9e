"""What a MongoDB review reads besides documents: find and aggregate commands, indexes as
getIndexes() returns them, and the bundle that carries all of it as one JSON text.

Accepted shapes (each a JSON text, or a list of them):
- a database command: `{"find": "orders", "filter": {…}, "sort": {…}, "projection": {…}, "limit": 10}`,
  `{"aggregate": "orders", "pipeline": […], "allowDiskUse": true}` — an optional `"weight"` (calls/hour);
- mongosh: `db.orders.find({status: "A"}, {total: 1}).sort({created: -1})`, `db.orders.aggregate([…])`;
- a collection: `{"collection": "orders", "documents": […], "indexes": [getIndexes() output],
  "validator": {…}, "count": 1200000, "avgObjSize": 512, "indexStats": [$indexStats output],
  "latencyStats": {$collStats latencyStats: reads/writes ops}}`, or several under `{"collections": {name: …}}`
  (a bare list of documents is one collection named "documents"; indexes come from `indexStats`' `spec`
  when not given).
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from dbarchitect.core.mongo.documents import DocumentParseError, bson_type, loads, scalar, shell_to_json, strip_comments

RANGE_OPS = frozenset({"$gt", "$gte", "$lt", "$lte", "$ne", "$nin", "$not", "$regex", "$exists", "$type", "$mod"})
EQUALITY_OPS = frozenset({"$eq", "$in", "$all", "$elemMatch", "$size"})


class IndexSpec(BaseModel):
    """One index as getIndexes() returns it."""

    name: str
    keys: list[tuple[str, Any]] = Field(description="(field, 1 | -1 | 'text' | 'hashed' | '2dsphere' …) in order")
    unique: bool = False
    sparse: bool = False
    partial: dict | None = None
    ttl_seconds: int | None = None
    hidden: bool = False

    @property
    def kind(self) -> str:
        special = {v for _, v in self.keys if isinstance(v, str)}
        if "text" in special:
            return "text"
        if any(f.endswith("$**") for f, _ in self.keys):
            return "wildcard"
        return next(iter(special)) if special else "btree"

    @property
    def fields(self) -> list[str]:
        return [f for f, _ in self.keys]

    def pattern(self) -> str:
        return "{" + ", ".join(f"{f}: {json.dumps(v)}" for f, v in self.keys) + "}"


class IndexUsage(BaseModel):
    """One index's line of `$indexStats`: operations that used it since `since` (per mongod, reset on restart)."""

    name: str
    ops: int
    since: str | None = None
    host: str | None = None


class MongoQuery(BaseModel):
    id: str
    collection: str
    kind: Literal["find", "aggregate"]
    filter: dict = Field(default_factory=dict)
    sort: list[tuple[str, int]] = Field(default_factory=list)
    projection: dict | None = None
    limit: int | None = None
    pipeline: list[dict] = Field(default_factory=list)
    allow_disk_use: bool | None = None
    weight: float = 1.0
    text: str = Field(description="The query as given")


class CollectionInput(BaseModel):
    name: str
    documents: list[dict] = Field(default_factory=list)
    indexes: list[IndexSpec] | None = Field(default=None, description="None: not given")
    validator: dict | None = None
    has_validator: bool | None = Field(default=None, description="None: unknown")
    count: int | None = None
    avg_obj_size: float | None = None
    index_stats: list[IndexUsage] | None = Field(default=None, description="$indexStats; None: not given")
    reads: int | None = Field(default=None, description="latencyStats.reads.ops ($collStats)")
    writes: int | None = Field(default=None, description="latencyStats.writes.ops ($collStats)")


class Bundle(BaseModel):
    collections: dict[str, CollectionInput] = Field(default_factory=dict)
    queries: list[MongoQuery] = Field(default_factory=list)
    explains: list[dict] = Field(default_factory=list)

    def collection(self, name: str) -> CollectionInput:
        return self.collections.setdefault(name, CollectionInput(name=name))

    def merge(self, other: Bundle) -> None:
        for name, c in other.collections.items():
            mine = self.collection(name)
            mine.documents += c.documents
            for attr in ("indexes", "validator", "has_validator", "count", "avg_obj_size", "index_stats", "reads", "writes"):
                if getattr(c, attr) is not None:
                    setattr(mine, attr, getattr(c, attr))
        for q in other.queries:
            self.queries.append(q.model_copy(update={"id": f"q{len(self.queries) + 1}"}))
        self.explains += other.explains


def is_mongo_text(text: str) -> bool:
    """Whether a text is MongoDB input (JSON, Extended JSON or mongosh), not SQL."""
    head = text.lstrip()
    return head[:1] in ("{", "[") or bool(re.match(r"db\.[\w$.-]+\.(find|findOne|aggregate|countDocuments)\s*\(", head))


def parse_bundle(texts: str | list[str], weights: list[float] | None = None) -> Bundle:
    """Everything the texts carry; DocumentParseError names what could not be read."""
    items = [texts] if isinstance(texts, str) else list(texts)
    bundle = Bundle()
    for i, text in enumerate(items):
        weight = weights[i] if weights and i < len(weights) else None
        part = Bundle()
        shell = _shell_query(text) if isinstance(text, str) else None
        if shell is not None:
            part.queries.append(shell)
        else:
            _absorb(part, loads(text) if isinstance(text, str) else text)
        if weight is not None:
            for q in part.queries:
                q.weight = weight
        bundle.merge(part)
    return bundle


def _absorb(bundle: Bundle, value: Any) -> None:
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and not _is_special(v) for v in value):
            bundle.collection("documents").documents += value
        else:
            for v in value:
                _absorb(bundle, v)
        return
    if not isinstance(value, dict):
        raise DocumentParseError(f"expected a JSON object or array, got {type(value).__name__}")
    if "collections" in value and isinstance(value["collections"], dict):
        for name, body in value["collections"].items():
            _collection(bundle, name, body)
        for key in ("queries", "explain"):
            if key in value:
                _absorb(bundle, value[key])
    elif "find" in value or "aggregate" in value:
        bundle.queries.append(command(value, f"q{len(bundle.queries) + 1}"))
    elif "queryPlanner" in value or "stages" in value or "executionStats" in value or "shards" in value:
        bundle.explains.append(value)
    elif "collection" in value and isinstance(value["collection"], str):
        _collection(bundle, value["collection"], value)
    else:
        bundle.collection("documents").documents.append(value)


def _is_special(v: dict) -> bool:
    return any(k in v for k in ("find", "aggregate", "queryPlanner", "collections")) or (
        isinstance(v.get("collection"), str) and any(k in v for k in ("documents", "indexes", "validator", "count", "indexStats", "latencyStats"))
    )


def _collection(bundle: Bundle, name: str, body: Any) -> None:
    coll = bundle.collection(name)
    if isinstance(body, list):
        coll.documents += body
        return
    coll.documents += list(body.get("documents") or [])
    if body.get("indexes") is not None:
        coll.indexes = [index_spec(i) for i in body["indexes"]]
    if "validator" in body:
        coll.validator = body["validator"] or None
        coll.has_validator = bool(body["validator"])
    for key, attr in (("count", "count"), ("avgObjSize", "avg_obj_size")):
        if body.get(key) is not None:
            setattr(coll, attr, scalar(body[key]))
    if body.get("indexStats") is not None:
        coll.index_stats = index_usage(body["indexStats"])
        if coll.indexes is None and all(isinstance(r.get("spec"), dict) for r in body["indexStats"]):
            coll.indexes = [index_spec(r["spec"]) for r in body["indexStats"]]
    latency = body.get("latencyStats")
    if latency is not None:
        if not isinstance(latency, dict):
            raise DocumentParseError('"latencyStats" must be $collStats\' latencyStats object ({"reads": {"ops": n}, …})')
        for kind in ("reads", "writes"):
            ops = (latency.get(kind) or {}).get("ops")
            if ops is not None:
                setattr(coll, kind, int(scalar(ops)))


def index_usage(rows: Any) -> list[IndexUsage]:
    """`$indexStats` output: one row per index (and per mongod) with `accesses: {ops, since}`."""
    if not isinstance(rows, list):
        raise DocumentParseError('"indexStats" must be the list $indexStats returns')
    out = []
    for r in rows:
        acc = r.get("accesses") if isinstance(r, dict) else None
        if not isinstance(acc, dict) or "ops" not in acc or not r.get("name"):
            raise DocumentParseError(f"an $indexStats row needs name and accesses.ops: {json.dumps(r, default=str)[:120]}")
        since = scalar(acc.get("since")) if acc.get("since") is not None else None
        out.append(IndexUsage(name=r["name"], ops=int(scalar(acc["ops"])), since=None if since is None else str(since),
                              host=r.get("host")))
    return out


def index_spec(raw: dict) -> IndexSpec:
    key = raw.get("key") or raw.get("keys")
    if not isinstance(key, dict) or not key:
        raise DocumentParseError(f"an index needs its key pattern (getIndexes() output): {json.dumps(raw)[:120]}")
    keys = [(f, scalar(v)) for f, v in key.items()]
    name = raw.get("name") or "_".join(f"{f}_{v}" for f, v in keys)
    ttl = raw.get("expireAfterSeconds")
    return IndexSpec(
        name=name, keys=keys, unique=bool(raw.get("unique")), sparse=bool(raw.get("sparse")),
        partial=raw.get("partialFilterExpression"), ttl_seconds=None if ttl is None else int(scalar(ttl)),
        hidden=bool(raw.get("hidden")),
    )  # fmt: skip


def command(raw: dict, qid: str) -> MongoQuery:
    kind = "find" if "find" in raw else "aggregate"
    coll = raw.get(kind)
    if not isinstance(coll, str):
        raise DocumentParseError(f'"{kind}" must name the collection')
    sort = raw.get("sort") or {}
    pipeline = raw.get("pipeline") or []
    if kind == "aggregate" and not isinstance(pipeline, list):
        raise DocumentParseError("an aggregate command's pipeline must be a list of stages")
    return MongoQuery(
        id=qid, collection=coll, kind=kind, filter=raw.get("filter") or {}, pipeline=pipeline,
        sort=[(f, int(scalar(d)) if not isinstance(d, dict) else 1) for f, d in sort.items()],
        projection=raw.get("projection"), limit=raw.get("limit"), allow_disk_use=raw.get("allowDiskUse"),
        weight=float(raw.get("weight", 1.0)), text=json.dumps({k: v for k, v in raw.items() if k != "weight"}),
    )  # fmt: skip


_SHELL = re.compile(r"^db\.(?:getCollection\(\s*[\"']([^\"']+)[\"']\s*\)|([\w$-]+(?:\.[\w$-]+)*?))\.(find|findOne|aggregate|countDocuments)\s*\(")


def _shell_query(text: str) -> MongoQuery | None:
    """`db.orders.find(filter, projection).sort(…).limit(n)` / `db.orders.aggregate([…], {allowDiskUse: true})`."""
    script = strip_comments(text).strip()
    m = _SHELL.match(script)
    if not m:
        return None
    coll, method = m.group(1) or m.group(2), m.group(3)
    calls = _calls(script[m.end() - 1:], method)
    first = calls[0][1]
    raw: dict[str, Any]
    if method == "aggregate":
        raw = {"aggregate": coll, "pipeline": first[0] if first else []}
        if len(first) > 1 and isinstance(first[1], dict) and "allowDiskUse" in first[1]:
            raw["allowDiskUse"] = first[1]["allowDiskUse"]
    else:
        raw = {"find": coll, "filter": first[0] if first else {}}
        if len(first) > 1 and first[1]:
            raw["projection"] = first[1]
        if method == "findOne":
            raw["limit"] = 1
    for name, args in calls[1:]:
        if name == "sort" and args:
            raw["sort"] = args[0]
        elif name == "limit" and args:
            raw["limit"] = args[0]
        elif name == "projection" and args:
            raw["projection"] = args[0]
        elif name == "allowDiskUse":
            raw["allowDiskUse"] = args[0] if args else True
    q = command(raw, "q1")
    return q.model_copy(update={"text": text.strip()})


def _calls(text: str, first: str) -> list[tuple[str, list]]:
    """The chained calls of a mongosh expression, arguments parsed as JSON."""
    out, pos, name = [], 0, first
    while pos < len(text) and text[pos] == "(":
        depth, i, quote = 0, pos, None
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        inner = text[pos + 1:i].strip()
        try:
            args = json.loads(shell_to_json(f"[{inner}]")) if inner else []
        except json.JSONDecodeError as exc:
            raise DocumentParseError(f"cannot read the arguments of .{name}(): {exc}") from None
        out.append((name, args))
        rest = text[i + 1:].lstrip()
        m = re.match(r"\.\s*(\w+)\s*", rest)
        if not m:
            break
        name = m.group(1)
        text, pos = rest[m.end():], 0
    return out


# --------------------------------------------------------------------------------- predicates

class Predicate(BaseModel):
    field: str
    role: Literal["equality", "range", "text", "other"]
    value: Any = None
    constant: bool = Field(default=False, description="Equality with one literal value")


def predicates(flt: dict) -> list[Predicate]:
    """The top-level conjuncts of a filter, each classified for ESR ($in counts as equality)."""
    out: list[Predicate] = []
    for key, value in flt.items():
        if key == "$and" and isinstance(value, list):
            for part in value:
                if isinstance(part, dict):
                    out += predicates(part)
        elif key == "$text":
            out.append(Predicate(field="$text", role="text", value=value))
        elif key.startswith("$"):
            continue  # $or, $expr, $where: not one index prefix
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value) and not _is_literal(value):
            ops = set(value)
            if ops & RANGE_OPS and not (ops - RANGE_OPS - {"$options"}):
                out.append(Predicate(field=key, role="range", value=value))
            elif ops <= EQUALITY_OPS or "$eq" in ops:
                single = ops == {"$eq"}
                out.append(Predicate(field=key, role="equality", value=value["$eq"] if single else value, constant=single))
            else:
                out.append(Predicate(field=key, role="range", value=value))
        elif bson_type(value) == "regex":
            out.append(Predicate(field=key, role="range", value=value))
        else:
            out.append(Predicate(field=key, role="equality", value=value, constant=True))
    return out


def _is_literal(value: dict) -> bool:
    return bson_type(value) not in ("object",)


def leading_match(q: MongoQuery) -> tuple[dict, list[tuple[str, int]]]:
    """The filter and sort an index can serve: a find's, or an aggregate's leading $match and the
    $sort right after it (MongoDB pushes those into the query layer)."""
    if q.kind == "find":
        return q.filter, q.sort
    flt: dict = {}
    sort: list[tuple[str, int]] = []
    for stage in q.pipeline:
        if "$match" in stage and not sort:
            flt = {**flt, **stage["$match"]} if not flt else {"$and": [flt, stage["$match"]]}
        elif "$sort" in stage and not sort:
            sort = [(f, int(scalar(d)) if not isinstance(d, dict) else 1) for f, d in stage["$sort"].items()]
        else:
            break
    return flt, sort
