"""`explain_query`: EXPLAIN a statement on a live server, diagnose the plan, prove index fixes.

Safety, in layers:
* exactly one explainable statement (pglast), sent with the extended protocol;
* plain EXPLAIN for anything explainable, in a READ ONLY transaction that is rolled back;
* EXPLAIN ANALYZE only when the read-only gate (`check_read_only`) passes and no VOLATILE user
  function is called, still READ ONLY and rolled back; a data-modifying statement is analyzed only
  with `allow_writes=True`, inside BEGIN ... ROLLBACK;
* `statement_timeout` and `lock_timeout` are always set (SET LOCAL);
* HypoPG indexes live in this backend only and are always removed (`hypopg_reset()` in `finally`).

`$n` parameters: the given `params` are bound; without them, PostgreSQL 16+ plans with
GENERIC_PLAN (plain EXPLAIN), older servers and ANALYZE get representative values: the median of
the compared column's histogram (or its most common value) from `pg_stats`, else a type default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import anyio
import psycopg
from pglast import ast, parse_sql
from pglast.parser import ParseError

from dbarchitect.core.models import Evidence, SchemaSnapshot
from dbarchitect.core.plan.analyze import analyze_plan
from dbarchitect.core.plan.nodes import Plan
from dbarchitect.core.plan.parse import parse_plan
from dbarchitect.core.plan.render import DEFAULT_TREE_LINES, render_tree
from dbarchitect.core.plan.report import HypotheticalResult, PlanFinding, PlanReport
from dbarchitect.live.postgres.errors import DatabaseError

_EXPLAINABLE = (
    ast.SelectStmt,
    ast.InsertStmt,
    ast.UpdateStmt,
    ast.DeleteStmt,
    ast.MergeStmt,
    ast.CreateTableAsStmt,
    ast.ExecuteStmt,
    ast.DeclareCursorStmt,
)
_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.CreateTableAsStmt)
_PREPARED = "dbarchitect_explain_params"

# type defaults when pg_stats knows nothing about the compared column
_TYPE_DEFAULTS = {
    "smallint": "1", "integer": "1", "bigint": "1", "numeric": "1", "real": "1", "double precision": "1",
    "boolean": "true", "text": "a", "character varying": "a", "character": "a", "name": "a",
    "date": "2000-01-01", "timestamp without time zone": "2000-01-01 00:00",
    "timestamp with time zone": "2000-01-01 00:00+00", "time without time zone": "00:00",
    "interval": "1 day", "uuid": "00000000-0000-0000-0000-000000000000", "json": "{}", "jsonb": "{}",
    "bytea": "\\x00", "inet": "127.0.0.1", "cidr": "127.0.0.0/8",
}  # fmt: skip


class ExplainRefused(DatabaseError):
    """The statement may not be analyzed (or explained) as asked; nothing was executed."""


# ------------------------------------------------------------------------------------------------
# The statement
# ------------------------------------------------------------------------------------------------


def _statement(sql: str) -> ast.Node:
    try:
        stmts = parse_sql(sql)
    except ParseError as exc:
        raise ExplainRefused(f"The SQL does not parse: {exc}. Nothing was executed.") from None
    if len(stmts) != 1:
        raise ExplainRefused(f"Pass exactly one statement to explain; found {len(stmts)}. Nothing was executed.")
    stmt = stmts[0].stmt
    if isinstance(stmt, ast.ExplainStmt):
        raise ExplainRefused("Pass the statement without EXPLAIN: explain_query adds EXPLAIN and its options itself.")
    if not isinstance(stmt, _EXPLAINABLE):
        kind = type(stmt).__name__.removesuffix("Stmt")
        raise ExplainRefused(
            f"EXPLAIN accepts SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE, DECLARE and CREATE TABLE AS; "
            f"this is {kind}. Nothing was executed."
        )
    return stmt


def _walk(node):
    if isinstance(node, ast.Node):
        yield node
        for name in node:
            yield from _walk(getattr(node, name))
    elif isinstance(node, tuple):
        for x in node:
            yield from _walk(x)


def _writes(stmt: ast.Node) -> bool:
    return any(isinstance(n, _WRITES) for n in _walk(stmt))


def param_count(stmt: ast.Node) -> int:
    return max((n.number for n in _walk(stmt) if isinstance(n, ast.ParamRef)), default=0)


def _strip_cast(node):
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return node


def param_columns(stmt: ast.Node) -> tuple[dict[int, tuple[str | None, str]], dict[str, str], dict[int, str]]:
    """For each $n compared with a column: (qualifier, column); the statement's alias -> table map;
    and $n used as LIMIT or OFFSET."""
    aliases: dict[str, str] = {}
    cols: dict[int, tuple[str | None, str]] = {}
    clauses: dict[int, str] = {}
    for n in _walk(stmt):
        if isinstance(n, ast.RangeVar):
            table = f"{n.schemaname}.{n.relname}" if n.schemaname else n.relname
            aliases[n.alias.aliasname if n.alias else n.relname] = table
            aliases.setdefault(n.relname, table)
        elif isinstance(n, ast.A_Expr) and n.lexpr is not None and n.rexpr is not None:
            left, right = _strip_cast(n.lexpr), _strip_cast(n.rexpr)
            for p, c in ((left, right), (right, left)):
                if isinstance(p, ast.ParamRef) and isinstance(c, ast.ColumnRef):
                    names = [f.sval for f in c.fields if isinstance(f, ast.String)]
                    if names:
                        cols.setdefault(p.number, (names[-2] if len(names) > 1 else None, names[-1]))
        elif isinstance(n, ast.SelectStmt):
            for attr, clause in (("limitCount", "limit"), ("limitOffset", "offset")):
                p = _strip_cast(getattr(n, attr))
                if isinstance(p, ast.ParamRef):
                    clauses[p.number] = clause
    return cols, aliases, clauses


async def _param_types(conn: psycopg.AsyncConnection, sql: str) -> list[str]:
    await conn.execute(f"PREPARE {_PREPARED} AS {sql}")
    try:
        cur = await conn.execute(
            "SELECT ARRAY(SELECT format_type(t::oid, NULL) FROM unnest(parameter_types) t) FROM pg_prepared_statements WHERE name = %s",
            (_PREPARED,),
        )
        row = await cur.fetchone()
        return list(row[0]) if row else []
    finally:
        await conn.execute(f"DEALLOCATE {_PREPARED}")


async def representative_params(conn: psycopg.AsyncConnection, sql: str, stmt: ast.Node) -> list[str | None]:
    """A value for each $n: the compared column's histogram median or most common value, else a default."""
    types = await _param_types(conn, sql)
    cols, aliases, clauses = param_columns(stmt)
    tables = list(dict.fromkeys(aliases.values()))
    values: list[str | None] = []
    for i, typ in enumerate(types, start=1):
        if clauses.get(i) == "limit":
            values.append("20")
            continue
        if clauses.get(i) == "offset":
            values.append("0")
            continue
        value = None
        if i in cols:
            qual, col = cols[i]
            candidates = [aliases[qual]] if qual in aliases else tables
            value = await _column_value(conn, candidates, col)
        if value is None:
            value = _TYPE_DEFAULTS.get(typ.split("(")[0].removesuffix("[]"), None)
            if typ.endswith("[]") and value is not None:
                value = "{" + value + "}"
        values.append(value)
    return values


