"""The document rule family (DM, core/rules/document/): its context and the runs that serve each tool.

Every rule has `RULE` (engines={"mongodb"}), `SCOPE` ("schema", "index", "query" or "plan") and
`check(ctx: DocumentContext) -> list[Finding]`. review_schema runs the schema and index scopes,
review_query the query scope (plus index when indexes were given), explain_plan the plan and query
scopes, recommend_indexes the index scope (as notes next to its advice).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from dbarchitect.core.models import Evidence, Finding, severity_counts, sort_findings
from dbarchitect.core.mongo.documents import CollectionSchema, infer
from dbarchitect.core.mongo.explain import Explain
from dbarchitect.core.mongo.workload import Bundle, IndexSpec, MongoQuery
from dbarchitect.core.rulebook import family_modules


@dataclass
class DocumentContext:
    bundle: Bundle
    explain: Explain | None = None
    schemas: dict[str, CollectionSchema] = field(default_factory=dict)

    @classmethod
    def of(cls, bundle: Bundle, explain: Explain | None = None) -> DocumentContext:
        schemas = {name: infer(name, c.documents) for name, c in sorted(bundle.collections.items()) if c.documents}
        return cls(bundle=bundle, explain=explain, schemas=schemas)

    def indexes(self, collection: str) -> list[IndexSpec] | None:
        c = self.bundle.collections.get(collection)
        return None if c is None else c.indexes

    def count(self, collection: str | None) -> int | None:
        c = self.bundle.collections.get(collection or "")
        return None if c is None else c.count

    @property
    def queries(self) -> list[MongoQuery]:
        return self.bundle.queries


def sample_evidence(schema: CollectionSchema, detail: str, **data: Any) -> Evidence:
    return Evidence(kind="static", detail=f"{schema.sampled} sampled document(s) of {schema.name}: {detail}", data=data)


def index_evidence(collection: str, indexes: list[IndexSpec]) -> Evidence:
    return Evidence(
        kind="catalog", detail=f"getIndexes() of {collection}: " + ", ".join(f"{i.name} {i.pattern()}" for i in indexes),
        data={"indexes": [i.name for i in indexes]},
    )


def create_index(collection: str, keys: list[tuple[str, Any]], options: dict | None = None) -> str:
    pattern = "{" + ", ".join(f"{json.dumps(f)}: {json.dumps(v)}" for f, v in keys) + "}"
    opts = f", {json.dumps(options)}" if options else ""
    return f"db.getCollection({json.dumps(collection)}).createIndex({pattern}{opts})"


def drop_index(collection: str, name: str) -> str:
    return f"db.getCollection({json.dumps(collection)}).dropIndex({json.dumps(name)})"


def run(ctx: DocumentContext, scopes: tuple[str, ...]) -> tuple[list[Finding], list[str]]:
    """The findings of every document rule in `scopes` (worst first) and the codes that ran."""
    findings: list[Finding] = []
    ran: list[str] = []
    for mod in family_modules("document"):
        if mod.SCOPE not in scopes:
            continue
        ran.append(mod.RULE.code)
        findings += check(mod, ctx)
    return sort_findings(findings), ran


def check(mod: Any, ctx: DocumentContext) -> list[Finding]:
    """One rule over the context. An aggregation explained through mongos is read shard by shard: the
    rule sees each shard's explain (with the given collections but not the commands, so a command's
    static findings are not repeated per shard), and its findings name the shard."""
    shards = ctx.explain.shards if ctx.explain is not None else []
    if not shards:
        return mod.check(ctx)
    out = mod.check(replace(ctx, explain=None))
    collections_only = ctx.bundle.model_copy(update={"queries": [], "explains": []})
    for shard in shards:
        out += [_on_shard(f, shard.name) for f in mod.check(replace(ctx, bundle=collections_only, explain=shard.explain))]
    return out


def _on_shard(finding: Finding, shard: str) -> Finding:
    evidence = [e.model_copy(update={"detail": f"shard {shard}: {e.detail}", "data": {**(e.data or {}), "shard": shard}})
                for e in finding.evidence]  # fmt: skip
    return finding.model_copy(update={"message": f"On shard {shard}: {finding.message}", "evidence": evidence})


def counts(findings: list[Finding]) -> dict[str, int]:
    return severity_counts(findings)
