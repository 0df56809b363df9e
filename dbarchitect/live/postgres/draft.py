"""draft_migration: from a desired schema (DDL) to a verified, online-safe migration plan.

1. The target DDL (and `from_ddl`, when the current schema is given as DDL) is loaded into scratch
   databases, so PostgreSQL itself parses it; both sides are read as catalog snapshots, plus the facts
   the snapshot lacks (`read_extras`: function bodies, comments on indexes/constraints/functions/...,
   materialized-view indexes, storage parameters, inherited partition objects, domain constraints,
   identity sequences).
2. `dbarchitect.core.diff.plan_migration` plans the up steps; the down plan is the plan from the target
   back to the current schema. The migration lint predicts each step's locks and adds its findings.
3. Verification on a shadow of the current schema: apply the up steps as a runner would (transactional
   steps in BEGIN/COMMIT, the others outside), re-introspect and compare with the target's catalog
   fingerprint (convergence); plan again from the result (must be empty); apply the down steps and
   compare with the original fingerprint (round trip). Column order is the one tolerated difference:
   ADD COLUMN appends, and reordering would rewrite the table.
   With scope="objects" (a partial target) the target is first merged into the current catalog
   (`dbarchitect.core.diff.scope`): the plan, the re-plan and the convergence check all use that merged
   catalog, and the differences are split into the target's objects (convergence) and the rest (which
   must be untouched).
4. The dry run (`dry_run_migration`) runs the same steps on its own shadow with synthetic rows and its
   observed locks are attached to each step.

Every scratch database is dropped at the end, also on errors and cancellation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Literal

import anyio
import psycopg
from psycopg import sql as psql

from dbarchitect.core.diff.models import (
    CatalogExtras,
    DraftReport,
    Difference,
    Hazard,
    MigrationPlan,
    ObservedLock,
    Step,
    StepObservation,
    Verification,
    render_script,
    render_step,
)
from dbarchitect.core.diff.planner import keep_refused, plan_migration
from dbarchitect.core.diff.support import TargetNames, support_statements, target_names
from dbarchitect.core.diff.scope import (
    DEFAULT_SCOPE,
    SCOPES,
    FingerprintScope,
    Scope,
    left_alone,
    scoped_fingerprint,
    scoped_target,
    target_scope,
)
from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.dryrun_models import CatalogFingerprint
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.models import SchemaSnapshot
from dbarchitect.core.sql.statements import SQLParseError, SQLStatement, parse
from dbarchitect.live.offload import cpu
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.errors import DatabaseError
from dbarchitect.live.postgres.fingerprint import catalog_fingerprint
from dbarchitect.live.postgres.introspect import take_snapshot
from dbarchitect.live.postgres.lint_context import build_lint_context
from dbarchitect.live.postgres.shadow import (
    ScratchHost,
    create_shadow_db,
    drop_shadow_db,
    dump_schema,
    new_shadow_name,
    resolve_scratch,
    restore_schema,
)


#: (done, total, message) -> None
Progress = Callable[[float, float | None, str], Awaitable[None]]


class DraftInputError(DatabaseError):
    """The target or from DDL does not load: the message names the statement and PostgreSQL's error."""


# --------------------------------------------------------------------------------------------
# Extra catalog facts
# --------------------------------------------------------------------------------------------

_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'"
_NOT_EXT = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = {cls}::regclass AND d.objid = {oid} AND d.deptype = 'e')"

