"""The HypoPG cost oracle: planner costs of workload queries under sets of hypothetical indexes.

Every EXPLAIN runs inside one READ ONLY transaction (each under its own savepoint and the
statement timeout), so a costed statement can never write. Hypothetical indexes live only in
this backend; `hypothetical_session` always calls `hypopg_reset()` on the way out — on success,
on errors, on timeouts and on cancellation — so none is ever left behind on a pooled connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import psycopg

from dbarchitect.core.indexing.advise import table_sql
from dbarchitect.core.indexing.limit import LimitInput, ScanNode
from dbarchitect.core.indexing.models import Candidate, WorkloadQuery
from dbarchitect.core.indexing.select import Lookup, OracleError, PlanCost
from dbarchitect.core.indexing.workload import parameters


SAMPLE_PAGES = 1024  # `matched`: a block sample of ~8 MB (thousands of rows; a full-text probe parses each)


class HypoPGOracle:
    """Implements `core.indexing.select.CostOracle` on one connection inside a READ ONLY transaction."""

    def __init__(self, conn: psycopg.AsyncConnection, *, generic_plan: bool = False):
        self.conn = conn
        self.generic_plan = generic_plan  # PG 16+: EXPLAIN (GENERIC_PLAN) for $n queries
        self.present: dict[Candidate, tuple[int, str]] = {}  # candidate -> (oid, hypothetical name)
        self.by_name: dict[str, Candidate] = {}
        self._failed: dict[Candidate, str] = {}
        self._sp = 0

    async def _create(self, cand: Candidate) -> tuple[int, str]:
        if cand in self._failed:
            raise OracleError(self._failed[cand])
        sql = f"CREATE INDEX {cand.body(table_sql(cand.table))}"
        try:
            async with self._savepoint():
                cur = await self.conn.execute("SELECT indexrelid::int, indexname FROM hypopg_create_index(%s)", (sql,))
                oid, name = await cur.fetchone()
        except psycopg.Error as exc:
            self._failed[cand] = str(exc).strip().splitlines()[0]
            raise OracleError(self._failed[cand]) from None
        self.present[cand] = (oid, name)
        self.by_name[name] = cand
        return oid, name

    async def _drop(self, cand: Candidate) -> None:
        oid, name = self.present.pop(cand)
        self.by_name.pop(name, None)
        await self.conn.execute("SELECT hypopg_drop_index(%s)", (oid,))

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[None]:
        self._sp += 1
        sp = f"dbarchitect_sp{self._sp}"
        await self.conn.execute(f"SAVEPOINT {sp}")
        try:
            yield
        except BaseException:
            if not self.conn.closed:
                await self.conn.execute(f"ROLLBACK TO SAVEPOINT {sp}")
            raise
        else:
            await self.conn.execute(f"RELEASE SAVEPOINT {sp}")

    async def size(self, candidate: Candidate) -> int:
        oid, _ = self.present.get(candidate) or await self._create(candidate)
        cur = await self.conn.execute("SELECT hypopg_relation_size(%s)", (oid,))
        return int((await cur.fetchone())[0])

    async def set_indexes(self, indexes: frozenset[Candidate]) -> None:
        for cand in [c for c in self.present if c not in indexes]:
            await self._drop(cand)
        # created in a fixed order: the planner breaks cost ties by index OID, and a set's order
        # changes from process to process (hash randomisation)
        for cand in sorted(indexes, key=lambda c: c.signature):
            if cand not in self.present:
                await self._create(cand)

    async def explain(self, sql: str) -> dict:
        opts = "FORMAT JSON, GENERIC_PLAN" if self.generic_plan else "FORMAT JSON"
        try:
            async with self._savepoint():
                cur = await self.conn.execute(f"EXPLAIN ({opts}) {sql}")
                raw = (await cur.fetchone())[0]
        except psycopg.errors.QueryCanceled:
            raise OracleError("planning hit the statement timeout") from None
        except psycopg.Error as exc:
            raise OracleError(f"EXPLAIN failed: {str(exc).strip().splitlines()[0]}") from None
        doc = raw if isinstance(raw, list) else json.loads(raw)
        return doc[0]["Plan"]

    async def explain_generic(self, sql: str, nparams: int) -> dict:
        """PostgreSQL < 16: the generic plan of a `$n` statement via PREPARE + force_generic_plan."""
        self._sp += 1
        name = f"dbarchitect_q{self._sp}"
        try:
            async with self._savepoint():
                await self.conn.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
                await self.conn.execute(f"PREPARE {name} AS {sql}")
                try:
                    args = ", ".join(["NULL"] * nparams)
                    cur = await self.conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({args})")
                    raw = (await cur.fetchone())[0]
                finally:
                    await self.conn.execute(f"DEALLOCATE {name}")
                await self.conn.execute("SELECT set_config('plan_cache_mode', 'auto', true)")
        except psycopg.errors.QueryCanceled:
            raise OracleError("planning hit the statement timeout") from None
        except psycopg.Error as exc:
            raise OracleError(f"EXPLAIN of the generic plan failed: {str(exc).strip().splitlines()[0]}") from None
        doc = raw if isinstance(raw, list) else json.loads(raw)
        return doc[0]["Plan"]

    async def cost(self, query: WorkloadQuery, indexes: frozenset[Candidate]) -> PlanCost:
        await self.set_indexes(indexes)
        sql = query.costed_sql
        params = parameters(sql)
        if params and not self.generic_plan:
            plan = await self.explain_generic(sql, max(params))
        else:
            plan = await self.explain(sql)
        lookups = tuple(Lookup(self.by_name.get(name), kind, loops, rows, share, index=name, fed_by=fed)
                        for name, kind, loops, rows, share, fed in plan_lookups(plan))  # fmt: skip
        used = frozenset(lk.candidate for lk in lookups if lk.candidate is not None)
        return PlanCost(float(plan["Total Cost"]), used, lookups, limit_input(plan))

    async def matched(self, table: str, predicate: str, rows: float, pages: int) -> float:
        """Rows of `table` matching `predicate`, counted on a block sample of about SAMPLE_PAGES pages
        (the whole table when smaller; REPEATABLE: the same sample every time), scaled to `rows`. A
        predicate no sampled row matches counts as half a row of the sample: an upper bound for a rare
        value. For the operators the planner cannot estimate without an index's statistics (full text
        on an expression: a flat 0.5 %), the sample is the honest figure."""
        pct = min(100.0, 100.0 * SAMPLE_PAGES / max(1, pages))
        try:
            async with self._savepoint():
                cur = await self.conn.execute(
                    f"SELECT count(*) FILTER (WHERE {predicate}), count(*) FROM {table_sql(table)} "
                    f"TABLESAMPLE SYSTEM ({pct:.6f}) REPEATABLE (42)")
                hit, seen = await cur.fetchone()
        except psycopg.errors.QueryCanceled:
            raise OracleError("sampling hit the statement timeout") from None
        except psycopg.Error as exc:
            raise OracleError(f"sampling failed: {str(exc).strip().splitlines()[0]}") from None
        if not seen:
            return await self.rows(table, (predicate,))
        return max(float(hit), 0.5) / float(seen) * max(rows, float(seen))

    async def rows(self, table: str, predicates: tuple[str, ...]) -> float:
        """The planner's estimate of the rows of `table` that satisfy all `predicates`."""
        plan = await self.explain(f"SELECT 1 FROM {table_sql(table)} WHERE {' AND '.join(predicates)}")
        return float(plan["Plan Rows"])


