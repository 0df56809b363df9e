"""Compact JSON schemas for `tools/list`: every client loads the whole list into its model's context.

Pydantic's schemas are written for validation and documentation sites: an automatic `title` on every
property, `anyOf [X, null]` plus `"default": null` for every optional, and for output models the full
tree of nested definitions (Finding, Evidence, ... repeated in every tool). Measured on 14 tools:
117,666 characters, 76 % of it output schemas. Here:

- input schemas keep everything a model needs to call the tool (types, enums, bounds, descriptions,
  defaults that are not null) and lose the titles; an optional scalar becomes `"type": [X, "null"]`;
- output schemas describe the top level (each property's type and description) and say only
  "object" below it. That is still a valid, more permissive schema for the structured content the
  tool returns (clients that validate keep validating; the server validates against the full model),
  and the shape of nested items is documented by the tool's description and the text rendering.
See docs/decisions/context-budget.md.
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}
# keys of a schema that still mean the same once its type becomes [type, "null"]: a null passes every
# one of them (validation keywords only constrain values of their own type)
_FOLDABLE_KEYS = {"type", "description", "enum", "format", "minimum", "maximum", "exclusiveMinimum",
                  "exclusiveMaximum", "minLength", "maxLength", "pattern", "default", "const",
                  "items", "minItems", "maxItems", "additionalProperties", "properties", "required"}


def _strip(schema: Any) -> Any:
    """Drop automatic titles and null defaults; fold `anyOf [X, null]` into a type list."""
    if isinstance(schema, list):
        return [_strip(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and (value is None or ("const" in schema and value == schema["const"])):
            continue
        if (key == "additionalProperties" and value is True) or (key == "items" and value == {}):
            continue  # what JSON Schema assumes anyway
        if key in ("properties", "$defs"):
            out[key] = {name: _strip(sub) for name, sub in value.items()}
        else:
            out[key] = _strip(value)
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and _NULL in options:
        other = options[0] if options[1] == _NULL else options[1]
        if isinstance(other.get("type"), str) and set(other) <= _FOLDABLE_KEYS:
            folded = {**other, "type": [other["type"], "null"]}
            if "enum" in folded:
                folded["enum"] = [*folded["enum"], None]
            del out["anyOf"]
            out = {**folded, **out}
    return out


#: said once in the server's instructions, not in every tool's schema
SHARED_PARAMETERS = ("connection",)


def compact_input(schema: dict[str, Any]) -> dict[str, Any]:
    out = _strip(schema)
    for name in SHARED_PARAMETERS:
        out.get("properties", {}).get(name, {}).pop("description", None)
    return out


def _collapse(schema: Any, defs: dict[str, Any], depth: int) -> Any:
    """Inline `$ref`s down to `depth` object levels; an object below that is just `{"type": "object"}`."""
    if isinstance(schema, list):
        return [_collapse(s, defs, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _collapse(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth)
    if schema.get("type") == "object" or "properties" in schema:
        if depth <= 0:
            return {"type": "object"}
        out = {k: v for k, v in schema.items() if k not in ("properties", "$defs", "additionalProperties")}
        if "properties" in schema:
            out["properties"] = {k: _collapse(v, defs, depth - 1) for k, v in schema["properties"].items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = _collapse(extra, defs, depth - 1)
        return out
    return {k: (_collapse(v, defs, depth) if k in ("items", "anyOf", "oneOf", "allOf", "prefixItems") else v)
            for k, v in schema.items()}


def compact_output(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    stripped = _strip(schema)
    return _strip(_collapse(stripped, stripped.get("$defs", {}), depth=1))