_Q_FUNCTIONS = f"""
SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_functiondef(p.oid), CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
       obj_description(p.oid, 'pg_proc')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('f', 'p') AND {_NS} AND {_NOT_EXT.format(cls="'pg_proc'", oid="p.oid")}
"""
_Q_COMMENTS = f"""
SELECT 'index ' || n.nspname || '.' || c.relname, d.description
  FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND {_NS}
UNION ALL
SELECT 'sequence ' || n.nspname || '.' || c.relname, d.description
  FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND {_NS}
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'domain ' ELSE 'type ' END || n.nspname || '.' || t.typname, d.description
  FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
  JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {_NS}
UNION ALL
SELECT 'constraint ' || n.nspname || '.' || c.relname || '.' || con.conname, d.description
  FROM pg_description d JOIN pg_constraint con ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid
  JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_NS}
UNION ALL
SELECT 'trigger ' || n.nspname || '.' || c.relname || '.' || tg.tgname, d.description
  FROM pg_description d JOIN pg_trigger tg ON d.classoid = 'pg_trigger'::regclass AND d.objoid = tg.oid
  JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_NS}
UNION ALL
SELECT 'policy ' || n.nspname || '.' || c.relname || '.' || pol.polname, d.description
  FROM pg_description d JOIN pg_policy pol ON d.classoid = 'pg_policy'::regclass AND d.objoid = pol.oid
  JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_NS}
UNION ALL
SELECT 'schema ' || n.nspname, d.description
  FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid
 WHERE {_NS}
"""
_Q_MATVIEW_INDEXES = f"""
SELECT n.nspname || '.' || c.relname, ic.relname, pg_get_indexdef(ix.indexrelid)
  FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_class ic ON ic.oid = ix.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm' AND {_NS} ORDER BY 1, 2
"""
_Q_RELATIONS = f"""
SELECT n.nspname || '.' || c.relname, c.relkind::text, c.relispopulated, coalesce(c.reloptions, '{{}}')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm') AND {_NS} AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}
"""
_Q_INHERITED = f"""
SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relispartition AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal AND {_NS}
UNION ALL
SELECT 'constraint ' || n.nspname || '.' || c.relname || '.' || con.conname
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE con.coninhcount > 0 AND NOT con.conislocal AND {_NS}
UNION ALL
SELECT 'index ' || n.nspname || '.' || ic.relname
  FROM pg_inherits i JOIN pg_class ic ON ic.oid = i.inhrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
 WHERE ic.relkind IN ('i', 'I') AND {_NS}
"""
_Q_DOMAIN_CONSTRAINTS = f"""
SELECT n.nspname || '.' || t.typname, con.conname, pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE con.contype = 'c' AND {_NS}
"""
_Q_IDENTITY_SEQUENCES = f"""
SELECT n.nspname || '.' || s.relname
  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid JOIN pg_namespace n ON n.oid = s.relnamespace
 WHERE d.classid = 'pg_class'::regclass AND s.relkind = 'S' AND d.deptype = 'i' AND {_NS}
"""


async def read_extras(conn: psycopg.AsyncConnection) -> CatalogExtras:
    """The catalog facts a faithful diff needs beyond `take_snapshot` (one read-only snapshot)."""
    ex = CatalogExtras()
    own_tx = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE and conn.autocommit
    if own_tx:
        await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        for key, df, kind, comment in await (await conn.execute(_Q_FUNCTIONS)).fetchall():
            ex.function_defs[key] = df.strip()
            ex.function_kinds[key] = kind
            if comment is not None:
                ex.comments[f"function {key}"] = comment
        for key, text in await (await conn.execute(_Q_COMMENTS)).fetchall():
            ex.comments[key] = text
        for mv, name, df in await (await conn.execute(_Q_MATVIEW_INDEXES)).fetchall():
            ex.matview_indexes.setdefault(mv, []).append((name, df))
        for key, kind, populated, opts in await (await conn.execute(_Q_RELATIONS)).fetchall():
            if kind == "m":
                ex.populated[key] = populated
            if opts:
                ex.reloptions[key] = sorted(opts)
        ex.inherited = sorted(r[0] for r in await (await conn.execute(_Q_INHERITED)).fetchall())
        for dom, name, df in await (await conn.execute(_Q_DOMAIN_CONSTRAINTS)).fetchall():
            ex.domain_constraints.setdefault(dom, {})[name] = df
        ex.identity_sequences = sorted(r[0] for r in await (await conn.execute(_Q_IDENTITY_SEQUENCES)).fetchall())
    finally:
        if own_tx:
            await conn.execute("COMMIT")
    return ex


