"""Ground truth for the migration corpus, observed on a real PostgreSQL: run the migration on a database
holding the case's schema and rows, the way its runner would, and record what happened.

Labels (per case, a set):
- `fails`:         a statement raised an error (by itself, on the data, or inside the runner's transaction)
- `rewrite`:       a table that existed before got a new relfilenode (its heap was copied)
- `blocks_reads`:  a pre-existing table was held under ACCESS EXCLUSIVE while a pre-existing table was
                   scanned or rewritten (the lock outlasts an instant catalog change)
- `blocks_writes`: a pre-existing table was held under a lock that blocks writes (SHARE or stronger)
                   while a pre-existing table was scanned or rewritten (includes blocks_reads)
Locks are read from pg_locks in the migrating session before each COMMIT; scans from pg_stat_xact_user_tables
(seq_scan + idx_scan growth); rewrites from pg_class.relfilenode. A statement PostgreSQL refuses in a transaction
block (VACUUM FULL, CONCURRENTLY) runs in autocommit while a second session watches its pg_locks and a third
holds ACCESS SHARE on every pre-existing table plus a snapshot, so that its strong lock request (or its wait for
older transactions) is seen, not raced; the gate is released as soon as the statement waits, or after 1 s.
Nothing here reads dbarchitect.
"""

from __future__ import annotations

import threading
import time

import psycopg
from pglast import parser

LABELS = ("fails", "rewrite", "blocks_reads", "blocks_writes")
_RANK = {"AccessShareLock": 1, "RowShareLock": 2, "RowExclusiveLock": 3, "ShareUpdateExclusiveLock": 4,
         "ShareLock": 5, "ShareRowExclusiveLock": 6, "ExclusiveLock": 7, "AccessExclusiveLock": 8}

_TABLES = """SELECT c.oid::int, n.nspname || '.' || c.relname, c.relfilenode::int, c.relkind::text FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%'"""
_LOCKS = """SELECT relation::int, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
            AND granted"""
_SCANS = """SELECT relid::int, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"""


def split(sql: str) -> list[str]:
    return [sql[s.start:s.stop].strip() for s in parser.split(sql, with_parser=False, only_slices=True)
            if sql[s.start:s.stop].strip()]


def _is(stmt: str, *words: str) -> bool:
    head = " ".join(stmt.split()[: len(words)]).upper()
    return head == " ".join(words)


def _outside(conn: psycopg.Connection, dsn: str, stmt: str, tables: list[str]) -> list[tuple[int, str]]:
    """Run `stmt` in autocommit on `conn`; return the relation locks its backend held or waited for meanwhile."""
    pid = conn.info.backend_pid
    seen: set[tuple[int, str]] = set()
    done = threading.Event()
    error: list[BaseException] = []

    def run() -> None:
        try:
            conn.execute(stmt)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(exc)
        finally:
            done.set()

    with psycopg.connect(dsn, autocommit=True) as gate, psycopg.connect(dsn, autocommit=True) as watch:
        gate.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        gate.execute("SELECT 1")  # a snapshot: CONCURRENTLY waits for it
        live = gate.execute("SELECT n FROM unnest(%s::text[]) n WHERE to_regclass(n) IS NOT NULL", (tables,)).fetchall()
        for (name,) in live:
            schema, rel = name.split(".", 1)
            gate.execute(f'SELECT FROM "{schema}"."{rel}" LIMIT 0')  # ACCESS SHARE (LOCK TABLE refuses matviews)
        gated, t0 = True, time.monotonic()
        worker = threading.Thread(target=run)
        worker.start()
        while True:
            rows = watch.execute("SELECT relation::int, mode, granted FROM pg_locks WHERE pid = %s", (pid,)).fetchall()
            waiting = any(not g for _r, _m, g in rows)
            seen.update((r, m) for r, m, _g in rows if r is not None)
            if gated and (waiting or time.monotonic() - t0 > 1.0):
                gate.execute("ROLLBACK")
                gated = False
            if done.is_set():
                break
            time.sleep(0.002)
        worker.join()
        if gated:
            gate.execute("ROLLBACK")
    if error:
        raise error[0]
    return sorted(seen)


