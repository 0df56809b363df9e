"""recommend_indexes on MariaDB vs a hand-written expert index set (issue 22: goal ≤ 1.3×).

    PYTHONPATH=. .venv/bin/python bench/mysql/index_advisor.py [--scale 1.0] [--url mysql://root@host:port/] [--out f.json]

Spawns a throwaway MariaDB (or uses --url), loads bench/mysql/oltp (schema.sql + generate.sql at
`--scale` × workload.SIZES rows; primary keys only), runs the advisor on the 24 weighted queries of
workload.py (no limit on the number of indexes), then times the workload under three configurations
on the same data: primary keys only, the expert set (oltp/expert.sql, committed before the advisor
ever ran) and the advisor's picks. Each query: one warm-up, then the median of 3 runs; UPDATE/DELETE run
in a transaction that is rolled back. Weighted runtime = Σ weight × median ms. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import anyio
import pymysql

from bench.mysql.oltp.workload import QUERIES, SIZES
from dbarchitect.config import Settings
from dbarchitect.core.sql.mysql_split import split_script
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.server import LocalMariaDB

HERE = Path(__file__).parent / "oltp"
RUNS = 3
TIMEOUT_S = 60


def connect(url_base: str, db: str | None = None):
    from urllib.parse import urlsplit

    p = urlsplit(url_base)
    return pymysql.connect(host=p.hostname, port=p.port or 3306, user=p.username or "root", password=p.password or "",
                           database=db, autocommit=True)  # fmt: skip


def _uncommented(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if not line.strip().startswith("--"))


def load(conn, scale: float) -> dict:
    sizes = {k: max(1000, int(v * scale)) for k, v in SIZES.items()}
    cur = conn.cursor()
    cur.execute("DROP DATABASE IF EXISTS bench_oltp")
    cur.execute("CREATE DATABASE bench_oltp")
    cur.execute("USE bench_oltp")
    t0 = time.perf_counter()
    for stmt in split_script(_uncommented(HERE / "schema.sql")) + split_script(_uncommented(HERE / "generate.sql").format(**sizes)):
        cur.execute(stmt)
    cur.execute("ANALYZE TABLE customers, categories, products, orders, order_items, reviews")
    cur.fetchall()
    cur.execute("SELECT sum(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'bench_oltp'")
    return {"sizes": sizes, "load_s": round(time.perf_counter() - t0, 1), "bytes": int(cur.fetchone()[0])}


def secondary_indexes(cur) -> list[tuple[str, str]]:
    cur.execute("SELECT DISTINCT table_name, index_name FROM information_schema.statistics WHERE table_schema = 'bench_oltp'"
                " AND index_name <> 'PRIMARY'")  # fmt: skip
    return [(str(t), str(i)) for t, i in cur.fetchall()]


def configure(conn, ddl: list[str]) -> dict:
    cur = conn.cursor()
    for t, i in secondary_indexes(cur):
        cur.execute(f"ALTER TABLE `{t}` DROP INDEX `{i}`")
    t0 = time.perf_counter()
    for stmt in ddl:
        cur.execute(stmt)
    build = time.perf_counter() - t0
    cur.execute("ANALYZE TABLE customers, categories, products, orders, order_items, reviews")
    cur.fetchall()
    cur.execute("SELECT sum(index_length) FROM information_schema.tables WHERE table_schema = 'bench_oltp'")
    return {"indexes": len(ddl), "index_bytes": int(cur.fetchone()[0] or 0), "build_s": round(build, 1)}


def time_workload(conn) -> dict:
    cur = conn.cursor()
    cur.execute(f"SET SESSION max_statement_time = {TIMEOUT_S}")
    out = {}
    for name, weight, sql in QUERIES:
        write = sql.split()[0].upper() in ("UPDATE", "DELETE")
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


async def advise(url: str) -> tuple[list[str], dict]:
    db = MySQLDatabase("bench", url, Settings(connections={"bench": url}))
    try:
        t0 = time.perf_counter()
        advice = await db.feature("index_advisor", tool="recommend_indexes").recommend(
            [q[2] for q in QUERIES], [q[1] for q in QUERIES], False, None, None, validate=False, scratch=None)
        wall = time.perf_counter() - t0
    finally:
        await db.close()
    ddl = [r.ddl.rstrip(";") for r in advice.recommendations]
    return ddl, {"wall_s": round(wall, 1), "indexes": ddl, "rejected": [f"{r.index}: {r.reason}" for r in advice.rejected],
                 "skipped": advice.skipped_queries, "scratch_ms_before": advice.validation.total_ms_before if advice.validation else None,
                 "scratch_ms_after": advice.validation.total_ms_after if advice.validation else None}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
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
        conn = connect(base)
        result = {"load": load(conn, args.scale)}
        conn.select_db("bench_oltp")
        expert = [s for s in split_script(_uncommented(HERE / "expert.sql")) if s.upper().startswith("ALTER")]
        result["baseline"] = {**configure(conn, []), **time_workload(conn)}
        ddl, result["advisor"] = anyio.run(advise, base + "bench_oltp")
        result["expert"] = {**configure(conn, expert), **time_workload(conn)}
        result["advised"] = {**configure(conn, ddl), **time_workload(conn)}
        result["ratio_advised_vs_expert"] = round(result["advised"]["weighted_ms"] / result["expert"]["weighted_ms"], 3)
        print(json.dumps(result, indent=1))
        if args.out:
            Path(args.out).write_text(json.dumps(result, indent=1))
    finally:
        if srv is not None:
            srv.stop()


if __name__ == "__main__":
    main()