async def read_catalog(dsn: str) -> tuple[SchemaSnapshot, CatalogExtras, CatalogFingerprint]:
    async with await Connection.connect(dsn, autocommit=True) as conn:
        return await take_snapshot(conn), await read_extras(conn), await catalog_fingerprint(conn)


# --------------------------------------------------------------------------------------------
# Scratch databases
# --------------------------------------------------------------------------------------------

_RESET = """
DO $reset$
DECLARE r record;
BEGIN
  FOR r IN SELECT evtname FROM pg_event_trigger LOOP EXECUTE format('DROP EVENT TRIGGER %I', r.evtname); END LOOP;
  FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
    EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
  END LOOP;
  FOR r IN SELECT nspname FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
END
$reset$;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';
"""


class ScratchPool:
    """Scratch databases on one server: created on demand, reset (every user schema dropped) for reuse,
    all dropped by `close()`. One `draft_migration` call uses its own pool unless one is passed in, which
    lets a batch of drafts (the acceptance corpus) share a few databases instead of creating dozens."""

    def __init__(self, host: ScratchHost):
        self.host = host
        self.free: list[str] = []
        self.all: list[str] = []

    async def acquire(self) -> str:
        if self.free:
            name = self.free.pop()
            try:
                async with await Connection.connect(self.host.dsn(name), autocommit=True) as conn:
                    await conn.execute(_RESET)
                return self.host.dsn(name)
            except psycopg.Error:
                pass  # a damaged scratch database: use a new one
        name = new_shadow_name()
        self.all.append(name)
        await create_shadow_db(self.host, name)
        return self.host.dsn(name)

    def release(self, dsn: str) -> None:
        name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
        if name in self.all and name not in self.free:
            self.free.append(name)

    async def close(self) -> None:
        with anyio.CancelScope(shield=True):
            for name in self.all:
                with anyio.move_on_after(60):
                    try:
                        await drop_shadow_db(self.host, name)
                    except psycopg.Error:
                        pass  # unreachable now: the owner record lets the next sweep drop it
            self.all.clear()
            self.free.clear()

    async def __aenter__(self) -> ScratchPool:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


# SQLSTATEs of a statement that names something the DDL itself does not define.
_UNDEFINED = {"42P01", "42704", "42883", "3F000", "42703"}


def _parse(ddl: str, what: str) -> list[SQLStatement]:
    try:
        return parse(ddl)
    except SQLParseError as exc:
        raise DraftInputError(f"The {what} does not parse: {exc.pglast_text()}") from exc


async def _load(dsn: str, ddl: str, what: str, *, partial: bool = False,
                support: tuple[list[str], list[str]] | None = None) -> list[str]:  # fmt: skip
    """Load `ddl` into a scratch database; with `support` (statements of the current schema to run before
    and after the target, see `dbarchitect.core.diff.support`) those run first, and the ones that could not
    run before the target's objects existed run once more after them. Returns the support statements that
    still did not run."""
    before, late = support or ([], [])
    parsed = await cpu(_parse, ddl, what)
    statements = [st.sql for st in parsed]
    left: list[str] = []
    settings = [st for st in before if st.startswith(("SET ", "SELECT pg_catalog.set_config("))]

    async def again(left: list[str]) -> list[str]:
        if not left:
            return left
        async with await Connection.connect(dsn, autocommit=True) as conn:
            for st in settings:  # the session pg_dump's statements expect (search_path, check_function_bodies)
                try:
                    await conn.execute(st)
                except psycopg.errors.UndefinedObject:
                    pass  # a newer pg_dump's setting an older server does not have (transaction_timeout below 17)
            return await _run_tolerant(conn, left)

    if before:
        left = await again(before)
    # the target's tables first, then what the current schema hangs under them (partitions attach before the
    # target's ALTERs change the parent), then its partitioned tables' own indexes (ON ONLY: the partitions'
    # indexes attach to them before a new index could adopt them), then the rest of the target
    first = [n for n, st in enumerate(parsed) if support and st.kind == "CreateStmt"]
    only = [n for n, st in enumerate(parsed) if support and st.kind == "IndexStmt" and not st.node.relation.inh]
    rest = [n for n in range(len(parsed)) if n not in set(first) | set(only)]
    failed = None
    waiting: list[tuple[int, str]] = []  # what an earlier phase could not run yet: tried again in the next
    async with await Connection.connect(dsn, autocommit=True) as conn:
        for part in [p for p in (first, only, rest) if p]:
            failed, deferred = await _run_deferring(conn, waiting + [(n + 1, statements[n]) for n in part])
            if failed is not None:
                break
            waiting = [(n, stmt) for n, stmt, _ in deferred]
            left = await again(left)
        if failed is None and waiting:
            failed, deferred = await _run_deferring(conn, waiting)
            failed = failed or (deferred[0] if deferred else None)
    if failed is None:
        return await again(left + late)
    n, stmt, exc = failed
    msg = (exc.diag.message_primary or str(exc)).strip()
    first = stmt.strip().splitlines()[0][:120]
    hint = ""
    if partial and exc.sqlstate in _UNDEFINED:
        hint = (" (with scope='objects' the target is loaded on the current schema's objects; this one is in "
                "neither: define it in the target)")
    raise DraftInputError(f"The {what} fails at statement {n} ({first}): {msg}{hint}") from exc


