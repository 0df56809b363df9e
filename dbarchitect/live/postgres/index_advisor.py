"""recommend_indexes and review_indexes against a live PostgreSQL.

`recommend_indexes` reads the workload (explicit statements, or the top of pg_stat_statements),
the catalog and pg_stats, lets the core generate candidates, and costs them with HypoPG
(`live.postgres.hypopg`). Without HypoPG it answers with clearly labelled heuristics.
`validate=True` builds the recommendations for real on a scratch copy and times the workload.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql as pgsql

from dbarchitect.core.indexing import advise as advise_mod
from dbarchitect.core.indexing import expr_stats
from dbarchitect.core.indexing.candidates import fk_implied, generate, implied_pairs, not_null_partials
from dbarchitect.core.indexing.models import (
    ColumnStats,
    IndexAdvice,
    MeasuredQuery,
    ValidationReport,
    WorkloadQuery,
)
from dbarchitect.core.indexing.review import IndexReview, review
from dbarchitect.core.indexing.select import select
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.indexing.workload import bind_from_stats, costable, literal_searches, parameters, with_sides
from dbarchitect.core.models import Evidence, SchemaSnapshot
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.compat import catalog_sql
from dbarchitect.live.postgres.database import Database, read_server_info
from dbarchitect.live.postgres.hypopg import hypothetical_session
from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.measure import measure_uncosted

Progress = Callable[[int, int, str], Awaitable[None]]
DEFAULT_TIMEOUT_MS = 30_000
SLOW_RUN_MS = 1000.0  # validate: a statement this slow is timed once, not `runs` times

Q_STATS = """
SELECT schemaname || '.' || tablename, attname, coalesce(null_frac, 0)::float8, coalesce(n_distinct, 0)::float8,
       coalesce(avg_width, 0), most_common_vals::text::text[], most_common_freqs::float8[],
       histogram_bounds::text::text[], correlation::float8, most_common_elems::text::text[],
       most_common_elem_freqs::float8[]
  FROM pg_stats
 WHERE NOT inherited AND (schemaname || '.' || tablename) = ANY(%s)
"""

Q_TOP_STATEMENTS = """
SELECT s.queryid::text, s.query, s.calls, s.total_exec_time
  FROM pg_stat_statements s
 WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.toplevel
   AND s.query ~* '^\\s*(\\(\\s*)*(select|with|update|delete|insert)\\M'
   AND s.query !~* '(pg_catalog|information_schema|pg_stat_|hypopg|pg_class|pg_namespace)'
 ORDER BY s.total_exec_time DESC
 LIMIT %s
