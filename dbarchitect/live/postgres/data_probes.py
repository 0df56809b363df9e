"""Run the data probes of a migration (core/migration/probes.py) read-only on the live database.

Each probe runs in its own READ ONLY transaction under a statement_timeout, and is always rolled back; a
probe cut short by the timeout (or refused by the server) is recorded as such, never guessed.
"""

from __future__ import annotations

import re
import time

import psycopg
from psycopg import errors as pge

from dbarchitect.core.migration.context import DataProbe, LintContext
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.migration.ops import OpKind
from dbarchitect.core.migration.probes import ProbeSpec, plan_probes
from dbarchitect.core.sql.ident import quote_ident

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
    for stmt in mig.statements:
        for op in stmt.ops_of(OpKind.ALTER_DOMAIN_VALIDATE, OpKind.ALTER_DOMAIN_ADD_CONSTRAINT):
            if op.not_valid:
                continue
            if any(type(p.node).__name__ in _WRITES for p in mig.statements[: stmt.index - 1]):
                ctx.unprobed[stmt.index] = "an earlier statement of the file may change the rows first"
                continue
            for spec in await _domain_specs(conn, stmt, op):
                probe = await _run(conn, spec, timeout_ms)
                ctx.probes.append(probe)
                if probe.status == "violations":
                    break


_WRITES = {"UpdateStmt", "InsertStmt", "DeleteStmt", "CopyStmt", "MergeStmt", "DoStmt", "CallStmt"}
_VALUE = re.compile(r"\bVALUE\b", re.IGNORECASE)
_STRING = re.compile(r"('(?:[^']|'')*')")


def _value_to(col: str, expr: str) -> str:
    """A domain CHECK expression with VALUE replaced by `col` (outside string literals)."""
    parts = _STRING.split(expr)
    return "".join(p if i % 2 else _VALUE.sub(col, p) for i, p in enumerate(parts))


async def _domain_specs(conn: psycopg.AsyncConnection, stmt, op) -> list[ProbeSpec]:
    """One probe per column whose type is the domain: its rows against the constraint being validated (or
    added: its expression is the statement's)."""
    if op.kind == OpKind.ALTER_DOMAIN_ADD_CONSTRAINT:
        return await _added_domain_specs(conn, stmt, op)
    constraint = getattr(op.node, "name", None)
    if not op.name or not constraint:
        return []
    rows = await (await conn.execute("""
        SELECT pg_get_constraintdef(con.oid), n.nspname || '.' || c.relname, a.attname
        FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid
        JOIN pg_attribute a ON a.atttypid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'm')
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.conname = %s AND t.oid = to_regtype(%s) AND con.contype = 'c'
        ORDER BY 2, 3""", (constraint, op.name))).fetchall()
    return [_value_spec(stmt, table, column, definition.removeprefix("CHECK ").removesuffix(" NOT VALID"), constraint)
            for definition, table, column in rows]


async def _added_domain_specs(conn: psycopg.AsyncConnection, stmt, op) -> list[ProbeSpec]:
    from dbarchitect.core.migration.analyze import deparse

    con = op.node.def_
    if con is None or getattr(con, "raw_expr", None) is None:
        return []
    name = con.conname or "the new constraint"
    rows = await (await conn.execute("""
        SELECT n.nspname || '.' || c.relname, a.attname FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'm')
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.atttypid = to_regtype(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2""",
        (".".join(quote_ident(p) for p in op.name.split(".", 1)),))).fetchall()
    expr = deparse(con.raw_expr)
    return [_value_spec(stmt, table, column, expr, name) for table, column in rows]


def _value_spec(stmt, table: str, column: str, expr: str, constraint: str) -> ProbeSpec:
    """The values of table.column (of the domain's type) that the domain CHECK `expr` rejects."""
    col = quote_ident(column)
    rel = ".".join(quote_ident(p) for p in table.split(".", 1))
    sql = f"SELECT count(*)::bigint, min({col}::text) FROM {rel} WHERE NOT ({_value_to(col, expr)})"
    return ProbeSpec(stmt.index, table, "domain", f"values of {table}.{column} violating {constraint}", sql)


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
        if isinstance(exc, psycopg.DataError) and spec.kind == "conversion":
            # an existing value does not convert: the ALTER raises the same (the count stops at the first)
            return DataProbe(**base, status="violations", violations=1, sample=exc.diag.message_primary,
                             detail=spec.sql, elapsed_ms=(time.perf_counter() - t0) * 1000)
        msg = (exc.diag.message_primary if getattr(exc, "diag", None) else None) or str(exc)
        return DataProbe(**base, status="error", detail=msg, elapsed_ms=(time.perf_counter() - t0) * 1000)
    count = int(row[0] or 0) if row else 0
    return DataProbe(**base, status="violations" if count else "clean", violations=count,
                     sample=row[1] if row and count else None, detail=spec.sql,
                     elapsed_ms=(time.perf_counter() - t0) * 1000)


async def _reset(conn: psycopg.AsyncConnection) -> None:
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        await conn.execute("ROLLBACK")