async def _run_tolerant(conn: psycopg.AsyncConnection, statements: list[str]) -> list[str]:
    """Run statements in one transaction, each under a savepoint, pass after pass while any succeeds;
    returns those that never ran (they depend on what is not there, or the scratch server lacks it)."""
    pending = statements
    while pending:
        failed: list[str] = []
        async with conn.transaction():
            for stmt in pending:
                try:
                    async with conn.transaction():
                        await conn.execute(stmt)
                except psycopg.Error:
                    failed.append(stmt)
        if len(failed) == len(pending):
            break
        pending = failed
    return pending


async def run_in_any_order(conn: psycopg.AsyncConnection, statements: list[str]) -> tuple[int, str, psycopg.Error] | None:
    """Run DDL statements (autocommit, one by one) in the order given, deferring each that names an object
    not defined yet (a foreign key to a table created further down) until the others ran, pass after pass
    while any statement succeeds. Returns None, or the first failure: (1-based number, statement, error)."""
    failed, deferred = await _run_deferring(conn, list(enumerate(statements, start=1)))
    return failed or (deferred[0] if deferred else None)


async def _run_deferring(conn: psycopg.AsyncConnection, pending: list[tuple[int, str]]
                         ) -> tuple[tuple[int, str, psycopg.Error] | None, list[tuple[int, str, psycopg.Error]]]:  # fmt: skip
    """run_in_any_order's passes over numbered statements: (the first error that is not about an undefined
    object, or None; the statements still waiting for an undefined object, with their errors)."""
    while pending:
        deferred: list[tuple[int, str, psycopg.Error]] = []
        for n, stmt in pending:
            try:
                await conn.execute(stmt)
            except psycopg.Error as exc:
                if exc.sqlstate not in _UNDEFINED:
                    return (n, stmt, exc), []
                deferred.append((n, stmt, exc))
        if len(deferred) == len(pending):  # no progress: it names something nothing here defines (yet)
            return None, deferred
        pending = [(n, stmt) for n, stmt, _ in deferred]
    return None, []


# --------------------------------------------------------------------------------------------
# Running steps on the shadow
# --------------------------------------------------------------------------------------------


async def apply_steps(dsn: str, steps: list[Step]) -> str | None:
    """Run the steps as a migration runner would; returns the first error (step id and message) or None."""
    async with await Connection.connect(dsn, autocommit=True) as conn:
        for step in steps:
            try:
                if step.transactional:
                    async with conn.transaction():
                        await conn.execute(f"SET LOCAL lock_timeout = '{step.lock_timeout}'")
                        await conn.execute(f"SET LOCAL statement_timeout = '{step.statement_timeout}'")
                        for stmt in step.statements:
                            await conn.execute(stmt)
                else:
                    await conn.execute(f"SET lock_timeout = '{step.lock_timeout}'")
                    await conn.execute(f"SET statement_timeout = '{step.statement_timeout}'")
                    for stmt in step.statements:
                        await conn.execute(stmt)
            except psycopg.Error as exc:
                msg = (exc.diag.message_primary or str(exc)).strip()
                return f"step {step.id} ({step.description}): {msg}"
    return None


