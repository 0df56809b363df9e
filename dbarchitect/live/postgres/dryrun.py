"""dry_run_migration: run a migration on a disposable shadow of the target's schema and record what
PostgreSQL actually did, statement by statement.

The target is only ever read (pg_dump --schema-only and a few catalog SELECTs); the migration runs
in a scratch database (see `shadow.py`) that is dropped at the end -- also after an error, a
timeout or a cancellation (the drop is shielded and uses WITH (FORCE)).

How each quantity is observed, and why that way:

- Locks. Inside a transaction block a statement's relation locks are held until the transaction
  ends, so the runner reads `pg_locks WHERE pid = pg_backend_pid()` on its *own* backend right
  after the statement, before commit: exact, and no race with a second session. The difference
  from the set held before the statement is what the statement acquired; a lock the transaction
  already held cannot be seen again and is reported as `locks_already_held`.
  Statements that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...)
  commit internally and have released their locks by the time they return, so for them a second
  session polls the runner's `pg_locks` while the statement runs. To make that deterministic
  rather than lucky, a third "gate" session first holds ROW EXCLUSIVE on the relations the
  statement names and a snapshot: the statement takes its first locks and then waits for the gate
  (CONCURRENTLY waits for older transactions; a stronger request waits on the lock itself); the
  observer records what the runner holds and what it waits for, then releases the gate.
- Rewrites: `pg_class.relfilenode` of every pre-existing relation, before and after. An index that
  comes back under a new OID with its old name (REINDEX CONCURRENTLY, indexes rebuilt by ALTER TYPE)
  is matched by name: rewritten when its storage changed, untouched when PostgreSQL kept it.
- Scans: `seq_scan` deltas of `pg_stat_xact_user_tables`, read on the runner's backend inside the
  transaction (pending counters are not flushed while a transaction is open, so the delta is the
  statement's own). Outside a transaction: `pg_stat_user_tables`, with `pg_stat_force_next_flush()`
  before each read.
- Transactional: with the autocommit runner model every statement is first tried inside its own
  transaction; SQLSTATE 25001 ("cannot run inside a transaction block") rolls it back and runs the
  statement outside -- so this too is observed, not guessed. Inside the runner's transaction around
  the file (the transaction model), or a BEGIN ... COMMIT block written in the migration itself, the
  25001 stays an error and the migration stops there, as the real runner would.
- Synthetic rows (`shadow.seed_rows`): a few per table, satisfying NOT NULL, CHECK, UNIQUE, foreign
  keys, domains, enums and partition bounds; a column the target's `pg_stats.null_frac` shows NULLs
  in gets one NULL, so SET NOT NULL or a validation fails on the shadow where it would fail on the
  target. Row *counts* are tiny, so plan-dependent reads (a foreign key's validation query) may
  differ from production's plan; locks and rewrites do not depend on row counts.
- Server messages at client_min_messages=debug1 ("rewriting table", "verifying table", "existing
  constraints ... sufficient to prove") are kept per statement as supporting evidence.

Statements that would act beyond the shadow database are refused and reported, never run: roles,
databases, tablespaces, ALTER SYSTEM, subscriptions, COPY to/from server files or programs, LOAD,
CHECKPOINT, REASSIGN/DROP OWNED, two-phase commit. (A function called by the migration can still
reach outside -- dblink, pg_terminate_backend -- which no dry run can fence off; user mappings of
foreign servers are dropped in the shadow so foreign tables cannot reach their remote.)
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import anyio
import psycopg
from pglast import ast
from pglast.enums import TransactionStmtKind
from psycopg import errors as pge
from psycopg import sql as psql

from dbarchitect.core.migration.dryrun_models import (
    RELKIND_NAMES,
    DryRunReport,
    RelationLock,
    RelationRewrite,
    ReversibilityReport,
    ShadowInfo,
    StatementError,
    StatementObservation,
    TableScan,
    build_findings,
    compare_statement,
    diff_data,
    strongest,
)
from dbarchitect.core.migration.models import LOCK_RANK, MigrationReport, StatementPrediction
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.migration.runner import resolve as resolve_runner
from dbarchitect.core.sql.statements import SQLStatement
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.compat import flush_stats
from dbarchitect.live.postgres.errors import DatabaseError
from dbarchitect.live.postgres.fingerprint import catalog_fingerprint, data_fingerprint
from dbarchitect.live.postgres.shadow import (
    DryRunUnavailable,
    ScratchHost,
    create_shadow_db,
    drop_shadow_db,
    dump_schema,
    neutralize_foreign_servers,
    new_shadow_name,
    refresh_matviews,
    resolve_scratch,
    restore_schema,
    seed_rows,
)

ProgressCallback = Callable[[float, float | None, str], Awaitable[None]]

SESSION_SETTINGS = ("search_path", "TimeZone", "DateStyle", "IntervalStyle", "default_text_search_config")
MAX_NOTICES = 20

_REFUSED: dict[type, str] = {
    ast.CreateRoleStmt: "creates a role (cluster-wide)",
    ast.AlterRoleStmt: "alters a role (cluster-wide)",
    ast.AlterRoleSetStmt: "changes a role's settings (cluster-wide)",
    ast.DropRoleStmt: "drops a role (cluster-wide)",
    ast.GrantRoleStmt: "changes role membership (cluster-wide)",
    ast.CreatedbStmt: "creates a database",
    ast.DropdbStmt: "drops a database",
    ast.AlterDatabaseStmt: "alters a database",
    ast.AlterDatabaseSetStmt: "changes a database's settings",
    ast.AlterDatabaseRefreshCollStmt: "alters a database",
    ast.CreateTableSpaceStmt: "creates a tablespace (cluster-wide)",
    ast.DropTableSpaceStmt: "drops a tablespace (cluster-wide)",
    ast.AlterTableSpaceOptionsStmt: "alters a tablespace (cluster-wide)",
    ast.AlterSystemStmt: "changes the server configuration (ALTER SYSTEM)",
    ast.CreateSubscriptionStmt: "creates a subscription (connects to another server)",
    ast.AlterSubscriptionStmt: "alters a subscription (connects to another server)",
    ast.DropSubscriptionStmt: "drops a subscription (connects to another server)",
    ast.LoadStmt: "loads a shared library into the server",
    ast.CheckPointStmt: "forces a server-wide checkpoint",
    ast.ReassignOwnedStmt: "reassigns ownership of shared objects (cluster-wide)",
    ast.DropOwnedStmt: "drops privileges on shared objects (cluster-wide)",
}
_TWO_PHASE = {
    TransactionStmtKind.TRANS_STMT_PREPARE,
    TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED,
    TransactionStmtKind.TRANS_STMT_ROLLBACK_PREPARED,
}
_BEGIN = {TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START}
_COMMIT = {TransactionStmtKind.TRANS_STMT_COMMIT}
_ROLLBACK = {TransactionStmtKind.TRANS_STMT_ROLLBACK}

_USER_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
_RELATIONS_SQL = f"""
SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.relfilenode, i.indrelid
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f', 'i', 'I', 'S') AND {_USER_NS}
"""
_OBSERVE_SQL = (
    "SELECT relation, mode, granted FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database());"
    "SELECT relid, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables;" + _RELATIONS_SQL
)
_CUMULATIVE_STATS_SQL = "SELECT relid, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables"


@dataclass
class _Rel:
    name: str
    kind: str
    filenode: int
    table_oid: int | None


@dataclass
class _State:
    observations: list[StatementObservation] = field(default_factory=list)
    current: StatementObservation | None = None


def _statements(sql: str | ParsedMigration) -> tuple[SQLStatement, ...]:
    """The migration's statements, numbered from 1 as the lint numbers them (the same ParsedMigration)."""
    parsed = ParsedMigration.of(sql)
    if parsed.error is not None:
        raise DatabaseError(f"The migration does not parse: {parsed.error.pglast_text()}") from parsed.error
    return parsed.statements


