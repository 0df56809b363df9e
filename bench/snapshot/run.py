"""Benchmark: catalog snapshot and describe_schema summary on 5,000 tables x 20 columns.

Measures, in one run on a throwaway local PostgreSQL 15:
  - snapshot time against the anchor `pg_dump --schema-only` of the same database, the two timed
    alternately (one warm-up each, then --runs rounds of pg_dump followed by a refreshed snapshot:
    a shared machine's load falls on both alike), medians compared;
  - summary time from the snapshot (median of 20), target < 1 s;
  - the summary's size in characters per page (page_size 100, the tool's default).
Usage: .venv/bin/python bench/snapshot/run.py [--tables 5000] [--columns 20] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time

import anyio
import psycopg

from dbarchitect.config import load_settings
from dbarchitect.core import describe
from dbarchitect.core.describe import DescribeSchemaResult
from dbarchitect.core.render import render
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.database import Database
from dbarchitect.live.postgres.introspect import take_snapshot


def build(dsn: str, tables: int, columns: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        for start in range(0, tables, 250):
            stmts = []
            for i in range(start, min(start + 250, tables)):
                cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
                if i:
                    cols.append(f"parent_id bigint REFERENCES t{i - 1:05d} (id)")
                kinds = ["text", "integer", "timestamptz", "numeric(12,2)", "boolean", "jsonb", "varchar(80)"]
                cols += [f"c{j:02d} {kinds[j % len(kinds)]}" for j in range(len(cols), columns)]
                stmts.append(f"CREATE TABLE t{i:05d} ({', '.join(cols)});")
                stmts.append(f"CREATE INDEX ON t{i:05d} (c02);")
            conn.execute("\n".join(stmts))
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def pg_dump(bindir, dsn: str) -> float:
    t = time.perf_counter()
    subprocess.run([str(bindir / "pg_dump"), "--schema-only", "-d", dsn, "-f", "/dev/null"], check=True)
    return time.perf_counter() - t


async def interleaved(bindir, dsn: str, runs: int):
    """pg_dump, a refreshed snapshot (the tool's path: up to 3 pooled connections), and the same
    snapshot read on one connection, `runs` times (after one warm-up of each)."""
    db = Database("bench", dsn, load_settings({"DATABASE_URL": dsn}))
    dump_times, snap_times, single_times, snap = [], [], [], None
    try:
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as one:
            pg_dump(bindir, dsn)
            snap = await db.snapshot(refresh=True)
            await take_snapshot(one)
            for _ in range(runs):
                dump_times.append(pg_dump(bindir, dsn))
                t = time.perf_counter()
                snap = await db.snapshot(refresh=True)
                snap_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                await take_snapshot(one)
                single_times.append(time.perf_counter() - t)
    finally:
        await db.close()
    return dump_times, snap_times, single_times, snap


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=5000)
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with LocalCluster.temporary() as cluster:
        with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        dsn = cluster.dsn("bench")
        built = build(dsn, args.tables, args.columns)

        dump_times, snap_times, single_times, snap = anyio.run(interleaved, cluster.bindir, dsn, args.runs)

        summary_times, sizes = [], []
        for _ in range(20):
            t = time.perf_counter()
            cursor, pages = None, []
            while True:
                s = describe.summarize(snap, cursor=cursor)
                pages.append(s)
                cursor = s.next_cursor
                if cursor is None:
                    break
            summary_times.append(time.perf_counter() - t)
        for s in pages:
            result = DescribeSchemaResult(mode="summary", summary=s)
            sizes.append((len(render(result)), len(json.dumps(result.model_dump(mode="json")))))

    out = {
        "tables": args.tables,
        "columns_per_table": args.columns,
        "build_s": round(built, 1),
        "runs": args.runs,
        "pg_dump_schema_only_s": [round(t, 3) for t in dump_times],
        "snapshot_s": [round(t, 3) for t in snap_times],
        "pg_dump_schema_only_median_s": round(statistics.median(dump_times), 3),
        "snapshot_median_s": round(statistics.median(snap_times), 3),
        "snapshot_vs_pg_dump": round(statistics.median(snap_times) / statistics.median(dump_times), 3),
        "snapshot_one_connection_median_s": round(statistics.median(single_times), 3),
        "snapshot_one_connection_vs_pg_dump": round(statistics.median(single_times) / statistics.median(dump_times), 3),
        "summary_all_pages_median_s": round(statistics.median(summary_times), 4),
        "pages": len(pages),
        "page_text_chars_median": int(statistics.median(s[0] for s in sizes)),
        "page_structured_chars_median": int(statistics.median(s[1] for s in sizes)),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
