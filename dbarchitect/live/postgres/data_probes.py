"""Run the data probes of a migration (core/migration/probes.py) read-only on the live database.

Each probe runs in its own READ ONLY transaction under a statement_timeout, and is always rolled back; a
probe cut short by the timeout (or refused by the server) is recorded as such, never guessed.
"""

from __future__ import annotations

import time

import psycopg
from psycopg import errors as pge

from dbarchitect.core.migration.context import DataProbe, LintContext
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.migration.probes import plan_probes

DEFAULT_PROBE_TIMEOUT_MS = 2000
MAX_PROBES = 20


async def probe_data(conn: psycopg.AsyncConnection, ctx: LintContext, migration: ParsedMigration,
                     timeout_ms: int = DEFAULT_PROBE_TIMEOUT_MS) -> None:
    """Fill ctx.probes / ctx.unprobed for the statements of `migration` whose success depends on existing rows."""
    from dbarchitect.core.migration.engine import analyze

    if migration.error is not None:
        return
    try:
        mig = analyze(migration, context=ctx)
    except ValueError:
        return
    specs, skipped = plan_probes(mig)
    ctx.unprobed.update(skipped)
    for spec in specs[MAX_PROBES:]:
        ctx.unprobed.setdefault(spec.statement, f"more than {MAX_PROBES} probes: not checked")
    for spec in specs[:MAX_PROBES]:
        ctx.probes.append(await _run(conn, spec, timeout_ms))


async def _run(conn: psycopg.AsyncConnection, spec, timeout_ms: int) -> DataProbe:
    base = dict(statement=spec.statement, table=spec.table, kind=spec.kind, what=spec.what)
    t0 = time.perf_counter()
    try:
        await conn.execute("BEGIN READ ONLY")
        try:
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{timeout_ms}ms",))
            row = await (await conn.execute(spec.sql)).fetchone()
        finally:
            await conn.execute("ROLLBACK")
    except pge.QueryCanceled:
        await _reset(conn)
        return DataProbe(**base, status="cut_short", elapsed_ms=(time.perf_counter() - t0) * 1000,
                         detail=f"statement_timeout of {timeout_ms} ms reached before the count finished")
    except psycopg.Error as exc:
        await _reset(conn)
        msg = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc)
        return DataProbe(**base, status="error", detail=msg, elapsed_ms=(time.perf_counter() - t0) * 1000)
    count = int(row[0] or 0) if row else 0
    return DataProbe(**base, status="violations" if count else "clean", violations=count,
                     sample=row[1] if row and count else None, detail=spec.sql,
                     elapsed_ms=(time.perf_counter() - t0) * 1000)


async def _reset(conn: psycopg.AsyncConnection) -> None:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        await conn.execute("ROLLBACK")