"""


async def column_stats(conn: psycopg.AsyncConnection, tables: Sequence[str]) -> dict[tuple[str, str], ColumnStats]:
    if not tables:
        return {}
    cur = await conn.execute(Q_STATS, (list(tables),))
    out = {}
    for table, col, null_frac, n_distinct, width, mcv, mcf, hist, corr, mce, mcef in await cur.fetchall():
        out[(table, col)] = ColumnStats(
            table=table, column=col, null_frac=null_frac, n_distinct=n_distinct, avg_width=width,
            most_common_vals=mcv or [], most_common_freqs=mcf or [], histogram_bounds=hist or [],
            correlation=corr, most_common_elems=mce or [], most_common_elem_freqs=(mcef or [])[: len(mce or [])],
        )  # fmt: skip
    return out


FD_SAMPLE_PAGES = 1024  # implied_on_sample: a block sample of ~8 MB
FD_MIN_GROUPS = 50  # … with at least this many values of the first column seen twice or more


async def implied_on_sample(conn: psycopg.AsyncConnection, pairs: set[tuple[str, str, str]], snapshot: SchemaSnapshot,
                            stats: Mapping[tuple[str, str], ColumnStats], timeout_ms: int) -> set[tuple[str, str, str]]:  # fmt: skip
    """The pairs (table, a, b) where each value of a goes with a single value of b on a block sample of the
    table (REPEATABLE), seen on at least FD_MIN_GROUPS values of a that occur twice or more: a project
    determines its tenant. Only pairs a composite foreign key does not already prove, where a has at
    least as many distinct values as b (pg_stats: a functional dependency cannot map fewer values onto
    more) and both are plain columns of a table large enough to matter."""
    proven = fk_implied(snapshot)
    out: set[tuple[str, str, str]] = set()
    for table, a, b in sorted(pairs - proven):
        t = snapshot.table(table)
        sa, sb = stats.get((table, a)), stats.get((table, b))
        if t is None or sa is None or sb is None or t.estimated_rows < 10_000 or t.pages <= 0:
            continue
        rows = float(t.estimated_rows)
        if sa.distinct(rows) < sb.distinct(rows) or sb.distinct(rows) <= 1:
            continue
        pct = min(100.0, 100.0 * FD_SAMPLE_PAGES / t.pages)
        schema, _, name = table.partition(".")
        q = pgsql.SQL(
            "SELECT count(*) FILTER (WHERE n > 1), count(*) FROM (SELECT count(DISTINCT {b}) AS n FROM {t} "
            "TABLESAMPLE SYSTEM ({pct}) REPEATABLE (42) WHERE {a} IS NOT NULL GROUP BY {a} HAVING count(*) > 1) s"
        ).format(a=pgsql.Identifier(a), b=pgsql.Identifier(b), t=pgsql.Identifier(schema, name),
                 pct=pgsql.Literal(round(pct, 6)))  # fmt: skip
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{timeout_ms}ms",))
                cur = await conn.execute(q)
                bad, groups = await cur.fetchone()
        except psycopg.Error:
            continue
        if bad == 0 and groups >= FD_MIN_GROUPS:
            out.add((table, a, b))
    return out


# a search literal the planner puts below this share of its table's rows rests on a few values of ANALYZE's
# sample (a jsonb document matching 1 of ~100 histogram entries); at or below LITERAL_FLOOR_SHARE it is the
# floor already (no histogram entry matched), and the statement shows that side as written
LITERAL_THIN_SHARE = 0.05
LITERAL_FLOOR_SHARE = 0.0005
LITERAL_MIN_ROWS = 10_000


async def literal_rare_sides(conn: psycopg.AsyncConnection, workload: list[WorkloadQuery], shapes: Mapping[str, Any],
                             snapshot: SchemaSnapshot, notes: list[str], timeout_ms: int
                             ) -> tuple[list[WorkloadQuery], dict[str, Any]]:  # fmt: skip
    """A literal search (`payload @> '{"source": "admin"}'`, `title ILIKE '%x%'`, `labels && '{250}'`) is
    estimated from the values ANALYZE's sample holds: a document in 1 % of the rows matches one histogram
    entry in one sample and none in the next, and the planner's estimate — and plan — moves between ~1 % and
    its floor (bench/oltp booking: 3,500 or 30 rows, a 7 ms walk or a 490 ms scan of the tenant). With its
    estimate in that thin band (LITERAL_FLOOR_SHARE..LITERAL_THIN_SHARE of a table of LITERAL_MIN_ROWS or
    more), the statement is also costed as `<id>.rare` with a value no row holds in the literal's place (the
    floor's plan), half its weight each, so that an index serving both plans is judged on both."""
    out: list[WorkloadQuery] = []
    shaped = dict(shapes)
    for q in workload:
        out.append(q)
        thin = []
        for found in literal_searches(q.sql, snapshot):
            t = snapshot.table(found.table)
            if t is None or t.estimated_rows < LITERAL_MIN_ROWS:
                continue
            schema, _, name = found.table.partition(".")
            probe = pgsql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {t} WHERE ").format(t=pgsql.Identifier(schema, name))
            try:
                async with conn.transaction():
                    await conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{timeout_ms}ms",))
                    cur = await conn.execute(probe + pgsql.SQL(found.predicate))
                    rows = float((await cur.fetchone())[0][0]["Plan"]["Plan Rows"])
            except (psycopg.Error, LookupError, TypeError, ValueError):
                continue
            share = rows / max(1.0, float(t.estimated_rows))
            if LITERAL_FLOOR_SHARE < share < LITERAL_THIN_SHARE:
                thin.append((found, share))
        if not thin:
            continue
        twin_sql = q.costed_sql
        for found, _ in thin:
            twin_sql = twin_sql.replace(found.written, found.rare, 1)
        half = q.weight / 2
        q.weight = half
        twin = q.model_copy(update={"id": f"{q.id}.rare", "weight": half, "explain_sql": twin_sql, "bound_parameters": {}})
        out.append(twin)
        shaped[twin.id] = analyze(twin_sql, snapshot)
        shown = "; ".join(f"{f.predicate} estimated at {share:.2%} of {f.table}" for f, share in thin)
        why = ("the planner's fixed share for a search no statistics describe (a full-text vector without an index), "
               "whatever the word: a rare one reads on to the end without an index that finds it"
               if all(f.unsampled for f, _ in thin) else
               "an estimate that rests on a few values of ANALYZE's sample, which another sample may put at the "
               "floor, where the planner takes that plan")  # fmt: skip
        notes.append(f"{q.id}: also costed as {twin.id}, with a value no row holds in place of the searched literal "
                     f"({shown}): {why}; the weight shared equally")  # fmt: skip
    return out, shaped


