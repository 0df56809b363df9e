"""Differential execution: does a rewrite return the same rows as the original, on this database?

Both statements pass the read-only gate, then run in one READ ONLY transaction with a statement
timeout, which is rolled back. Rows are compared as multisets; when the original has a top-level
ORDER BY whose keys are output columns, the sequence of those keys is compared too (ties may come
back in any order, so whole-row order is not). Planner costs come from EXPLAIN (FORMAT JSON).

A rewrite meant to be equivalent becomes `verified` when the rows match and `refuted` when they do
not (with the differing rows); a proven rewrite that differs is refuted as well: the database is
the final judge. Advisory rewrites are run for information only: their difference is the point.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.results import json_safe
from dbarchitect.core.rewrites import RewriteReport, Verification, combine, rewrite_query
from dbarchitect.core.rewrites._base import Rewrite
from dbarchitect.core.sql.readonly import check_read_only
from dbarchitect.live.offload import cpu
from dbarchitect.live.postgres.database import refuse_volatile_user_functions
from dbarchitect.live.postgres.errors import DatabaseError

MAX_ROWS = 50_000
#: (done, total, message) -> None
Progress = Callable[[float, float | None, str], Awaitable[None]]
SHOWN_ROWS = 10


class _TooMany(Exception):
    pass


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return value


def _shown(row: tuple) -> list[object]:
    return [json_safe(v, 200)[0] for v in row]


def order_key_positions(sql: str) -> list[int] | None:
    """Output positions of the top-level ORDER BY keys; [] without ORDER BY; None if not all are outputs."""
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except SqlglotError:
        return None
    order = tree.args.get("order") if isinstance(tree, (exp.Select, exp.SetOperation)) else None
    if order is None:
        return []
    select = tree if isinstance(tree, exp.Select) else None
    outputs = select.expressions if select is not None else []
    positions = []
    for item in order.expressions:
        key = item.this
        if isinstance(key, exp.Literal) and not key.is_string:
            positions.append(int(key.this) - 1)
            continue
        match = next((i for i, e in enumerate(outputs)
                      if e.sql() == key.sql() or (isinstance(e, exp.Alias) and (e.this.sql() == key.sql() or e.alias == key.sql()))
                      or (isinstance(e, exp.Column) and isinstance(key, exp.Column) and e.name == key.name and not key.table)),
                     None)
        if match is None:
            return None
        positions.append(match)
    return positions


async def _run(conn: psycopg.AsyncConnection, sql: str, max_rows: int) -> tuple[list[tuple], float, float]:
    cur = await conn.execute(f"EXPLAIN (FORMAT JSON) {sql}")
    plan = (await cur.fetchone())[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    cost = float(plan[0]["Plan"]["Total Cost"])
    started = time.perf_counter()
    cur = await conn.execute(sql)
    rows = await cur.fetchmany(max_rows + 1)
    elapsed = (time.perf_counter() - started) * 1000
    if len(rows) > max_rows:
        raise _TooMany()
    return [tuple(_hashable(v) for v in r) for r in rows], cost, round(elapsed, 2)


class OriginalRun:
    """The original statement's rows, cost and time (or how running it failed), from its first run:
    every candidate rewrite is compared with the same run instead of running the original again."""

    def __init__(self) -> None:
        self.result: tuple[list[tuple], float, float] | None = None
        self.failure: BaseException | None = None


async def _run_original(conn: psycopg.AsyncConnection, sql: str, max_rows: int, memo: OriginalRun | None):
    if memo is not None and memo.failure is not None:
        raise memo.failure
    if memo is not None and memo.result is not None:
        return memo.result
    try:
        result = await _run(conn, sql, max_rows)
    except (_TooMany, psycopg.Error, DatabaseError) as exc:
        if memo is not None:
            memo.failure = exc
        raise
    if memo is not None:
        memo.result = result
    return result


async def verify_rewrite(conn: psycopg.AsyncConnection, original: str, rewritten: str, *,
                         timeout_ms: int = 10_000, max_rows: int = MAX_ROWS,
                         memo: OriginalRun | None = None) -> Verification:
    """Run both statements read-only and compare their rows (see the module docstring). With `memo`,
    the original runs only the first time; later calls compare with that run."""
    for label, sql in (("original", original), ("rewrite", rewritten)):
        verdict = check_read_only(sql)
        if not verdict.ok:
            return Verification(status="skipped", detail=f"The {label} cannot run read-only: {verdict.reason}")
        try:
            if "$" in sql and any(isinstance(p, exp.Parameter) for p in sqlglot.parse_one(sql, read="postgres").find_all(exp.Parameter)):
                return Verification(status="skipped", detail=f"The {label} has bind parameters; supply values to verify it.")
        except SqlglotError:
            pass
    positions = order_key_positions(original)
    try:
        async with conn.transaction():
            await conn.execute("SET TRANSACTION READ ONLY")
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{timeout_ms}ms",))
            for sql in (original, rewritten):
                await refuse_volatile_user_functions(conn, check_read_only(sql).functions)
            a, cost_a, ms_a = await _run_original(conn, original, max_rows, memo)
            b, cost_b, ms_b = await _run(conn, rewritten, max_rows)
            raise psycopg.Rollback()
    except _TooMany:
        return Verification(status="skipped", detail=f"More than {max_rows} rows: too many to compare here.")
    except (psycopg.Error, DatabaseError) as exc:
        return Verification(status="error", detail=f"{type(exc).__name__}: {str(exc).strip()}")
    common = dict(rows_original=len(a), rows_rewritten=len(b), cost_original=cost_a, cost_rewritten=cost_b,
                  ms_original=ms_a, ms_rewritten=ms_b, ordered=bool(positions))
    ca, cb = Counter(a), Counter(b)
    if ca != cb:
        return Verification(
            status="different", **common,
            only_in_original=[_shown(r) for r in list((ca - cb).elements())[:SHOWN_ROWS]],
            only_in_rewritten=[_shown(r) for r in list((cb - ca).elements())[:SHOWN_ROWS]],
            detail=f"The multisets of rows differ ({len(a)} rows vs {len(b)}).",
        )
    if positions:
        keys_a = [tuple(r[i] for i in positions) for r in a]
        keys_b = [tuple(r[i] for i in positions) for r in b]
        if keys_a != keys_b:
            first = next(i for i, (x, y) in enumerate(zip(keys_a, keys_b)) if x != y)
            return Verification(status="different", **common,
                                detail=f"Same rows, but the ORDER BY keys differ from row {first + 1} on.")
    detail = f"Same {len(a)} rows" + (" in the same ORDER BY order" if positions else " (as multisets)")
    if positions is None:
        detail += "; the ORDER BY keys are not output columns, so order was not compared"
    return Verification(status="same", **common, detail=detail + ".")


async def verify_report(conn: psycopg.AsyncConnection, report: RewriteReport, snapshot: SchemaSnapshot | None = None, *,
                        timeout_ms: int = 10_000, progress: Progress | None = None) -> RewriteReport:
    """Verify every rewrite of `report` and fold the verified ones into `sql` (re-verified as a whole).
    The original statement runs once; `progress` hears of each rewrite run (a stable total: every
    rewrite, the combined rewrite and its fallback)."""
    verified: set[tuple[str, str]] = set()
    memo = OriginalRun()
    total = len(report.rewrites) + 2
    done = 0

    async def step(message: str, final: bool = False) -> None:
        nonlocal done
        done = total if final else done + 1
        if progress is not None:
            await progress(done, total, message)

    for rewrite in report.rewrites:
        await step(f"verifying {rewrite.name}")
        rewrite.verification = await verify_rewrite(conn, report.original, rewrite.sql, timeout_ms=timeout_ms, memo=memo)
        status = rewrite.verification.status
        if rewrite.safety == "advisory":
            continue
        if status == "different":
            rewrite.safety = "refuted"
        elif status == "same" and rewrite.safety == "unverified":
            rewrite.safety = "verified"
        if rewrite.safety in ("proven", "verified"):
            verified.add((rewrite.name, rewrite.before))
    refuted = {(r.name, r.before) for r in report.rewrites if r.safety == "refuted"}

    def accept(r: Rewrite) -> bool:
        return (r.safety == "proven" and (r.name, r.before) not in refuted) or (r.name, r.before) in verified

    await step("verifying the combined rewrite")
    sql, applied = combine(report.original, snapshot, report.dialect, accept)
    check = await verify_rewrite(conn, report.original, sql, timeout_ms=timeout_ms, memo=memo) if applied else None
    if check is not None and check.status == "different":
        await step("verifying the proven rewrites alone")
        sql, applied = combine(report.original, snapshot, report.dialect,
                               lambda r: r.safety == "proven" and (r.name, r.before) not in refuted)
        check = await verify_rewrite(conn, report.original, sql, timeout_ms=timeout_ms, memo=memo) if applied else None
        if check is not None and check.status == "different":
            sql, applied = report.original, []
    report.sql, report.applied, report.verification = sql, applied, check
    await step("done", final=True)
    return report


async def rewrite_and_verify(conn: psycopg.AsyncConnection, sql: str, *, snapshot: SchemaSnapshot | None = None,
                             dialect: str = "postgres", verify: bool = True, timeout_ms: int = 10_000,
                             progress: Progress | None = None) -> RewriteReport:
    """rewrite_query against a live database: catalog facts from `snapshot`, then (optionally) verification."""
    report = await cpu(rewrite_query, sql, snapshot=snapshot, dialect=dialect)
    if verify and report.dialect == "postgres":
        report = await verify_report(conn, report, snapshot, timeout_ms=timeout_ms, progress=progress)
    return report
