"""MongoDatabase: one mongodb:// or mongodb+srv:// connection, read-only.

Every server call is a read: `aggregate([{$sample}])`, `listCollections`, `listIndexes`,
`estimatedDocumentCount`, `$collStats` (storage and latency stats), `$indexStats`, and the `explain` command of a find or of
an aggregation without `$out`/`$merge`. pymongo is synchronous; calls run in a worker thread with
`maxTimeMS` = the statement timeout and a server-selection timeout = the connect timeout.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
import pymongo
from bson import json_util
from pymongo.errors import AutoReconnect, OperationFailure, PyMongoError, ServerSelectionTimeoutError

from dbarchitect.config import Limits, Settings
from dbarchitect.core.dsn import redact
from dbarchitect.core.models import SchemaSnapshot, ServerInfo
from dbarchitect.core.mongo.workload import Bundle, CollectionInput, MongoQuery, index_spec, index_usage
from dbarchitect.core.results import QueryResult
from dbarchitect.live.engine import Engine, EngineUnsupported
from dbarchitect.live.errors import DatabaseError

#: documents $sample reads per collection, and collections sampled when none is named
SAMPLE_SIZE = 1000
MAX_COLLECTIONS = 50
_WRITE_STAGES = ("$out", "$merge")


class MongoDatabase:
    def __init__(self, name: str, dsn: str, settings: Settings):
        self.name, self.dsn, self.settings = name, dsn, settings
        self._client: pymongo.MongoClient | None = None

    @property
    def engine(self) -> Engine:
        return Engine.mongodb

    @property
    def limits(self) -> Limits:
        return self.settings.limits

    # ------------------------------------------------------------------------------------ plumbing

    def _db(self):
        if self._client is None:
            ms = self.limits.connect_timeout_s * 1000
            given = self.dsn.lower()  # options in the URL win over the defaults from the limits
            options = {k: v for k, v in (("serverSelectionTimeoutMS", ms), ("connectTimeoutMS", ms),
                                         ("socketTimeoutMS", self.limits.statement_timeout_ms + ms),
                                         ("readPreference", "secondaryPreferred")) if k.lower() not in given}  # fmt: skip
            self._client = pymongo.MongoClient(self.dsn, appname=self.settings.application_name, **options)
        try:
            return self._client.get_default_database()
        except pymongo.errors.ConfigurationError:
            raise DatabaseError(
                f"The MongoDB connection {self.name!r} names no database: add it to the URL (mongodb://host/<db>)."
            ) from None

    async def _call(self, fn, *args) -> Any:
        def run():
            try:
                return fn(self._db(), *args)
            except PyMongoError as exc:
                raise DatabaseError(self._sentence(exc)) from None

        return await anyio.to_thread.run_sync(run)

    def _sentence(self, exc: PyMongoError) -> str:
        """One sentence about the MongoDB server, without the driver's timeout details or a password."""
        detail = re.split(r" \(configured timeouts|, Timeout: |, Topology Description", str(exc))[0].strip()
        detail = redact(detail, self.settings.secrets())
        if isinstance(exc, (ServerSelectionTimeoutError, AutoReconnect)):
            return f"The MongoDB server of connection {self.name!r} cannot be reached: {detail}."
        if isinstance(exc, OperationFailure):
            return f"MongoDB refused the read on connection {self.name!r}: {detail}."
        return f"MongoDB error on connection {self.name!r}: {detail}."

    # --------------------------------------------------------------------------------- protocol

    async def info(self, refresh: bool = False) -> ServerInfo:
        def read(db):
            build = db.command("buildInfo")
            status = db.command("connectionStatus")
            users = status.get("authInfo", {}).get("authenticatedUsers") or [{}]
            version = build.get("version", "0")
            parts = [int(p) for p in (version.split(".") + ["0", "0"])[:3] if p.isdigit()] + [0, 0, 0]
            return ServerInfo(
                engine="mongodb", flavor="MongoDB", version=version, version_num=parts[0] * 10000 + parts[1] * 100 + parts[2],
                database=db.name, current_user=users[0].get("user", ""), is_superuser=False, can_create_db=False,
                in_recovery=False,
            )  # fmt: skip

        return await self._call(read)

    async def snapshot(self, refresh: bool = False) -> SchemaSnapshot:
        raise EngineUnsupported("describe_schema", Engine.mongodb)  # review_schema samples the collections

    def forget_snapshot(self) -> None:
        return None

    async def run_query(self, sql: str, max_rows: int | None = None) -> QueryResult:
        raise EngineUnsupported("run_query", Engine.mongodb)

    def feature(self, name: str, *, tool: str):
        from dbarchitect.live.mongo.features import FACTORIES

        factory = FACTORIES.get(name)
        if factory is None:
            raise EngineUnsupported(tool, Engine.mongodb)
        return factory(self)

    @classmethod
    def detached_feature(cls, name: str, *, tool: str, settings: Settings):
        """The features that need no server (inline documents, pasted explain output)."""
        from dbarchitect.live.mongo.features import FACTORIES

        factory = FACTORIES.get(name)
        if factory is None or name == "scratch":
            raise EngineUnsupported(tool, Engine.mongodb)
        return factory(None)

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await anyio.to_thread.run_sync(client.close)

    # ------------------------------------------------------------------------------ reads

    async def collection_names(self) -> list[str]:
        return await self._call(lambda db: sorted(
            c["name"] for c in db.list_collections(filter={"type": "collection"}) if not c["name"].startswith("system.")
        ))  # fmt: skip

    async def collection(self, name: str, *, documents: bool = True, sample: int = SAMPLE_SIZE,
                         usage: bool = False) -> CollectionInput:  # fmt: skip
        """A collection as the core reads it: sampled documents (as Extended JSON), indexes, validator, counts."""
        ms = self.limits.statement_timeout_ms

        def read(db):
            coll = db[name]
            info = next(iter(db.list_collections(filter={"name": name})), None)
            options = (info or {}).get("options", {})
            out = CollectionInput(name=name, validator=options.get("validator") or None,
                                  has_validator=bool(options.get("validator")) if info is not None else None)  # fmt: skip
            out.indexes = [index_spec(_plain(i)) for i in coll.list_indexes(maxTimeMS=ms)]
            out.count = coll.estimated_document_count(maxTimeMS=ms)
            try:
                stats = next(iter(coll.aggregate([{"$collStats": {"storageStats": {}, "latencyStats": {}}}], maxTimeMS=ms)), {})
                out.avg_obj_size = (stats.get("storageStats") or {}).get("avgObjSize")
                latency = stats.get("latencyStats") or {}
                out.reads = (latency.get("reads") or {}).get("ops")
                out.writes = (latency.get("writes") or {}).get("ops")
            except OperationFailure:
                pass  # a missing collection, or a role without collStats: the size stays unknown
            if usage:
                try:
                    out.index_stats = index_usage([_plain(r) for r in coll.aggregate([{"$indexStats": {}}], maxTimeMS=ms)])
                except OperationFailure:
                    pass  # a role without indexStats: usage stays unknown (and review_indexes says so)
            if documents:
                docs = coll.aggregate([{"$sample": {"size": sample}}], maxTimeMS=ms, allowDiskUse=False)
                out.documents = [_plain(d) for d in docs]
            return out

        return await self._call(read)

    async def bundle(self, collections: list[str] | None = None, *, documents: bool = True, usage: bool = False) -> Bundle:
        names = collections or (await self.collection_names())[:MAX_COLLECTIONS]
        bundle = Bundle()
        for name in names:
            bundle.collections[name] = await self.collection(name, documents=documents, usage=usage)
        return bundle

    async def explain(self, q: MongoQuery, *, verbosity: str) -> dict:
        """The explain command of a find or a read-only aggregation (never $out/$merge)."""
        if any(next(iter(stage), "") in _WRITE_STAGES for stage in q.pipeline):
            raise DatabaseError("Refused: the pipeline writes ($out/$merge); explain runs read-only pipelines only.")
        ms = self.limits.statement_timeout_ms
        if q.kind == "find":
            cmd: dict[str, Any] = {"find": q.collection, "filter": _bson(q.filter)}
            if q.sort:
                cmd["sort"] = dict(q.sort)
            if q.projection:
                cmd["projection"] = q.projection
            if q.limit:
                cmd["limit"] = q.limit
        else:
            cmd = {"aggregate": q.collection, "pipeline": _bson(q.pipeline), "cursor": {}}
        return await self._call(lambda db: _plain(db.command({"explain": cmd, "verbosity": verbosity, "maxTimeMS": ms})))


def _plain(value: Any) -> Any:
    """A BSON document as relaxed Extended JSON (dicts, lists, $oid/$date wrappers) — what the core reads."""
    return json.loads(json_util.dumps(value, json_options=json_util.RELAXED_JSON_OPTIONS))


def _bson(value: Any) -> Any:
    """Extended JSON from the caller ({"$oid": …}, {"$date": …}) as BSON values for the server."""
    return json_util.loads(json.dumps(value))