EXPR_SAMPLE_TIMEOUT_MS = 10_000  # one table's expression sample: bounded, then the estimates stay as they were


async def sample_expressions(conn: psycopg.AsyncConnection, cset, shapes, snapshot: SchemaSnapshot,
                             timeout_ms: int) -> tuple[dict[tuple[str, str], ColumnStats], list[str]]:  # fmt: skip
    """Statistics of the candidates' index expressions and the queries' expression filters, from a Bernoulli row
    sample of each table (`core.indexing.expr_stats`): one read-only query per table under a
    statement_timeout. Returns the stats-map entries and a note per table sampled (or that failed)."""
    exprs = [(a.table, p.expr) for s in shapes.values() for a in s.accesses for p in a.preds
             if p.kind in ("expr_eq", "expr_range") and p.expr]  # fmt: skip
    out: dict[tuple[str, str], ColumnStats] = {}
    notes: list[str] = []
    for table, texts in sorted(expr_stats.targets(cset.candidates, exprs).items()):
        t = snapshot.table(table)
        if t is None or t.estimated_rows <= 0:
            continue
        rows = float(t.estimated_rows)
        groups = [texts]
        got: dict[tuple[str, str], ColumnStats] = {}
        sampled = 0
        while groups:
            group = groups.pop(0)
            try:
                row = await _sample_once(conn, expr_stats.sample_sql(table, rows, group), timeout_ms)
            except psycopg.errors.QueryCanceled:
                notes.append(f"{table}: the expression sample took longer than {min(timeout_ms, EXPR_SAMPLE_TIMEOUT_MS)} ms; "
                             "its expressions are estimated without statistics")  # fmt: skip
                break
            except psycopg.Error as exc:
                if len(group) > 1:  # one expression failing (a cast a row does not satisfy) spoils only itself
                    groups += [[g] for g in group]
                    continue
                notes.append(f"{table}: the expression sample failed for {group[0]} ({str(exc).strip().splitlines()[0]}); "
                             "it is estimated without statistics")  # fmt: skip
                continue
            sampled = int(row[0] or 0)
            got.update(expr_stats.from_sample(table, rows, group, list(row)))
        out.update(got)
        described = [st.note(rows) for st in got.values() if isinstance(st, expr_stats.SampledStats)]
        if described:
            notes.append(f"Sampled {table} ({sampled:,} rows, TABLESAMPLE BERNOULLI) for the statistics an "
                         f"expression has none of before it is indexed: " + "; ".join(described[:6]))  # fmt: skip
    return out, notes


async def _sample_once(conn: psycopg.AsyncConnection, query: str, timeout_ms: int):
    """One sampling query in a READ ONLY transaction under a statement_timeout (rolled back on error)."""
    async with conn.transaction():
        await conn.execute("SET TRANSACTION READ ONLY")
        await conn.execute("SELECT set_config('statement_timeout', %s, true)",
                           (f"{min(timeout_ms, EXPR_SAMPLE_TIMEOUT_MS)}ms",))  # fmt: skip
        cur = await conn.execute(query)
        return await cur.fetchone()


async def top_statements(conn: psycopg.AsyncConnection, limit: int = 20) -> list[WorkloadQuery]:
    """The statements with the most total execution time since pg_stat_statements was reset."""
    cur = await conn.execute(catalog_sql(Q_TOP_STATEMENTS, conn.info.server_version), (limit,))
    return [
        WorkloadQuery(id=f"stmt_{qid}", sql=q, weight=float(calls), source="pg_stat_statements", calls=calls,
                      total_ms=round(total, 2))  # fmt: skip
        for qid, q, calls, total in await cur.fetchall()
    ]