async def _column_value(conn: psycopg.AsyncConnection, tables: list[str], column: str) -> str | None:
    for table in tables:
        schema, _, name = table.rpartition(".")
        cur = await conn.execute(
            """
            SELECT coalesce(
                     (s.histogram_bounds::text::text[])[greatest(1, array_length(s.histogram_bounds::text::text[], 1) / 2)],
                     (s.most_common_vals::text::text[])[1])
              FROM pg_stats s
             WHERE s.tablename = %s AND s.attname = %s
               AND (s.schemaname = %s OR (%s = '' AND s.schemaname = ANY (current_schemas(false))))
             LIMIT 1
            """,
            (name, column, schema, schema),
        )
        row = await cur.fetchone()
        if row and row[0] is not None:
            return row[0]
    return None


# ------------------------------------------------------------------------------------------------
# Running EXPLAIN
# ------------------------------------------------------------------------------------------------


async def _run_explain(
    conn: psycopg.AsyncConnection,
    sql: str,
    options: list[str],
    params: Sequence[Any] | None,
    *,
    read_only: bool,
    timeout_ms: int,
) -> Any:
    """One EXPLAIN (FORMAT JSON) in a transaction that is always rolled back."""
    async with conn.transaction(force_rollback=True):
        if read_only:
            await conn.execute("SET TRANSACTION READ ONLY")
        await conn.execute(
            "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)",
            (f"{timeout_ms}ms", f"{min(timeout_ms, 5000)}ms"),
        )
        async with psycopg.AsyncRawCursor(conn) as cur:
            try:
                await cur.execute(f"EXPLAIN ({', '.join(options + ['FORMAT JSON'])}) {sql}", params or None)
            except psycopg.errors.QueryCanceled:
                raise ExplainRefused(
                    f"EXPLAIN{' ANALYZE' if 'ANALYZE' in options else ''} was cancelled by statement_timeout "
                    f"({timeout_ms} ms). Run plain EXPLAIN (analyze=false) or allow a longer timeout."
                ) from None
            except psycopg.errors.ReadOnlySqlTransaction as exc:
                raise ExplainRefused(f"The statement tried to write in a read-only transaction: {exc}.") from None
            row = await cur.fetchone()
    doc = row[0]
    return json.loads(doc) if isinstance(doc, str) else doc


