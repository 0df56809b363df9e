#!/usr/bin/env python
"""TPC-H SF1: dbarchitect's recommend_indexes against postgres-mcp 0.3.0 and no secondary indexes,
measured in one run on one server.

Steps:
 1. a local PostgreSQL 15 (the embedded spawner) under --cluster-dir, HypoPG and pg_trgm available;
 2. the source database `tpch1` (schema.sql: primary and foreign keys only) loaded from the CSV
    files `tpchgen-cli csv -s 1 --output-dir CSV` writes, then VACUUM ANALYZE (skipped when loaded);
 3. one copy per run (`CREATE DATABASE tpch1_<run> TEMPLATE tpch1`);
 4. the advisors on their copy: postgres-mcp's own classes driven by pgmcp_index.py in its own
    Python 3.12 virtual environment (as written, and with every column pre-qualified), and
    dbarchitect's `recommend_indexes` on the 22 queries as written; each one's wall time;
 5. per copy: the recommended indexes built, ANALYZE, CHECKPOINT, the bytes of the new indexes
    (pg_relation_size);
 6. with every copy built, the workload measured interleaved: per query, one untimed warm-up
    execution on each configuration, then 3 rounds running the configurations round-robin (each
    round starting one configuration later), with statement_timeout 60 s (a timeout counts as 60 s);
    the median per query and configuration, the total, and a digest of each configuration's plan per
    query (`--report` marks a slower query running the baseline's very plan as drift). A
    configuration whose advisor recommends nothing is the baseline configuration and reports the
    baseline's timings.

`--load-only` stops after step 2 (creating HypoPG in tpch1), prints tpch1's DSN and leaves the
cluster running: a loaded database for other tools (bench/equivalence/dump.py --tpch-dsn).

Usage (generated data stays in /tmp, never in git):
  .venv/bin/pip install tpchgen-cli
  .venv/bin/tpchgen-cli csv -s 1 --output-dir /tmp/tpch-sf1
  python3.12 -m venv /tmp/pgmcp-venv && (see README.md for the postgres-mcp install)
  .venv/bin/python bench/tpch/run.py --csv /tmp/tpch-sf1 --pgmcp-python /tmp/pgmcp-venv/bin/python \
      --out /tmp/tpch-results.json
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import errors

from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.index_advisor import recommend_indexes

HERE = Path(__file__).resolve().parent
TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cluster-dir", default="/tmp/dbarchitect-tpch/pg")
    p.add_argument("--csv", default="/tmp/tpch-sf1", help="tpchgen-cli csv output directory")
    p.add_argument("--pgmcp-python", default=None, help="python of postgres-mcp's venv; omit to skip postgres-mcp")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--timeout-s", type=float, default=60.0)
    p.add_argument("--only", default="baseline,pgmcp,pgmcp_qualified,dbarchitect")
    p.add_argument("--out", default=None)
    p.add_argument("--report", default=None, metavar="RESULTS_JSON", help="only print the markdown of earlier results")
    p.add_argument("--load-only", action="store_true",
                   help="only start the cluster and load tpch1 (VACUUM ANALYZE, HypoPG created), print its DSN, leave it running")  # fmt: skip
    return p.parse_args()


def load_source(admin_dsn: str, dsn: str, csv_dir: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = 'tpch1'").fetchone():
            with psycopg.connect(dsn, autocommit=True) as s:
                if s.execute("SELECT to_regclass('lineitem') IS NOT NULL").fetchone()[0] and s.execute(
                    "SELECT reltuples > 0 FROM pg_class WHERE relname = 'lineitem'"
                ).fetchone()[0]:
                    return
            c.execute("DROP DATABASE tpch1")
        c.execute("CREATE DATABASE tpch1")
    print("loading TPC-H into tpch1 …", file=sys.stderr, flush=True)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute((HERE / "schema.sql").read_text())
        for t in TABLES:
            with open(os.path.join(csv_dir, f"{t}.csv"), "rb") as fh, c.cursor() as cur:
                with cur.copy(f"COPY {t} FROM STDIN WITH (FORMAT csv, HEADER true)") as cp:
                    while chunk := fh.read(1 << 20):
                        cp.write(chunk)
        c.execute("VACUUM ANALYZE")


def copy_db(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name} TEMPLATE tpch1")


def queries() -> list[tuple[str, str]]:
    return [(Path(f).stem, Path(f).read_text().strip().rstrip(";")) for f in sorted(glob.glob(str(HERE / "queries" / "*.sql")))]


def run_pgmcp(python: str, dsn_url: str, qualified: bool) -> dict:
    cmd = [python, str(HERE / "pgmcp_index.py"), "--dsn", dsn_url, "--queries", str(HERE / "queries"),
           "--create-hypopg", "--ensure-analyzed"]  # fmt: skip
    if qualified:
        cmd.append("--qualify-columns")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pgmcp_index.py failed: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    return {"statements": doc.get("recommended_indexes", []), "advisor_s": doc.get("advisor_wall_time_s", wall),
            "process_s": round(wall, 2), "errors": doc.get("errors") or doc.get("failed_queries")}  # fmt: skip


def _named(names: dict[str, str], qid: str) -> str:
    """A query id as its TPC-H name; a side the advisor costs besides (`q9.rare`) keeps its suffix."""
    base, dot, side = qid.partition(".")
    return names.get(base, base) + dot + side


async def run_dbarchitect(dsn: str) -> dict:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        qs = queries()
        t0 = time.perf_counter()
        advice = await recommend_indexes(conn, [q for _, q in qs], statement_timeout_ms=60_000)
        wall = time.perf_counter() - t0
    finally:
        await conn.close()
    names = {f"q{i + 1}": name for i, (name, _) in enumerate(qs)}
    return {
        "statements": [r.ddl for r in advice.recommendations],
        "extensions": sorted({r.requires_extension for r in advice.recommendations if r.requires_extension}),
        "advisor_s": round(wall, 3),
        "estimated_bytes": advice.total_size_bytes,
        "costings": advice.costings,
        "workload_cost_before": advice.workload_cost_before,
        "workload_cost_after": advice.workload_cost_after,
        "per_index": [{"ddl": r.ddl, "evidence": r.evidence.kind, "size": r.estimated_size_bytes,
                       "helps": {_named(names, h.query): [h.cost_before, h.cost_after] for h in r.helps}}
                      for r in advice.recommendations],  # fmt: skip
        "rejected": [r.model_dump() for r in advice.rejected],
        "skipped": advice.skipped_queries,
    }


def build(dsn: str, statements: list[str], extensions: list[str]) -> dict:
    """Build the recommended indexes on a copy, then ANALYZE and CHECKPOINT; nothing is timed here."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for ext in extensions:
            conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
        before = {r[0] for r in conn.execute("SELECT indexrelid FROM pg_index")}
        built, errs = [], {}
        t0 = time.perf_counter()
        for s in statements:
            try:
                conn.execute(s.strip().rstrip(";"))
                built.append(s)
            except psycopg.Error as exc:
                errs[s] = str(exc).strip().splitlines()[0]
        build_s = time.perf_counter() - t0
        new = [r[0] for r in conn.execute("SELECT indexrelid FROM pg_index") if r[0] not in before]
        size = sum(conn.execute("SELECT pg_relation_size(%s::oid)", (o,)).fetchone()[0] for o in new)
        conn.execute("ANALYZE")
        conn.execute("CHECKPOINT")
    return {"indexes": len(new), "index_bytes": size, "build_s": round(build_s, 1), "build_errors": errs}


