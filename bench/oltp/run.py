#!/usr/bin/env python
"""OLTP application workloads (issue 16): index sets judged by weighted runtime, in one run.

Per workload (tracker, shop, booking; `--workload`):
 1. a local PostgreSQL 15 under --cluster-dir (the embedded spawner), HypoPG and pg_trgm available;
 2. the source database `oltp_<workload>` generated server-side at --scale (skipped when a complete
    load at that scale exists); the parameters drawn from it once with --seed (every configuration
    runs the very same values: a common and a rare value for skewed columns, the absent key);
 3. one copy per configuration (`CREATE DATABASE oltp_<workload>_<run> TEMPLATE oltp_<workload>`):
    baseline (no secondary indexes), expert (the hand-written expert.sql), pgmcp (postgres-mcp 0.3.0's
    advisor via bench/tpch/pgmcp_index.py, literal queries, no weights: it takes none), dbarchitect
    (recommend_indexes with HypoPG, weighted), heuristic (the same on a copy without the hypopg
    extension: the advisor's heuristic mode), heuristic_budget (the same with budget_mb, default
    1.2 × the expert set's measured bytes); each advisor's wall time; the indexes built, ANALYZE,
    CHECKPOINT, pg_relation_size of the new indexes;
 4. the workload timed interleaved: per query and parameter variant, one untimed warm-up on every
    configuration, then --runs rounds running the configurations round-robin (each round starting
    one configuration later), statement_timeout --timeout-s counting as the timeout; writes run in
    BEGIN … ROLLBACK (the data stay identical; the timed statement still maintains every index);
    the median per variant, a plan digest per configuration;
 5. per configuration: weighted runtime = Σ_query weight × (mean over its variants of the median ms),
    index bytes, advisor wall time; `--report RESULTS_JSON` prints the markdown tables.

The advisors get the queries as literal SQL, one statement per parameter variant (dbarchitect with
the query's weight shared equally between its variants); `--dbarchitect-input params` gives
dbarchitect the $n text instead (one statement per query, the whole weight); the configurations
dbarchitect_params, heuristic_params and heuristic_budget_params (`--only`) do so in the same run as
the literal ones.

Usage (generated data stays in /tmp, never in git):
  .venv/bin/python bench/oltp/run.py --workload tracker --scale 1 --pgmcp-python /tmp/pgmcp-venv/bin/python \
      --out /tmp/oltp-tracker.json
  .venv/bin/python bench/oltp/run.py --report /tmp/oltp-tracker.json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import errors

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.oltp import common  # noqa: E402
from bench.tpch.run import build as tpch_build  # noqa: E402
from dbarchitect.live.postgres.cluster import LocalCluster  # noqa: E402
from dbarchitect.live.postgres.index_advisor import recommend_indexes  # noqa: E402

RUNS = ("baseline", "expert", "pgmcp", "dbarchitect", "heuristic", "heuristic_budget")
# also accepted by --only (not in the default list): the same advisor runs given the $n texts, whatever
# --dbarchitect-input says, so that one run measures both inputs against the same expert and baseline
PARAMS_RUNS = ("dbarchitect_params", "heuristic_params", "heuristic_budget_params")
LABELS = {"baseline": "no secondary indexes", "expert": "expert set (expert.sql, by hand)",
          "pgmcp": "postgres-mcp 0.3.0", "dbarchitect": "dbarchitect recommend_indexes (HypoPG)",
          "heuristic": "dbarchitect heuristic (no HypoPG), no budget",
          "heuristic_budget": "dbarchitect heuristic (no HypoPG), budget_mb"}  # fmt: skip
LABELS.update({r: LABELS[r.removesuffix("_params")] + ", `$n` input" for r in PARAMS_RUNS})
SLOWER = 1.10  # the target: no query more than 10 % slower than with no secondary indexes
FLOOR_MS = 0.5  # … and by more than this: sub-millisecond medians on a shared machine differ by noise alone


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", default="tracker", choices=common.WORKLOADS)
    p.add_argument("--scale", type=float, default=1.0, help="1.0 = the default (>= 1 GB); 0.05 loads in seconds")
    p.add_argument("--cluster-dir", default="/tmp/dbarchitect-oltp/pg")
    p.add_argument("--pgmcp-python", default=None, help="python of postgres-mcp's venv; omit to skip postgres-mcp")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--timeout-s", type=float, default=30.0)
    p.add_argument("--budget-mb", type=float, default=None, help="heuristic_budget's budget_mb (default 1.2 × expert bytes)")
    p.add_argument("--only", default=",".join(RUNS), help=f"configurations, of {', '.join(RUNS + PARAMS_RUNS)}")
    p.add_argument("--dbarchitect-input", choices=("literal", "params"), default="literal")
    p.add_argument("--out", default=None)
    p.add_argument("--report", default=None, metavar="RESULTS_JSON", help="only print the markdown of earlier results")
    return p.parse_args()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def copy_db(admin_dsn: str, source: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def statements(wl, params: dict) -> list[dict]:
    """One literal statement per (query, variant), with its share of the query's weight."""
    out = []
    for i, q in enumerate(wl.QUERIES):
        variants = params[q.name]
        for j, (label, p) in enumerate(variants):
            out.append({"id": f"q{i + 1:02d}{chr(97 + j)}_{q.name}", "query": q.name, "variant": label,
                        "sql": common.render(q.sql, p), "weight": q.weight / len(variants), "write": q.write})  # fmt: skip
    return out