def limit_input(plan: dict) -> LimitInput | None:
    """The input of the plan's top Limit node (below a Result or ModifyTable, if any) and its scans."""
    node = plan
    while node.get("Node Type") in ("Result", "ModifyTable", "LockRows") and node.get("Plans"):
        node = node["Plans"][0]
    if node.get("Node Type") != "Limit" or not node.get("Plans"):
        return None
    child = node["Plans"][0]
    scans: list[ScanNode] = []

    driver = _driver(child)

    def walk(n: dict) -> None:
        if n.get("Relation Name"):
            scans.append(ScanNode(n["Relation Name"], n.get("Node Type", ""),
                                  n.get("Index Cond", "") or n.get("Recheck Cond", ""), n.get("Filter", ""),
                                  in_order=n is driver))  # fmt: skip
        for k in n.get("Plans", ()):
            if k.get("Node Type") == "Bitmap Index Scan" and n.get("Relation Name"):
                continue
            walk(k)

    walk(child)
    return LimitInput(float(child["Startup Cost"]), float(child["Total Cost"]), float(child.get("Plan Rows", 0)),
                      tuple(scans))  # fmt: skip


def _parallel_divisor(workers: int) -> float:
    """costsize.c get_parallel_divisor: the workers plus what the leader still contributes."""
    leader = 1.0 - 0.3 * workers
    return workers + (leader if leader > 0 else 0.0)


_ORDER_KEEPING = {"Hash Join", "Merge Join", "Nested Loop", "Gather", "Materialize", "Memoize", "Result",
                  "Limit", "Subquery Scan"}  # their output follows their outer (first) input's order
_COND_REF = re.compile(r"=\s*\(?([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)\)?", re.I)


