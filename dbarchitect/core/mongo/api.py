"""The MongoDB answers of the shared tools, in their shared report models (pure; tools and the live
adapter both call these): review_schema -> SchemaReview, review_query -> QueryReview,
explain_plan -> PlanReport, recommend_indexes -> IndexAdvice."""

from __future__ import annotations

from typing import Literal

from dbarchitect.core.indexing.models import IndexAdvice
from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.models import severity_counts
from dbarchitect.core.review_report import as_review_findings
from dbarchitect.core.mongo.advise import recommend
from dbarchitect.core.mongo.documents import DocumentParseError
from dbarchitect.core.mongo.explain import Explain, parse_explain, render_tree
from dbarchitect.core.mongo.review import DocumentContext, run
from dbarchitect.core.mongo.workload import Bundle, parse_bundle
from dbarchitect.core.plan.report import PlanFinding, PlanReport, PlanSummary
from dbarchitect.core.query_review import QueryReview
from dbarchitect.core.schema_review import SchemaReview

__all__ = ["DocumentParseError", "diagnose", "indexes_advice", "review_documents", "review_index_bundle",
           "review_queries", "parse_bundle"]


def review_documents(bundle: Bundle, *, source: Literal["live", "parsed"] = "parsed", database: str = "") -> SchemaReview:
    if not any(c.documents or c.indexes is not None for c in bundle.collections.values()):
        raise DocumentParseError("no documents: give sample documents (JSON array, mongoexport lines, or {collection, documents})")
    ctx = DocumentContext.of(bundle)
    findings, ran = run(ctx, ("schema", "index"))
    notes = [
        f"{name}: {s.sampled} document(s) sampled, {len(s.fields)} field path(s), max depth {s.max_depth}, "
        f"largest {s.size_max} bytes" for name, s in ctx.schemas.items()
    ]
    unknown = sorted(n for n, c in bundle.collections.items() if c.has_validator is None)
    if unknown:
        notes.append(f"validators not given for {', '.join(unknown)}: collection-without-validator (DM003) not checked")
    no_idx = sorted(n for n, c in bundle.collections.items() if c.indexes is None)
    if no_idx:
        notes.append(f"indexes not given for {', '.join(no_idx)}: duplicate/prefix/TTL index rules not checked there")
    if bundle.queries:
        qfind, qran = run(ctx, ("query",))
        findings, ran = findings + qfind, ran + qran
    return SchemaReview(
        source=source, database=database, tables=len(bundle.collections), findings=as_review_findings(findings),
        counts=severity_counts(findings), rules_run=ran, notes=notes,
    )  # fmt: skip


def review_queries(bundle: Bundle) -> QueryReview:
    if not bundle.queries and not bundle.explains:
        raise DocumentParseError("no MongoDB query: give find/aggregate commands as JSON or mongosh text")
    explain = parse_explain(bundle.explains[0]) if bundle.explains else None
    ctx = DocumentContext.of(bundle, explain)
    scopes = ("query", "index") + (("plan",) if explain else ())
    findings, ran = run(ctx, scopes)
    catalog = any(c.indexes is not None for c in bundle.collections.values())
    return QueryReview(dialect="mongodb", statements=len(bundle.queries), catalog=catalog, findings=findings, rules_run=ran)


def diagnose(plan: str | dict | list, bundle: Bundle | None = None, *, statement: str | None = None) -> PlanReport:
    explain = parse_explain(plan)
    ctx = DocumentContext.of(bundle or Bundle(), explain)
    findings, _ = run(ctx, ("plan", "query"))
    insights = [PlanFinding(**f.model_dump()) for f in findings]
    return PlanReport(
        summary=PlanSummary(headline=_headline(explain), analyzed=explain.executed, buffers=False,
                            execution_ms=explain.time_ms, total_cost=0.0,
                            rows=float(explain.n_returned) if explain.n_returned is not None else None,
                            node_count=_node_count(explain)),
        tree=render_tree(explain), tree_nodes_shown=_node_count(explain), insights=insights, source_format="json",
        statement=statement,
        notes=[_verbosity(explain)] + _split(explain),
    )  # fmt: skip