def run_pgmcp(python: str, dsn_url: str, stmts: list[dict]) -> dict:
    with tempfile.TemporaryDirectory(prefix="oltp-pgmcp-") as d:
        for s in stmts:
            Path(d, s["id"] + ".sql").write_text(s["sql"] + "\n")
        cmd = [python, str(ROOT / "bench" / "tpch" / "pgmcp_index.py"), "--dsn", dsn_url, "--queries", d,
               "--create-hypopg", "--ensure-analyzed"]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pgmcp_index.py failed: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    return {"statements": doc.get("recommended_indexes", []), "advisor_s": round(doc.get("advisor_wall_time_s", wall), 2),
            "process_s": round(wall, 2), "errors": doc.get("errors") or doc.get("failed_queries")}  # fmt: skip


async def run_dbarchitect(dsn: str, wl, stmts: list[dict], hypopg: bool, budget_mb: float | None, mode: str) -> dict:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        if hypopg:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        else:
            await conn.execute("DROP EXTENSION IF EXISTS hypopg")
        if mode == "params":
            names = [q.name for q in wl.QUERIES]
            sqls, weights = [q.sql for q in wl.QUERIES], [q.weight for q in wl.QUERIES]
        else:
            names = [s["id"] for s in stmts]
            sqls, weights = [s["sql"] for s in stmts], [s["weight"] for s in stmts]
        t0 = time.perf_counter()
        advice = await recommend_indexes(conn, sqls, weights, budget_mb=budget_mb, statement_timeout_ms=60_000)
        wall = time.perf_counter() - t0
    finally:
        await conn.close()
    ids = {f"q{i + 1}": n for i, n in enumerate(names)}
    return {
        "mode": advice.mode,
        "budget_mb": budget_mb,
        "input": mode,
        "statements": [r.ddl for r in advice.recommendations],
        "extensions": sorted({r.requires_extension for r in advice.recommendations if r.requires_extension}),
        "advisor_s": round(wall, 3),
        "estimated_bytes": advice.total_size_bytes,
        "costings": advice.costings,
        "per_index": [{"ddl": r.ddl, "reason": r.reason, "evidence": r.evidence.kind, "size": r.estimated_size_bytes,
                       "helps": {ids.get(h.query, h.query): [h.cost_before, h.cost_after] for h in r.helps}}
                      for r in advice.recommendations],  # fmt: skip
        "rejected": [{**r.model_dump(), "query_names": [ids.get(q, q) for q in (r.model_dump().get("queries") or [])]}
                     for r in advice.rejected],  # fmt: skip
        "skipped": {ids.get(k, k): v for k, v in advice.skipped_queries.items()},
        "notes": advice.notes,
    }


