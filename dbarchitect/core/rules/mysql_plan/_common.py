"""Helpers of the MySQL plan rules: thresholds, the columns a condition tests, index DDL."""

from __future__ import annotations

import re

from dbarchitect.core.models import Severity
from dbarchitect.core.plan.mysql import MyInsight, MyNode, MyPlanContext
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.sql.mysql_ident import quote_mysql

MYSQL = frozenset({"mysql"})
LARGE_TABLE_ROWS = 10_000
MANY_ROWS = 1_000

__all__ = ["MyInsight", "MyNode", "MyPlanContext", "Severity", "rule", "condition_columns", "add_index_sql"]


def rule(name: str, code: str, severity: Severity, summary: str) -> RuleMeta:
    return RuleMeta(name=name, code=code, family="mysql_plan", severity=severity, summary=summary, engines=MYSQL)


_EQ = re.compile(r"(?:`?(?P<alias>\w+)`?\.)?`?(?P<col>\w+)`?\s*(?P<op>=|<=|>=|<|>|\bbetween\b|\blike\b|\bin\b)", re.I)


def condition_columns(condition: str | None, alias: str | None) -> tuple[list[str], list[str]]:
    """(equality columns, range columns) the condition tests on `alias` (or unqualified)."""
    if not condition:
        return [], []
    eq: list[str] = []
    rng: list[str] = []
    for m in _EQ.finditer(condition):
        if m.group("alias") and alias and m.group("alias") != alias:
            continue
        col = m.group("col")
        if col.lower() in ("and", "or", "not", "null", "subquery") or col.isdigit():
            continue
        target = eq if m.group("op") in ("=",) or m.group("op").lower() == "in" else rng
        if col not in eq and col not in rng:
            target.append(col)
    return eq, rng


def add_index_sql(table: str, columns: list[str]) -> str:
    name = f"{table}_{'_'.join(columns)}_idx"[:64]
    cols = ", ".join(quote_mysql(c) for c in columns)
    return f"ALTER TABLE {quote_mysql(table)} ADD INDEX {quote_mysql(name)} ({cols}), ALGORITHM=INPLACE, LOCK=NONE;"


def node_saving(node: MyNode, share: float = 1.0) -> tuple[float, float | None]:
    """(rows, ms) a remedy removing `share` of this node's work would save."""
    return node.examined * share, (node.time_ms * share if node.time_ms is not None else None)