def explicit_workload(queries: Sequence[str], weights: Sequence[float] | None) -> list[WorkloadQuery]:
    if weights is not None and len(weights) != len(queries):
        raise ValueError(f"weights has {len(weights)} entries for {len(queries)} queries")
    return [
        WorkloadQuery(id=f"q{i + 1}", sql=q.strip().rstrip(";"), weight=float(weights[i]) if weights else 1.0)
        for i, q in enumerate(queries)
    ]


async def _recommend(
    conn: psycopg.AsyncConnection,
    *,
    queries: Sequence[str] | None,
    weights: Sequence[float] | None,
    from_stats: bool,
    budget_mb: float | None,
    max_indexes: int | None,
    top: int,
    statement_timeout_ms: int,
    progress: Progress | None,
    snapshot: SchemaSnapshot | None = None,
) -> IndexAdvice:
    started = time.perf_counter()
    info = await read_server_info(conn)
    notes: list[str] = []
    if queries:
        workload = explicit_workload(queries, weights)
    elif from_stats or not queries:
        if not info.has("pg_stat_statements"):
            raise ValueError(
                "No queries given and pg_stat_statements is not installed in this database: pass `queries`, or "
                "add pg_stat_statements to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements."
            )
        workload = await top_statements(conn, top)
        if not workload:
            raise ValueError("pg_stat_statements holds no user statements yet: pass `queries`, or let the application run.")
    skipped: dict[str, str] = {}
    for q in workload:
        why = costable(q.sql)
        if why:
            skipped[q.id] = why
    workload = [q for q in workload if q.id not in skipped]
    snapshot = snapshot or await take_snapshot(conn)
    shapes = {q.id: analyze(q.sql, snapshot) for q in workload}
    for qid, shape in shapes.items():
        if shape.error:
            notes.append(f"{qid}: {shape.error}; it is costed, but proposes no candidates")
    tables = sorted({t for s in shapes.values() for t in s.tables})
    stats = await column_stats(conn, tables)
    generic = info.version_num >= 160000
    for q in workload:
        if parameters(q.sql) and not generic:
            bound, values = bind_from_stats(q.sql, snapshot, stats)
            q.bound_parameters = values
            if bound is not None:
                q.explain_sql = bound
            else:
                notes.append(f"{q.id}: some $n parameters have no column statistics; costed with the generic plan")
    workload, shapes = with_sides(workload, shapes, snapshot, stats, notes)
    workload, shapes = await literal_rare_sides(conn, workload, shapes, snapshot, notes, statement_timeout_ms)
    implied = await implied_on_sample(conn, implied_pairs(shapes), snapshot, stats, statement_timeout_ms)
    cset = generate(shapes, snapshot, stats, implied)
    sampled, sample_notes = await sample_expressions(conn, cset, shapes, snapshot, statement_timeout_ms)
    stats = {**stats, **sampled}
    notes += sample_notes
    not_null_partials(cset, shapes, snapshot, stats)
    budget = int(budget_mb * 2**20) if budget_mb is not None else None
    extensions = set(info.extensions)
    if not info.has("hypopg"):
        advice = advise_mod.heuristic(
            workload, shapes, cset, snapshot, stats, budget_bytes=budget, max_indexes=max_indexes,
            extensions=extensions, major=info.major, available=set(info.available_extensions),
        )  # fmt: skip
        if "hypopg" in info.available_extensions:
            advice.notes.append("HypoPG is available on this server: CREATE EXTENSION hypopg; enables proven advice.")
    else:
        async with hypothetical_session(conn, statement_timeout_ms=statement_timeout_ms, generic_plan=generic) as oracle:
            sel = await select(
                workload, shapes, cset, snapshot, oracle, budget_bytes=budget, max_indexes=max_indexes,
                progress=progress, stats=stats,
                uncosted=advise_mod.uncosted_candidates(cset, snapshot, stats, extensions, set(info.available_extensions)),
            )  # fmt: skip
        advice = advise_mod.from_selection(
            workload, cset, sel, snapshot, stats, budget_bytes=budget, extensions=extensions,
            available=set(info.available_extensions),
        )
    advice.skipped_queries.update(skipped)
    advice.notes = notes + advice.notes
    advice.elapsed_s = round(time.perf_counter() - started, 3)
    return advice