def build(dsn: str, stmts: list[str], extensions: list[str]) -> dict:
    """bench/tpch's build (the set built, ANALYZE, CHECKPOINT, bytes of the new indexes) with a larger
    maintenance_work_mem for the GIN builds, plus the definitions of what was built (the copies start
    with primary keys only, so every other index is new)."""
    name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{name}\" SET maintenance_work_mem = '256MB'")
    out = tpch_build(dsn, stmts, extensions)
    with psycopg.connect(dsn, autocommit=True) as conn:
        out["built"] = [r[0] for r in conn.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
            "WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisprimary ORDER BY i.indexrelid")]  # fmt: skip
    return out


def expert_statements(workload: str) -> list[str]:
    text = (common.HERE / workload / "expert.sql").read_text()
    lines = [ln.split("--")[0] for ln in text.splitlines()]  # expert.sql has no "--" inside its SQL
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def time_stmt(conn: psycopg.Connection, sql: str, write: bool, timeout_s: float) -> tuple[float, bool]:
    try:
        if write:
            conn.execute("BEGIN")
        t = time.perf_counter()
        try:
            cur = conn.execute(sql)
            if cur.description:
                cur.fetchall()
            return time.perf_counter() - t, False
        except errors.QueryCanceled:
            return timeout_s, True  # a timeout counts as the full statement_timeout
    finally:
        if write or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")


def plan_digest(conn: psycopg.Connection, sql: str) -> tuple[str, str]:
    """A short digest of the plan's shape (EXPLAIN without costs), and the plan text."""
    text = "\n".join(r[0] for r in conn.execute(f"EXPLAIN (COSTS OFF) {sql}"))
    return hashlib.sha256(text.encode()).hexdigest()[:12], text


def measure_interleaved(dsns: dict[str, str], stmts: list[dict], runs: int, timeout_s: float) -> dict[str, dict]:
    conns = {run: psycopg.connect(dsn, autocommit=True, prepare_threshold=None) for run, dsn in dsns.items()}
    try:
        for c in conns.values():
            c.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
        per: dict[str, dict] = {run: {} for run in conns}
        for s in stmts:
            for c in conns.values():  # warm-up round, not counted
                time_stmt(c, s["sql"], s["write"], timeout_s)
            times: dict[str, list[float]] = {run: [] for run in conns}
            timeouts = dict.fromkeys(conns, 0)
            order = list(conns)
            for r in range(runs):
                for run in order[r % len(order):] + order[: r % len(order)]:
                    dt, to = time_stmt(conns[run], s["sql"], s["write"], timeout_s)
                    times[run].append(dt)
                    timeouts[run] += to
            for run, c in conns.items():
                digest, text = plan_digest(c, s["sql"])
                per[run][s["id"]] = {"median_ms": round(1000 * statistics.median(times[run]), 3), "timeouts": timeouts[run],
                                     "times_ms": [round(1000 * t, 3) for t in times[run]], "plan": digest, "plan_text": text}  # fmt: skip
            log(f"  {s['id']}: " + ", ".join(f"{r} {per[r][s['id']]['median_ms']:.1f}" for r in conns))
    finally:
        for c in conns.values():
            c.close()
    return per


def weighted(per: dict, stmts: list[dict]) -> dict:
    """Σ weight × median ms over the statements (each variant carries its share of the query's weight)."""
    total = sum(s["weight"] * per[s["id"]]["median_ms"] for s in stmts)
    reads = sum(s["weight"] * per[s["id"]]["median_ms"] for s in stmts if not s["write"])
    return {"weighted_s": round(total / 1000, 3), "weighted_reads_s": round(reads / 1000, 3),
            "plain_total_s": round(sum(per[s["id"]]["median_ms"] for s in stmts) / 1000, 3)}  # fmt: skip


