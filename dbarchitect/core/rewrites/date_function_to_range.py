"""`date(ts) = d`, `ts::date <op> d`, `extract(year FROM ts) = y`, `date_trunc('month', ts) = m`
-> a half-open range on the bare column, so its index and statistics apply.

Proven when the catalog says the column is `timestamp without time zone` or `date`: day, month and
year boundaries are then plain values. For `timestamptz` the boundaries depend on the session
TimeZone (and its DST transitions), so the rewrite is offered unverified until a run confirms it.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlglot import exp

from dbarchitect.core.models import Evidence
from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, grouped
from dbarchitect.core.rules.query._facts import COMPARISONS, nodes_in_predicates, oriented, strip_parens, wrapped_column

NAME = "date-function-to-range"
IMPLEMENTS = "function-on-column"  # the query rule whose finding this rewrite fixes
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _unit(func: exp.Expression) -> str | None:
    """day / month / year: the granularity the function reduces its column to."""
    if isinstance(func, exp.Date) or (isinstance(func, (exp.Cast, exp.TryCast)) and func.to.this == exp.DataType.Type.DATE):
        return "day" if isinstance(strip_parens(func.this), exp.Column) else None
    if isinstance(func, exp.Extract):
        return "year" if func.this.name.lower() == "year" and isinstance(strip_parens(func.expression), exp.Column) else None
    if isinstance(func, (exp.TimestampTrunc, exp.DateTrunc)):
        unit = (func.args.get("unit").name if func.args.get("unit") is not None else "").lower()
        return unit if unit in ("day", "month", "year") and isinstance(strip_parens(func.this), exp.Column) else None
    return None


def _date_value(node: exp.Expression) -> dt.date | None:
    node = strip_parens(node)
    if isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DATE:
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string and ISO_DATE.match(node.this):
        try:
            return dt.date.fromisoformat(node.this)
        except ValueError:
            return None
    return None


def _next(day: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=1)
    if unit == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return dt.date(day.year + 1, 1, 1)


def _aligned(day: dt.date, unit: str) -> bool:
    return unit == "day" or (day.day == 1 and (unit == "month" or day.month == 1))


def _bounds(func: exp.Expression, unit: str, op: type, value: exp.Expression) -> tuple[dt.date | None, dt.date | None] | None:
    """[lower, upper) for `unit(col) op value`, None when no exact range exists."""
    if isinstance(func, exp.Extract):
        lit = strip_parens(value)
        if not (isinstance(lit, exp.Literal) and not lit.is_string and str(lit.this).isdigit()):
            return None
        start = dt.date(int(lit.this), 1, 1)
    else:
        start = _date_value(value)
        if start is None:
            return None
        if not _aligned(start, unit):
            return None if op in (exp.EQ, exp.NEQ) else None
    end = _next(start, unit)
    return {
        exp.EQ: (start, end), exp.GTE: (start, None), exp.GT: (end, None),
        exp.LT: (None, start), exp.LTE: (None, end),
    }.get(op)


def _range(col: exp.Column, lower: dt.date | None, upper: dt.date | None) -> exp.Expression:
    terms = []
    if lower is not None:
        terms.append(exp.GTE(this=col.copy(), expression=exp.Literal.string(lower.isoformat())))
    if upper is not None:
        terms.append(exp.LT(this=col.copy(), expression=exp.Literal.string(upper.isoformat())))
    return and_all(terms)


def date_function_to_range(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node in nodes_in_predicates(ctx.tree, *COMPARISONS, exp.Between):
        if isinstance(node, exp.Between):
            func = strip_parens(node.this)
            unit = _unit(func)
            if unit != "day" or isinstance(func, exp.Extract):
                continue
            lo, hi = _date_value(node.args["low"]), _date_value(node.args["high"])
            if lo is None or hi is None:
                continue
            bounds = (lo, _next(hi, unit))
        else:
            o = oriented(node)
            if o is None or o[0] is exp.NEQ:
                continue
            op, func, value = o
            unit = _unit(func)
            bounds = _bounds(func, unit, op, value) if unit else None
            if bounds is None:
                continue
        col = wrapped_column(func)
        if col is None:
            continue
        type_ = ctx.facts.column_type(col)
        ref = ctx.facts.resolve(col)
        replacement = _range(col, *bounds)

        def mutate(twin, node=node, replacement=replacement):
            target = twin(node)
            target.replace(grouped(replacement.copy(), target.parent))

        sql = ctx.edit([node], mutate)
        common = dict(name=NAME, code="QR013", title=f"{func.sql(ctx.dialect)} comparison to a range on {col.sql(ctx.dialect)}",
                      before=node.sql(ctx.dialect), after=replacement.sql(ctx.dialect), sql=sql)
        if type_ in ("timestamp without time zone", "date"):
            out.append(Rewrite(
                **common, safety="proven",
                condition=f"{col.sql(ctx.dialect)} is {type_}: calendar boundaries are plain values of the column's type.",
                evidence=[Evidence(kind="catalog", detail=f"{ref.label} is {ref.column.type}.",
                                   data={"column": ref.label, "type": ref.column.type})],
            ))
        else:
            why = ("is timestamptz: the day boundaries follow the session TimeZone" if type_ == "timestamp with time zone"
                   else "has a type the catalog does not confirm")
            out.append(Rewrite(
                **common, safety="unverified",
                condition=f"{col.sql(ctx.dialect)} {why}; equivalent when the literal boundaries are read in the same "
                          "time zone as the original's cast. Verify by execution.",
            ))
    return out
