"""Documents as people hand them over — JSON, Extended JSON (canonical or relaxed, as mongoexport
writes it: one document per line, or an array with --jsonArray), or mongosh's printout
(`ObjectId("…")`, `ISODate("…")`, `Timestamp(…)`, `BinData(…)`, unquoted keys) — and the schema they imply.

`infer(name, documents)` reads every document once: per field path (dotted; array elements as
`path.[]`) the BSON types seen and their counts, how often the field is present, array lengths (max,
p95), the nesting depth, and each document's BSON size (exact for the BSON types, from the encoding
rules: int32 4 bytes, double/int64/date 8, ObjectId 12, decimal 16, strings length+5, …).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

#: MongoDB's maximum BSON document size
MAX_BSON_BYTES = 16 * 1024 * 1024

#: Extended JSON wrappers -> BSON type alias ($type names)
_EXTJSON = {
    "$oid": "objectId", "$date": "date", "$numberLong": "long", "$numberInt": "int", "$numberDouble": "double",
    "$numberDecimal": "decimal", "$binary": "binData", "$uuid": "binData", "$timestamp": "timestamp",
    "$regularExpression": "regex", "$regex": "regex", "$minKey": "minKey", "$maxKey": "maxKey",
    "$symbol": "symbol", "$code": "javascript", "$dbPointer": "dbPointer", "$undefined": "undefined",
}  # fmt: skip
_FIXED = {"objectId": 12, "date": 8, "long": 8, "int": 4, "double": 8, "decimal": 16, "timestamp": 8,
          "minKey": 0, "maxKey": 0, "undefined": 0, "bool": 1, "null": 0}  # fmt: skip
NUMERIC = frozenset({"int", "long", "double", "decimal"})


class DocumentParseError(ValueError):
    pass


# ----------------------------------------------------------------------------------------- parsing

def _binary(base64: str, subtype: str) -> str:
    return json.dumps({"$binary": {"base64": base64, "subType": f"{int(subtype):02x}"}})


_SHELL_CALLS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"""(?:new\s+)?ObjectId\(\s*["']([0-9a-fA-F]{24})["']\s*\)"""), r'{"$oid": "\1"}'),
    (re.compile(r"""(?:new\s+)?(?:ISODate|Date)\(\s*["']([^"']*)["']\s*\)"""), r'{"$date": "\1"}'),
    (re.compile(r"""NumberLong\(\s*["']?(-?\d+)["']?\s*\)"""), r'{"$numberLong": "\1"}'),
    (re.compile(r"""NumberInt\(\s*["']?(-?\d+)["']?\s*\)"""), r'{"$numberInt": "\1"}'),
    (re.compile(r"""NumberDecimal\(\s*["']([^"']*)["']\s*\)"""), r'{"$numberDecimal": "\1"}'),
    (re.compile(r"""Decimal128\(\s*["']([^"']*)["']\s*\)"""), r'{"$numberDecimal": "\1"}'),
    (re.compile(r"""UUID\(\s*["']([^"']*)["']\s*\)"""), r'{"$uuid": "\1"}'),
    (re.compile(r"""Long\(\s*["']?(-?\d+)["']?\s*\)"""), r'{"$numberLong": "\1"}'),
    # $clusterTime / operationTime of any replica set: the legacy shell's Timestamp(t, i) and BinData(type, "…"),
    # mongosh's Timestamp({ t: …, i: … }) and Binary.createFromBase64("…", type)
    (re.compile(r"""Timestamp\(\s*(\d+)\s*,\s*(\d+)\s*\)"""), r'{"$timestamp": {"t": \1, "i": \2}}'),
    (re.compile(r"""Timestamp\(\s*\{\s*t\s*:\s*(\d+)\s*,\s*i\s*:\s*(\d+)\s*\}\s*\)"""),
     r'{"$timestamp": {"t": \1, "i": \2}}'),
    (re.compile(r"""BinData\(\s*(\d+)\s*,\s*["']([A-Za-z0-9+/=]*)["']\s*\)"""), lambda m: _binary(m[2], m[1])),
    (re.compile(r"""Binary\.createFromBase64\(\s*["']([A-Za-z0-9+/=]*)["']\s*(?:,\s*(\d+)\s*)?\)"""),
     lambda m: _binary(m[1], m[2] or "0")),
]
_BARE_KEY = re.compile(r'([{,]\s*)([A-Za-z_$][\w$.]*)\s*:')
_SINGLE_QUOTED = re.compile(r"'((?:[^'\\\n]|\\.)*)'")


def strip_comments(text: str) -> str:
    """A shell script without its `// …` and `/* … */` comments (outside strings; an escaped `\\/` in a
    regex literal is not a comment)."""
    out: list[str] = []
    i, quote, n = 0, None, len(text)
    while i < n:
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "\\" and i + 1 < n:
            out.append(text[i:i + 2])
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def shell_to_json(text: str) -> str:
    """mongosh's relaxed notation as JSON: comments dropped, constructors as Extended JSON, bare keys and
    single-quoted strings quoted, `undefined` as {"$undefined": true}, trailing commas dropped, /regex/flags
    as $regularExpression."""
    out = strip_comments(text)
    for pattern, repl in _SHELL_CALLS:
        out = pattern.sub(repl, out)
    out = _SINGLE_QUOTED.sub(lambda m: json.dumps(m.group(1)), out)
    out = re.sub(r'(:\s*)/((?:[^/\\\n]|\\.)+)/([a-z]*)', lambda m: m.group(1) + json.dumps(
        {"$regularExpression": {"pattern": m.group(2), "options": m.group(3)}}), out)
    out = _BARE_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}":', out)
    out = re.sub(r"(?<=[:\[,(\s])undefined(?=\s*[,\]})])", '{"$undefined": true}', out)
    out = re.sub(r",\s*([}\]])", r"\1", out)
    return out


