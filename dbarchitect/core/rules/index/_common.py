"""What the index rules share: the review context (tables in scope, statistics age, per-index
facts). The DDL to drop an index together with the DDL that undoes the drop lives with the index
patterns in `rules.schema._indexes` and is re-exported here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.core.models import Evidence, Index, SchemaSnapshot, Table
from dbarchitect.core.rules.schema._indexes import drop_sql, drop_with_undo, recreate_sql

__all__ = ["IndexContext", "drop_sql", "drop_with_undo", "is_enforcing", "recreate_sql"]


@dataclass
class IndexContext:
    tables: list[Table]
    facts: Mapping[str, Mapping[str, Any]]
    stats_age_days: float | None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, snapshot: SchemaSnapshot, facts: Mapping[str, Mapping[str, Any]], schema: str | None = None) -> IndexContext:
        tables = [t for t in snapshot.tables if t.kind != "foreign_table" and (schema is None or t.schema_name == schema)]
        age = None
        notes = []
        if snapshot.stats_reset and snapshot.taken_at:
            try:
                age = (dt.datetime.fromisoformat(snapshot.taken_at) - dt.datetime.fromisoformat(snapshot.stats_reset)).total_seconds() / 86400
            except ValueError:
                age = None
        if age is None:
            notes.append("pg_stat_database.stats_reset is empty: usage counters run since the server started "
                         "(or were never reset); their age is unknown.")  # fmt: skip
        return cls(tables=tables, facts=facts, stats_age_days=age, notes=notes)

    def evidence(self, detail: str, **data: object) -> Evidence:
        return Evidence(kind="catalog", detail=detail, data=dict(data))

    def stats_age_text(self) -> str:
        if self.stats_age_days is None:
            return "since the statistics were last reset (age unknown)"
        return f"in the {self.stats_age_days:.1f} days since the statistics were reset"


def is_enforcing(index: Index) -> bool:
    return index.primary or index.unique or index.constraint is not None