def main() -> None:
    args = parse_args()
    if args.report:
        print(report(json.loads(Path(args.report).read_text())))
        return
    wl = common.workload(args.workload)
    cluster = LocalCluster.persistent(Path(args.cluster_dir)).start()
    admin = cluster.dsn("postgres")
    source = f"oltp_{args.workload}"
    load_info = None
    if not common.loaded(admin, source, args.workload, args.scale):
        log(f"loading {source} at scale {args.scale} …")
        load_info = common.load(admin, cluster.dsn(source), source, args.workload, args.scale, log=log)
        log(f"   loaded in {load_info['load_s']} s, {load_info['database_bytes'] / 2**30:.2f} GiB")
    with psycopg.connect(cluster.dsn(source)) as c:
        db_bytes = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = dict(c.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                                "AND relnamespace = 'public'::regnamespace ORDER BY 1").fetchall())  # fmt: skip
    params = common.draw_parameters(cluster.dsn(source), args.workload, args.scale, args.seed)
    stmts = statements(wl, params)
    only = [r for r in args.only.split(",") if r]
    if unknown := [r for r in only if r not in RUNS + PARAMS_RUNS]:
        raise SystemExit(f"unknown configuration {', '.join(unknown)}: one of {', '.join(RUNS + PARAMS_RUNS)}")
    if "pgmcp" in only and not args.pgmcp_python:
        only.remove("pgmcp")
    builds: dict[str, dict] = {}
    advisors: dict[str, dict] = {}
    for run in only:
        db = f"{source}_{run}"
        copy_db(admin, source, db)
        log(f"== {run}")
        if run == "baseline":
            advisors[run] = {"statements": [], "advisor_s": None}
        elif run == "expert":
            advisors[run] = {"statements": expert_statements(args.workload), "advisor_s": None}
        elif run == "pgmcp":
            advisors[run] = run_pgmcp(args.pgmcp_python, cluster.url(db), stmts)
        else:
            kind = run.removesuffix("_params")
            budget = None
            if kind == "heuristic_budget":
                budget = args.budget_mb or (round(1.2 * builds["expert"]["index_bytes"] / 2**20) if "expert" in builds else None)
                if budget is None:
                    raise SystemExit("heuristic_budget needs --budget-mb or the expert configuration first")
            mode = "params" if run.endswith("_params") else args.dbarchitect_input
            advisors[run] = asyncio.run(run_dbarchitect(cluster.dsn(db), wl, stmts, hypopg=kind == "dbarchitect",
                                                        budget_mb=budget, mode=mode))  # fmt: skip
        log(f"   advisor: {advisors[run].get('advisor_s')} s, {len(advisors[run]['statements'])} indexes")
        builds[run] = build(cluster.dsn(db), advisors[run]["statements"], advisors[run].get("extensions", []))
        log(f"   built {builds[run]['indexes']} indexes, {builds[run]['index_bytes'] / 2**20:.0f} MB in {builds[run]['build_s']} s"
            + (f"; errors: {builds[run]['build_errors']}" if builds[run]["build_errors"] else ""))  # fmt: skip
    log("== measuring interleaved: " + ", ".join(builds))
    per = measure_interleaved({run: cluster.dsn(f"{source}_{run}") for run in builds}, stmts, args.runs, args.timeout_s)
    measured = {run: {**builds[run], **weighted(per[run], stmts), "per_statement": per[run]} for run in builds}
    with psycopg.connect(admin, autocommit=True) as c:
        for run in builds:
            c.execute(f'DROP DATABASE IF EXISTS "{source}_{run}" WITH (FORCE)')
        version = c.execute("SHOW server_version").fetchone()[0]
    doc = {"workload": args.workload, "scale": args.scale, "seed": args.seed, "database_bytes": db_bytes, "tables": tables,
           "load": load_info, "statements": stmts, "weights": {q.name: q.weight for q in wl.QUERIES},
           "advisors": advisors, "measured": measured,
           "method": {"interleaved": True, "warmup_rounds": 1, "rounds": args.runs, "timeout_s": args.timeout_s,
                      "dbarchitect_input": args.dbarchitect_input, "writes": "BEGIN; statement; ROLLBACK"},
           "server": {"version": version}}  # fmt: skip
    text = json.dumps(doc, indent=1, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n")
    log(report(doc))


def slower(doc: dict, run: str) -> tuple[list[str], list[str]]:
    """Statements whose median is > 10 % above the baseline's: (with a plan of their own, with the
    baseline's very plan — drift of the machine, not an effect of the indexes)."""
    base, mine = doc["measured"]["baseline"]["per_statement"], doc["measured"][run]["per_statement"]
    changed, drift = [], []
    for s in doc["statements"]:
        b, m = base[s["id"]], mine[s["id"]]
        if m["median_ms"] > SLOWER * b["median_ms"] and m["median_ms"] - b["median_ms"] > FLOOR_MS:
            (drift if m["plan"] == b["plan"] and not s["write"] else changed).append(s["id"])
    return changed, drift


def report(doc: dict) -> str:
    """Totals per configuration (against the expert), the per-query table, each run's indexes."""
    m, a, stmts = doc["measured"], doc["advisors"], doc["statements"]
    exp = m.get("expert")
    out = [f"Workload `{doc['workload']}`, scale {doc['scale']}, database {doc['database_bytes'] / 2**30:.2f} GiB, "
           f"{len(doc['weights'])} queries / {len(stmts)} statements (parameter variants), seed {doc['seed']}, "
           f"PostgreSQL {doc['server']['version']}.", "",
           "| configuration | weighted runtime | × expert | reads only | indexes | index bytes | × expert | advisor wall time |",
           "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for run, x in m.items():
        rx = f"{x['weighted_s'] / exp['weighted_s']:.2f}×" if exp else "—"
        bx = f"{x['index_bytes'] / exp['index_bytes']:.2f}×" if exp and exp["index_bytes"] else "—"
        adv = f"{a[run]['advisor_s']:.1f} s" if a[run].get("advisor_s") is not None else "—"
        label = LABELS.get(run, run) + (f" {a[run]['budget_mb']:.0f}" if a[run].get("budget_mb") else "")
        out.append(f"| {label} | {x['weighted_s']:.2f} s | {rx} | {x['weighted_reads_s']:.2f} s | {x['indexes']} | "
                   f"{x['index_bytes'] / 2**20:.0f} MB | {bx} | {adv} |")  # fmt: skip
    runs = list(m)
    out += ["", "Median ms per statement (▲ > 10 % and > 0.5 ms slower than no indexes with a plan of its own — for "
            "writes: any such — ≈ the same but running the baseline's plan: drift):", "",
            "| statement | weight | " + " | ".join(runs) + " |", "|---|---|" + "---|" * len(runs)]  # fmt: skip
    marks = {run: slower(doc, run) for run in runs if run != "baseline"} if "baseline" in m else {}
    for s in stmts:
        cells = []
        for run in runs:
            changed, drift = marks.get(run, ([], []))
            v = m[run]["per_statement"][s["id"]]
            cell = f"{v['median_ms']:.1f}" + (" ▲" if s["id"] in changed else " ≈" if s["id"] in drift else "")
            cells.append(cell + (" (timeout)" if v["timeouts"] * 2 > len(v["times_ms"]) else ""))
        out.append(f"| {s['id']} ({s['variant']}) | {s['weight']:g} | " + " | ".join(cells) + " |")
    out.append("")
    for run in runs:
        if run == "baseline":
            continue
        changed, drift = marks.get(run, ([], []))
        reads = [x for x in changed if not next(s for s in stmts if s["id"] == x)["write"]]
        writes = [x for x in changed if x not in reads]
        out.append(f"- **{run}**: {m[run]['indexes']} indexes; reads > 10 % slower than no indexes: {', '.join(reads) or 'none'}; "
                   f"writes > 10 % slower: {', '.join(writes) or 'none'}; drift: {', '.join(drift) or 'none'}"
                   + (f"; build errors: {m[run]['build_errors']}" if m[run].get("build_errors") else ""))  # fmt: skip
        out += [f"  - `{st}`" for st in m[run].get("built", [])]
    return "\n".join(out)


if __name__ == "__main__":
    main()
