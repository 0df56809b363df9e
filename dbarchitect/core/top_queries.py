"""top_queries (pure part): the answer's shape, the ordering, and each statement's next step.

live/postgres/top_queries.py reads pg_stat_statements (its column names differ by version) into
`StatementRow`s; here they are ranked, given their share of the total and a next step, and the N+1
patterns among them (core/n_plus_one.detect_from_stats) are attached.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from dbarchitect.core.n_plus_one import NPlusOne

ORDERS = ("total", "mean", "calls", "io", "temp", "n_plus_one")
OrderBy = Literal["total", "mean", "calls", "io", "temp", "n_plus_one"]


class StatementRow(BaseModel):
    queryid: int | None = None
    query: str
    user: str | None = None
    calls: int
    total_ms: float
    mean_ms: float
    rows: int = 0
    shared_hit: int = 0
    shared_read: int = 0
    temp_read: int = 0
    temp_written: int = 0
    io_ms: float | None = Field(default=None, description="Block read+write time (track_io_timing on).")


class TopQuery(StatementRow):
    share: float = Field(description="Share of the total execution time of all statements, percent.")
    hit_ratio: float | None = None
    next_step: str = Field(description="What to do next, naming the tool.")


class TopQueries(BaseModel):
    """What top_queries answers."""

    available: bool = Field(description="False when pg_stat_statements cannot be read; `enable` says how.")
    enable: str | None = Field(default=None, description="How to enable pg_stat_statements (and whether it needs a restart).")
    order_by: str = "total"
    since: str | None = Field(default=None, description="When the statistics were last reset.")
    statements: int = Field(default=0, description="Statements tracked for this database.")
    total_ms: float = 0.0
    queries: list[TopQuery] = Field(default_factory=list)
    n_plus_one: list[NPlusOne] = Field(default_factory=list, description="N+1 patterns among the statements, with the batched fix.")
    notes: list[str] = Field(default_factory=list)


_SELECT = re.compile(r"^\s*(select|with|table|values)\b", re.IGNORECASE)
_WRITE = re.compile(r"^\s*(insert|update|delete|merge)\b", re.IGNORECASE)


def _key(order_by: str):
    return {
        "total": lambda r: r.total_ms,
        "mean": lambda r: r.mean_ms,
        "calls": lambda r: r.calls,
        "io": lambda r: r.shared_read + r.temp_read + r.temp_written,
        "temp": lambda r: r.temp_read + r.temp_written,
        "n_plus_one": lambda r: r.calls,
    }[order_by]


def next_step(r: StatementRow, n_plus_one_queries: set[str]) -> str:
    if r.query in n_plus_one_queries:
        return "N+1: replace the per-row lookups with the batched query in n_plus_one."
    if r.temp_read + r.temp_written > 0:
        return "Spills to temp files: explain_query with analyze=true shows the node; raise work_mem for it (SET LOCAL)."
    if _WRITE.match(r.query):
        return "A write: explain_query shows how it finds its rows (analyze only with --allow-writes, rolled back)."
    if not _SELECT.match(r.query):
        return "DDL or maintenance: nothing to tune in the statement itself (lint_migration reviews DDL)."
    rows_per_call = r.rows / r.calls if r.calls else 0
    blocks_per_call = (r.shared_hit + r.shared_read) / r.calls if r.calls else 0
    if blocks_per_call > 100 and blocks_per_call > 10 * max(rows_per_call, 1):
        return (f"Reads {blocks_per_call:,.0f} blocks per call for {rows_per_call:,.1f} rows: "
                "recommend_indexes(queries=[this query]).")
    if r.mean_ms >= 10:
        return "explain_query to see where the time goes."
    if r.calls >= 1000 and r.mean_ms < 1:
        return "Cheap but frequent: cache it or batch the callers (review_query on the application's statement log)."
    return "Nothing urgent; explain_query if it matters."


def rank(rows: list[StatementRow], order_by: str = "total", limit: int = 10,
         n_plus_one: list[NPlusOne] | None = None) -> list[TopQuery]:
    total = sum(r.total_ms for r in rows) or 1.0
    patterns = n_plus_one or []
    involved = {p.lookup for p in patterns} | {p.parent for p in patterns if p.parent}
    pool = [r for r in rows if r.query in involved] if order_by == "n_plus_one" else rows
    if order_by == "temp":
        pool = [r for r in pool if r.temp_read + r.temp_written > 0]
    ordered = sorted(pool, key=_key(order_by), reverse=True)[:limit]
    out = []
    for r in ordered:
        blocks = r.shared_hit + r.shared_read
        out.append(TopQuery(**r.model_dump(), share=round(100 * r.total_ms / total, 2),
                            hit_ratio=round(r.shared_hit / blocks, 4) if blocks else None,
                            next_step=next_step(r, involved)))
    return out