def observe(dsn: str, sql: str, runner: str) -> tuple[set[str], list[str]]:
    """Run `sql` on the database `dsn` (it is changed: give it a copy) as `runner` ("transaction": one
    transaction around the file unless it controls its own; "autocommit": statement by statement) and
    return (labels, notes)."""
    labels: set[str] = set()
    notes: list[str] = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(_TABLES).fetchall()
        before = {oid: (name, node) for oid, name, node, _k in rows}
        # nothing writes to a materialized view but REFRESH: a lock on one that lets reads through blocks no one
        matviews = {oid for oid, _n, _f, kind in rows if kind == "m"}
        conn.execute("SET lock_timeout = '5s'")
        conn.execute("SET statement_timeout = '60s'")
        in_tx = False
        if runner == "transaction":
            conn.execute("BEGIN")
            in_tx = True
        held: dict[int, int] = {}  # pre-existing table -> strongest lock rank held in this transaction
        long_work = False
        for stmt in split(sql):
            if _is(stmt, "BEGIN") or _is(stmt, "START", "TRANSACTION"):
                if not in_tx:
                    conn.execute("BEGIN")
                    in_tx = True
                continue
            if _is(stmt, "COMMIT") or _is(stmt, "END") or _is(stmt, "ROLLBACK"):
                if in_tx:
                    conn.execute(stmt)
                    in_tx = False
                held, long_work = {}, False
                continue
            autocommit_stmt = not in_tx
            if autocommit_stmt:
                scans0 = {}
            else:
                scans0 = dict(conn.execute(_SCANS).fetchall())
            nodes0 = {oid: node for oid, _n, node, _k in conn.execute(_TABLES).fetchall()}
            try:
                if autocommit_stmt:
                    # in its own transaction, observed from inside when PostgreSQL allows a transaction block
                    try:
                        conn.execute("BEGIN")
                        conn.execute(stmt)
                        locks = conn.execute(_LOCKS).fetchall()
                        scans1 = dict(conn.execute(_SCANS).fetchall())
                        conn.execute("COMMIT")
                    except psycopg.errors.ActiveSqlTransaction:
                        conn.execute("ROLLBACK")
                        # CONCURRENTLY & co: outside a transaction, locks watched from a second session
                        names = [n for _o, (n, _f) in sorted(before.items())]
                        locks, scans1 = _outside(conn, dsn, stmt, names), {}
                else:
                    conn.execute(stmt)
                    locks = conn.execute(_LOCKS).fetchall()
                    scans1 = dict(conn.execute(_SCANS).fetchall())
            except psycopg.Error as exc:
                labels.add("fails")
                notes.append(f"{stmt[:60]}: {exc.diag.message_primary}")
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                break
            nodes1 = {oid: node for oid, _n, node, _k in conn.execute(_TABLES).fetchall()}
            rewritten = {oid for oid in before if oid in nodes0 and oid in nodes1 and nodes0[oid] != nodes1[oid]}
            if rewritten:
                labels.add("rewrite")
            scanned = {oid for oid, n in scans1.items() if oid in before and n > scans0.get(oid, 0)}
            if rewritten or scanned:
                long_work = True
            for oid, mode in locks:
                if oid in before and not (oid in matviews and _RANK.get(mode, 0) < _RANK["AccessExclusiveLock"]):
                    held[oid] = max(held.get(oid, 0), _RANK.get(mode, 0))
            if long_work and held:
                top = max(held.values())
                if top >= _RANK["AccessExclusiveLock"]:
                    labels.add("blocks_reads")
                if top >= _RANK["ShareLock"]:
                    labels.add("blocks_writes")
            if autocommit_stmt:
                held, long_work = {}, False
        if in_tx and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                conn.execute("COMMIT")
            except psycopg.Error as exc:
                labels.add("fails")
                notes.append(f"COMMIT: {exc.diag.message_primary}")
    return labels, notes
