"""dry_run_migration on MySQL/MariaDB: a scratch database on the same server, the migration run there,
what the server did observed, the scratch database dropped — always, also on error or cancel.

1. `CREATE DATABASE dbarchitect_dry_<epoch>_<pid>_<host>_<random>` (the name is the owner record: a
   sweep drops it when its process is gone or it is over an hour old). Without the CREATE privilege:
   one error naming the grant.
2. Every table the migration names, and the tables linked to them by foreign keys, is created there
   from `SHOW CREATE TABLE`, then filled with up to SAMPLE_ROWS of its rows (INSERT … SELECT … LIMIT,
   read from the target, generated columns left out) and the parent rows those reference.
3. Each statement runs on the scratch database, qualified names of the target rewritten to it, and a
   statement naming any other database is refused. An ALTER without its own ALGORITHM/LOCK is first
   offered ALGORITHM=INSTANT, NOCOPY (MariaDB), INPLACE with LOCK=NONE, SHARED, EXCLUSIVE: the first the
   server accepts is the observed algorithm and lock (a refusal changes nothing); if none, it runs as
   written. A rebuild is seen as a new InnoDB table id (information_schema INNODB_TABLES on MySQL,
   INNODB_SYS_TABLES on MariaDB), a copy also as rows affected. The first error stops the run, as it
   would stop the migration.
4. With down_sql: the down statements run too, and every table's SHOW CREATE TABLE is compared with
   the one before the migration.
The target database is only read.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import threading
import time
from typing import Any

import anyio
import pymysql
from sqlglot import exp

from dbarchitect.core.describe import UserInputError
from dbarchitect.core.migration.dryrun_models import Comparison, FingerprintDifference, ReversibilityReport, StatementError
from dbarchitect.core.mysql_migration.dryrun_models import MyDryRunReport, MyObservation, MyShadowInfo, findings
from dbarchitect.core.mysql_migration.models import MySQLMigrationReport
from dbarchitect.core.mysql_migration.parse import RawStatement, parse_migration, qname
from dbarchitect.core.sql.mysql_ident import quote_mysql as qi
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.mysql.database import connect_params

PREFIX = "dbarchitect_dry_"
SAMPLE_ROWS = 1000
MAX_TABLES = 200
STALE_AFTER_S = 3600.0
HOST_TAG = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
#: every scratch database this package creates: dry runs, index-advisor copies, draft verification
#: (`_target`/`_current`/`_shadow` suffixes); the name is the owner record the sweep reads
KINDS = ("dry", "idx", "draft")
SWEEP_LIKE = "dbarchitect\\_%"
_NAME = re.compile(r"^dbarchitect_(?:dry|idx|draft)_(\d+)_(\d+)_([0-9a-f]{6})_[0-9a-f]+(?:_[a-z]+)?$")
#: scratch databases this process is using (never swept while in use)
IN_USE: set[str] = set()
_REFUSED_CLAUSE = (1845, 1846)  # ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)


def new_scratch_name(kind: str = "dry") -> str:
    """`dbarchitect_<kind>_<epoch>_<pid>_<host>_<random>` (≤ 64 characters with a `_shadow` suffix)."""
    assert kind in KINDS
    return f"dbarchitect_{kind}_{int(time.time())}_{os.getpid()}_{HOST_TAG}_{secrets.token_hex(3)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def is_stale(name: str, *, now: float | None = None, older_than_s: float = STALE_AFTER_S) -> bool:
    m = _NAME.match(name)
    if m is None or name in IN_USE:
        return False
    created, pid, host = int(m.group(1)), int(m.group(2)), m.group(3)
    if host == HOST_TAG and (pid == os.getpid() or not _alive(pid)):
        return True
    return (now or time.time()) - created > older_than_s


def _ids(cur, db: str) -> dict[str, int]:
    """table name -> InnoDB table id in `db` (MySQL 8: INNODB_TABLES; MariaDB: INNODB_SYS_TABLES)."""
    for view in ("INNODB_TABLES", "INNODB_SYS_TABLES"):
        try:
            cur.execute(f"SELECT NAME, TABLE_ID FROM information_schema.{view} WHERE NAME LIKE %s", (db + "/%",))
            return {str(n).split("/", 1)[1]: int(i) for n, i in cur.fetchall()}
        except pymysql.err.MySQLError:
            continue
    return {}


class _Run:
    """One dry run on its own connection, in a worker thread; `kill()` from another thread cancels it."""

    def __init__(self, db, raws: list[RawStatement], down: list[RawStatement] | None, target: str, timeout_s: float):
        self.db = db
        self.raws = raws
        self.down = down
        self.target = target
        self.timeout_s = timeout_s
        self.params = {**connect_params(db.dsn, db.limits.connect_timeout_s), "database": None}
        self.conn: Any = None
        self.conn_id: int | None = None
        self.cancelled = threading.Event()
        self.name = new_scratch_name()
        self.shadow = MyShadowInfo(host="same_server", database=self.name, sample_rows_per_table=SAMPLE_ROWS)
        self.flavor = "MySQL"

    # -- plumbing ----------------------------------------------------------------------------
    def kill(self) -> None:
        self.cancelled.set()
        if self.conn_id is None:
            return
        try:
            other = pymysql.connect(**{**self.params, "read_timeout": 10})
            try:
                other.cursor().execute(f"KILL QUERY {int(self.conn_id)}")
            finally:
                other.close()
        except pymysql.err.MySQLError:
            pass

    def _connect(self):
        timeout = self.timeout_s + 10
        return pymysql.connect(**self.params, read_timeout=timeout, write_timeout=timeout)

    def _drop(self) -> None:
        try:
            conn = pymysql.connect(**{**self.params, "read_timeout": 120})
            try:
                conn.cursor().execute(f"DROP DATABASE IF EXISTS {qi(self.name)}")
                self.shadow.dropped = True
            finally:
                conn.close()
        except pymysql.err.MySQLError:
            self.shadow.notes.append(f"the scratch database {self.name} could not be dropped; the next sweep drops it")
        finally:
            IN_USE.discard(self.name)

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> tuple[list[MyObservation], list[MyObservation] | None, ReversibilityReport | None]:
        IN_USE.add(self.name)
        try:
            self.conn = self._connect()
            cur = self.conn.cursor()
            cur.execute("SELECT CONNECTION_ID(), VERSION()")
            self.conn_id, version = cur.fetchone()
            self.flavor = "MariaDB" if "mariadb" in str(version).lower() else "MySQL"
            self.shadow.server_version = str(version)
            try:
                cur.execute(f"CREATE DATABASE {qi(self.name)}")
            except pymysql.err.MySQLError as exc:
                if exc.args and exc.args[0] in (1044, 1045, 1227, 1142):
                    raise DatabaseError(
                        f"dry_run_migration needs the CREATE privilege to make a scratch database on this server "
                        f"({exc.args[1]}): GRANT CREATE, DROP, ALTER, INDEX, INSERT, SELECT, REFERENCES ON "
                        f"`{PREFIX.replace('_', chr(92) + '_')}%`.* TO the connected user."
                    ) from None
                raise
            started = time.perf_counter()
            before = self._build(cur)
            self.shadow.build_ms = round((time.perf_counter() - started) * 1000, 1)
            cur.execute(f"USE {qi(self.name)}")
            cur.execute("SET SESSION sql_mode = @@GLOBAL.sql_mode, SESSION foreign_key_checks = @@GLOBAL.foreign_key_checks")
            up = self._statements(cur, self.raws, probe=True)
            if self.down is None:
                return up, None, None
            if any(o.status != "ok" for o in up if o.status not in ("transaction_control",)):
                return up, None, ReversibilityReport(reversible=False, checked=False, reason="the up migration failed")
            mid = self._fingerprint(cur)
            down = self._statements(cur, self.down, probe=False)
            if any(o.status == "error" for o in down):
                return up, down, ReversibilityReport(reversible=False, checked=False, reason="the down migration failed", down=down)
            after = self._fingerprint(cur)
            diffs = [FingerprintDifference(key=f"table {k}", change="added" if k not in before else "removed" if k not in after
                                           else "changed", before=before.get(k), after=after.get(k))
                     for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]  # fmt: skip
            changed = sum(1 for k in set(before) | set(mid) if before.get(k) != mid.get(k))
            return up, down, ReversibilityReport(reversible=not diffs, differences=diffs, up_changed=changed, down=down)
        finally:
            try:
                if self.conn is not None:
                    self.conn.close()
            except Exception:  # noqa: BLE001 - a killed or broken connection
                pass
            self._drop()

    def _tables(self, cur) -> list[str]:
        """The target's base tables the migration names, plus those linked to them by foreign keys."""
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
                    (self.target,))  # fmt: skip
        existing = {str(r[0]) for r in cur.fetchall()}
        lower = {t.lower(): t for t in existing}
        named: set[str] = set()
        for r in [*self.raws, *(self.down or [])]:
            for n in _named_tables(r):
                db, _, t = n.rpartition(".")
                if (not db or db.lower() == self.target.lower()) and t.lower() in lower:
                    named.add(lower[t.lower()])
            if not r.understood:  # an unread statement may touch anything: take every table
                named |= existing
        cur.execute("SELECT table_name, referenced_table_name FROM information_schema.key_column_usage WHERE table_schema = %s "
                    "AND referenced_table_schema = %s AND referenced_table_name IS NOT NULL", (self.target, self.target))  # fmt: skip
        links = [(str(a), str(b)) for a, b in cur.fetchall()]
        todo = set(named)
        while True:
            more = {b for a, b in links if a in todo} | {a for a, b in links if b in todo}
            if more <= todo:
                break
            todo |= more
        if len(todo) > MAX_TABLES:
            self.shadow.notes.append(f"{len(todo)} tables are involved; only the first {MAX_TABLES} were copied")
        return sorted(todo)[:MAX_TABLES]

    def _build(self, cur) -> dict[str, str]:
        tables = self._tables(cur)
        cur.execute("SET SESSION foreign_key_checks = 0")
        shapes: dict[str, str] = {}
        for t in tables:
            cur.execute(f"SHOW CREATE TABLE {qi(self.target)}.{qi(t)}")
            ddl = cur.fetchone()[1]
            try:
                cur.execute(f"USE {qi(self.name)}")
                cur.execute(ddl)
            except pymysql.err.MySQLError as exc:
                self.shadow.skipped_objects.append(f"{t}: {exc.args[-1]}"[:200])
                continue
            shapes[t] = _canonical(ddl)
        self.shadow.tables = len(shapes)
        rows = 0
        for t in shapes:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                        "AND (generation_expression IS NULL OR generation_expression = '') ORDER BY ordinal_position",
                        (self.target, t))  # fmt: skip
            cols = ", ".join(qi(str(r[0])) for r in cur.fetchall())
            cur.execute(f"INSERT INTO {qi(self.name)}.{qi(t)} ({cols}) SELECT {cols} FROM {qi(self.target)}.{qi(t)} LIMIT {SAMPLE_ROWS}")
            rows += cur.rowcount
            rows += self._null_rows(cur, t, cols)
        # the parent rows the sampled children reference, so a foreign key added by the migration meets no false orphans
        cur.execute("SELECT constraint_name, table_name, referenced_table_name, GROUP_CONCAT(column_name ORDER BY ordinal_position), "
                    "GROUP_CONCAT(referenced_column_name ORDER BY ordinal_position) FROM information_schema.key_column_usage "
                    "WHERE table_schema = %s AND referenced_table_schema = %s GROUP BY constraint_name, table_name, referenced_table_name",
                    (self.target, self.target))  # fmt: skip
        for _, child, parent, ccols, pcols in cur.fetchall():
            if child not in shapes or parent not in shapes:
                continue
            on = " AND ".join(f"p.{qi(p)} = c.{qi(c)}" for c, p in zip(str(ccols).split(","), str(pcols).split(","), strict=False))
            cur.execute(f"INSERT IGNORE INTO {qi(self.name)}.{qi(parent)} SELECT p.* FROM {qi(self.target)}.{qi(parent)} p "
                        f"JOIN (SELECT DISTINCT {', '.join(qi(c) for c in str(ccols).split(','))} FROM {qi(self.name)}.{qi(child)}) c "
                        f"ON {on} LIMIT {SAMPLE_ROWS * 10}")  # fmt: skip
            rows += max(cur.rowcount, 0)
        self.shadow.rows_seeded = rows
        self.shadow.notes.append(f"up to {SAMPLE_ROWS} rows per table: data-dependent failures over all rows are the lint's "
                                 "probes' business; timings are for the sample")  # fmt: skip
        cur.execute("SET SESSION foreign_key_checks = @@GLOBAL.foreign_key_checks")
        return shapes

    def _null_rows(self, cur, t: str, cols: str) -> int:
        """A few rows with NULLs in nullable columns, so NOT NULL changes meet them as on the target
        (MariaDB: bounded by max_statement_time; MySQL cannot bound an INSERT … SELECT, so it is skipped)."""
        if self.flavor != "MariaDB":
            return 0
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "AND is_nullable = 'YES' AND (generation_expression IS NULL OR generation_expression = '')", (self.target, t))  # fmt: skip
        nullable = [qi(str(r[0])) for r in cur.fetchall()]
        if not nullable:
            return 0
        where = " OR ".join(f"{c} IS NULL" for c in nullable[:20])
        try:
            cur.execute(f"SET STATEMENT max_statement_time = 5 FOR INSERT IGNORE INTO {qi(self.name)}.{qi(t)} ({cols}) "
                        f"SELECT {cols} FROM {qi(self.target)}.{qi(t)} WHERE {where} LIMIT 100")  # fmt: skip
            return max(cur.rowcount, 0)
        except pymysql.err.MySQLError:
            self.shadow.notes.append(f"rows with NULLs of {t} were not sampled (the search was cut short)")
            return 0

    def _fingerprint(self, cur) -> dict[str, str]:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (self.name,))
        out = {}
        for (t,) in cur.fetchall():
            cur.execute(f"SHOW CREATE TABLE {qi(self.name)}.{qi(str(t))}")
            out[str(t)] = _canonical(cur.fetchone()[1])
        return out

    def _statements(self, cur, raws: list[RawStatement], *, probe: bool) -> list[MyObservation]:
        out: list[MyObservation] = []
        stopped = False
        for r in raws:
            obs = MyObservation(index=r.index, line=r.line, sql=r.sql, kind=_kind(r))
            out.append(obs)
            if stopped or self.cancelled.is_set():
                obs.status = "not_run"
                continue
            text, why = self._rewrite(r)
            if text is None:
                obs.status = "refused"
                obs.error = StatementError(message=why or "refused", phase="refused")
                continue
            if isinstance(r.node, (exp.Transaction, exp.Commit, exp.Rollback)):
                obs.status = "transaction_control"
            ids_before = _ids(cur, self.name)
            started = time.perf_counter()
            try:
                if probe and _is_alter(r) and not r.clauses:
                    self._offer(cur, text, obs)
                else:
                    cur.execute(text)
                    obs.rows_affected = cur.rowcount if cur.rowcount is not None and cur.rowcount >= 0 else None
                    if r.clauses:
                        obs.algorithm = {"NOCOPY": "INPLACE"}.get(r.clauses.get("ALGORITHM", ""), r.clauses.get("ALGORITHM"))
                        obs.lock = r.clauses.get("LOCK")
                cur.execute("SHOW WARNINGS")
                obs.warnings = [f"{w[1]}: {w[2]}" for w in cur.fetchall()][:10]
            except pymysql.err.MySQLError as exc:
                code = exc.args[0] if exc.args else None
                obs.status = "error"
                phase = "timeout" if code in (1969, 3024, 1317) else "execute"
                msg = str(exc.args[-1]) if exc.args else str(exc)
                if self.cancelled.is_set():
                    msg = "cancelled"
                obs.error = StatementError(sqlstate=str(code) if code else None, message=msg[:500], phase=phase)
                stopped = True
            obs.duration_ms = round((time.perf_counter() - started) * 1000, 1)
            ids_after = _ids(cur, self.name)
            obs.rebuilt = sorted(t for t, i in ids_before.items() if t in ids_after and ids_after[t] != i)
            obs.ran_in_transaction = False
            if obs.status == "ok" and obs.rebuilt and obs.rows_affected and obs.algorithm in (None, "INSTANT", "INPLACE"):
                obs.algorithm = "COPY"  # rows were copied whatever the clause said (e.g. an engine change)
        return out

    def _offer(self, cur, text: str, obs: MyObservation) -> None:
        """Offer the statement the cheapest ALGORITHM/LOCK first; the first the server accepts is the observation."""
        base = text.rstrip().rstrip(";")
        create_index = re.match(r"^\s*CREATE\b", base, re.IGNORECASE) is not None
        algorithms = ["INSTANT", "NOCOPY", "INPLACE"] if self.flavor == "MariaDB" else ["INSTANT", "INPLACE"]
        for alg in algorithms:
            for lock in ("NONE", "SHARED", "EXCLUSIVE"):
                clause = f" ALGORITHM={alg} LOCK={lock}" if create_index else f", ALGORITHM={alg}, LOCK={lock}"
                try:
                    cur.execute(base + clause)
                except pymysql.err.MySQLError as exc:
                    code = exc.args[0] if exc.args else None
                    msg = str(exc.args[-1]) if exc.args else ""
                    if code in _REFUSED_CLAUSE or (code == 1064 and "ALGORITHM" in msg.upper()):
                        obs.tries.append(f"ALGORITHM={alg}, LOCK={lock}: {msg[:120]}")
                        if "LOCK=" in msg.upper() and "ALGORITHM=" not in msg.upper().split("LOCK=")[0]:
                            continue  # the lock was refused: try a stronger one with this algorithm
                        break  # the algorithm was refused: try the next one
                    raise
                obs.algorithm = "INPLACE" if alg == "NOCOPY" else alg
                obs.lock = lock
                obs.rows_affected = cur.rowcount if cur.rowcount is not None and cur.rowcount >= 0 else None
                return
        cur.execute(base)
        obs.algorithm, obs.lock = "COPY", None
        obs.rows_affected = cur.rowcount if cur.rowcount is not None and cur.rowcount >= 0 else None

    def _rewrite(self, r: RawStatement) -> tuple[str | None, str | None]:
        """The statement aimed at the scratch database, or (None, why) when it must not run there."""
        text = r.sql
        if re.match(r"^\s*(USE|CREATE\s+(DATABASE|SCHEMA)|DROP\s+(DATABASE|SCHEMA)|ALTER\s+(DATABASE|SCHEMA))\b", text, re.IGNORECASE):
            return None, "it changes or switches databases; a dry run runs inside its scratch database only"
        target = self.target.lower()
        if not r.understood:
            if re.search(rf"`?{re.escape(self.target)}`?\s*\.", text, re.IGNORECASE):
                return None, "a statement the lint could not read names the target database; not run"
            return text, None
        others = {n.rpartition(".")[0].lower() for n in _named_tables(r) if "." in n} - {target}
        if others:
            return None, f"it names another database ({', '.join(sorted(others))}); only the target's tables are copied"
        pattern = re.compile(rf"(?<![\w$`])(`{re.escape(self.target)}`|{re.escape(self.target)})(\s*\.)", re.IGNORECASE)
        return pattern.sub(lambda m: qi(self.name) + m.group(2), text), None