def _options(version: int, analyze: bool, buffers: bool, generic: bool) -> list[str]:
    opts = []
    if analyze:
        opts.append("ANALYZE")
    if buffers and (analyze or version >= 130000):
        opts.append("BUFFERS")
    opts.append("VERBOSE")
    if version >= 120000:
        opts.append("SETTINGS")
    if generic:
        opts.append("GENERIC_PLAN")
    return opts


# ------------------------------------------------------------------------------------------------
# HypoPG
# ------------------------------------------------------------------------------------------------


async def _has_hypopg(conn: psycopg.AsyncConnection) -> bool:
    cur = await conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'")
    return await cur.fetchone() is not None


def _plain_create(sql: str) -> str:
    return re.sub(r"\bCONCURRENTLY\b\s*", "", sql.strip().rstrip(";"), flags=re.IGNORECASE)


async def hypothetical_replan(
    conn: psycopg.AsyncConnection,
    sql: str,
    index_sql: str,
    params: Sequence[Any] | None,
    generic: bool,
    version: int,
    timeout_ms: int,
    baseline: float,
) -> HypotheticalResult:
    """Plan `sql` again with one hypothetical index; the index is removed whatever happens."""
    create = _plain_create(index_sql)
    try:
        cur = await conn.execute("SELECT indexrelid, indexname FROM hypopg_create_index(%s)", (create,))
        row = await cur.fetchone()
        if row is None:
            raise ExplainRefused(f"HypoPG could not create {create}.")
        hypo_name = row[1]
        doc = await _run_explain(
            conn, sql, _options(version, False, False, generic), params, read_only=True, timeout_ms=timeout_ms
        )
        plan = parse_plan(doc)
        used = any(hypo_name == n.index_name for n in plan.nodes)
        tree, _ = render_tree(plan, max_lines=25)
        after = plan.total_cost
        return HypotheticalResult(
            sql=create + ";",
            cost_before=round(baseline, 2),
            cost_after=round(after, 2),
            used=used,
            improvement=round(1 - after / baseline, 4) if baseline > 0 else 0.0,
            plan_after=tree,
        )
    except (psycopg.Error, ExplainRefused) as exc:
        return HypotheticalResult(
            sql=create + ";", cost_before=round(baseline, 2), cost_after=round(baseline, 2), used=False,
            improvement=0.0, error=str(exc).strip().splitlines()[0],
        )
    finally:
        # shielded: a cancelled tool call must not leave hypothetical indexes on a pooled connection
        with anyio.CancelScope(shield=True):
            await conn.execute("SELECT hypopg_reset()")


