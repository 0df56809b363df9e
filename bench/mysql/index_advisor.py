"""recommend_indexes on MariaDB vs a hand-written expert index set (issue 22: goal ≤ 1.3×).

    PYTHONPATH=. .venv/bin/python bench/mysql/index_advisor.py [--workload oltp|shop|tracker] [--scale 1.0]
        [--url mysql://root@host:port/] [--out f.json]

Spawns a throwaway MariaDB (or uses --url) and loads one workload into database bench_<workload>:
- `oltp` (default): bench/mysql/oltp, its own store (schema.sql + generate.sql at `--scale` ×
  workload.SIZES rows), 24 weighted statements with their values written in;
- `shop`, `tracker`: the MariaDB ports of bench/oltp's index-advisor workloads (bench/mysql/<name>/:
  ../words.sql, then schema.sql + generate.sql at workload.sizes(scale), the PostgreSQL workload's
  sizes); each query's parameter variants drawn from the loaded data with one seed (common.py) and
  rendered as literal statements, the query's weight shared equally between its variants.
Primary keys only (plus the FULLTEXT indexes the schema itself declares: MATCH cannot run without
them, so they stay in every configuration). The advisor runs on the weighted statements (no limit on
the number of indexes), then the workload is timed under three configurations on the same data:
primary keys only, the expert set (<workload>/expert.sql, committed before the advisor ever ran) and
the advisor's picks. Each statement: one warm-up, then the median of 3 runs; INSERT/UPDATE/DELETE run
in a transaction that is rolled back. Weighted runtime = Σ weight × median ms. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import importlib

import anyio
import pymysql

from dbarchitect.config import Settings
from dbarchitect.core.sql.mysql_split import split_script
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.server import LocalMariaDB

ROOT = Path(__file__).parent
WORKLOADS = ("oltp", "shop", "tracker")
RUNS = 3
TIMEOUT_S = 60


def connect(url_base: str, db: str | None = None):
    from urllib.parse import urlsplit

    p = urlsplit(url_base)
    return pymysql.connect(host=p.hostname, port=p.port or 3306, user=p.username or "root", password=p.password or "",
                           database=db, autocommit=True)  # fmt: skip


def _uncommented(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if not line.strip().startswith("--"))


def sizes_of(wl, name: str, scale: float) -> dict:
    if name == "oltp":
        return {k: max(1000, int(v * scale)) for k, v in wl.SIZES.items()}
    return wl.sizes(scale)


def analyze(cur) -> None:
    cur.execute("SELECT group_concat(concat('`', table_name, '`')) FROM information_schema.tables WHERE table_schema = database()")
    cur.execute(f"ANALYZE TABLE {cur.fetchone()[0]}")
    cur.fetchall()


def load(conn, name: str, wl, scale: float) -> dict:
    sizes = sizes_of(wl, name, scale)
    here = ROOT / name
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS bench_{name}")
    cur.execute(f"CREATE DATABASE bench_{name}")
    cur.execute(f"USE bench_{name}")
    t0 = time.perf_counter()
    stmts = split_script(_uncommented(ROOT / "words.sql")) if name != "oltp" else []
    stmts += split_script(_uncommented(here / "schema.sql")) + split_script(_uncommented(here / "generate.sql").format(**sizes))
    for stmt in stmts:
        cur.execute(stmt)
    analyze(cur)
    cur.execute("SELECT sum(data_length + index_length) FROM information_schema.tables WHERE table_schema = database()")
    return {"sizes": sizes, "load_s": round(time.perf_counter() - t0, 1), "bytes": int(cur.fetchone()[0])}


def secondary_indexes(cur) -> list[tuple[str, str]]:
    cur.execute("SELECT DISTINCT table_name, index_name FROM information_schema.statistics WHERE table_schema = database()"
                " AND index_name <> 'PRIMARY'")  # fmt: skip
    return [(str(t), str(i)) for t, i in cur.fetchall()]


def configure(conn, ddl: list[str], keep: set[tuple[str, str]]) -> dict:
    """Drop every secondary index but `keep` (the schema's own), build `ddl`, ANALYZE."""
    cur = conn.cursor()
    for t, i in secondary_indexes(cur):
        if (t, i) not in keep:
            cur.execute(f"ALTER TABLE `{t}` DROP INDEX `{i}`")
    t0 = time.perf_counter()
    for stmt in ddl:
        cur.execute(stmt)
    build = time.perf_counter() - t0
    analyze(cur)
    cur.execute("SELECT sum(index_length) FROM information_schema.tables WHERE table_schema = database()")
    return {"indexes": len(ddl), "index_bytes": int(cur.fetchone()[0] or 0), "build_s": round(build, 1)}


def time_workload(conn, queries: list[tuple[str, float, str]]) -> dict:
    cur = conn.cursor()
    cur.execute(f"SET SESSION max_statement_time = {TIMEOUT_S}")
    out = {}
    for name, weight, sql in queries:
        write = sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
        times = []
        for run in range(RUNS + 1):
            if write:
                cur.execute("START TRANSACTION")
            t0 = time.perf_counter()
            try:
                cur.execute(sql)
                cur.fetchall()
                ms = (time.perf_counter() - t0) * 1000
            except pymysql.err.OperationalError as exc:
                if exc.args[0] != 1969:
                    raise
                ms = TIMEOUT_S * 1000.0
            if write:
                cur.execute("ROLLBACK")
            if run:
                times.append(ms)
        out[name] = {"weight": weight, "ms": round(statistics.median(times), 3)}
    return {"queries": out, "weighted_ms": round(sum(q["weight"] * q["ms"] for q in out.values()), 1)}


async def advise(url: str, queries: list[tuple[str, float, str]]) -> tuple[list[str], dict]:
    db = MySQLDatabase("bench", url, Settings(connections={"bench": url}))
    try:
        t0 = time.perf_counter()
        advice = await db.feature("index_advisor", tool="recommend_indexes").recommend(
            [q[2] for q in queries], [q[1] for q in queries], False, None, None, validate=False, scratch=None)
        wall = time.perf_counter() - t0
    finally:
        await db.close()
    ddl = [r.ddl.rstrip(";") for r in advice.recommendations]
    return ddl, {"wall_s": round(wall, 1), "indexes": ddl, "rejected": [f"{r.index}: {r.reason}" for r in advice.rejected],
                 "skipped": advice.skipped_queries, "scratch_ms_before": advice.validation.total_ms_before if advice.validation else None,
                 "scratch_ms_after": advice.validation.total_ms_after if advice.validation else None}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=WORKLOADS, default="oltp")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--url", help="mysql://root@host:port/ of a server to use instead of a spawned one")
    ap.add_argument("--out")
    args = ap.parse_args()
    srv = None
    if args.url:
        base = args.url.rstrip("/") + "/"
    else:
        srv = LocalMariaDB.temporary(extra_args=["--innodb-buffer-pool-size=1G"])
        srv.start()
        base = srv.url().rstrip("/") + "/"
    try:
        wl = importlib.import_module(f"bench.mysql.{args.workload}.workload")
        conn = connect(base)
        result = {"workload": args.workload, "scale": args.scale, "load": load(conn, args.workload, wl, args.scale)}
        db = f"bench_{args.workload}"
        conn.select_db(db)
        keep = set(secondary_indexes(conn.cursor()))
        if args.workload == "oltp":
            queries = list(wl.QUERIES)
        else:
            from bench.mysql.common import statements

            queries = statements(conn, wl.QUERIES, result["load"]["sizes"])
        result["statements"] = [{"name": n, "weight": w, "sql": s} for n, w, s in queries]
        expert = [s for s in split_script(_uncommented(ROOT / args.workload / "expert.sql")) if s.upper().startswith("ALTER")]
        result["baseline"] = {**configure(conn, [], keep), **time_workload(conn, queries)}
        ddl, result["advisor"] = anyio.run(advise, base + db, queries)
        result["expert"] = {**configure(conn, expert, keep), **time_workload(conn, queries)}
        result["advised"] = {**configure(conn, ddl, keep), **time_workload(conn, queries)}
        result["ratio_advised_vs_expert"] = round(result["advised"]["weighted_ms"] / result["expert"]["weighted_ms"], 3)
        print(json.dumps(result, indent=1))
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=1))
    finally:
        if srv is not None:
            srv.stop()


if __name__ == "__main__":
    main()