def _canonical(ddl: str) -> str:
    return re.sub(r"\s+AUTO_INCREMENT=\d+", "", ddl)


def _is_alter(r: RawStatement) -> bool:
    return isinstance(r.node, exp.Alter) or (r.recognized is not None and r.recognized.kind in ("convert_charset", "add_check"))


def _kind(r: RawStatement) -> str:
    if not r.understood:
        return "not understood"
    words = r.sql.split()
    return " ".join(words[:2]).upper() if words else ""


def _named_tables(r: RawStatement) -> list[str]:
    if r.recognized is not None:
        return [*r.recognized.tables, *(n for _, n in r.recognized.renames)]
    if r.node is None:
        return []
    out = []
    for t in r.node.find_all(exp.Table):
        if t.name:
            out.append(f"{t.db}.{t.name}" if t.db else t.name)
    return out


def compare(prediction: MySQLMigrationReport, observed: list[MyObservation]) -> list[Comparison]:
    rows = []
    by_index = {p.index: p for p in prediction.statements}
    for o in observed:
        p = by_index.get(o.index)
        if p is None or o.status != "ok" or o.algorithm is None or getattr(p, "algorithm", None) is None:
            continue
        table = p.rewrites[0] if p.rewrites else None
        rows.append(Comparison(statement=o.index, aspect="statement", relation=table, predicted=f"ALGORITHM={p.algorithm}",
                               observed=f"ALGORITHM={o.algorithm}", agrees=p.algorithm == o.algorithm, note="algorithm"))  # fmt: skip
        if o.lock:
            rows.append(Comparison(statement=o.index, aspect="lock", relation=table, predicted=f"LOCK={p.lock}",
                                   observed=f"LOCK={o.lock}", agrees=p.lock == o.lock))  # fmt: skip
        rebuilt = bool(o.rebuilt)
        rows.append(Comparison(statement=o.index, aspect="rewrite", relation=table,
                               predicted="rebuild" if p.rebuild else "no rebuild", observed="rebuild" if rebuilt else "no rebuild",
                               agrees=p.rebuild == rebuilt))  # fmt: skip
    return rows