def _compare(expected: CatalogFingerprint, actual: CatalogFingerprint) -> tuple[list[Difference], list[Difference]]:
    """Differences, and the tolerated ones (only a column's logical position differs)."""
    real, tolerated = [], []
    for d in expected.diff(actual):
        diff = Difference(key=d.key, change=d.change, before=d.before, after=d.after)
        if d.change == "changed" and d.key.startswith("column ") and _strip_position(d.before) == _strip_position(d.after):
            tolerated.append(diff)
        else:
            real.append(diff)
    return real, tolerated


def _strip_position(text: str | None) -> str:
    import re

    return re.sub(r"^position=\d+ ", "", text or "")


# --------------------------------------------------------------------------------------------
# Lint: predicted locks and findings per step
# --------------------------------------------------------------------------------------------


def _statement_map(steps: list[Step], dry_run: bool = False) -> tuple[str, list[int]]:
    """The script of the steps and, per statement (pglast numbering), the step it belongs to."""
    parts, owners = [], []
    for s in steps:
        text = render_step(s, dry_run=dry_run)
        parts.append(text)
        try:
            owners += [s.id] * len(parse(text))
        except SQLParseError:
            owners += [s.id]
    return "".join(parts), owners


def attach_lint(plan: MigrationPlan, context: LintContext | None) -> None:
    """Per step: the lint's predicted locks and rewrites, and its findings as hazards."""
    if not plan.steps:
        return
    sql, owners = _statement_map(plan.steps)
    report = lint(sql, context=context)
    by_id = {s.id: s for s in plan.steps}
    for pred in report.statements:
        if pred.index - 1 >= len(owners):
            continue
        step = by_id[owners[pred.index - 1]]
        for rel, mode in pred.locks.items():
            prev = step.lock_relations.get(rel)
            if prev is None or _rank(mode) > _rank(prev):
                step.lock_relations[rel] = mode
        for r in pred.rewrites:
            if r not in step.rewrites:
                step.rewrites.append(r)
    for step in plan.steps:
        if step.lock_relations:
            step.lock = max(step.lock_relations.values(), key=_rank)
    for f in report.findings:
        if f.statement is None or f.statement - 1 >= len(owners):
            continue
        step = by_id[owners[f.statement - 1]]
        sev = "error" if f.severity.value == "error" else "warning" if f.severity.value == "warning" else "info"
        h = Hazard(code=f.rule, severity=sev, message=f.message, object=f.object, step=step.id, source="lint",
                   rule=f.code)  # fmt: skip
        if not any(x.code == h.code and x.source == "lint" for x in step.hazards):
            step.hazards.append(h)
            plan.hazards.append(h)


def _rank(mode: str) -> int:
    from dbarchitect.core.migration.models import LOCK_RANK

    return LOCK_RANK.get(mode, -1)


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