def _node_count(ex: Explain) -> int:
    if ex.shards:
        return sum(_node_count(s.explain) for s in ex.shards) + len(ex.merger_part)
    return len(ex.nodes) + max(len(ex.pipeline) - 1, 0)


def _split(ex: Explain) -> list[str]:
    """Through mongos: which part of the pipeline each shard ran and where the rest was merged."""
    if not ex.shards:
        return []
    names = ", ".join(s.name for s in ex.shards)
    if not ex.merger_part:
        return [f"Explained through mongos: {len(ex.shards)} shard(s) ({names}) ran the whole pipeline (no split); "
                "the rules read each shard's explain."]
    return [f"Explained through mongos: the pipeline was split — {len(ex.shards)} shard(s) ({names}) ran "
            f"{' > '.join(ex.shards_part) or 'their part'}, and the merger ({ex.merge_type or 'mongos'}) ran "
            f"{' > '.join(ex.merger_part)} (mongos reports no execution statistics for the merger part); the rules "
            "read each shard's explain."]


def _verbosity(ex: Explain) -> str:
    version = f" {ex.version}" if ex.version else ""
    if ex.executed:
        return f"MongoDB{version} explain with executionStats."
    return f'MongoDB{version} explain at queryPlanner verbosity: no counts; run explain("executionStats") for them.'


def _headline(ex: Explain) -> str:
    if ex.shards:
        parts = "; ".join(f"shard {s.name}: {_headline(s.explain).split(': ', 1)[-1]}" for s in ex.shards)
        return f"{ex.namespace or 'the collection'} through mongos — {parts}"
    leaf = ", ".join(sorted({n.stage for n in ex.nodes if n.stage in ("COLLSCAN", "IXSCAN", "IDHACK", "COUNT_SCAN", "TEXT_MATCH", "EXPRESS_IXSCAN")})) or "?"
    where = ex.namespace or "the collection"
    if ex.executed:
        return (f"{where}: {leaf}; returned {ex.n_returned}, examined {ex.docs_examined} documents and "
                f"{ex.keys_examined} keys in {ex.time_ms} ms")
    return f"{where}: winning plan {' > '.join(n.stage for n in ex.nodes)} (queryPlanner: no execution counts)"


def indexes_advice(bundle: Bundle, *, max_indexes: int | None = None) -> IndexAdvice:
    return recommend(bundle, max_indexes=max_indexes)


def review_index_bundle(bundle: Bundle, *, database: str = "") -> IndexReview:
    """review_indexes on MongoDB: the index rules over getIndexes() output, with $indexStats (usage) and
    $collStats latencyStats (write share) where given, and sampled documents (field types, presence)."""
    colls = {n: c for n, c in bundle.collections.items() if c.indexes is not None or c.index_stats is not None}
    if not colls:
        raise DocumentParseError('no indexes: give {"collection": name, "indexes": [getIndexes() output], '
                                 '"indexStats": [$indexStats output], "documents": [samples]}')
    ctx = DocumentContext.of(bundle)
    findings, ran = run(ctx, ("index",))
    notes = []
    no_usage = sorted(n for n, c in colls.items() if c.index_stats is None)
    if no_usage:
        notes.append(f"index usage unknown for {', '.join(no_usage)} (no $indexStats given): unused indexes not checked; "
                     "db.<collection>.aggregate([{$indexStats: {}}]) on each member gives it")
    no_samples = sorted(n for n in colls if n not in ctx.schemas)
    if no_samples:
        notes.append(f"no sample documents for {', '.join(no_samples)}: TTL field types and unique indexes on optional "
                     "fields not checked")
    no_latency = sorted(n for n, c in colls.items() if c.writes is None)
    if no_latency:
        notes.append(f"write share unknown for {', '.join(no_latency)} (no $collStats latencyStats): over-indexing of "
                     "write-heavy collections not checked")
    since = sorted(u.since for c in colls.values() for u in c.index_stats or [] if u.since)
    return IndexReview(
        database=database, indexes=sum(len(c.indexes or c.index_stats or []) for c in colls.values()),
        stats_reset=since[0] if since else None, findings=as_review_findings(findings),
        counts=severity_counts(findings), rules_run=ran, notes=notes,
    )  # fmt: skip
