"""MongoDB's implementations of the feature interfaces (live/features.py) the tools ask for.

Each works bound to a connection (`db` = MongoDatabase: samples, indexes, explain on the server) or
detached (`db` = None: the documents, commands and explain output given inline; nothing else).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbarchitect.core.describe import UserInputError
from dbarchitect.core.indexing.models import IndexAdvice
from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.mongo import api
from dbarchitect.core.mongo.documents import DocumentParseError
from dbarchitect.core.mongo.workload import Bundle, is_mongo_text, parse_bundle
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.core.schema_review import SchemaReview


def _bundle(texts, weights=None) -> Bundle:
    try:
        return parse_bundle(texts, weights)
    except DocumentParseError as exc:
        raise UserInputError(f"The MongoDB input could not be read: {exc}.") from None


async def _with_server_facts(db, bundle: Bundle, *, documents: bool = False, usage: bool = False) -> Bundle:
    """Fill in what the server knows about the collections the input names (indexes, validator, counts;
    with `usage`, $indexStats and latencyStats)."""
    if db is None:
        return bundle
    names = sorted({q.collection for q in bundle.queries} | set(bundle.collections)
                   | {st["$lookup"]["from"] for q in bundle.queries for st in q.pipeline
                      if isinstance(st.get("$lookup"), dict) and isinstance(st["$lookup"].get("from"), str)})  # fmt: skip
    live = await db.bundle(names, documents=documents, usage=usage)
    for name, coll in live.collections.items():
        mine = bundle.collection(name)
        mine.indexes = mine.indexes if mine.indexes is not None else coll.indexes
        for attr in ("validator", "has_validator", "count", "avg_obj_size", "index_stats", "reads", "writes"):
            if getattr(mine, attr) is None:
                setattr(mine, attr, getattr(coll, attr))
        if not mine.documents:
            mine.documents = coll.documents
    return bundle


class MongoSchemaReviewer:
    def __init__(self, db):
        self.db = db

    async def review_database(self, *, schema: str | None = None) -> SchemaReview:
        if self.db is None:
            raise UserInputError("review_schema for MongoDB needs sample documents (ddl=<JSON>) or a mongodb:// connection.")
        bundle = await self.db.bundle([schema] if schema else None)
        report = api.review_documents(bundle, source="live", database=self.db.name) if bundle.collections else SchemaReview(
            source="live", database=self.db.name, notes=["no collections"])
        return report.model_copy(update={"notes": [*report.notes, "documents read with $sample (up to 1000 per collection)"]})

    async def review_ddl(self, ddl: str, *, admin_dsn: str | None, schema: str | None = None) -> SchemaReview:
        if not is_mongo_text(ddl):
            raise UserInputError(
                "On MongoDB, review_schema's ddl takes sample documents as JSON / Extended JSON (mongoexport output), "
                'or {"collection": name, "documents": [...], "indexes": [getIndexes() output], "validator": {...}}.'
            )
        bundle = _bundle(ddl)
        if schema:
            bundle.collections = {k: v for k, v in bundle.collections.items() if k == schema}
        try:
            return api.review_documents(bundle)
        except DocumentParseError as exc:
            raise UserInputError(f"The MongoDB input could not be read: {exc}.") from None

    async def review_queries(self, text: str) -> Any:
        """review_query on MongoDB: find/aggregate commands (and indexes, documents, explain output)
        reviewed by the document rules, with the server's indexes and counts when connected."""
        bundle = await _with_server_facts(self.db, _bundle(text))
        try:
            return api.review_queries(bundle)
        except DocumentParseError as exc:
            raise UserInputError(f"The MongoDB input could not be read: {exc}.") from None

    async def verify_design(self, design, *, admin_dsn: str):
        raise UserInputError("design_schema designs PostgreSQL schemas.")


class MongoIndexAdvisor:
    def __init__(self, db):
        self.db = db

    async def recommend(
        self, queries: Sequence[str] | None, weights: Sequence[float] | None, from_stats: bool,
        budget_mb: float | None, max_indexes: int | None, *, validate: bool, scratch: str | None, progress=None,
    ) -> IndexAdvice:  # fmt: skip
        if not queries:
            raise UserInputError("recommend_indexes for MongoDB needs queries: find/aggregate commands as JSON or mongosh text.")
        if validate:
            raise UserInputError("validate=true is not available for MongoDB: check each pick with explain on a copy.")
        bundle = await _with_server_facts(self.db, _bundle(list(queries), list(weights) if weights else None))
        try:
            advice = api.indexes_advice(bundle, max_indexes=max_indexes)
        except ValueError as exc:
            raise UserInputError(str(exc)) from None
        if self.db is not None:
            advice = advice.model_copy(update={"database": self.db.name, "notes": [
                *advice.notes, "existing indexes and counts read from the server (listIndexes, estimatedDocumentCount)"]})
        return advice


class MongoIndexReviewer:
    """review_indexes on MongoDB: `schema` is getIndexes()/$indexStats JSON (inline, no server needed), or
    on a mongodb:// connection a collection name (None: every collection) read from the server."""

    def __init__(self, db):
        self.db = db

    async def review(self, *, schema: str | None = None) -> IndexReview:
        inline = schema is not None and is_mongo_text(schema)
        if inline:
            bundle = await _with_server_facts(self.db, _bundle(schema), documents=True, usage=True)
        elif self.db is None:
            raise UserInputError('review_indexes for MongoDB needs a mongodb:// connection, or schema=<JSON>: '
                                 '{"collection": name, "indexes": [getIndexes() output], "indexStats": [$indexStats '
                                 'output], "latencyStats": {...}, "documents": [samples]}.')
        else:
            bundle = await self.db.bundle([schema] if schema else None, usage=True)
        try:
            report = api.review_index_bundle(bundle, database=self.db.name if self.db is not None else "")
        except DocumentParseError as exc:
            raise UserInputError(f"The MongoDB input could not be read: {exc}.") from None
        if self.db is not None and not inline:
            report = report.model_copy(update={"notes": [*report.notes, "indexes, $indexStats and latencyStats read from "
                                                         "the server; documents sampled with $sample"]})
        return report


class MongoExplainer:
    def __init__(self, db):
        self.db = db

    async def explain_query(self, sql: str, *, analyze: bool, buffers: bool, params, hypothetical_indexes,
                            allow_writes: bool) -> PlanReport:  # fmt: skip
        if self.db is None:
            raise UserInputError("explain_query for MongoDB needs a mongodb:// connection; explain_plan reads pasted output.")
        if hypothetical_indexes:
            raise UserInputError("MongoDB has no hypothetical indexes: leave hypothetical_indexes empty.")
        bundle = _bundle(sql)
        if len(bundle.queries) != 1:
            raise UserInputError("explain_query on MongoDB takes one find or aggregate command (JSON or mongosh text).")
        q = bundle.queries[0]
        raw = await self.db.explain(q, verbosity="executionStats" if analyze else "queryPlanner")
        bundle = await _with_server_facts(self.db, bundle)
        return api.diagnose(raw, bundle, statement=q.text)

    def diagnose(self, plan: str | dict | list, *, sql: str | None, catalog: Any) -> PlanReport:
        try:
            bundle = parse_bundle(sql) if sql and is_mongo_text(sql) else None
            return api.diagnose(plan, bundle, statement=sql)
        except DocumentParseError as exc:
            raise UserInputError(f"The MongoDB explain output could not be read: {exc}.") from None


FACTORIES = {"schema_review": MongoSchemaReviewer, "index_advisor": MongoIndexAdvisor, "index_review": MongoIndexReviewer,
             "explain": MongoExplainer}