def _refusal(node: ast.Node) -> str | None:
    for typ, why in _REFUSED.items():
        if isinstance(node, typ):
            return why
    if isinstance(node, ast.CopyStmt) and (node.filename or node.is_program):
        return "reads or writes a file or program on the database server (COPY with a file name or PROGRAM)"
    if isinstance(node, ast.TransactionStmt) and node.kind in _TWO_PHASE:
        return "uses two-phase commit"
    return None


def _named_relations(node: object, out: list[str]) -> list[str]:
    """Every relation name a statement mentions (RangeVars, and the objects of DROP/REINDEX)."""
    if isinstance(node, ast.RangeVar):
        out.append(".".join(psql.Identifier(p).as_string(None) for p in (node.schemaname, node.relname) if p))
    elif isinstance(node, ast.DropStmt):
        for obj in node.objects or ():
            if isinstance(obj, tuple) and all(isinstance(p, ast.String) for p in obj):
                out.append(".".join(psql.Identifier(p.sval).as_string(None) for p in obj))
    if isinstance(node, ast.Node):
        for attr in node:
            _named_relations(getattr(node, attr), out)
    elif isinstance(node, (tuple, list)):
        for item in node:
            _named_relations(item, out)
    return out


# --------------------------------------------------------------------------------------------
# Observation
# --------------------------------------------------------------------------------------------


