"""Facts about aggregation pipelines that several document rules read."""

from __future__ import annotations

from typing import Any


def field_refs(expr: Any) -> set[str]:
    """Top-level field names a $match filter reads (the first segment of each path)."""
    out: set[str] = set()
    if isinstance(expr, dict):
        for key, value in expr.items():
            if key in ("$and", "$or", "$nor") and isinstance(value, list):
                for part in value:
                    out |= field_refs(part)
            elif key == "$expr":
                out |= expr_refs(value)
            elif not key.startswith("$"):
                out.add(key.split(".")[0])
    return out


def expr_refs(expr: Any) -> set[str]:
    """Field names an aggregation expression reads ("$field.sub" strings)."""
    if isinstance(expr, str) and expr.startswith("$") and not expr.startswith("$$"):
        return {expr[1:].split(".")[0]}
    if isinstance(expr, dict):
        return set().union(*(expr_refs(v) for v in expr.values())) if expr else set()
    if isinstance(expr, list):
        return set().union(*(expr_refs(v) for v in expr)) if expr else set()
    return set()


def produced(stage: dict) -> set[str] | None:
    """Top-level fields a stage creates or changes; None when it replaces the document wholesale."""
    name = next(iter(stage))
    body = stage[name]
    if name == "$lookup":
        return {str(body.get("as", "")).split(".")[0]}
    if name == "$unwind":
        path = body if isinstance(body, str) else body.get("path", "")
        extra = {body["includeArrayIndex"]} if isinstance(body, dict) and body.get("includeArrayIndex") else set()
        return {path.lstrip("$").split(".")[0]} | extra
    if name in ("$addFields", "$set"):
        return {k.split(".")[0] for k in body}
    if name in ("$group", "$replaceRoot", "$replaceWith", "$project", "$bucket", "$bucketAuto", "$facet", "$count",
                "$sortByCount", "$unset"):
        return None
    return set()


def stage_name(stage: dict) -> str:
    return next(iter(stage), "?")