def _driver(node: dict) -> dict | None:
    """The scan whose row order a subtree's output follows (a Seq Scan's is the heap order)."""
    while node.get("Node Type") in _ORDER_KEEPING:
        kids = node.get("Plans", ())
        outer = next((c for c in kids if c.get("Parent Relationship") in ("Outer", "Member")), kids[0] if kids else None)
        if outer is None:
            return None
        node = outer
    return node if node.get("Node Type") in ("Seq Scan", "Index Scan", "Index Only Scan") else None


def _fed_by(lookup: dict, outer: dict | None) -> tuple[str, str] | None:
    """(relation, column) when `lookup`'s index condition is fed, in heap order, by a sequential scan."""
    driver = _driver(outer) if outer else None
    if driver is None or driver.get("Node Type") != "Seq Scan":
        return None
    for alias, column in _COND_REF.findall(lookup.get("Index Cond", "") or lookup.get("Recheck Cond", "")):
        if alias == driver.get("Alias"):
            return driver.get("Relation Name", ""), column
    return None


def plan_lookups(plan: dict) -> list[tuple[str, str, float, float, float, tuple[str, str] | None]]:
    """(index name, node type, loops, rows per loop, cost share, fed by) of every index scan in the tree.

    Loops count repeated executions: the inner side of a Nested Loop runs once per outer row, a SubPlan
    once per row of the node it hangs from (1 = a single scan). Below a Gather the rows are per
    process, so the loops of a repeated scan are scaled by the parallel divisor (every process runs
    its share of the outer rows), while the plan's total counts one process's cost share. "Fed by" is
    the (relation, column) whose values drive a nested loop's lookups when its outer side streams a
    sequential scan of that relation, in heap order (None otherwise)."""
    out: list[tuple[str, str, float, float, float, tuple[str, str] | None]] = []

    def walk(node: dict, loops: float, share: float, procs: float, heap_cost: float | None,
             outer: dict | None) -> None:  # fmt: skip
        kind = node.get("Node Type", "")
        name = node.get("Index Name")
        if name:
            per_loop = heap_cost if kind == "Bitmap Index Scan" and heap_cost is not None else node["Total Cost"]
            repeated = loops * procs if loops > 1 else 1.0
            out.append((name, kind, repeated, float(node.get("Plan Rows", 0)), share * float(per_loop),
                        _fed_by(node, outer) if loops > 1 else None))  # fmt: skip
        children = node.get("Plans", ())
        if kind in ("Gather", "Gather Merge"):
            for child in children:
                walk(child, loops, share, _parallel_divisor(int(node.get("Workers Planned", 0))), None, outer)
            return
        outer_node = next((c for c in children if c.get("Parent Relationship") == "Outer"), None)
        outer_rows = float(outer_node.get("Plan Rows", 1)) if outer_node else 1.0
        bitmap = float(node["Total Cost"]) if kind == "Bitmap Heap Scan" else heap_cost
        for child in children:
            rel = child.get("Parent Relationship")
            if kind == "Nested Loop" and rel == "Inner":
                walk(child, loops * outer_rows, share * outer_rows, procs, None, outer_node)
            elif rel == "SubPlan":
                rows = float(node.get("Plan Rows", 1))
                walk(child, loops * rows, share * rows, procs, None, None)
            else:
                walk(child, loops, share, procs, bitmap if kind in ("Bitmap Heap Scan", "BitmapAnd", "BitmapOr") else None,
                     outer)  # fmt: skip

    walk(plan, 1.0, 1.0, 1.0, None, None)
    return out


@asynccontextmanager
async def hypothetical_session(
    conn: psycopg.AsyncConnection, *, statement_timeout_ms: int, generic_plan: bool = False
) -> AsyncIterator[HypoPGOracle]:
    """A READ ONLY transaction with HypoPG ready; hypothetical indexes reset however it ends."""
    await conn.execute("SELECT hypopg_reset()")
    await conn.execute("BEGIN READ ONLY")
    try:
        await conn.execute(
            "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)",
            (f"{statement_timeout_ms}ms", f"{min(statement_timeout_ms, 5000)}ms"),
        )
        yield HypoPGOracle(conn, generic_plan=generic_plan)
    finally:
        with anyio.CancelScope(shield=True):
            if not conn.closed:
                try:
                    await conn.execute("ROLLBACK")
                finally:
                    await conn.execute("SELECT hypopg_reset()")


async def hypothetical_count(conn: psycopg.AsyncConnection) -> int:
    """How many hypothetical indexes this backend holds (0 after every advisor run)."""
    cur = await conn.execute("SELECT count(*) FROM hypopg_list_indexes")
    return int((await cur.fetchone())[0])
