"""Measured costs for the index kinds HypoPG cannot create (GIN: trigram, jsonb containment, full text).

HypoPG 1.3 creates hypothetical btree, BRIN and hash indexes only, so a GIN recommendation has no
planner cost behind it. With a scratch copy of the database (validate=true and validate_connection),
each one is built for real there and the predicate it serves is timed before and after:

- on the copy's table itself when it holds at most `SAMPLE_MAX_PAGES` pages; on a larger one, on a
  TEMP table holding a block sample of it (`TABLESAMPLE SYSTEM`) of about that size — a temp table
  lives only in this session, so nothing is left behind even if the run is cut short;
- the probe is `SELECT count(*) FROM <table or sample> WHERE <the query's predicate>` with the
  query's sample parameter values, median of `runs`, each in a rolled-back READ ONLY transaction;
- the times are extrapolated to the whole table by its rows over the sample's (a sequential scan and
  a GIN bitmap scan both grow about linearly with the rows: all of them, or the matching ones);
- the index and the sample are dropped again. A recommendation the planner does not use once built
  (EXPLAIN of the probe), or that measures no faster, is withdrawn and listed as rejected with the
  figures; the others carry the measurement as their evidence.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable

import psycopg
from psycopg import sql as pgsql

from dbarchitect.core.indexing.models import IndexAdvice, IndexRecommendation, RejectedCandidate
from dbarchitect.core.indexing.workload import parameters, substitute
from dbarchitect.core.models import Evidence

Progress = Callable[[int, int, str], Awaitable[None]]
SAMPLE_MAX_PAGES = 16_384  # 128 MB: tables up to this are measured whole, larger ones on a sample this size
MIN_SPEEDUP = 0.9  # measured after / before above this: the index does not pay for itself
TimeFn = Callable[[psycopg.AsyncConnection, str, int, int], Awaitable[tuple[float | None, bool, str | None]]]


def _probes(rec: IndexRecommendation, advice: IndexAdvice) -> dict[str, str]:
    bound = {q.id: q.bound_parameters for q in advice.queries}
    out = {}
    for qid, pred in (rec.evidence.data.get("probes") or {}).items():
        values = {int(k[1:]): v for k, v in bound.get(qid, {}).items()}
        sql = substitute(pred, values)
        if not parameters(sql):
            out[qid] = sql
    return out


async def _table_size(conn: psycopg.AsyncConnection, table: str) -> tuple[int, float]:
    cur = await conn.execute("SELECT relpages::bigint, greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = %s::regclass",
                             (table,))  # fmt: skip
    row = await cur.fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


async def _plan(conn: psycopg.AsyncConnection, sql: str) -> object:
    cur = await conn.execute(f"EXPLAIN (FORMAT JSON) {sql}")
    return (await cur.fetchone())[0]


async def _count(conn: psycopg.AsyncConnection, ident: pgsql.Composable) -> float:
    cur = await conn.execute(pgsql.SQL("SELECT count(*) FROM {}").format(ident))
    return float((await cur.fetchone())[0])


async def measure_one(conn: psycopg.AsyncConnection, rec: IndexRecommendation, probes: dict[str, str], *,
                      time: TimeFn, runs: int, statement_timeout_ms: int) -> tuple[dict[str, tuple[float, float]], str]:  # fmt: skip
    """Per query (ms before, ms after) extrapolated to the whole table, and where it was measured."""
    schema, _, name = rec.table.partition(".")
    table = pgsql.Identifier(schema, name)
    pages, rows = await _table_size(conn, f'"{schema}"."{name}"')
    sample = None
    target = table
    if pages > SAMPLE_MAX_PAGES:
        sample = f"dbarchitect_sample_{secrets.token_hex(4)}"
        pct = max(0.01, 100.0 * SAMPLE_MAX_PAGES / pages)
        await conn.execute(pgsql.SQL("CREATE TEMP TABLE {} AS SELECT * FROM {} TABLESAMPLE SYSTEM ({})").format(
            pgsql.Identifier(sample), table, pgsql.Literal(pct)))  # fmt: skip
        target = pgsql.Identifier(sample)
        await conn.execute(pgsql.SQL("ANALYZE {}").format(target))
    index = f"dbarchitect_probe_{secrets.token_hex(4)}"
    try:
        kept = await _count(conn, target) if sample else rows
        scale = rows / kept if kept > 0 else 1.0
        target_sql = target.as_string(conn)
        probe = {q: f"SELECT count(*) FROM {target_sql} WHERE {p}" for q, p in probes.items()}
        before = {q: await time(conn, s, runs, statement_timeout_ms) for q, s in probe.items()}
        if rec.requires_extension:
            await conn.execute(pgsql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(pgsql.Identifier(rec.requires_extension)))
        body = str(rec.evidence.data.get("body", "")).replace("{table}", target_sql)
        await conn.execute(f"CREATE INDEX {pgsql.Identifier(index).as_string(conn)} {body}")
        await conn.execute(pgsql.SQL("ANALYZE {}").format(target))
        used = {q for q, s in probe.items() if index in json.dumps(await _plan(conn, s))}
        after = {q: await time(conn, s, runs, statement_timeout_ms) if q in used else before[q] for q, s in probe.items()}
    finally:
        idx_schema = "pg_temp" if sample else schema
        await conn.execute(pgsql.SQL("DROP INDEX IF EXISTS {}").format(pgsql.Identifier(idx_schema, index)))
        if sample:
            await conn.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(sample)))
    out = {}
    for q in used:
        b, a = before[q][0], after[q][0]
        if b is not None and a is not None:
            out[q] = (round(b * scale, 2), round(a * scale, 2))
    where = (f"a {100 / scale:.1f} % block sample ({kept:,.0f} rows) of {rec.table}, extrapolated ×{scale:,.1f}"
             if sample else f"{rec.table} itself ({rows:,.0f} rows)")  # fmt: skip
    return out, where


async def measure_uncosted(conn: psycopg.AsyncConnection, advice: IndexAdvice, *, time: TimeFn, runs: int = 5,
                           statement_timeout_ms: int = 30_000, progress: Progress | None = None) -> None:  # fmt: skip
    """Measure every GIN recommendation on the scratch connection `conn` (see the module docstring)."""
    todo = [r for r in advice.recommendations if r.method == "gin" and r.evidence.kind == "static"]
    for i, rec in enumerate(todo):
        if progress is not None:
            await progress(i, len(todo), f"measure: building {rec.name} on the copy")
        probes = _probes(rec, advice)
        if not probes:
            rec.evidence.detail += " Not measured: its predicates take parameters without a sample value."
            continue
        try:
            measured, where = await measure_one(conn, rec, probes, time=time, runs=runs,
                                                statement_timeout_ms=statement_timeout_ms)  # fmt: skip
        except psycopg.Error as exc:
            rec.evidence.detail += f" Measuring it on the copy failed: {str(exc).strip().splitlines()[0][:200]}"
            continue
        if not measured:  # the planner does not use it for any of its predicates, even built
            advice.recommendations.remove(rec)
            advice.rejected.insert(0, RejectedCandidate(
                index=rec.ddl.splitlines()[-1], reason=f"built on {where}, the planner does not use it for "
                f"{', '.join(sorted(probes))}"))  # fmt: skip
            continue
        before = sum(b for b, _ in measured.values())
        after = sum(a for _, a in measured.values())
        figures = "; ".join(f"{q}: {b:,.1f} → {a:,.1f} ms" for q, (b, a) in measured.items())
        if after > MIN_SPEEDUP * before:
            advice.recommendations.remove(rec)
            advice.rejected.insert(0, RejectedCandidate(
                index=rec.ddl.splitlines()[-1], reason=f"measured on {where}: no faster ({figures})"))  # fmt: skip
            continue
        rec.evidence = Evidence(
            kind="execution",
            detail=f"Measured (HypoPG cannot model GIN): built for real on {where} of the scratch copy; the predicate "
            f"it serves took {figures}.",
            data={"measured_ms": {q: {"before": b, "after": a} for q, (b, a) in measured.items()}, "where": where},
        )
    for n, rec in enumerate(advice.recommendations, 1):
        rec.rank = n
    advice.total_size_bytes = sum(r.estimated_size_bytes for r in advice.recommendations)
    if progress is not None and todo:
        await progress(len(todo), len(todo), "measure: done")