class _Runner:
    """Runs statements on the shadow and observes them."""

    def __init__(self, conn: psycopg.AsyncConnection, dsn: str, baseline: dict[int, _Rel], assume_tx: bool,
                 statement_timeout_ms: int):  # fmt: skip
        self.conn = conn
        self.dsn = dsn
        self.baseline = baseline
        self.assume_tx = assume_tx
        self.statement_timeout_ms = statement_timeout_ms
        self.in_tx = False
        self.explicit = False  # inside a BEGIN ... COMMIT block written in the migration
        self.notices: list[str] | None = None
        self.pid = 0
        self.last_in_tx: StatementObservation | None = None
        conn.add_notice_handler(self._on_notice)

    def _on_notice(self, diag: psycopg.errors.Diagnostic) -> None:
        if self.notices is not None and len(self.notices) < MAX_NOTICES:
            self.notices.append(f"{diag.severity}: {diag.message_primary}")

    async def start(self) -> None:
        self.pid = (await (await self.conn.execute("SELECT pg_backend_pid()")).fetchone())[0]

    # -- reading state --------------------------------------------------------------------
    async def _observe(self) -> tuple[dict[int, set[str]], dict[int, tuple[int, int]], dict[int, _Rel]]:
        cur = await self.conn.execute(_OBSERVE_SQL)
        locks: dict[int, set[str]] = {}
        for rel, mode, granted in await cur.fetchall():
            if granted and mode in LOCK_RANK:
                locks.setdefault(rel, set()).add(mode)
        cur.nextset()
        stats = {r[0]: (r[1], r[2]) for r in await cur.fetchall()}
        cur.nextset()
        rels = {r[0]: _Rel(r[1], RELKIND_NAMES.get(r[2], r[2]), r[3], r[4]) for r in await cur.fetchall()}
        return locks, stats, rels

    async def relations(self) -> dict[int, _Rel]:
        rows = await (await self.conn.execute(_RELATIONS_SQL)).fetchall()
        return {r[0]: _Rel(r[1], RELKIND_NAMES.get(r[2], r[2]), r[3], r[4]) for r in rows}

    async def _cumulative_stats(self) -> dict[int, tuple[int, int]]:
        await flush_stats(self.conn)  # pg_stat_force_next_flush() on 15+, the collector's interval before
        rows = await (await self.conn.execute(_CUMULATIVE_STATS_SQL)).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def _fill(self, obs: StatementObservation, locks_before: dict[int, set[str]], locks_after: dict[int, set[str]],
              stats_before: dict, stats_after: dict, rels_before: dict[int, _Rel], rels_after: dict[int, _Rel],
              waited: dict[int, str] | None = None) -> None:  # fmt: skip
        for oid in sorted(set(locks_after) | set(waited or {})):
            base = self.baseline.get(oid)
            if base is None:
                continue
            new = sorted(locks_after.get(oid, set()) - locks_before.get(oid, set()), key=LOCK_RANK.__getitem__)
            held = locks_before.get(oid)
            if held:
                obs.locks_already_held[base.name] = sorted(held, key=LOCK_RANK.__getitem__)
            w = (waited or {}).get(oid)
            if new or w:
                obs.locks.append(RelationLock(
                    relation=base.name, kind=base.kind, modes=new, strongest=strongest(new + ([w] if w else [])) or "",
                    waited_for=w,
                ))  # fmt: skip
        # An index rebuilt under a new OID with its old name (REINDEX CONCURRENTLY, an ALTER TYPE that
        # rebuilds indexes) is the same index to the application: a rewrite when its storage changed,
        # nothing at all when PostgreSQL kept the storage (a binary-coercible type change).
        new_by_name = {(r.name, r.kind): oid for oid, r in rels_after.items() if oid not in rels_before}
        replaced: set[int] = set()
        for oid, before in rels_before.items():
            base = self.baseline.get(oid)
            after = rels_after.get(oid)
            if base is None:
                continue
            if after is None and (before.name, before.kind) in new_by_name:
                new_oid = new_by_name[(before.name, before.kind)]
                replaced.add(new_oid)
                after = rels_after[new_oid]
            if after is None:
                obs.dropped.append(f"{base.name} ({base.kind})")
            elif before.filenode and after.filenode and before.filenode != after.filenode:
                obs.rewritten.append(RelationRewrite(
                    relation=base.name, kind=base.kind, old_filenode=before.filenode, new_filenode=after.filenode,
                ))  # fmt: skip
        for oid, rel in rels_after.items():
            if oid not in rels_before and oid not in replaced:
                obs.created.append(f"{rel.name} ({rel.kind})")
        for oid, (seq, idx) in stats_after.items():
            base = self.baseline.get(oid)
            seq0, idx0 = stats_before.get(oid, (0, 0))
            if base is not None and (seq > seq0 or idx > idx0):
                obs.scanned.append(TableScan(table=base.name, seq_scans=seq - seq0, idx_scans=idx - idx0))

    # -- transactions ---------------------------------------------------------------------
    async def begin(self) -> None:
        await self.conn.execute("BEGIN")
        self.in_tx = True

    async def commit(self) -> StatementError | None:
        self.in_tx = self.explicit = False
        try:
            await self.conn.execute("COMMIT")
        except psycopg.Error as exc:
            return _error(exc, "commit")
        return None

    async def rollback(self) -> None:
        self.in_tx = self.explicit = False
        if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            await self.conn.execute("ROLLBACK")

    # -- one statement --------------------------------------------------------------------
    async def run(self, st: SQLStatement) -> StatementObservation:
        """Run one statement; returns its observation (status error stops the migration)."""
        obs = StatementObservation(index=st.index, line=st.line, sql=st.sql, kind=st.kind)
        if why := _refusal(st.node):
            obs.status = "refused"
            obs.error = StatementError(message=f"not run in a dry run: it {why}", phase="refused")
            return obs
        if isinstance(st.node, ast.TransactionStmt) and st.node.kind in _BEGIN | _COMMIT | _ROLLBACK:
            return await self._transaction_control(st, obs)
        autocommit = not self.in_tx
        if autocommit:
            await self.begin()
        locks0, stats0, rels0 = await self._observe()
        self.notices = obs.notices
        t0 = time.perf_counter()
        try:
            await self.conn.execute("SAVEPOINT dbarchitect_dry_run")
            await self.conn.execute(st.sql)
            await self.conn.execute("RELEASE SAVEPOINT dbarchitect_dry_run")
        except pge.ActiveSqlTransaction as exc:
            # Inside the migration's own BEGIN block, or the runner's transaction around the whole file,
            # PostgreSQL refuses it: so does the dry run -- the real migration stops here, it does not go on
            # outside the transaction.
            if self.explicit or not autocommit:
                obs.duration_ms = (time.perf_counter() - t0) * 1000
                self.notices = None
                obs.status = "error"
                obs.error = _error(exc, "execute")
                obs.ran_in_transaction = True
                obs.transactional = False
                if not self.explicit:
                    obs.notices.append(
                        "the runner wraps the whole file in one transaction, where PostgreSQL refuses this statement: "
                        "give it a migration of its own that runs without a transaction (e.g. a no-transaction "
                        "marker), or dry-run with runner=\"autocommit\"")
                await self.rollback()
                return obs
            obs.duration_ms = (time.perf_counter() - t0) * 1000
            self.notices = None
            await self.conn.execute("ROLLBACK TO SAVEPOINT dbarchitect_dry_run")
            if error := await self.commit():  # what came before in this transaction
                return self._failed_before(obs, error)
            obs.notices.clear()
            await self._run_outside(st, obs)  # autocommit: PostgreSQL runs it on its own, so do we
            return obs
        except psycopg.Error as exc:
            obs.duration_ms = (time.perf_counter() - t0) * 1000
            self.notices = None
            obs.status = "error"
            obs.error = _error(exc, "execute", self.statement_timeout_ms)
            obs.ran_in_transaction = True
            await self.rollback()
            return obs
        obs.duration_ms = (time.perf_counter() - t0) * 1000
        self.notices = None
        try:
            locks1, stats1, rels1 = await self._observe()
        except psycopg.Error as exc:  # e.g. the statement set a statement_timeout too short for anything
            obs.status = "error"
            obs.error = _error(exc, "execute", self.statement_timeout_ms)
            obs.error.message = f"the statement ran, but observing it failed: {obs.error.message}"
            await self.rollback()
            return obs
        obs.ran_in_transaction = True
        obs.transactional = True
        obs.lock_observation = "exact"
        self._fill(obs, locks0, locks1, stats0, stats1, rels0, rels1)
        if autocommit:
            if error := await self.commit():
                obs.status = "error"
                obs.error = error
        else:
            self.last_in_tx = obs
        return obs

    def _failed_before(self, obs: StatementObservation, error: StatementError) -> StatementObservation:
        target = self.last_in_tx or obs
        target.status = "error"
        target.error = error
        obs.status = "not_run" if target is not obs else "error"
        return obs

    async def _transaction_control(self, st: SQLStatement, obs: StatementObservation) -> StatementObservation:
        obs.status = "transaction_control"
        kind = st.node.kind
        if kind in _BEGIN:
            if self.in_tx:
                obs.notices.append("WARNING: there is already a transaction in progress")
            else:
                await self.begin()
                self.explicit = True
        elif kind in _COMMIT:
            if self.in_tx:
                if error := await self.commit():
                    return self._failed_before(obs, error)
            else:
                obs.notices.append("WARNING: there is no transaction in progress")
            self.last_in_tx = None
        else:
            await self.rollback()
            self.last_in_tx = None
        return obs

    async def _run_outside(self, st: SQLStatement, obs: StatementObservation) -> None:
        """A statement PostgreSQL refused in a transaction block: run it in autocommit, observed from outside."""
        obs.transactional = False
        obs.ran_in_transaction = False
        obs.lock_observation = "sampled"
        rels0 = await self.relations()
        stats0 = await self._cumulative_stats()
        gate_rels = await self._resolve(_named_relations(st.node, []))
        seen: dict[int, set[str]] = {}
        waited: dict[int, str] = {}
        done = anyio.Event()
        result: dict[str, object] = {}

        async def execute() -> None:
            self.notices = obs.notices
            t0 = time.perf_counter()
            try:
                await self.conn.execute(st.sql)
            except psycopg.Error as exc:
                result["error"] = exc
            finally:
                obs.duration_ms = (time.perf_counter() - t0) * 1000
                self.notices = None
                done.set()

        async with await Connection.connect(self.dsn, autocommit=True) as watcher, \
                await Connection.connect(self.dsn, autocommit=True) as gate:  # fmt: skip
            gated = await _close_gate(gate, gate_rels)
            async with anyio.create_task_group() as tg:
                tg.start_soon(execute)
                t_start = time.monotonic()
                while True:
                    rows = await (await watcher.execute(
                        "SELECT locktype, relation, mode, granted FROM pg_locks WHERE pid = %s", (self.pid,)
                    )).fetchall()  # fmt: skip
                    waiting = False
                    for locktype, rel, mode, granted in rows:
                        if not granted:
                            waiting = True
                        if locktype == "relation" and rel is not None and mode in LOCK_RANK:
                            if granted:
                                seen.setdefault(rel, set()).add(mode)
                            else:
                                waited[rel] = mode
                    if gated and (waiting or time.monotonic() - t_start > 1.0):
                        await gate.execute("ROLLBACK")
                        gated = False
                    if done.is_set():
                        break
                    await anyio.sleep(0.003)
            if gated:
                await gate.execute("ROLLBACK")
        exc = result.get("error")
        if isinstance(exc, psycopg.Error):
            obs.status = "error"
            obs.error = _error(exc, "execute", self.statement_timeout_ms)
            return
        rels1 = await self.relations()
        stats1 = await self._cumulative_stats()
        self._fill(obs, {}, seen, stats0, stats1, rels0, rels1, waited)

    async def _resolve(self, names: list[str]) -> list[str]:
        """Tables (quoted, qualified) behind the names a statement mentions; an index stands for its table."""
        out: list[str] = []
        for name in names:
            row = await (await self.conn.execute(
                "SELECT coalesce(i.indrelid, c.oid)::regclass::text, coalesce(t.relkind, c.relkind) "
                "FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE c.oid = to_regclass(%s)", (name,),
            )).fetchone()  # fmt: skip
            if row and row[1] in ("r", "p") and row[0] not in out:
                out.append(row[0])
        return out


