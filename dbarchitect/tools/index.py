"""Index tools: recommend_indexes (proven with HypoPG) and review_indexes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from dbarchitect.app import App
from dbarchitect.core.describe import UserInputError
from dbarchitect.core.indexing.models import IndexAdvice
from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.mongo.workload import is_mongo_text
from dbarchitect.live.engine import Engine
from dbarchitect.core.review_report import present
from dbarchitect.tools.migration import _progress
from dbarchitect.tools.schema import Cursor, Limit, MinSeverity, Rules, _as_text, check_fixes


async def recommend_indexes(
    app: App,
    queries: Annotated[
        list[str] | None, Field(description="The workload; omit for pg_stat_statements' top queries.")
    ] = None,
    weights: Annotated[list[float] | None, Field(description="Relative weight of each query (e.g. calls/hour).")] = None,
    from_stats: Annotated[bool, Field(description="Use pg_stat_statements' top queries by total time.")] = False,
    budget_mb: Annotated[float | None, Field(gt=0, description="Storage the new indexes may take, in MB.")] = None,
    max_indexes: Annotated[int | None, Field(ge=1, description="At most this many indexes.")] = None,
    validate: Annotated[
        bool, Field(description="Build the picks on `validate_connection` (a copy) and time the workload.")
    ] = False,
    validate_connection: Annotated[
        str | None, Field(description="Named connection holding a copy of the data, for validate=true.")
    ] = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
    ctx: Any = None,
) -> IndexAdvice:
    """Recommend new indexes for a workload (given queries, or pg_stat_statements' top ones), each
    proven with HypoPG what-if costs and chosen by benefit per byte within a storage budget.

    Use it to speed up queries; review_indexes to judge existing indexes, explain_query for one plan.

    Returns per index its DDL, size, the queries it speeds up (cost before/after) and undo; why others
    were rejected. MongoDB find/aggregate JSON: ESR createIndex."""
    if queries is not None and not queries:
        raise UserInputError("queries is empty, so there is no workload: give at least one query, or omit queries "
                             "to use pg_stat_statements' top queries.")
    if validate_connection and not validate:  # an option that would be ignored
        raise UserInputError("validate_connection is read only with validate=true: nothing was run. Pass "
                             "validate=true to build and time the picks on that copy, or drop validate_connection.")
    mongo = bool(queries) and all(is_mongo_text(q) for q in queries)
    engine = Engine.mongodb if mongo else None
    advisor = app.feature("index_advisor", tool="recommend_indexes", connection=connection, engine=engine)
    scratch = None
    if validate:
        if not validate_connection:
            raise UserInputError(
                "validate=true builds the indexes for real, so it needs a copy of the database: configure one "
                "(DBARCHITECT_DB_COPY=<dsn>) and pass validate_connection='copy'."
            )
        scratch = app.db(validate_connection, tool="recommend_indexes").dsn
    try:
        advice = await advisor.recommend(
            queries, weights, from_stats, budget_mb, max_indexes,
            validate=validate, scratch=scratch, progress=_progress(ctx),
        )  # fmt: skip
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    if queries and not mongo and (not advice.queries or len(advice.skipped_queries) >= len(queries)):
        raise UserInputError(unusable("queries", len(queries), advice.skipped_queries))
    return advice


def unusable(what: str, given: int, why: dict[str, str]) -> str:
    """The error for an input none of whose entries could be used: each entry and why (at most five)."""
    reasons = "; ".join(f"{key}: {reason}" for key, reason in list(why.items())[:5])
    more = f" (and {len(why) - 5} more)" if len(why) > 5 else ""
    return f"None of the {given} {what} could be used, so nothing was analysed — {reasons or 'no statement found'}{more}."


async def review_indexes(
    app: App,
    schema: Annotated[
        str | None,
        BeforeValidator(_as_text),  # MCP pre-parses JSON-looking strings: MongoDB's indexes come back as text
        Field(description="Only this schema. MongoDB: getIndexes()/$indexStats JSON."),
    ] = None,
    min_severity: MinSeverity = "info",
    rules: Rules = None,
    limit: Limit = None,
    cursor: Cursor = None,
    connection: Annotated[str | None, Field(description="Named connection; default when omitted.")] = None,
) -> IndexReview:
    """Review the existing indexes: unused (once statistics are old enough), duplicate, redundant,
    invalid, bloated, missing for a foreign key, too many on write-heavy tables.

    Use it to audit or clean up indexes; recommend_indexes for new ones, review_schema for the design.

    Returns one finding per rule listing its objects, ranked and paged, with the DDL and its undo."""
    schema = schema or None  # "" is every schema, as describe_schema reads it
    mongo = schema is not None and is_mongo_text(schema)  # inline indexes: MongoDB's review, no server needed
    try:
        reviewer = app.feature("index_review", tool="review_indexes", connection=connection,
                               engine=Engine.mongodb if mongo else None)  # fmt: skip
        report = await reviewer.review(schema=schema)
    except ValueError as exc:
        raise UserInputError(str(exc)) from None
    page = present(report, rules=rules, min_severity=min_severity, limit=limit, cursor=cursor)
    return page if mongo else await check_fixes(app, page, connection, tool="review_indexes")