async def draft_migration(
    target_ddl: str,
    *,
    dsn: str | None = None,
    from_ddl: str | None = None,
    renames: dict[str, str] | None = None,
    allow_data_loss: bool = False,
    online: bool = True,
    backfill: dict[str, str] | None = None,
    scope: Scope = DEFAULT_SCOPE,
    verify: bool = True,
    dry_run: bool = True,
    scratch: str | LocalCluster | ScratchHost | None = None,
    pool: ScratchPool | None = None,
    progress: Progress | None = None,
) -> DraftReport:
    """Draft the migration from the current schema (the live database at `dsn`, or `from_ddl`) to `target_ddl`.

    The live database is only read (catalog queries; pg_dump --schema-only for the shadow). Scratch
    databases live on `scratch` (a server conninfo, a LocalCluster, a ScratchHost) or, by default, on
    the database's own server when its role may CREATE DATABASE. `verify` runs the plan on a shadow
    (convergence, re-plan, round trip); `dry_run` adds the dry run's observed locks per step.
    `scope`: "objects" (default) compares only the objects the target defines -- its tables in full, and
    its views, functions, types, sequences, extensions and schemas -- and leaves everything else alone;
    "schema" takes the target as the whole schema, so what it omits is dropped (data-losing drops refused
    unless allow_data_loss). See `dbarchitect.core.diff.scope`.
    `progress(done, total, message)` hears of each phase (a stable total of DRAFT_PHASES).
    Raises DraftInputError when a DDL text does not load, DryRunUnavailable when no scratch place exists.
    """
    if (dsn is None) == (from_ddl is None):
        raise ValueError("give exactly one of dsn (the live database) or from_ddl (the current schema as DDL)")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    own_pool = pool is None
    if pool is None:
        host = await resolve_scratch(dsn, scratch)
        pool = ScratchPool(host)
    try:
        return await _draft(pool, target_ddl, dsn, from_ddl, renames or {}, allow_data_loss, online, backfill or {},
                            verify, dry_run, scope, _phases(progress))  # fmt: skip
    finally:
        if own_pool:
            await pool.close()


