"""`c + 1 > 5` -> `c > 4`, `c * 2 = 10` -> `c = 5`: keep the column bare on one side.

Exact for integer and numeric columns (the catalog must say so; the constants are solved with exact
decimal arithmetic). Multiplication is solved only for integer columns and positive integer
factors, with floor/ceil on inequalities. Floating-point columns are left alone (rounding). The
rewrite can only remove errors, never add them: the original raises on overflow of `c + k`.
"""

from __future__ import annotations

import math
from decimal import Decimal

from sqlglot import exp

from dbarchitect.core.models import Evidence
from dbarchitect.core.rewrites._base import Rewrite, RewriteContext
from dbarchitect.core.rules.query._facts import (
    COMPARISONS,
    EXACT_TYPES,
    FLIPPED,
    INTEGER_TYPES,
    column_and_operand,
    nodes_in_predicates,
    oriented,
    strip_parens,
)

NAME = "arithmetic-on-column"
IMPLEMENTS = "arithmetic-on-column"  # the query rule whose finding this rewrite fixes


def _number(text: str) -> exp.Literal:
    value = Decimal(text)
    return exp.Literal.number(str(value.normalize()) if value == value.to_integral() else str(value))


def _solve(op: type, arith: exp.Expression, k: Decimal, col_left: bool, c: Decimal, integer: bool):
    """(new operator, new constant) with `col <op> constant`, or None when there is no exact form."""
    if isinstance(arith, exp.Add):
        return op, c - k
    if isinstance(arith, exp.Sub):
        return (op, c + k) if col_left else (FLIPPED[op], k - c)
    if isinstance(arith, exp.Mul) and integer and k > 0 and k == k.to_integral():
        q = c / k
        if op is exp.EQ or op is exp.NEQ:
            return (op, q) if c % k == 0 else None
        if op is exp.GT:
            return exp.GT, Decimal(math.floor(q))
        if op is exp.GTE:
            return exp.GTE, Decimal(math.ceil(q))
        if op is exp.LT:
            return exp.LT, Decimal(math.ceil(q))
        if op is exp.LTE:
            return exp.LTE, Decimal(math.floor(q))
    return None


def arithmetic_on_column(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for node in nodes_in_predicates(ctx.tree, *COMPARISONS):
        o = oriented(node)
        if o is None:
            continue
        op, arith, const = o
        found = column_and_operand(arith)
        if found is None or not (isinstance(const, exp.Literal) and not const.is_string):
            continue
        col, k_lit, col_left = found
        type_ = ctx.facts.column_type(col)
        if type_ is not None and type_ not in EXACT_TYPES:
            continue
        integer = type_ in INTEGER_TYPES
        if type_ in INTEGER_TYPES and ("." in str(k_lit.this) or "." in str(const.this)) and isinstance(arith, exp.Mul):
            continue
        solved = _solve(op, strip_parens(arith), Decimal(str(k_lit.this)), col_left, Decimal(str(const.this)), integer)
        if solved is None:
            continue
        new_op, value = solved
        replacement = new_op(this=col.copy(), expression=_number(str(value)))
        sql = ctx.edit([node], lambda twin, node=node, r=replacement: twin(node).replace(r.copy()))
        common = dict(name=NAME, code="QR014", title=f"Solve {node.sql(ctx.dialect)} for {col.sql(ctx.dialect)}",
                      before=node.sql(ctx.dialect), after=replacement.sql(ctx.dialect), sql=sql)
        if type_ is not None:
            ref = ctx.facts.resolve(col)
            out.append(Rewrite(
                **common, safety="proven",
                condition=f"{col.sql(ctx.dialect)} is {type_}: exact arithmetic, so the comparison has the same truth value for every row.",
                evidence=[Evidence(kind="catalog", detail=f"{ref.label} is {ref.column.type}.",
                                   data={"column": ref.label, "type": ref.column.type})],
            ))
        else:
            out.append(Rewrite(
                **common, safety="unverified",
                condition=f"Exact only if {col.sql(ctx.dialect)} is an integer or numeric column (floating point rounds); "
                          "the catalog was not available to confirm its type.",
            ))
    return out
