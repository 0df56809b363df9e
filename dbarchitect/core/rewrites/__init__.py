"""rewrite_query: targeted, labelled rewrites of one query (pure part; verification lives in live).

Each module holds one public transform `f(ctx: RewriteContext) -> list[Rewrite]`; every Rewrite is
the whole statement with one site changed, labelled proven / unverified / advisory (see `_base`).
Each module names the query rule whose finding it fixes (`IMPLEMENTS = "<rule name>"`, checked
against the query family when this package is imported) and shares that rule's detection through
`core/rules/query/_facts.py`, never by importing the rule module.
`rewrite_query` runs them all over the original, then folds the proven ones into `sql`, one at a
time, re-parsing after each so that later transforms see the result of earlier ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.query_review import DIALECTS, QueryParseError, parse_statements
from dbarchitect.core.rewrites._base import SAFE, Rewrite, RewriteContext, RewriteReport, Verification
from dbarchitect.core.rewrites.arithmetic_on_column import arithmetic_on_column
from dbarchitect.core.rewrites.between_to_range import between_to_range
from dbarchitect.core.rewrites.correlated_subquery_to_join import correlated_subquery_to_join
from dbarchitect.core.rewrites.count_to_exists import count_to_exists
from dbarchitect.core.rewrites.date_function_to_range import date_function_to_range
from dbarchitect.core.rewrites.distinct_join_to_exists import distinct_join_to_exists
from dbarchitect.core.rewrites.having_to_where import having_to_where
from dbarchitect.core.rewrites.in_to_join import in_to_join
from dbarchitect.core.rewrites.not_in_to_not_exists import not_in_to_not_exists
from dbarchitect.core.rewrites.null_comparison import null_comparison
from dbarchitect.core.rewrites.offset_to_keyset import offset_to_keyset
from dbarchitect.core.rewrites.or_to_in import or_to_in
from dbarchitect.core.rewrites.remove_redundant_distinct import remove_redundant_distinct
from dbarchitect.core.rewrites.remove_subquery_order_by import remove_subquery_order_by
from dbarchitect.core.rulebook import family_modules

__all__ = ["Rewrite", "RewriteReport", "Verification", "TRANSFORMS", "rewrite_query", "combine"]

Transform = Callable[[RewriteContext], list[Rewrite]]


def implemented(transforms: Iterable[Transform]) -> tuple[Transform, ...]:
    """The transforms, each checked to name (IMPLEMENTS) a rule of the query family."""
    transforms = tuple(transforms)
    rules = {m.RULE.name for m in family_modules("query")}
    for transform in transforms:
        module = sys.modules[transform.__module__]
        rule = getattr(module, "IMPLEMENTS", None)
        if rule not in rules:
            raise ValueError(f"{module.__name__}: IMPLEMENTS = {rule!r} names no query rule")
    return transforms


TRANSFORMS: tuple[Transform, ...] = implemented((
    null_comparison,
    not_in_to_not_exists,
    count_to_exists,
    remove_subquery_order_by,
    having_to_where,
    remove_redundant_distinct,
    distinct_join_to_exists,
    in_to_join,
    correlated_subquery_to_join,
    or_to_in,
    date_function_to_range,
    arithmetic_on_column,
    between_to_range,
    offset_to_keyset,
))
MAX_STEPS = 25


def _context(sql: str, snapshot: SchemaSnapshot | None, dialect: str) -> RewriteContext:
    statements = parse_statements(sql, dialect)
    if len(statements) != 1:
        raise QueryParseError(f"rewrite_query takes one statement; got {len(statements)}.")
    return RewriteContext(sql=sql.strip().rstrip(";").strip(), tree=statements[0][0], snapshot=snapshot,
                          dialect=DIALECTS[dialect.lower()])


def candidates(sql: str, snapshot: SchemaSnapshot | None = None, dialect: str = "postgres") -> list[Rewrite]:
    ctx = _context(sql, snapshot, dialect)
    return [r for transform in TRANSFORMS for r in transform(ctx)]


def combine(sql: str, snapshot: SchemaSnapshot | None, dialect: str,
            accept: Callable[[Rewrite], bool]) -> tuple[str, list[str]]:
    """Apply accepted rewrites one after another until none applies; (final sql, applied names)."""
    current, applied = sql.strip().rstrip(";").strip(), []
    for _ in range(MAX_STEPS):
        step = next((r for r in candidates(current, snapshot, dialect) if accept(r) and r.sql != current), None)
        if step is None:
            break
        current = step.sql
        applied.append(step.name)
    return current, applied


def rewrite_query(sql: str, snapshot: SchemaSnapshot | None = None, dialect: str = "postgres") -> RewriteReport:
    """Every applicable rewrite of `sql`, labelled, plus `sql` with all proven ones applied."""
    rewrites = candidates(sql, snapshot, dialect)
    combined, applied = combine(sql, snapshot, dialect, lambda r: r.safety in SAFE)
    return RewriteReport(
        original=sql, dialect=DIALECTS[dialect.lower()], catalog=snapshot is not None,
        rewrites=rewrites, sql=combined, applied=applied,
    )