async def _close_gate(gate: psycopg.AsyncConnection, tables: list[str]) -> bool:
    """Hold ROW EXCLUSIVE and a snapshot on the tables, so the statement waits once it holds its first locks.
    False (observation by sampling only) when there is nothing to hold or the gate cannot be closed."""
    if not tables:
        return False
    try:
        await gate.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        await gate.execute("SELECT 1")
        for t in tables:
            await gate.execute(f"LOCK TABLE {t} IN ROW EXCLUSIVE MODE NOWAIT")
    except psycopg.Error:
        await gate.execute("ROLLBACK")
        return False
    return True


def _error(exc: psycopg.Error, phase: str, statement_timeout_ms: int = 0) -> StatementError:
    diag = exc.diag
    msg = (diag.message_primary or str(exc)).strip()
    if isinstance(exc, pge.QueryCanceled) and "statement timeout" in msg:
        phase = "timeout"
        msg = f"{msg} (statement_timeout {statement_timeout_ms / 1000:g} s on the shadow)"
    return StatementError(sqlstate=diag.sqlstate, message=msg, detail=diag.message_detail,
                          hint=diag.message_hint, phase=phase)  # fmt: skip


async def _run_all(runner: _Runner, stmts: Sequence[SQLStatement], state: _State, step: Callable[[str], Awaitable[None]],
                   continue_on_error: bool = False) -> bool:  # fmt: skip
    """Run statements in order; stop at the first error unless `continue_on_error` (then, like psql without
    ON_ERROR_STOP, a failed statement inside a BEGIN block dooms the rest of that block). True when all ran."""
    if runner.assume_tx:
        await runner.begin()
    ok = True
    stopped = skip_block = False
    for st in stmts:
        state.current = StatementObservation(index=st.index, line=st.line, sql=st.sql, kind=st.kind, status="not_run")
        state.observations.append(state.current)
        ends_block = isinstance(st.node, ast.TransactionStmt) and st.node.kind in _COMMIT | _ROLLBACK
        if stopped or (skip_block and not ends_block):
            continue
        if skip_block:
            skip_block = False
            state.current.status = "transaction_control"
            state.current.notices.append("the transaction had failed: this ends it with a rollback")
            continue
        await step(f"statement {st.index}: {st.kind}")
        in_block = runner.explicit
        obs = await runner.run(st)
        state.observations[-1] = obs
        state.current = obs
        if any(o.status == "error" for o in state.observations) and ok:
            ok = False
            await runner.rollback()
        if not ok and (not continue_on_error or runner.assume_tx):
            stopped = True
        elif obs.status == "error":
            await runner.rollback()
            skip_block = in_block
    state.current = None
    if runner.in_tx and not stopped:
        if error := await runner.commit():
            failed = runner.last_in_tx or state.observations[-1]
            failed.status = "error"
            failed.error = error
            ok = False
    return ok


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


