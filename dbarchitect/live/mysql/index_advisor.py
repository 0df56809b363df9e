"""recommend_indexes on MySQL/MariaDB (feature `index_advisor`): no HypoPG, so every candidate is
built for real on a scratch copy and kept only when it is measured to help.

1. The workload is read with sqlglot's mysql dialect (`core/indexing/mysql.py`) into candidates;
   those an existing index already serves (left prefix, InnoDB's primary-key suffix counted) are
   reported as such, never proposed.
2. A scratch database `dbarchitect_idx_<hex>` on the same server gets each table the workload
   reads (`CREATE TABLE … LIKE`, then up to SAMPLE_ROWS rows; the whole table when smaller) and
   `ANALYZE TABLE`.
3. Each query is costed (EXPLAIN FORMAT=JSON `query_cost` on MySQL, `Last_query_cost` after EXPLAIN
   on MariaDB) and, for SELECTs, timed (median of RUNS runs, each under max_statement_time /
   max_execution_time). Greedy rounds then build each remaining candidate, re-measure the queries
   of its table, drop it, and keep the one with the largest weighted time saved (its plan must use
   it, and the saving must pass MIN_GAIN), until nothing helps, `max_indexes` or `budget_mb`.
4. The picks are measured together against the baseline; the report holds the sample sizes and
   every number as measured. The scratch database is dropped in every case (error, cancel).

The target database is only read (`INSERT … SELECT` reads it; it takes no locks beyond a consistent read).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio
import pymysql

from dbarchitect.core.indexing.models import (
    Candidate, IndexAdvice, IndexRecommendation, MeasuredQuery, QueryCost, RejectedCandidate, ValidationReport,
    WorkloadQuery,
)  # fmt: skip
from dbarchitect.core.indexing.mysql import (
    Proposal, add_index_ddl, drop_index_ddl, generate, index_name, leads, plan_cost, plan_keys, probe_select, retarget,
    signature, supersedes,
)  # fmt: skip
from dbarchitect.core.indexing.shape import analyze
from dbarchitect.core.models import Evidence, SchemaSnapshot
from dbarchitect.core.plan.mysql import loads_explain_json
from dbarchitect.core.sql.mysql_ident import quote_mysql
from dbarchitect.core.sql.mysql_readonly import check_mysql_explainable, check_mysql_read_only
from dbarchitect.core.units import human_bytes
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.mysql.database import refuse_writing_functions
from dbarchitect.live.mysql.dryrun import IN_USE, new_scratch_name

SAMPLE_ROWS = 200_000  # rows copied per table into the scratch database (the whole table when smaller)
RUNS = 3  # timed runs per query and configuration (median)
QUERY_TIMEOUT_S = 5.0  # per timed run on the scratch copy
# the client's wait for a reply on the scratch session: it runs only the advisor's own statements (copies of
# at most SAMPLE_ROWS rows, index builds on them, probes under max_statement_time), and on a loaded server
# a 200,000-row copy into a table with a FULLTEXT index took longer than the statement timeout + 10 s
SCRATCH_READ_TIMEOUT_S = 300.0
MIN_GAIN = 0.10  # a pick must save at least this share of its queries' weighted time …
MIN_GAIN_MS = 1.0  # … and this many weighted milliseconds
MAX_ROUNDS = 30  # picks when max_indexes is not given (each must still be measured to help)
SCRATCH_PREFIX = "dbarchitect_idx_"


@dataclass
class Measure:
    cost: float | None
    keys: set[str]
    ms: float | None = None
    timed_out: bool = False
    error: str | None = None


@dataclass
class Query:
    id: str
    sql: str
    weight: float
    tables: set[str]
    functions: list[str]
    timed: bool  # executed on the scratch copy (a SELECT, or the SELECT that finds an UPDATE/DELETE's rows)
    probe: str | None = None  # that SELECT, for a single-table UPDATE/DELETE
    scratch_sql: str = ""
    scratch_probe: str = ""


@dataclass
class Session:
    """The scratch copy and its own connection (never the Database's shared one)."""

    conn: pymysql.connections.Connection
    name: str
    flavor: str
    source: str
    sampled: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (rows copied, rows estimated)
    costings: int = 0


def _harmless(functions: list[str]):
    """A reader for db.run: True when none of the statement's functions may write (stored functions
    declared MODIFIES SQL DATA or writing in their body, UDFs): then it may be executed on the copy."""

    def check(conn) -> bool:
        try:
            refuse_writing_functions(conn.cursor(), functions)
        except DatabaseError:
            return False
        return True

    return check


class MySQLIndexAdvisor:
    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def recommend(
        self,
        queries: Sequence[str] | None,
        weights: Sequence[float] | None,
        from_stats: bool,
        budget_mb: float | None,
        max_indexes: int | None,
        *,
        validate: bool,
        scratch: str | None,
        progress=None,
    ) -> IndexAdvice:
        started = time.perf_counter()
        if from_stats or not queries:
            raise ValueError(
                "On MySQL/MariaDB give the workload as `queries` (with `weights`): from_stats reads PostgreSQL's "
                "pg_stat_statements. performance_schema.events_statements_summary_by_digest lists the top statements."
            )
        if weights is not None and len(weights) != len(queries):
            raise ValueError(f"weights has {len(weights)} values for {len(queries)} queries: give one per query.")
        if weights is not None and any(w <= 0 for w in weights):
            raise ValueError("Every weight must be positive.")
        info = await self.db.info()
        if not info.database:
            raise ValueError("recommend_indexes on MySQL/MariaDB needs a connection URL that names the database (mysql://…/db).")
        snapshot = await self.db.snapshot(refresh=True)
        notes: list[str] = []
        if scratch:
            notes.append("On MySQL/MariaDB the indexes are measured on a scratch database on the connected server; "
                         "validate_connection is not used.")  # fmt: skip
        workload, skipped, shapes = self._workload(queries, weights, snapshot, info.database)
        if not workload:
            raise ValueError("No query could be read: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
        proposals, served, unbuilt = generate(shapes, {q.id: q.sql for q in workload}, snapshot,
                                              version_num=info.version_num, flavor=info.flavor)  # fmt: skip
        rejected = [RejectedCandidate(index=s, reason=r) for s, r in served]
        rejected += [RejectedCandidate(index=u.signature, reason=u.reason) for u in unbuilt]
        advice = IndexAdvice(
            mode="scratch", database=info.database, workload_source="explicit",
            queries=[WorkloadQuery(id=q.id, sql=q.sql, weight=q.weight) for q in workload],
            skipped_queries=skipped, candidates_considered=len(proposals) + len(served) + len(unbuilt),
            budget_bytes=int(budget_mb * 1024 * 1024) if budget_mb else None, notes=notes,
        )  # fmt: skip
        if not proposals:
            advice.rejected = rejected[:12]
            advice.notes.append("No candidate index: the workload's predicates, joins and sorts are served by existing indexes.")
            advice.elapsed_s = round(time.perf_counter() - started, 2)
            return advice
        tables = sorted({t for q in workload for t in q.tables} | {p.candidate.table for p in proposals})
        session: Session | None = None
        try:
            session = await anyio.to_thread.run_sync(lambda: self._open(info.flavor, info.database))
            await self._progress(progress, 0, None, f"copying {len(tables)} table(s) into {session.name}")
            for t in tables:
                await anyio.to_thread.run_sync(lambda t=t: self._copy(session, snapshot, t))
            for q in workload:
                if q.timed and q.functions:
                    q.timed = await self.db.run(_harmless(q.functions))
                q.scratch_sql = retarget(q.sql, info.database, session.name)
                q.scratch_probe = retarget(q.probe, info.database, session.name) if q.probe else q.scratch_sql
            result = await self._search(session, snapshot, workload, proposals, budget_mb, max_indexes, progress)
        finally:
            if session is not None:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(lambda: self._close(session))
        return self._report(advice, result, session, snapshot, workload, rejected, started)

    # ------------------------------------------------------------------------------------------
    def _workload(self, queries, weights, snapshot: SchemaSnapshot, database: str):
        workload: list[Query] = []
        skipped: dict[str, str] = {}
        shapes = {}
        for n, sql in enumerate(queries, start=1):
            qid = f"q{n}"
            if not isinstance(sql, str) or not sql.strip():
                skipped[qid] = "empty"
                continue
            verdict = check_mysql_explainable(sql)
            if not verdict.ok:
                skipped[qid] = f"refused: {verdict.reason}"
                continue
            if verdict.statement_kind not in ("select", "update", "delete"):
                skipped[qid] = f"a {verdict.statement_kind.upper()} statement: only SELECT, UPDATE and DELETE find rows through indexes"
                continue
            shape = analyze(verdict.sql, snapshot, database, dialect="mysql")
            if shape.error:
                skipped[qid] = shape.error
                continue
            if not shape.accesses:
                skipped[qid] = "reads no table of this database"
                continue
            probe = probe_select(verdict.sql) if verdict.statement_kind != "select" else None
            timed = (probe is not None or (
                verdict.statement_kind == "select" and check_mysql_read_only(verdict.sql).ok))  # fmt: skip
            workload.append(Query(qid, verdict.sql, float(weights[n - 1]) if weights else 1.0,
                                  {a.table for a in shape.accesses}, list(verdict.functions), timed, probe))  # fmt: skip
            shapes[qid] = shape
        return workload, skipped, shapes

    @staticmethod
    async def _progress(progress, done, total, msg) -> None:
        if progress is not None:
            await progress(done, total, msg)

    # ------------------------------------------------------------------------------------------
    # scratch database (each runs in a worker thread on the session's own connection)
    def _open(self, flavor: str, source: str) -> Session:
        conn = self.db._connect(read_timeout_s=max(SCRATCH_READ_TIMEOUT_S, self.db.limits.statement_timeout_ms / 1000 + 10))
        name = new_scratch_name("idx")
        IN_USE.add(name)
        try:
            cur = conn.cursor()
            cur.execute(f"CREATE DATABASE {quote_mysql(name)}")
            cur.execute(f"USE {quote_mysql(name)}")
            cur.execute("SET SESSION foreign_key_checks = 0, SESSION unique_checks = 0")
        except pymysql.err.MySQLError as exc:
            conn.close()
            raise DatabaseError(
                f"recommend_indexes measures candidates on a scratch database on this server and could not create one "
                f"({exc.args[-1]}); grant CREATE and DROP on `{SCRATCH_PREFIX}%`.* to this user."
            ) from None
        return Session(conn=conn, name=name, flavor=flavor, source=source)

    def _copy(self, s: Session, snapshot: SchemaSnapshot, table: str) -> None:
        t = snapshot.table(table)
        if t is None:
            return
        src = f"{quote_mysql(t.schema_name)}.{quote_mysql(t.name)}"
        dst = f"{quote_mysql(s.name)}.{quote_mysql(t.name)}"
        cols = ", ".join(quote_mysql(c.name) for c in t.columns
                         if not (c.mysql and ("GENERATED" in c.mysql.extra.upper() or "VIRTUAL" in c.mysql.extra.upper()
                                              or "STORED" in c.mysql.extra.upper())))  # fmt: skip
        cur = s.conn.cursor()
        cur.execute(f"CREATE TABLE {dst} LIKE {src}")
        cur.execute(f"INSERT INTO {dst} ({cols}) SELECT {cols} FROM {src} LIMIT {SAMPLE_ROWS}")
        copied = cur.rowcount
        cur.execute(f"ANALYZE TABLE {dst}")
        cur.fetchall()
        s.sampled[t.name] = (copied, max(t.estimated_rows, copied))

    def _close(self, s: Session) -> None:
        try:
            self._drop_database(s)
        finally:
            IN_USE.discard(s.name)

    def _drop_database(self, s: Session) -> None:
        try:
            s.conn.cursor().execute(f"DROP DATABASE IF EXISTS {quote_mysql(s.name)}")
            s.conn.close()
        except pymysql.err.MySQLError:
            conn = self.db._connect()  # the session's connection broke (a cancel, a timeout): drop from a fresh one
            try:
                conn.cursor().execute(f"DROP DATABASE IF EXISTS {quote_mysql(s.name)}")
            finally:
                conn.close()

    def _measure(self, s: Session, q: Query) -> Measure:
        cur = s.conn.cursor()
        try:
            cur.execute(f"EXPLAIN FORMAT=JSON {q.scratch_probe or q.scratch_sql}")
            plan = loads_explain_json(cur.fetchone()[0])
            cost = plan_cost(plan)
            if cost is None:
                cur.execute("SHOW SESSION STATUS LIKE 'Last_query_cost'")
                row = cur.fetchone()
                cost = float(row[1]) if row else None
        except pymysql.err.MySQLError as exc:
            return Measure(cost=None, keys=set(), error=str(exc.args[-1])[:200])
        s.costings += 1
        m = Measure(cost=cost, keys=plan_keys(plan))
        if not q.timed:
            return m
        if s.flavor == "MariaDB":
            cur.execute(f"SET SESSION max_statement_time = {QUERY_TIMEOUT_S}")
        else:
            cur.execute(f"SET SESSION max_execution_time = {int(QUERY_TIMEOUT_S * 1000)}")
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            try:
                cur.execute(q.scratch_probe)
                cur.fetchall()
            except pymysql.err.MySQLError as exc:
                code = exc.args[0] if exc.args else 0
                if code in (1969, 3024, 1317):  # MariaDB / MySQL statement time limit, interrupted
                    m.timed_out = True
                    times.append(QUERY_TIMEOUT_S * 1000)
                    break
                m.error = str(exc.args[-1])[:200]
                return m
            times.append((time.perf_counter() - t0) * 1000)
        m.ms = statistics.median(times)
        return m

    def _build(self, s: Session, snapshot: SchemaSnapshot, cand: Candidate, name: str) -> str | None:
        t = snapshot.table(cand.table)
        cur = s.conn.cursor()
        try:
            cur.execute(f"ALTER TABLE {quote_mysql(t.name)} ADD INDEX {quote_mysql(name)} ({', '.join(cand.keys)})")
        except pymysql.err.MySQLError as exc:
            return str(exc.args[-1])[:200]
        return None

    def _drop(self, s: Session, snapshot: SchemaSnapshot, cand: Candidate, name: str) -> None:
        t = snapshot.table(cand.table)
        s.conn.cursor().execute(f"ALTER TABLE {quote_mysql(t.name)} DROP INDEX {quote_mysql(name)}")

    def _size(self, s: Session, snapshot: SchemaSnapshot, cand: Candidate, name: str) -> int:
        """The built index's bytes on the sample (InnoDB persistent statistics), scaled to the full table."""
        t = snapshot.table(cand.table)
        cur = s.conn.cursor()
        try:
            cur.execute(
                "SELECT stat_value * @@innodb_page_size FROM mysql.innodb_index_stats"
                " WHERE database_name = %s AND table_name = %s AND index_name = %s AND stat_name = 'size'",
                (s.name, t.name, name),
            )
            row = cur.fetchone()
        except pymysql.err.MySQLError:
            row = None
        copied, total = s.sampled.get(t.name, (0, 0))
        size = int(row[0]) if row and row[0] is not None else 0
        return int(size * total / copied) if copied else size

    # ------------------------------------------------------------------------------------------
    async def _search(self, s: Session, snapshot, workload: list[Query], proposals: list[Proposal],
                      budget_mb, max_indexes, progress) -> dict:  # fmt: skip
        run = anyio.to_thread.run_sync
        base = {}
        for n, q in enumerate(workload):
            base[q.id] = await run(lambda q=q: self._measure(s, q))
            await self._progress(progress, n + 1, len(workload), f"baseline {q.id}")
        current = dict(base)
        taken = {i.name.lower() for t in snapshot.tables for i in t.indexes}
        names = {signature(p.candidate): index_name(p.candidate, taken) for p in proposals}
        remaining = list(proposals)
        picks: list[dict] = []
        verdicts: dict[str, str] = {}
        cache: dict[str, tuple[float, dict]] = {}
        budget = budget_mb * 1024 * 1024 if budget_mb else None
        used_bytes = 0
        limit = max_indexes or MAX_ROUNDS
        evaluated = 0
        while remaining and len(picks) < limit:
            best = None
            for p in remaining:
                sig = signature(p.candidate)
                if sig not in cache:
                    err = await run(lambda p=p, sig=sig: self._build(s, snapshot, p.candidate, names[sig]))
                    if err:
                        verdicts[sig] = f"the server refused to build it: {err}"
                        cache[sig] = (float("-inf"), {})
                        continue
                    affected = [q for q in workload if p.candidate.table in q.tables]
                    after = {q.id: await run(lambda q=q: self._measure(s, q)) for q in affected}
                    await run(lambda p=p, sig=sig: self._drop(s, snapshot, p.candidate, names[sig]))
                    evaluated += 1
                    await self._progress(progress, evaluated, None, f"measured {names[sig]}")
                    cache[sig] = (self._gain(workload, current, after, names[sig]), after)
                gain, after = cache[sig]
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, p, after)
            if best is None:
                break
            gain, p, after = best
            sig = signature(p.candidate)
            name = names[sig]
            await run(lambda: self._build(s, snapshot, p.candidate, name))
            size = await run(lambda: self._size(s, snapshot, p.candidate, name))
            if budget is not None and used_bytes + size > budget:
                await run(lambda: self._drop(s, snapshot, p.candidate, name))
                verdicts[sig] = f"over the storage budget (about {human_bytes(size)} at full size)"
                remaining.remove(p)
                continue
            used_bytes += size
            before = {qid: current[qid] for qid in after}
            # a pick that extends an earlier one replaces it: the longer index serves the shorter one's lookups
            for e in [e for e in picks if leads(e["proposal"].candidate, p.candidate)]:
                await run(lambda e=e: self._drop(s, snapshot, e["proposal"].candidate, e["name"]))
                picks.remove(e)
                used_bytes -= e["size"]
                verdicts[signature(e["proposal"].candidate)] = f"replaced by the longer pick {name}, which serves its lookups"
                before = {**before, **e["before"]}
                gain += e["gain"]
                affected = [q for q in workload if q.id in before]
                after = {q.id: await run(lambda q=q: self._measure(s, q)) for q in affected}
            current.update(after)
            picks.append({"proposal": p, "name": name, "size": size, "before": before, "after": after, "gain": gain})
            remaining.remove(p)
            for r in [r for r in remaining if leads(r.candidate, p.candidate)]:
                remaining.remove(r)
                verdicts[signature(r.candidate)] = f"a leading part of the pick {name}, which serves its lookups"
            # candidates on tables the pick's queries read are measured again against the new configuration
            touched = {t for q in workload if q.id in after for t in q.tables}
            for r in remaining:
                if r.candidate.table in touched:
                    cache.pop(signature(r.candidate), None)
        for p in remaining:
            sig = signature(p.candidate)
            if sig in verdicts:
                continue
            gain, after = cache.get(sig, (None, {}))
            verdicts[sig] = self._why_not(workload, current, after, names[sig]) if gain is not None else (
                f"not measured: the {max_indexes or MAX_ROUNDS}-index limit was reached first")  # fmt: skip
        final = {q.id: current[q.id] for q in workload}
        if picks:  # all picks together, measured once more
            final = {q.id: await run(lambda q=q: self._measure(s, q)) for q in workload}
        return {"base": base, "final": final, "picks": picks, "verdicts": verdicts, "names": names}

    @staticmethod
    def _gain(workload: list[Query], current: dict, after: dict, name: str) -> float:
        """Weighted milliseconds saved over the queries whose plan uses the index (cost for untimed ones),
        or ≤ 0 when that saving is under MIN_GAIN of their time or MIN_GAIN_MS."""
        saved = total = 0.0
        cost_saved = 0.0
        for q in workload:
            m = after.get(q.id)
            if m is None or name not in m.keys or m.error:
                continue
            b = current[q.id]
            if q.timed and b.ms is not None and m.ms is not None:
                saved += q.weight * (b.ms - m.ms)
                total += q.weight * b.ms
            elif b.cost and m.cost is not None:
                cost_saved += q.weight * (b.cost - m.cost) / b.cost
        if total > 0:
            if saved < MIN_GAIN * total or saved < MIN_GAIN_MS:
                return 0.0
            return saved
        return cost_saved if cost_saved > MIN_GAIN else 0.0

    @staticmethod
    def _why_not(workload: list[Query], current: dict, after: dict, name: str) -> str:
        users = [q.id for q in workload if q.id in after and name in after[q.id].keys]
        if not users:
            return "measured on the scratch copy: no query's plan used it"
        parts = []
        for qid in users[:4]:
            b, a = current[qid], after[qid]
            if b.ms is not None and a.ms is not None:
                parts.append(f"{qid} {b.ms:.1f} → {a.ms:.1f} ms")
            elif b.cost is not None and a.cost is not None:
                parts.append(f"{qid} cost {b.cost:.0f} → {a.cost:.0f}")
        return f"measured on the scratch copy: too little gain ({'; '.join(parts)}) over the indexes picked"

    # ------------------------------------------------------------------------------------------
    def _report(self, advice: IndexAdvice, result: dict, s: Session, snapshot, workload, rejected, started) -> IndexAdvice:
        base, final, weights = result["base"], result["final"], {q.id: q.weight for q in workload}
        sample = ", ".join(f"{t} {c:,} of ~{n:,} rows" for t, (c, n) in sorted(s.sampled.items()))
        recs = []
        for rank, pick in enumerate(result["picks"], start=1):
            p: Proposal = pick["proposal"]
            t = snapshot.table(p.candidate.table)
            helps = []
            timings = []
            for qid, a in pick["after"].items():
                b = pick["before"][qid]
                if pick["name"] not in a.keys:
                    continue
                helps.append(QueryCost(query=qid, weight=weights[qid], cost_before=b.cost or 0.0, cost_after=a.cost or 0.0,
                                       indexes_used=[pick["name"]]))  # fmt: skip
                if b.ms is not None and a.ms is not None:
                    timings.append(f"{qid} {b.ms:.2f} → {a.ms:.2f} ms")
                elif b.cost is not None and a.cost is not None:
                    timings.append(f"{qid} cost {b.cost:.0f} → {a.cost:.0f}")
            copied, total = s.sampled.get(t.name, (0, 0))
            recs.append(IndexRecommendation(
                rank=rank, name=pick["name"], table=t.qualified,
                ddl=add_index_ddl(t, p.candidate, pick["name"]), undo=drop_index_ddl(t, pick["name"]),
                kind=p.candidate.kind, method="btree", keys=list(p.candidate.keys),
                estimated_size_bytes=pick["size"], reason=p.reason, helps=helps,
                workload_benefit=round(pick["gain"], 3),
                evidence=Evidence(kind="execution", detail=(
                    f"built on a scratch copy of {t.name} ({copied:,} of ~{total:,} rows), median of {RUNS} runs: "
                    + "; ".join(timings)), data={
                    "sample_rows": copied, "table_rows": total, "runs": RUNS,
                    "ms_before": {q: pick["before"][q].ms for q in pick["after"]},
                    "ms_after": {q: a.ms for q, a in pick["after"].items()},
                }),
                supersedes=supersedes(t, p.candidate),
            ))  # fmt: skip
        advice.recommendations = recs
        advice.total_size_bytes = sum(r.estimated_size_bytes for r in recs)
        costs = []
        for q in workload:
            b, a = base[q.id], final[q.id]
            if b.cost is None or a.cost is None:
                advice.skipped_queries.setdefault(q.id, f"not costed on the scratch copy: {b.error or a.error}")
                continue
            costs.append(QueryCost(query=q.id, weight=q.weight, cost_before=b.cost, cost_after=a.cost,
                                   indexes_used=sorted(a.keys & {r.name for r in recs})))  # fmt: skip
        advice.query_costs = costs
        advice.workload_cost_before = round(sum(c.weight * c.cost_before for c in costs), 2)
        advice.workload_cost_after = round(sum(c.weight * c.cost_after for c in costs), 2)
        verdicts = result["verdicts"]
        advice.rejected = ([RejectedCandidate(index=sig, reason=why) for sig, why in verdicts.items()] + rejected)[:12]
        advice.costings = s.costings
        measured = [MeasuredQuery(query=q.id, ms_before=base[q.id].ms, ms_after=final[q.id].ms,
                                  timed_out_before=base[q.id].timed_out, timed_out_after=final[q.id].timed_out,
                                  error=base[q.id].error or final[q.id].error) for q in workload]  # fmt: skip
        before_ms = sum(q.weight * (base[q.id].ms or 0) for q in workload if q.timed)
        after_ms = sum(q.weight * (final[q.id].ms or 0) for q in workload if q.timed)
        advice.validation = ValidationReport(
            database=s.name, runs=RUNS, statement_timeout_ms=int(QUERY_TIMEOUT_S * 1000),
            built=[r.name for r in recs], actual_size_bytes=advice.total_size_bytes, queries=measured,
            total_ms_before=round(before_ms, 3), total_ms_after=round(after_ms, 3),
            evidence=Evidence(kind="execution", detail=(
                f"scratch database {s.name} on the same server ({sample}); weighted workload {before_ms:.1f} → "
                f"{after_ms:.1f} ms with the {len(recs)} index(es); the scratch database was dropped"),
                data={"sample": {t: {"rows": c, "table_rows": n} for t, (c, n) in s.sampled.items()}}),
        )  # fmt: skip
        advice.notes.append(
            f"{s.flavor}: no hypothetical indexes, so each candidate was built on a scratch copy ({sample}), "
            f"its queries EXPLAINed and timed (median of {RUNS}), and dropped; {s.name} is gone. Times on a sample "
            "are evidence of the plan change, not of production latency."
        )
        advice.elapsed_s = round(time.perf_counter() - started, 2)
        return advice