def _fk_probe(finding: PlanFinding) -> str | None:
    """The lookup a foreign-key trigger runs, as a plannable statement, for PL020's index."""
    idx = finding.index
    if idx is None:
        return None
    cols = ", ".join(idx.columns)
    return f"SELECT 1 FROM ONLY {idx.table} x WHERE ({cols}) = (SELECT {cols} FROM ONLY {idx.table} LIMIT 1)"


async def _prove_indexes(
    conn: psycopg.AsyncConnection,
    report: PlanReport,
    sql: str,
    extra: Sequence[str],
    params: Sequence[Any] | None,
    generic: bool,
    version: int,
    timeout_ms: int,
) -> None:
    baseline_doc = await _run_explain(
        conn, sql, _options(version, False, False, generic), params, read_only=True, timeout_ms=timeout_ms
    )
    baseline = parse_plan(baseline_doc).total_cost
    done: dict[tuple[str, str], HypotheticalResult] = {}

    async def replan(statement: str, index_sql: str, stmt_params, stmt_generic: bool, base: float) -> HypotheticalResult:
        key = (statement, _plain_create(index_sql))
        if key not in done:
            done[key] = await hypothetical_replan(
                conn, statement, index_sql, stmt_params, stmt_generic, version, timeout_ms, base
            )
            report.hypothetical.append(done[key])
        return done[key]

    failed = []
    for index_sql in extra:
        tried = await replan(sql, index_sql, params, generic, baseline)
        if tried.error:
            failed.append(f"{index_sql.strip()[:200]!r}: {tried.error}")
    if failed:  # an index the caller asked for that HypoPG could not create is not "index NOT used"
        raise ExplainRefused(
            f"{len(failed)} of the {len(extra)} hypothetical_indexes could not be created, so nothing was compared — "
            + "; ".join(failed[:5]) + ". Pass CREATE INDEX statements on existing tables and columns "
            "(describe_schema(table=…) lists them)."
        )
    for f in report.insights:
        if f.index is None:
            continue
        if f.code == "PL020":
            probe = _fk_probe(f)
            if probe is None:
                continue
            probe_doc = await _run_explain(conn, probe, _options(version, False, False, False), None, read_only=True, timeout_ms=timeout_ms)
            result = await replan(probe, f.index.sql, None, False, parse_plan(probe_doc).total_cost)
            what = "each foreign-key lookup"
        else:
            result = await replan(sql, f.index.sql, params, generic, baseline)
            what = "the statement"
        if result.error:
            detail = f"HypoPG could not simulate the index: {result.error}"
        else:
            verdict = "uses it" if result.used else "does NOT use it"
            detail = (
                f"With this index (hypothetical, HypoPG) the planner {verdict}: the estimated cost of {what} goes from "
                f"{result.cost_before:,.2f} to {result.cost_after:,.2f} ({100 * result.improvement:.0f} % lower)."
            )
        f.evidence.append(
            Evidence(
                kind="hypopg",
                detail=detail,
                data={"index": result.sql, "cost_before": result.cost_before, "cost_after": result.cost_after,
                      "used": result.used},
            )
        )


# ------------------------------------------------------------------------------------------------
# The entry point
# ------------------------------------------------------------------------------------------------