async def _draft(pool: ScratchPool, target_ddl: str, dsn: str | None, from_ddl: str | None, renames: dict[str, str],
                 allow_data_loss: bool, online: bool, backfill: dict[str, str], verify: bool,
                 dry_run: bool, scope: Scope, step: Callable[[str], Awaitable[None]] | None = None) -> DraftReport:  # fmt: skip
    notes: list[str] = []
    held: list[str] = []
    step = step or _phases(None)
    try:
        await step("loading the target DDL into a scratch database")
        target_dsn = await pool.acquire()
        held.append(target_dsn)
        current_ddl = from_ddl
        if from_ddl is not None:
            current_dsn = await pool.acquire()
            held.append(current_dsn)
            await _load(current_dsn, from_ddl, "from DDL")
        else:
            current_dsn = dsn
        cur_snap, cur_extras, cur_fp = await read_catalog(current_dsn)
        names: TargetNames | None = None
        if scope == "objects":
            # a partial target stands on the current schema's objects it references (sequences, types,
            # referenced tables, functions, extensions): they are loaded under it and compared as they are
            if current_ddl is None:
                current_ddl = await dump_schema(dsn, cur_snap.server_version_num // 10000)
            renamed = {k if "." in k else f"public.{k}" for k in renames}  # a renamed table is the target's
            renamed = {k for k in renamed if cur_snap.table(k) is not None}
            names, support = await cpu(_support, target_ddl, current_ddl, renamed)
            left = await _load(target_dsn, target_ddl, "target DDL", partial=True, support=support)
            if left:
                shown = "; ".join(st.strip().splitlines()[0][:100] for st in left[:3])
                notes.append(f"{len(left)} statement(s) of the current schema did not load under the target "
                             f"(what they define is compared as the target leaves it): {shown}"
                             f"{' ...' if len(left) > 3 else ''}")  # fmt: skip
        else:
            await _load(target_dsn, target_ddl, "target DDL")
        await step("reading both catalogs")
        tgt_snap, tgt_extras, tgt_fp = await read_catalog(target_dsn)
        alone: list[str] = []
        in_scope: FingerprintScope | None = None
        if scope == "objects":
            # the effective target: the current catalog with the target's objects in place
            defined = target_scope(cur_snap, tgt_snap, tgt_extras, renames, names)
            alone = left_alone(cur_snap, cur_extras, defined)
            in_scope = FingerprintScope(defined, cur_fp, tgt_fp)
            tgt_snap, tgt_extras = scoped_target(cur_snap, tgt_snap, cur_extras, tgt_extras, defined)
            tgt_fp = scoped_fingerprint(cur_fp, tgt_fp, in_scope)
            if alone:
                notes.append(f"scope=objects: {len(alone)} object(s) of the current schema the target does not "
                             f"mention are left as they are ({', '.join(alone[:5])}{', ...' if len(alone) > 5 else ''}); "
                             "pass scope='schema' to treat the target as the whole schema and drop them.")  # fmt: skip

        kwargs = dict(renames=renames, allow_data_loss=allow_data_loss, online=online, backfill=backfill)
        await step("planning the steps")
        draft = await cpu(plan_migration, cur_snap, tgt_snap, current_extras=cur_extras, target_extras=tgt_extras, **kwargs)
        context: LintContext | None = None
        if draft.steps:
            async with await Connection.connect(current_dsn, autocommit=True) as conn:
                context = await build_lint_context(conn, [s for st in draft.steps for s in st.statements
                                                          if not s.startswith("DO ")])  # fmt: skip
        plan = await cpu(plan_migration, cur_snap, tgt_snap, current_extras=cur_extras, target_extras=tgt_extras,
                              context=context, **kwargs)  # fmt: skip
        await cpu(attach_lint, plan, context)
        inverse = _invert_renames(renames, cur_snap)
        reached = keep_refused(tgt_snap, cur_snap, plan)
        down = await cpu(plan_migration, reached, cur_snap, current_extras=tgt_extras, target_extras=cur_extras,
                              renames=inverse, allow_data_loss=True, online=online)  # fmt: skip
        down_sql = render_script(down.steps, down.phases, "down migration")
        ver = Verification(scope=scope)
        await step("building the shadow of the current schema" if verify else "verification not asked for")
        if verify:
            t0 = time.perf_counter()
            if from_ddl is not None:
                shadow = current_dsn  # the scratch copy of the current schema is ours to change
            else:
                shadow = await pool.acquire()
                held.append(shadow)
                ddl = current_ddl or await dump_schema(dsn, cur_snap.server_version_num // 10000)
                skipped = await restore_schema(shadow, ddl)
                if skipped:
                    notes.append(f"the shadow could not restore {len(skipped)} statement(s): {skipped[:3]}")
            await step("applying the plan and its down migration to the shadow")
            await _verify(ver, shadow, plan, down, tgt_fp, cur_fp, tgt_snap, tgt_extras, kwargs, in_scope)
            ver.duration_ms = (time.perf_counter() - t0) * 1000
        else:
            await step("verification not asked for")
        await step("dry run: observing each step's locks" if dry_run and plan.steps else "no dry run")
        if dry_run and plan.steps:
            await _attach_dry_run(plan, ver, pool.host, dsn, from_ddl, context)
        await step("done")
        return DraftReport(up_sql=plan.up_sql, down_sql=down_sql, steps=plan.steps, down_steps=down.steps,
                           phases=plan.phases, hazards=plan.hazards, refused=plan.refused, patterns=plan.patterns,
                           verification=ver, current_source="from_ddl" if from_ddl is not None else "connection",
                           scope=scope, left_alone=alone, notes=notes)  # fmt: skip
    finally:
        for d in held:
            pool.release(d)


def _support(target_ddl: str, current_ddl: str, renamed: set[str]) -> tuple[TargetNames, tuple[list[str], list[str]]]:
    names = target_names(_parse(target_ddl, "target DDL"))
    own = TargetNames(created=names.created | {("relation", k) for k in renamed}, touched=names.touched)
    return names, support_statements(_parse(current_ddl, "current schema"), own)


#: the phases draft_migration reports progress for (the total never changes within a call)
DRAFT_PHASES = 7


def _phases(progress: Progress | None) -> Callable[[str], Awaitable[None]]:
    done = 0

    async def step(message: str) -> None:
        nonlocal done
        done = DRAFT_PHASES if message == "done" else min(done + 1, DRAFT_PHASES - 1)
        if progress is not None:
            await progress(done, DRAFT_PHASES, message)

    return step


def _invert_renames(renames: dict[str, str], cur: SchemaSnapshot) -> dict[str, str]:
    out = {}
    for old, new in renames.items():
        parts = old.split(".")
        tkey = old if len(parts) == 2 else f"public.{old}" if len(parts) == 1 else None
        if tkey and cur.table(tkey) is not None and len(parts) <= 2 and "." not in new:
            out[f"{tkey.split('.')[0]}.{new}"] = parts[-1]
            continue
        table = ".".join(parts[:-1])
        out[f"{table}.{new}"] = parts[-1]
    return out


async def _verify(ver: Verification, shadow: str, plan: MigrationPlan, down: MigrationPlan,
                  tgt_fp: CatalogFingerprint, cur_fp: CatalogFingerprint, tgt_snap: SchemaSnapshot,
                  tgt_extras: CatalogExtras, kwargs: dict, in_scope: FingerprintScope | None = None) -> None:  # fmt: skip
    """`tgt_fp` is the catalog the plan must reach; with `in_scope` (scope=objects) it is the current catalog
    with the target's objects in place, and a difference outside the scope is an object the plan touched
    although the target does not mention it."""
    ver.ran = True
    err = await apply_steps(shadow, plan.steps)
    if err:
        ver.error = f"up: {err}"
        return
    ver.applied = True
    snap, extras, fp = await read_catalog(shadow)
    diffs, ver.tolerated = _compare(tgt_fp, fp)
    if in_scope is None:
        ver.convergence_differences = diffs
    else:
        ver.convergence_differences = [d for d in diffs if in_scope(d.key)]
        ver.out_of_scope_changes = [d for d in diffs if not in_scope(d.key)]
        ver.untouched = not ver.out_of_scope_changes
    ver.converged = not diffs
    again = await cpu(plan_migration, snap, tgt_snap, current_extras=extras, target_extras=tgt_extras,
                           **{**kwargs, "renames": {}})  # fmt: skip
    ver.replan_steps = [s.description for s in again.steps]
    ver.replan_empty = not again.steps
    err = await apply_steps(shadow, down.steps)
    if err:
        ver.error = f"down: {err}"
        return
    ver.down_applied = True
    _, _, fp_back = await read_catalog(shadow)
    diffs, tolerated = _compare(cur_fp, fp_back)
    ver.reversibility_differences = diffs
    ver.tolerated += tolerated
    ver.reversible = not diffs


async def _attach_dry_run(plan: MigrationPlan, ver: Verification, host: ScratchHost, dsn: str | None,
                          from_ddl: str | None, context: LintContext | None) -> None:  # fmt: skip
    from dbarchitect.live.postgres.dryrun import dry_run_migration

    sql, owners = _statement_map(plan.steps, dry_run=True)
    prediction = await cpu(lint, sql, context=context)
    report = await dry_run_migration(sql, target=dsn, schema_sql=from_ddl, scratch=host, prediction=prediction,
                                     assume_in_transaction=False)  # fmt: skip
    ver.dry_run_ok = report.ok
    ver.dry_run_findings = [f"{f.code} {f.message}" for f in report.findings]
    by_id = {s.id: s for s in plan.steps}
    for obs in report.statements:
        if obs.status == "transaction_control" or obs.index - 1 >= len(owners):
            continue
        step = by_id[owners[obs.index - 1]]
        if obs.kind == "VariableSetStmt":
            continue
        so = step.observed or StepObservation(status="ok")
        if obs.status != "ok":
            so.status = obs.status
            if obs.error:
                so.error = obs.error.message
        for lk in obs.locks:
            so.locks.append(ObservedLock(relation=lk.relation, mode=lk.strongest))
        so.rewritten += [r.relation for r in obs.rewritten]
        so.scanned += [s.table for s in obs.scanned]
        if obs.transactional is not None:
            so.transactional = obs.transactional if so.transactional is None else so.transactional and obs.transactional
        step.observed = so
    for c in report.comparisons:
        if c.statement - 1 < len(owners) and not c.agrees:
            step = by_id[owners[c.statement - 1]]
            if step.observed is not None:
                step.observed.agrees_with_prediction = False
    for s in plan.steps:
        if s.observed is not None and s.observed.agrees_with_prediction is None and s.observed.status == "ok":
            s.observed.agrees_with_prediction = True


CurrentSource = Literal["connection", "from_ddl"]
__all__ = ["DraftInputError", "ScratchPool", "apply_steps", "draft_migration", "read_extras"]
_ = psql