def time_query(conn: psycopg.Connection, sql: str, timeout_s: float) -> tuple[float, bool]:
    t = time.perf_counter()
    try:
        conn.execute(sql).fetchall()
        return time.perf_counter() - t, False
    except errors.QueryCanceled:
        return timeout_s, True  # a timeout counts as the full statement_timeout


def plan_digest(conn: psycopg.Connection, sql: str) -> str:
    """A short digest of the plan's shape (EXPLAIN without costs): equal digests, equal plans."""
    text = "\n".join(r[0] for r in conn.execute(f"EXPLAIN (COSTS OFF) {sql}"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def measure_interleaved(dsns: dict[str, str], runs: int, timeout_s: float) -> dict[str, dict]:
    """Per query: one untimed warm-up execution per configuration, then `runs` rounds in which the
    configurations run round-robin, each round starting one configuration later (no configuration
    always runs right after the same one); the median per configuration, and a digest of the plan
    each configuration runs (a query slower with the same plan as without indexes is drift)."""
    conns = {run: psycopg.connect(dsn, autocommit=True) for run, dsn in dsns.items()}
    try:
        for c in conns.values():
            c.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
        per: dict[str, dict] = {run: {} for run in conns}
        for name, sql in queries():
            for c in conns.values():  # warm-up round, not counted
                time_query(c, sql, timeout_s)
            times: dict[str, list[float]] = {run: [] for run in conns}
            timeouts = dict.fromkeys(conns, 0)
            order = list(conns)
            for r in range(runs):
                for run in order[r % len(order):] + order[: r % len(order)]:
                    dt, to = time_query(conns[run], sql, timeout_s)
                    times[run].append(dt)
                    timeouts[run] += to
            for run, c in conns.items():
                per[run][name] = {"median_s": round(statistics.median(times[run]), 3), "timeouts": timeouts[run],
                                  "times_s": [round(t, 3) for t in times[run]], "plan": plan_digest(c, sql)}  # fmt: skip
            print(f"  {name}: " + ", ".join(f"{r} {per[r][name]['median_s']}" for r in conns), file=sys.stderr, flush=True)
    finally:
        for c in conns.values():
            c.close()
    return {run: {"per_query": p, "total_s": round(sum(v["median_s"] for v in p.values()), 2)} for run, p in per.items()}


def main() -> None:
    args = parse_args()
    if args.report:
        print(report(json.loads(Path(args.report).read_text())))
        return
    cluster = LocalCluster.persistent(Path(args.cluster_dir)).start()
    admin = cluster.dsn("postgres")
    load_source(admin, cluster.dsn("tpch1"), args.csv)
    if args.load_only:
        with psycopg.connect(cluster.dsn("tpch1"), autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        print(cluster.dsn("tpch1"))
        return
    only = args.only.split(",")
    builds: dict[str, dict] = {}
    advisors: dict[str, dict] = {}
    aliases: dict[str, str] = {}
    # Phase 1: every configuration's copy, its advisor (wall time), its indexes built.
    for run in only:
        db = f"tpch1_{run}"
        if run in ("pgmcp", "pgmcp_qualified") and not args.pgmcp_python:
            continue
        copy_db(admin, db)
        print(f"== {run}", file=sys.stderr, flush=True)
        if run == "baseline":
            advisors[run] = {"statements": [], "advisor_s": None}
        elif run in ("pgmcp", "pgmcp_qualified"):
            advisors[run] = run_pgmcp(args.pgmcp_python, cluster.url(db), qualified=run == "pgmcp_qualified")
        elif run == "dbarchitect":
            advisors[run] = asyncio.run(run_dbarchitect(cluster.dsn(db)))
        print(f"   advisor: {advisors[run].get('advisor_s')} s, {len(advisors[run]['statements'])} indexes",
              file=sys.stderr, flush=True)  # fmt: skip
        if run != "baseline" and not advisors[run]["statements"] and "baseline" in builds:
            # No index recommended: this copy is the baseline configuration; its timings are the
            # baseline's, measured in the same interleaved rounds (not a second, separate measurement).
            aliases[run] = "baseline"
            with psycopg.connect(admin, autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {db}")
            continue
        builds[run] = build(cluster.dsn(db), advisors[run]["statements"], advisors[run].get("extensions", []))
    # Phase 2: all configurations measured together, query by query, round-robin.
    print("== measuring interleaved: " + ", ".join(builds), file=sys.stderr, flush=True)
    timed = measure_interleaved({run: cluster.dsn(f"tpch1_{run}") for run in builds}, args.runs, args.timeout_s)
    results: dict[str, dict] = {}
    for run in only:
        if run in builds:
            results[run] = {**builds[run], **timed[run]}
        elif run in aliases:
            results[run] = {**results[aliases[run]], "same_as_baseline": True}
    with psycopg.connect(admin, autocommit=True) as c:
        for run in builds:
            c.execute(f"DROP DATABASE IF EXISTS tpch1_{run}")
    doc = {"advisors": advisors, "measured": results,
           "method": {"interleaved": True, "warmup_rounds": 1, "rounds": args.runs, "timeout_s": args.timeout_s},
           "server": {"version": psycopg.connect(admin).execute("SHOW server_version").fetchone()[0]}}  # fmt: skip
    text = json.dumps(doc, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    print(report(doc), file=sys.stderr)


LABELS = {"baseline": "no secondary indexes", "pgmcp": "postgres-mcp 0.3.0, queries as written",
          "pgmcp_qualified": "postgres-mcp 0.3.0, columns pre-qualified (its best case)",
          "dbarchitect": "dbarchitect recommend_indexes, queries as written"}  # fmt: skip
SLOWER = 1.10  # the target: no query more than 10 % slower than with no secondary indexes


def slower(doc: dict, run: str) -> tuple[list[str], list[str]]:
    """Queries whose median is > 10 % above the baseline's: (with a plan of their own, with the
    baseline's very plan — drift of the machine, not an effect of the indexes)."""
    base, mine = doc["measured"]["baseline"]["per_query"], doc["measured"][run]["per_query"]
    changed, drift = [], []
    for q, b in base.items():
        if mine[q]["median_s"] > SLOWER * b["median_s"]:
            same = b.get("plan") is not None and mine[q].get("plan") == b.get("plan")
            (drift if same else changed).append(q)
    return changed, drift


def report(doc: dict) -> str:
    """The results as markdown: totals, per-query medians (▲ slower > 10 % with a different plan,
    ≈ slower > 10 % running the baseline's plan), each run's indexes and verdicts."""
    m, a = doc["measured"], doc["advisors"]
    out = ["| run | workload total | timeouts | indexes | index bytes | advisor wall time |", "|---|---|---|---|---|---|"]
    for run, x in m.items():
        to = sum(1 for v in x["per_query"].values() if v["timeouts"] * 2 > 1)
        adv = f"{a[run]['advisor_s']:.1f} s" if a[run].get("advisor_s") is not None else "—"
        label = LABELS.get(run, run) + (" (recommends nothing: the baseline configuration)" if x.get("same_as_baseline") else "")
        out.append(f"| {label} | {x['total_s']:.1f} s | {to} | {x['indexes']} | {x['index_bytes'] / 2**20:.0f} MB | {adv} |")
    runs = list(m)
    out += ["", "| query | " + " | ".join(runs) + " |", "|---|" + "---|" * len(runs)]
    base = m["baseline"]["per_query"]
    marks = {run: slower(doc, run) for run in runs if run != "baseline" and not m[run].get("same_as_baseline")}
    for q in base:
        cells = []
        for run in runs:
            changed, drift = marks.get(run, ([], []))
            cells.append(f"{m[run]['per_query'][q]['median_s']:.2f}" + (" ▲" if q in changed else " ≈" if q in drift else ""))
        out.append(f"| {q} | " + " | ".join(cells) + " |")
    out.append("")
    for run, (changed, drift) in marks.items():
        out.append(f"- {run}: slower by more than 10 % with its own plan: {', '.join(changed) or 'none'}; "
                   f"with the baseline's plan (drift): {', '.join(drift) or 'none'}")  # fmt: skip
        out += [f"  - `{st}`" for st in a[run]["statements"]]
    if "pgmcp_qualified" in m and "dbarchitect" in m:
        d, p = m["dbarchitect"], m["pgmcp_qualified"]
        out.append(f"- dbarchitect / postgres-mcp best case: workload {d['total_s'] / p['total_s']:.2f}×, index bytes "
                   f"{d['index_bytes'] / max(1, p['index_bytes']):.2f}×, advisor wall time "
                   f"{a['dbarchitect']['advisor_s'] / a['pgmcp_qualified']['advisor_s']:.2f}×")  # fmt: skip
    return "\n".join(out)


if __name__ == "__main__":
    main()