async def recommend_indexes(
    target: psycopg.AsyncConnection | Database,
    queries: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    from_stats: bool = False,
    budget_mb: float | None = None,
    max_indexes: int | None = None,
    *,
    validate: bool = False,
    scratch: str | psycopg.AsyncConnection | None = None,
    top: int = 20,
    statement_timeout_ms: int | None = None,
    progress: Progress | None = None,
) -> IndexAdvice:
    """Recommend indexes for a workload, each proven by HypoPG planner costs.

    `queries` (with optional `weights`) or, when omitted or `from_stats`, the `top` statements of
    pg_stat_statements by total time. `budget_mb` caps the total estimated size, `max_indexes`
    the count. `validate=True` needs `scratch`: the DSN (or an open autocommit connection) of a copy
    of the database where the recommendations may really be built and the workload timed."""
    if validate and scratch is None:
        raise ValueError("validate=true needs a scratch copy of the database (scratch=DSN): it builds real indexes there.")

    async def go(conn: psycopg.AsyncConnection) -> IndexAdvice:
        return await _recommend(
            conn, queries=queries, weights=weights, from_stats=from_stats, budget_mb=budget_mb,
            max_indexes=max_indexes, top=top, statement_timeout_ms=timeout, progress=progress,
        )  # fmt: skip

    if isinstance(target, Database):
        timeout = statement_timeout_ms or target.limits.statement_timeout_ms
        advice = await target.run(go)
    else:
        timeout = statement_timeout_ms or DEFAULT_TIMEOUT_MS
        advice = await go(target)
    if validate and advice.recommendations:
        if any(r.method == "gin" for r in advice.recommendations):
            own = isinstance(scratch, str)
            conn = await Connection.connect(scratch, autocommit=True) if own else scratch
            try:
                await measure_uncosted(conn, advice, time=_time, statement_timeout_ms=timeout, progress=progress)
            finally:
                if own:
                    await conn.close()
        advice.validation = await validate_on_scratch(scratch, advice, statement_timeout_ms=timeout, progress=progress)
    return advice


# --------------------------------------------------------------------------------------------
# validate=true: build for real on a scratch copy, time the workload before and after
# --------------------------------------------------------------------------------------------


async def _time(conn: psycopg.AsyncConnection, sql: str, runs: int, timeout_ms: int) -> tuple[float | None, bool, str | None]:
    times = []
    for _ in range(runs):
        await conn.execute("BEGIN READ ONLY")
        try:
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (f"{timeout_ms}ms",))
            t0 = time.perf_counter()
            cur = await conn.execute(sql)
            if cur.description:
                await cur.fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        except psycopg.errors.QueryCanceled:
            times.append(float(timeout_ms))
            await conn.execute("ROLLBACK")
            return statistics.median(times), True, None
        except psycopg.Error as exc:
            await conn.execute("ROLLBACK")
            return None, False, str(exc).strip().splitlines()[0]
        else:
            await conn.execute("ROLLBACK")
        if times[-1] >= SLOW_RUN_MS:
            break  # one run of a slow statement is measurement enough: repeating it only costs minutes
    return statistics.median(times), False, None


def index_statement(ddl: str) -> str:
    """The CREATE INDEX of a recommendation's DDL (which may start with its CREATE EXTENSION): CREATE
    INDEX CONCURRENTLY must be sent alone, outside a transaction block."""
    return [s for s in ddl.split(";\n") if s.strip()][-1]


