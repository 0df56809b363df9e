"""What the MySQL index rules share: the facts beyond the snapshot (index usage and cardinality),
the effective InnoDB key of a secondary index, and the online DROP INDEX text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dbarchitect.core.models import Index, Table
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.mysql_schema._common import MYSQL, MySQLReviewContext, key_parts, qi, qt

UsageSource = Literal["performance_schema", "userstat"]


def rule(name: str, code: str, severity, summary: str) -> RuleMeta:
    return RuleMeta(name=name, code=code, family="mysql_index", severity=severity, summary=summary, engines=MYSQL)


@dataclass
class MySQLIndexFacts:
    """What the server says about its indexes beyond information_schema.statistics' key parts.

    `usage_source`: where index usage was read (None: no source is on, usage unknown);
    `used`: `schema.table.index` -> rows read (or scans) through it, for every index the source knows;
    `table_reads`: `schema.table` -> rows read from the table (an unread table proves nothing);
    `stats_age_days`: how long the counters have been counting (server uptime at most);
    `cardinality`: `schema.table.index` -> CARDINALITY of each key prefix (statistics' estimate)."""

    usage_source: UsageSource | None = None
    used: dict[str, int] = field(default_factory=dict)
    stats_age_days: float | None = None
    cardinality: dict[str, list[int | None]] = field(default_factory=dict)
    table_reads: dict[str, int] = field(default_factory=dict)  # schema.table -> rows read (same source)
    usage_detail: str = ""


@dataclass
class MySQLIndexContext(MySQLReviewContext):
    """The schema review's context (scope, notes, catalog evidence) plus the index facts."""

    facts: MySQLIndexFacts = field(default_factory=MySQLIndexFacts)


def innodb(t: Table) -> bool:
    return ((t.mysql.engine if t.mysql else None) or "InnoDB").lower() == "innodb"


def effective_key(t: Table, i: Index) -> tuple:
    """The key an InnoDB secondary index really stores: its parts, then the primary key's columns it
    does not already hold whole (every secondary entry ends with the PK, which locates the row)."""
    parts = key_parts(i)
    pk = t.primary_key
    if i.primary or pk is None or not innodb(t):
        return parts
    whole = {name for name, sub in parts if sub is None}
    return parts + tuple((c, None) for c in pk.columns if c not in whole)


def drop_index(t: Table, i: Index) -> str:
    """ALTER TABLE … DROP INDEX, online on InnoDB (ALGORITHM=INPLACE, LOCK=NONE: the server refuses
    rather than block writes); the plain form on other engines, which have no in-place drop."""
    online = ", ALGORITHM=INPLACE, LOCK=NONE" if innodb(t) else ""
    return f"ALTER TABLE {qt(t)} DROP INDEX {qi(i.name)}{online};"


def add_back(t: Table, i: Index) -> str:
    """The undo of drop_index: the index as it was (key parts with their prefix lengths)."""
    keys = []
    for k, (name, sub) in enumerate(key_parts(i)):
        col = i.columns[k] if k < len(i.columns) else None
        keys.append(f"{qi(name)}({sub})" if col is not None and sub else (qi(name) if col is not None else f"({name})"))
    kind = "UNIQUE INDEX" if i.unique else "INDEX"
    online = ", ALGORITHM=INPLACE, LOCK=NONE" if innodb(t) else ""
    return f"ALTER TABLE {qt(t)} ADD {kind} {qi(i.name)} ({', '.join(keys)}){online};"


def drop_with_undo(t: Table, i: Index) -> str:
    return f"{drop_index(t, i)}\n-- undo: {add_back(t, i)}"


def enforcing(i: Index) -> bool:
    """Primary and unique indexes enforce something: never advised away for usage or cardinality."""
    return i.primary or i.unique


def index_key(t: Table, i: Index) -> str:
    return f"{t.schema_name}.{t.name}.{i.name}"


def fk_needs(t: Table, i: Index) -> str | None:
    """The foreign key only this index supports (InnoDB refuses to drop it: error 1553), or None."""
    for fk in t.foreign_keys:
        n = len(fk.columns)

        def leads(x: Index) -> bool:
            return [c for c in x.columns[:n]] == list(fk.columns)

        if leads(i) and not any(leads(x) for x in t.indexes if x is not i):
            return fk.name
    return None
