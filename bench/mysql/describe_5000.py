"""describe_schema's summary on 5,000 MySQL tables vs `mysqldump --no-data`, same server, one run.

    PYTHONPATH=. .venv/bin/python bench/mysql/describe_5000.py [--tables 5000]

Spawns a throwaway MariaDB (live/mysql/server.py), creates N InnoDB tables (6 columns, 2 secondary
indexes, a foreign key to the previous table for every other one), then times, each on a fresh
connection and best of 3:
  - dbarchitect: MySQLDatabase.snapshot() + core.describe.summarize (page 1 of 100 tables, what
    describe_schema returns) — the catalog read dominates;
  - mysqldump --no-data --single-transaction --skip-triggers of the same database.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time

import anyio
import pymysql

from dbarchitect.config import Settings
from dbarchitect.core import describe
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.server import LocalMariaDB


def build(port: int, n: int) -> None:
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    cur = conn.cursor()
    cur.execute("CREATE DATABASE bench")
    cur.execute("USE bench")
    cur.execute("SET SESSION foreign_key_checks = 0")
    for i in range(n):
        fk = f", CONSTRAINT t{i}_parent_fk FOREIGN KEY (parent_id) REFERENCES t{i - 1} (id)" if i and i % 2 else ""
        cur.execute(
            f"CREATE TABLE t{i} (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id bigint unsigned,"
            f" name varchar(100) NOT NULL, amount decimal(12,2), created_at datetime NOT NULL, note text,"
            f" KEY t{i}_name (name), KEY t{i}_created (created_at, name){fk})"
        )
    conn.close()


async def dbarchitect_summary(url: str) -> tuple[float, int]:
    db = MySQLDatabase("bench", url, Settings(connections={"bench": url}))
    try:
        started = time.perf_counter()
        snap = await db.snapshot()
        summary = describe.summarize(snap, info=await db.info(), page_size=100)
        took = time.perf_counter() - started
    finally:
        await db.close()
    return took, summary.total_tables


def mysqldump(port: int) -> tuple[float, int]:
    exe = shutil.which("mysqldump") or shutil.which("mariadb-dump")
    started = time.perf_counter()
    out = subprocess.run(
        [exe, "--no-data", "--single-transaction", "--skip-triggers", "-h", "127.0.0.1", "-P", str(port), "-u", "root", "bench"],
        capture_output=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started, out.stdout.count(b"CREATE TABLE")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=5000)
    args = ap.parse_args()
    with LocalMariaDB.temporary() as srv:
        t0 = time.perf_counter()
        build(srv.port, args.tables)
        print(f"created {args.tables} tables in {time.perf_counter() - t0:.0f} s on MariaDB at port {srv.port}")
        ours = [anyio.run(dbarchitect_summary, srv.url("bench")) for _ in range(3)]
        dump = [mysqldump(srv.port) for _ in range(3)]
        best_ours, best_dump = min(t for t, _ in ours), min(t for t, _ in dump)
        print("| what | tables | best of 3 (s) | all runs (s) |")
        print("| --- | ---: | ---: | --- |")
        print(f"| dbarchitect snapshot + describe_schema summary | {ours[0][1]} | {best_ours:.2f} | {', '.join(f'{t:.2f}' for t, _ in ours)} |")
        print(f"| mysqldump --no-data | {dump[0][1]} | {best_dump:.2f} | {', '.join(f'{t:.2f}' for t, _ in dump)} |")
        print(f"ratio dbarchitect / mysqldump: {best_ours / best_dump:.2f}x")


if __name__ == "__main__":
    main()