async def validate_on_scratch(
    scratch: str | psycopg.AsyncConnection, advice: IndexAdvice, *, runs: int = 3, statement_timeout_ms: int = 30_000,
    progress: Progress | None = None,
) -> ValidationReport:
    """Time each workload query (median of `runs`, each in a rolled-back READ ONLY transaction),
    build the recommended indexes, ANALYZE, time again, then drop the indexes again. `progress`
    hears of every query timed and every index built."""
    own = isinstance(scratch, str)
    conn = await Connection.connect(scratch, autocommit=True) if own else scratch
    try:
        cur = await conn.execute("SELECT current_database()")
        dbname = (await cur.fetchone())[0]
        sqls = {q.id: q.costed_sql for q in advice.queries if q.id not in advice.skipped_queries}
        steps, done = 2 * len(sqls) + len(advice.recommendations), 0

        async def step(message: str) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                await progress(done, steps, f"validate: {message}")

        before = {}
        for qid, s in sqls.items():
            before[qid] = await _time(conn, s, runs, statement_timeout_ms)
            await step(f"timed {qid} without the new indexes")
        report = ValidationReport(database=dbname, runs=runs, statement_timeout_ms=statement_timeout_ms)
        built = []
        for rec in advice.recommendations:
            await step(f"building {rec.name}")
            try:
                if rec.requires_extension:
                    await conn.execute(pgsql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(pgsql.Identifier(rec.requires_extension)))
                await conn.execute(index_statement(rec.ddl))
                built.append(rec)
                report.built.append(rec.name)
            except psycopg.Error as exc:
                report.build_errors[rec.name] = str(exc).strip().splitlines()[0]
        tables = sorted({r.table for r in built})
        for t in tables:
            schema, _, name = t.partition(".")
            await conn.execute(pgsql.SQL("ANALYZE {}.{}").format(pgsql.Identifier(schema), pgsql.Identifier(name)))
        if built:
            cur = await conn.execute(
                "SELECT coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'i' AND n.nspname || '.' || c.relname = ANY(%s)",
                ([f"{r.table.split('.')[0]}.{r.name}" for r in built],),
            )
            report.actual_size_bytes = int((await cur.fetchone())[0])
        after = {}
        for qid, s in sqls.items():
            after[qid] = await _time(conn, s, runs, statement_timeout_ms)
            await step(f"timed {qid} with them")
        for rec in built:
            await conn.execute(rec.undo)
        for qid in sqls:
            b, a = before[qid], after[qid]
            report.queries.append(
                MeasuredQuery(
                    query=qid, ms_before=None if b[0] is None else round(b[0], 2),
                    ms_after=None if a[0] is None else round(a[0], 2), timed_out_before=b[1], timed_out_after=a[1],
                    error=b[2] or a[2],
                )  # fmt: skip
            )
        report.total_ms_before = round(sum(q.ms_before or 0 for q in report.queries), 2)
        report.total_ms_after = round(sum(q.ms_after or 0 for q in report.queries), 2)
        report.evidence = Evidence(
            kind="execution",
            detail=(
                f"Built {len(built)} indexes ({report.actual_size_bytes / 2**20:.1f} MB) in {dbname}; the workload took "
                f"{report.total_ms_before:,.1f} ms before and {report.total_ms_after:,.1f} ms after (median of {runs})."
            ),
            data={q.query: {"before_ms": q.ms_before, "after_ms": q.ms_after} for q in report.queries},
        )
        return report
    finally:
        if own:
            await conn.close()


# --------------------------------------------------------------------------------------------
# review_indexes
# --------------------------------------------------------------------------------------------

Q_INDEX_EXTRA = """
SELECT n.nspname || '.' || ic.relname, ic.relpages::bigint, ic.reltuples::float8,
       (SELECT array_agg(coalesce(s.avg_width, 8) ORDER BY k.ord)
          FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
          LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
          LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
                               AND NOT s.inherited) AS widths,
       current_setting('block_size')::int
  FROM pg_index ix
  JOIN pg_class ic ON ic.oid = ix.indexrelid
  JOIN pg_class c ON c.oid = ix.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
 WHERE am.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%%'
"""


async def index_facts(conn: psycopg.AsyncConnection) -> dict[str, dict[str, Any]]:
    """Per btree index: pages, tuples and key widths (for the bloat estimate)."""
    cur = await conn.execute(Q_INDEX_EXTRA)
    return {
        name: {"pages": pages, "tuples": tuples, "widths": list(widths or []), "block_size": bs}
        for name, pages, tuples, widths, bs in await cur.fetchall()
    }


async def review_indexes(target: psycopg.AsyncConnection | Database, schema: str | None = None) -> IndexReview:
    """Unused, duplicate, redundant, invalid, missing-for-FK, bloated indexes and over-indexed
    write-heavy tables, each with the DDL to fix it and the DDL to undo the fix."""

    async def go(conn: psycopg.AsyncConnection) -> IndexReview:
        snap = await take_snapshot(conn)
        facts = await index_facts(conn)
        return review(snap, facts, schema=schema, engine="postgresql")

    if isinstance(target, Database):
        return await target.run(go)
    return await go(target)
