#!/usr/bin/env python
"""How long `recommend_indexes(validate=true)` takes on an OLTP workload at scale (issue 16: "validate=true
… must work on these workloads within a few minutes on this machine").

On a loaded workload (`bench/oltp/run.py` loads it; reused here), two copies of the source database: one
the advisor reads (HypoPG), one the scratch copy validation builds on. One call with the workload's
literal statements and weights, validate=true: the wall time of the whole call and of its phases (from
the progress messages), the measured milliseconds before/after per query, what was built and dropped
again, and that the scratch copy holds no new index afterwards.

  PYTHONPATH=. .venv/bin/python bench/oltp/validate_time.py --workload booking --cluster-dir /tmp/oltp3/pg \
      --out /tmp/validate-booking.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.oltp import common  # noqa: E402
from bench.oltp.run import copy_db, statements  # noqa: E402
from dbarchitect.live.postgres.cluster import LocalCluster  # noqa: E402
from dbarchitect.live.postgres.index_advisor import recommend_indexes  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", default="booking", choices=common.WORKLOADS)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--cluster-dir", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=None)
    return p.parse_args()


async def run(cluster: LocalCluster, source: str, wl, stmts: list[dict]) -> dict:
    marks: list[tuple[float, str]] = []
    t0 = time.perf_counter()

    async def progress(done: int, total: int, message: str) -> None:
        marks.append((round(time.perf_counter() - t0, 2), message))

    conn = await psycopg.AsyncConnection.connect(cluster.dsn(f"{source}_vadv"), autocommit=True)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        advice = await recommend_indexes(conn, [s["sql"] for s in stmts], [s["weight"] for s in stmts], validate=True,
                                         scratch=cluster.dsn(f"{source}_vscratch"), statement_timeout_ms=30_000,
                                         progress=progress)  # fmt: skip
    finally:
        await conn.close()
    wall = time.perf_counter() - t0
    first_validate = next((t for t, m in marks if m.startswith("validate")), None)
    v = advice.validation
    return {
        "wall_s": round(wall, 1),
        "advisor_s": advice.elapsed_s,
        "validation_started_s": first_validate,
        "recommendations": len(advice.recommendations),
        "built": v.built if v else [],
        "build_errors": v.build_errors if v else {},
        "actual_size_bytes": v.actual_size_bytes if v else None,
        "queries": [q.model_dump() for q in v.queries] if v else [],
        "progress_messages": len(marks),
        "evidence": sorted({r.evidence.kind for r in advice.recommendations}),
    }


def main() -> None:
    args = parse_args()
    wl = common.workload(args.workload)
    cluster = LocalCluster.persistent(Path(args.cluster_dir)).start()
    admin = cluster.dsn("postgres")
    source = f"oltp_{args.workload}"
    if not common.loaded(admin, source, args.workload, args.scale):
        common.load(admin, cluster.dsn(source), source, args.workload, args.scale)
    params = common.draw_parameters(cluster.dsn(source), args.workload, args.scale, args.seed)
    stmts = statements(wl, params)
    for name in ("vadv", "vscratch"):
        copy_db(admin, source, f"{source}_{name}")
    try:
        out = asyncio.run(run(cluster, source, wl, stmts))
        with psycopg.connect(cluster.dsn(f"{source}_vscratch")) as c:
            out["scratch_indexes_left"] = c.execute(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%pkey'").fetchone()[0]
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            for name in ("vadv", "vscratch"):
                c.execute(f'DROP DATABASE IF EXISTS "{source}_{name}" WITH (FORCE)')
    out["workload"], out["scale"], out["statements"] = args.workload, args.scale, len(stmts)
    text = json.dumps(out, indent=1, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n")
    slower = [q for q in out["queries"] if q["ms_before"] is not None and q["ms_after"] is not None
              and q["ms_after"] > 1.1 * q["ms_before"] + 0.5]  # fmt: skip
    print(f"{args.workload}: validate=true call {out['wall_s']} s (advisor {out['advisor_s']} s, validation from "
          f"{out['validation_started_s']} s); {len(out['built'])} built, {len(out['build_errors'])} build errors, "
          f"{(out['actual_size_bytes'] or 0) / 2**20:,.0f} MB; {len(out['queries'])} queries timed, "
          f"{sum(1 for q in out['queries'] if q['error'])} errors (writes refused in READ ONLY), {len(slower)} slower; "
          f"indexes left on the scratch copy: {out['scratch_indexes_left']}")  # fmt: skip


if __name__ == "__main__":
    main()