async def explain_query(
    conn: psycopg.AsyncConnection,
    sql: str,
    analyze: bool = False,
    buffers: bool = True,
    params: Sequence[Any] | None = None,
    hypothetical_indexes: Sequence[str] = (),
    *,
    allow_writes: bool = False,
    statement_timeout_ms: int = 15_000,
    catalog: SchemaSnapshot | None = None,
    cross_check: bool = True,
    prove_indexes: bool = True,
    max_tree_lines: int = DEFAULT_TREE_LINES,
) -> PlanReport:
    """EXPLAIN `sql` on `conn` (autocommit) and return the diagnosed plan.

    analyze: run EXPLAIN ANALYZE (read-only statements; data-modifying ones only with allow_writes,
    always rolled back). params: values for $1..$n. hypothetical_indexes: CREATE INDEX statements
    to simulate with HypoPG. catalog: a snapshot to cross-check against (else one is taken when
    cross_check). prove_indexes: re-plan every suggested index with HypoPG.
    """
    sql = sql.strip().rstrip(";").strip()
    stmt = _statement(sql)
    version = conn.info.server_version
    notes: list[str] = []
    writes = _writes(stmt)
    read_only = True
    if analyze:
        if writes:
            if not allow_writes:
                raise ExplainRefused(
                    "EXPLAIN ANALYZE executes the statement, and this one modifies data. Writes are not allowed for "
                    "this connection; use analyze=false for the plan without running it. Nothing was executed."
                )
            read_only = False
            notes.append("ANALYZE ran the data-modifying statement inside BEGIN ... ROLLBACK: nothing was kept.")
        else:
            from dbarchitect.core.sql.readonly import check_read_only

            verdict = check_read_only(sql)
            if not verdict.ok:
                raise ExplainRefused(
                    f"EXPLAIN ANALYZE executes the statement and it did not pass the read-only check: {verdict.reason} "
                    "Use analyze=false for the plan without running it. Nothing was executed."
                )
            if verdict.functions:
                from dbarchitect.live.postgres.database import refuse_volatile_user_functions

                await refuse_volatile_user_functions(conn, verdict.functions)

    n_params = param_count(stmt)
    bound: list[Any] | None = None
    generic = False
    if n_params:
        if params is not None:
            if len(params) != n_params:
                raise ExplainRefused(f"The statement has {n_params} parameter(s) ($1..${n_params}) but {len(params)} value(s) were given.")
            bound = list(params)
        elif not analyze and version >= 160000:
            generic = True
            notes.append("Planned with GENERIC_PLAN: $n parameters stay unknown, as in a prepared statement's generic plan.")
        else:
            bound = await representative_params(conn, sql, stmt)
            why = ("ANALYZE executes the statement, so it needs values" if analyze else
                   f"PostgreSQL {version // 10000} has no EXPLAIN (GENERIC_PLAN), which came in 16")  # fmt: skip
            notes.append(
                f"Parameters were bound ({why}) to representative values from pg_stats (histogram median or most common "
                "value) or type defaults: " + ", ".join(f"${i}={v!r}" for i, v in enumerate(bound, 1)) + "."
            )
    elif params:
        raise ExplainRefused(f"{len(params)} parameter value(s) were given but the statement has no $n parameters.")

    doc = await _run_explain(
        conn, sql, _options(version, analyze, buffers, generic), bound, read_only=read_only, timeout_ms=statement_timeout_ms
    )
    plan: Plan = parse_plan(doc)
    snapshot = catalog
    if snapshot is None and cross_check:
        from dbarchitect.live.postgres.introspect import take_snapshot

        snapshot = await take_snapshot(conn)
    report = analyze_plan(plan, sql=sql, catalog=snapshot, max_tree_lines=max_tree_lines)
    report.notes = notes + report.notes
    report.params = ["NULL" if v is None else str(v) for v in bound or ()]
    wanted = list(hypothetical_indexes)
    if (wanted or (prove_indexes and any(f.index for f in report.insights))) and await _has_hypopg(conn):
        await _prove_indexes(conn, report, sql, wanted, bound, generic, version, statement_timeout_ms)
    elif wanted:
        report.notes.append("HypoPG is not installed in this database (CREATE EXTENSION hypopg): hypothetical indexes were not simulated.")
    return report