def loads(text: str) -> Any:
    """One JSON value, JSON lines (a list), or the mongosh form of either."""
    text = text.strip()
    if not text:
        raise DocumentParseError("empty input")
    for candidate in (text, None):
        src = text if candidate is not None else shell_to_json(text)
        try:
            return json.loads(src)
        except json.JSONDecodeError:
            pass
        lines = [ln for ln in src.splitlines() if ln.strip()]
        if len(lines) > 1:
            try:
                return [json.loads(ln) for ln in lines]
            except json.JSONDecodeError:
                pass
    try:
        json.loads(shell_to_json(text))
    except json.JSONDecodeError as exc:
        raise DocumentParseError(f"not JSON, Extended JSON or mongosh notation: {exc}") from None
    raise DocumentParseError("not JSON")  # pragma: no cover


# ------------------------------------------------------------------------------------ BSON types

def ext_wrapper(value: Any) -> str | None:
    """The Extended JSON wrapper key of `value` ("$oid", "$date", …) or None."""
    if isinstance(value, dict) and value:
        key = next(iter(value))
        if key in _EXTJSON and (len(value) == 1 or (key == "$regex" and set(value) <= {"$regex", "$options"})):
            return key
    return None


def bson_type(value: Any) -> str:
    """The BSON type alias of a JSON / Extended JSON value (the names `$type` and `$jsonSchema` use)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if -(2**31) <= value < 2**31 else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    wrapper = ext_wrapper(value)
    if wrapper:
        return _EXTJSON[wrapper]
    return "object"


def scalar(value: Any) -> Any:
    """The plain value inside an Extended JSON wrapper (numbers as numbers), else the value."""
    wrapper = ext_wrapper(value)
    if wrapper in ("$numberLong", "$numberInt"):
        return int(value[wrapper])
    if wrapper == "$numberDouble":
        return float(value[wrapper])
    if wrapper == "$date":
        inner = value[wrapper]
        return inner.get("$numberLong") if isinstance(inner, dict) else inner
    if wrapper in ("$oid", "$numberDecimal", "$symbol"):
        return value[wrapper]
    return value


def bson_size(value: Any, *, top: bool = True) -> int:
    """Bytes `value` takes in BSON (a document's total when `top`)."""
    kind = bson_type(value)
    if kind in ("object", "array"):
        items = value.items() if kind == "object" else ((str(i), v) for i, v in enumerate(value))
        return 4 + sum(2 + len(k.encode()) + bson_size(v, top=False) for k, v in items) + 1
    if kind in _FIXED:
        return _FIXED[kind]
    if kind in ("string", "symbol", "javascript"):
        text = value if isinstance(value, str) else next(iter(value.values()))
        return 4 + len(str(text).encode()) + 1
    if kind == "binData":
        inner = value.get("$binary")
        data = inner.get("base64", "") if isinstance(inner, dict) else (inner or "")
        return 5 + (len(data) * 3 // 4 if data else 16)
    if kind == "regex":
        inner = value.get("$regularExpression") or {"pattern": value.get("$regex", ""), "options": value.get("$options", "")}
        return len(str(inner.get("pattern", "")).encode()) + len(str(inner.get("options", ""))) + 2
    return 8


# ---------------------------------------------------------------------------------------- schema

class FieldStats(BaseModel):
    path: str = Field(description="Dotted path; array elements as path.[]")
    types: dict[str, int] = Field(default_factory=dict, description="BSON type -> values seen")
    present: int = 0
    presence: float = Field(default=0.0, description="Share of the parent's occurrences that hold the field")
    array_max: int | None = None
    array_p95: int | None = None
    array_lengths: list[int] = Field(default_factory=list, exclude=True)
    distinct_objects: int | None = Field(default=None, description="Distinct embedded objects (objects only)")
    object_keys: int | None = Field(default=None, description="Keys of the largest embedded object seen")
    examples: list[Any] = Field(default_factory=list, description="Up to three values seen")

    @property
    def non_null_types(self) -> list[str]:
        return sorted(t for t in self.types if t != "null")


class CollectionSchema(BaseModel):
    name: str
    sampled: int = Field(description="Documents read")
    fields: dict[str, FieldStats] = Field(default_factory=dict)
    max_depth: int = 0
    deepest_path: str | None = None
    size_max: int = 0
    size_p95: int = 0
    size_avg: float = 0.0
    largest_id: Any = None


def p95(values: list[int]) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def infer(name: str, documents: list[dict]) -> CollectionSchema:
    """The schema `documents` imply (see the module docstring)."""
    stats: dict[str, FieldStats] = {}
    parents: Counter[str] = Counter()
    objects: dict[str, set[str]] = {}
    depth_best = (0, None)
    sizes = []
    largest = (-1, None)

    def visit(path: str, value: Any, depth: int) -> None:
        nonlocal depth_best
        fs = stats.get(path) or stats.setdefault(path, FieldStats(path=path))
        kind = bson_type(value)
        fs.types[kind] = fs.types.get(kind, 0) + 1
        fs.present += 1
        if len(fs.examples) < 3 and kind not in ("object", "array"):
            ex = scalar(value)
            if ex not in fs.examples:
                fs.examples.append(ex)
        if depth > depth_best[0]:
            depth_best = (depth, path)
        if kind == "object":
            objects.setdefault(path, set()).add(json.dumps(value, sort_keys=True, default=str))
            fs.object_keys = max(fs.object_keys or 0, len(value))
            walk(value, path, depth)
        elif kind == "array":
            fs.array_lengths.append(len(value))
            child = f"{path}.[]"
            parents[child] += 1
            for item in value:
                visit(child, item, depth + 1)

    def walk(doc: dict, prefix: str, depth: int) -> None:
        for key, value in doc.items():
            path = f"{prefix}.{key}" if prefix else key
            parents[path] += 0  # make the key known
            visit(path, value, depth + 1)

    for doc in documents:
        if not isinstance(doc, dict):
            raise DocumentParseError(f"collection {name}: every document must be a JSON object, got {type(doc).__name__}")
        size = bson_size(doc)
        sizes.append(size)
        if size > largest[0]:
            largest = (size, scalar(doc.get("_id")))
        walk(doc, "", 0)

    occurrences = _occurrences(stats, len(documents))
    for path, fs in stats.items():
        base = occurrences.get(path, len(documents))
        fs.presence = round(fs.present / base, 4) if base else 0.0
        if fs.array_lengths:
            fs.array_max = max(fs.array_lengths)
            fs.array_p95 = p95(fs.array_lengths)
        if path in objects:
            fs.distinct_objects = len(objects[path])
    return CollectionSchema(
        name=name, sampled=len(documents), fields=dict(sorted(stats.items())), max_depth=depth_best[0],
        deepest_path=depth_best[1], size_max=max(sizes, default=0), size_p95=p95(sizes),
        size_avg=round(sum(sizes) / len(sizes), 1) if sizes else 0.0, largest_id=largest[1],
    )  # fmt: skip


def _occurrences(stats: dict[str, FieldStats], documents: int) -> dict[str, int]:
    """How many times each field's parent occurred as an object (the denominator of presence)."""
    out = {}
    for path in stats:
        parent, sep, _ = path.rpartition(".")
        if not sep:
            out[path] = documents
        elif parent in stats:
            ps = stats[parent]
            out[path] = ps.types.get("object", 0) if not path.endswith(".[]") else ps.types.get("array", 0)
        else:
            out[path] = documents
    return out


# ---------------------------------------------------------------------------------- $jsonSchema

def json_schema(schema: CollectionSchema, *, max_items: dict[str, int] | None = None) -> dict:
    """A `$jsonSchema` validator matching what the samples hold: bsonType per field (all the types
    seen), `required` for fields present in every sample, and `maxItems` for the arrays in `max_items`."""
    max_items = max_items or {}

    def node(prefix: str) -> dict:
        props, required = {}, []
        for path, fs in schema.fields.items():
            parent, sep, key = path.rpartition(".")
            if (parent if sep else "") != prefix or key == "[]":
                continue
            props[key] = prop(path, fs)
            if fs.presence >= 1.0 and "null" not in fs.types:
                required.append(key)
        out: dict[str, Any] = {"bsonType": "object"}
        if required:
            out["required"] = sorted(required)
        if props:
            out["properties"] = props
        return out

    def prop(path: str, fs: FieldStats) -> dict:
        types = sorted(set(fs.types) - NUMERIC | ({"number"} if set(fs.types) & NUMERIC else set()))
        out: dict[str, Any] = {"bsonType": types[0] if len(types) == 1 else types}
        if "object" in fs.types:
            sub = node(path)
            out.update({k: v for k, v in sub.items() if k != "bsonType"})
        if "array" in fs.types:
            if path in max_items:
                out["maxItems"] = max_items[path]
            item = schema.fields.get(f"{path}.[]")
            if item is not None:
                out["items"] = prop(f"{path}.[]", item)
        return out

    return node("")


def coll_mod(collection: str, validator: dict) -> str:
    """The command that installs `validator` without rejecting existing writes: warn first, then
    switch validationAction to "error" once the logs are clean."""
    body = json.dumps({"$jsonSchema": validator})
    return (
        f'db.runCommand({{collMod: "{collection}", validator: {body}, '
        f'validationLevel: "moderate", validationAction: "warn"}})'
    )