class MySQLDryRunner:
    """The `dry_run` feature (and `scratch`, for the sweep) on MySQL/MariaDB."""

    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def admin_dsn(self, *, prefer_same_server: bool = False) -> str | None:
        info = await self.db.info()
        return self.db.dsn if info.can_create_db and not info.in_recovery else None

    async def sweep(self) -> list[str]:
        """Drop stale scratch databases (dry run, index advisor, draft) on this server (a crashed or
        cancelled process's)."""

        def go(conn) -> list[str]:
            cur = conn.cursor()
            cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                        (SWEEP_LIKE,))  # fmt: skip
            dropped = []
            for (name,) in cur.fetchall():
                if is_stale(str(name)):
                    cur.execute(f"DROP DATABASE IF EXISTS {qi(str(name))}")
                    dropped.append(str(name))
            return dropped

        try:
            return await self.db.run(go)
        except DatabaseError:
            return []

    async def dry_run(self, sql, *, down_sql: str | None, scratch: str | None, prediction: MySQLMigrationReport | None,
                      assume_in_transaction: bool, statement_timeout_s: float, progress=None) -> MyDryRunReport:  # fmt: skip
        raws = parse_migration(sql) if isinstance(sql, str) else sql
        down = parse_migration(down_sql) if down_sql else None
        info = await self.db.info()
        target = info.database
        if not target:
            raise UserInputError("dry_run_migration on MySQL/MariaDB needs a connection URL that names a database (mysql://…/shop).")
        run = _Run(self.db, raws, down, target, statement_timeout_s)
        if progress is not None:
            await progress(0, None, f"building scratch database {run.name}")
        started = time.perf_counter()
        try:
            up, down_obs, rev = await anyio.to_thread.run_sync(run.run, abandon_on_cancel=True)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(run.kill)  # the running statement stops; the thread drops the scratch database
            raise
        except pymysql.err.MySQLError as exc:
            raise DatabaseError(f"The dry run could not prepare its scratch database: {exc.args[-1] if exc.args else exc}") from None
        comparisons = compare(prediction, up) if prediction is not None else []
        report = MyDryRunReport(
            ok=all(o.status in ("ok", "transaction_control") for o in up) and (rev is None or (rev.checked and rev.reversible)),
            statements=up, comparisons=comparisons, disagreements=[c for c in comparisons if not c.agrees],
            predicted=prediction is not None, reversibility=rev, shadow=run.shadow, assume_in_transaction=False,
            runner="autocommit", runner_reason="MySQL/MariaDB commit every DDL statement implicitly.",
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            timed_out=any(o.error is not None and o.error.phase == "timeout" for o in up),
            server=(prediction.server if prediction is not None else f"{info.flavor} {info.version}"),
        )  # fmt: skip
        report.findings = findings(report)
        del down_obs
        return report


def named(sql: str) -> list[str]:
    return [qname(n) for r in parse_migration(sql) for n in _named_tables(r)]