@dataclass
class _TargetInfo:
    version_num: int
    version: str
    like: dict[str, str]
    settings: dict[str, str]
    populated_matviews: list[str]
    null_columns: list[str]


async def _read_target(target: str) -> _TargetInfo:
    """Catalog reads on the target, in a READ ONLY transaction."""
    async with await Connection.connect(target, autocommit=True) as conn:
        await conn.execute("BEGIN READ ONLY")
        row = await (await conn.execute(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version'), "
            "pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()"
        )).fetchone()  # fmt: skip
        cur = await conn.execute("SELECT name, current_setting(name) FROM unnest(%s::text[]) name", (list(SESSION_SETTINGS),))
        settings = dict(await cur.fetchall())
        mvs = await (await conn.execute(
            f"SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE c.relkind = 'm' AND c.relispopulated AND {_USER_NS}"
        )).fetchall()  # fmt: skip
        nulls = await (await conn.execute(
            "SELECT DISTINCT schemaname || '.' || tablename || '.' || attname FROM pg_stats "
            "WHERE null_frac > 0 AND schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )).fetchall()  # fmt: skip
        await conn.execute("ROLLBACK")
    return _TargetInfo(row[0], row[1], {"encoding": row[2], "collate": row[3], "ctype": row[4]}, settings,
                       [m[0] for m in mvs], [r[0] for r in nulls])  # fmt: skip


def _predictions(prediction: MigrationReport | Sequence[StatementPrediction] | None) -> list[StatementPrediction]:
    if prediction is None:
        return []
    if isinstance(prediction, MigrationReport):
        return list(prediction.statements)
    return list(prediction)


async def dry_run_migration(
    sql: str | ParsedMigration,
    *,
    down_sql: str | None = None,
    target: str | None = None,
    schema_sql: str | None = None,
    scratch: str | LocalCluster | ScratchHost | None = None,
    prediction: MigrationReport | Sequence[StatementPrediction] | None = None,
    assume_in_transaction: bool | None = None,
    runner: str | None = None,
    session_settings: dict[str, str] | None = None,
    continue_on_error: bool = False,
    rows_per_table: int = 3,
    statement_timeout_s: float = 60.0,
    timeout_s: float = 600.0,
    progress: ProgressCallback | None = None,
) -> DryRunReport:
    """Run `sql` (then `down_sql`) on a shadow of the target's schema and report what PostgreSQL did.

    target: conninfo of the database whose schema is copied (only read). schema_sql: build the
    shadow from this DDL instead (then target may be None). scratch: where the shadow lives -- a
    scratch server conninfo, a LocalCluster, or None for the target's own server (needs CREATEDB).
    prediction: the lint's report; each statement is compared aspect by aspect.
    runner: "transaction" (the runner wraps the file in one; statements PostgreSQL refuses in a transaction
    still run, outside it) or "autocommit" (each statement in its own); by default the lint's model
    (core/migration/runner.py: the file's marker or BEGIN/COMMIT, else a transaction). assume_in_transaction
    is its older boolean spelling.
    continue_on_error: with assume_in_transaction=False, go on after a failed statement (as psql
    without ON_ERROR_STOP does) instead of stopping there.
    `sql` may be the ParsedMigration the lint used (its statements are not parsed again).
    Raises DryRunUnavailable / DatabaseError (SQL that does not parse) for conditions the caller must
    fix; everything that happens on the shadow is in the report.
    """
    t_start = time.perf_counter()
    model = resolve_runner(ParsedMigration.of(sql), runner, assume_in_transaction)
    assume_in_transaction = model.in_transaction
    runner_reason = model.reason
    if isinstance(prediction, MigrationReport) and prediction.runner == model.kind and prediction.runner_reason:
        runner_reason = prediction.runner_reason  # the lint's model, passed on: say why the lint chose it
    up = _statements(sql)
    down = _statements(down_sql) if down_sql else ()
    total = 5 + len(up) + (2 + len(down) if down else 0)
    done_steps = 0

    async def step(message: str) -> None:
        nonlocal done_steps
        done_steps = total if message == "done" else min(done_steps + 1, total - 1)
        if progress is not None:
            await progress(done_steps, total, message)

    tinfo = await _read_target(target) if target else None
    host = await resolve_scratch(target, scratch)
    await step("reading the target's schema" if target and schema_sql is None else "preparing the schema")
    source = "schema_sql" if schema_sql is not None else "pg_dump" if target else "empty"
    ddl = schema_sql if schema_sql is not None else await dump_schema(target, tinfo.version_num // 10000) if target else ""
    name = new_shadow_name()
    shadow = ShadowInfo(host=host.kind, database=name, source=source,
                        target_server_version=tinfo.version if tinfo else None)  # fmt: skip
    report = DryRunReport(ok=False, shadow=shadow, assume_in_transaction=assume_in_transaction,
                          runner=model.kind, runner_reason=runner_reason, predicted=prediction is not None)  # fmt: skip
    state = _State()
    down_state = _State()
    try:
        with anyio.move_on_after(timeout_s) as scope:
            await _dry_run(report, host, name, ddl, tinfo, session_settings, rows_per_table, statement_timeout_s,
                           up, down, assume_in_transaction, continue_on_error, state, down_state, step)  # fmt: skip
        if scope.cancelled_caught:
            report.timed_out = True
            for obs in state.observations + down_state.observations:
                if obs is (state.current or down_state.current):
                    obs.status = "error"
                    obs.error = StatementError(message=f"the dry run's time limit of {timeout_s:g} s ran out",
                                               phase="timeout")  # fmt: skip
    finally:
        with anyio.CancelScope(shield=True), anyio.move_on_after(60):
            shadow.dropped = await drop_shadow_db(host, name)
    report.statements = state.observations
    _fill_unrun(report.statements, up)
    if report.reversibility is not None:
        report.reversibility.down = down_state.observations
    preds = _predictions(prediction)
    if preds:
        for obs in report.statements:
            pred = next((p for p in preds if p.index == obs.index), None)
            if pred is not None:
                report.comparisons.extend(compare_statement(pred, obs, report.index_tables))
        report.disagreements = [c for c in report.comparisons if not c.agrees]
    up_ok = all(o.status in ("ok", "transaction_control") for o in report.statements)
    rev_ok = report.reversibility is None or report.reversibility.reversible
    report.ok = up_ok and rev_ok and not report.timed_out
    report.findings = build_findings(report)
    report.duration_ms = (time.perf_counter() - t_start) * 1000
    await step("done")
    return report


def _fill_unrun(observations: list[StatementObservation], stmts: Sequence[SQLStatement]) -> None:
    seen = {o.index for o in observations}
    for st in stmts:
        if st.index not in seen:
            observations.append(StatementObservation(index=st.index, line=st.line, sql=st.sql, kind=st.kind,
                                                     status="not_run"))  # fmt: skip
    observations.sort(key=lambda o: o.index)


async def _dry_run(report: DryRunReport, host: ScratchHost, name: str, ddl: str, tinfo: _TargetInfo | None,
                   session_settings: dict[str, str] | None, rows_per_table: int, statement_timeout_s: float,
                   up: Sequence[SQLStatement], down: Sequence[SQLStatement], assume_tx: bool,
                   continue_on_error: bool, state: _State, down_state: _State,
                   step: Callable[[str], Awaitable[None]]) -> None:  # fmt: skip
    shadow = report.shadow
    t0 = time.perf_counter()
    await step("creating the shadow database")
    await create_shadow_db(host, name, tinfo.like if tinfo else None)
    dsn = host.dsn(name)
    await step("restoring the schema")
    if ddl.strip():
        shadow.skipped_objects = await restore_schema(dsn, ddl)
    settings = dict(tinfo.settings) if tinfo else {}
    settings.update(session_settings or {})
    shadow.session_settings = settings
    await step("adding synthetic rows")
    async with await Connection.connect(dsn, autocommit=True) as conn:
        await neutralize_foreign_servers(conn)
        nulls = tinfo.null_columns if tinfo else []
        shadow.rows_seeded, shadow.unseeded_tables = await seed_rows(conn, rows_per_table, nulls)
        shadow.nulls_from_statistics = nulls
        await refresh_matviews(conn, tinfo.populated_matviews if tinfo else None)
        row = await (await conn.execute("SELECT current_setting('server_version'), "
                                        "current_setting('server_version_num')::int")).fetchone()  # fmt: skip
        shadow.server_version = row[0]
        if tinfo and row[1] // 10000 != tinfo.version_num // 10000:
            shadow.notes.append(
                f"the shadow runs PostgreSQL {row[0]} but the target runs {tinfo.version}: locks and rewrites are "
                "those of the shadow's version; use a scratch server of the target's major version"
            )
        cur = await conn.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 f"WHERE c.relkind IN ('r', 'p') AND {_USER_NS}")  # fmt: skip
        shadow.tables = (await cur.fetchone())[0]
    if tinfo is None and ddl.strip():
        shadow.notes.append("the schema came from DDL, not from a database: no statistics, so no NULLs were seeded")
    shadow.build_ms = (time.perf_counter() - t0) * 1000

    async with await Connection.connect(dsn, autocommit=True) as conn:
        for key, value in settings.items():
            await conn.execute("SELECT set_config(%s, %s, false)", (key, value))
        timeout_ms = int(statement_timeout_s * 1000)
        await conn.execute("SELECT set_config('statement_timeout', %s, false)", (str(timeout_ms),))
        await conn.execute("SET client_min_messages = debug1")
        if down:
            fp_before, data_before = await _fingerprints(dsn, settings)
        baseline = await _Runner(conn, dsn, {}, assume_tx, timeout_ms).relations()
        report.index_tables = {
            rel.name: baseline[rel.table_oid].name for rel in baseline.values()
            if rel.table_oid is not None and rel.table_oid in baseline
        }
        runner = _Runner(conn, dsn, baseline, assume_tx, timeout_ms)
        await runner.start()
        up_ok = await _run_all(runner, up, state, step, continue_on_error)
        if not down:
            return
        rev = ReversibilityReport(reversible=False)
        report.reversibility = rev
        if not up_ok:
            rev.checked = False
            rev.reason = "the up migration failed, so the down migration was not tried"
            return
        await step("fingerprinting after the up migration")
        fp_up, _ = await _fingerprints(dsn, settings, data=False)
        rev.up_changed = len(fp_before.diff(fp_up))
        down_runner = _Runner(conn, dsn, await runner.relations(), assume_tx, timeout_ms)
        down_runner.pid = runner.pid
        down_ok = await _run_all(down_runner, down, down_state, step)
        if not down_ok:
            rev.checked = False
            rev.reason = "the down migration failed"
            return
        await step("comparing the schema with the original")
        fp_after, data_after = await _fingerprints(dsn, settings)
        rev.differences = fp_before.diff(fp_after)
        rev.data_differences = diff_data(data_before, data_after)
        rev.reversible = not rev.differences


async def _fingerprints(dsn: str, settings: dict[str, str], data: bool = True) -> tuple:
    """Catalog (and data) fingerprint on a fresh session with the same settings, so that texts that depend
    on search_path (pg_get_constraintdef, regclass) are rendered the same way every time."""
    async with await Connection.connect(dsn, autocommit=True) as conn:
        for key, value in settings.items():
            await conn.execute("SELECT set_config(%s, %s, false)", (key, value))
        fp = await catalog_fingerprint(conn)
        return fp, (await data_fingerprint(conn) if data else {})
