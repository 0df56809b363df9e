"""Estimated vs built index sizes on a bench/oltp database (issue 16, heur2: expression and skewed keys).

Copies the loaded database (CREATE DATABASE … TEMPLATE), builds each index below on the copy, and
prints its pg_relation_size next to `size.btree_size` with the statistics the advisor reads (pg_stats of
the source plus its expression sample). The source is only read.

    PYTHONPATH=. .venv/bin/python bench/oltp/size_check.py --dsn "host=127.0.0.1 port=35765 user=postgres" --db oltp_booking
"""

from __future__ import annotations

import argparse
import asyncio
import time

import psycopg

from dbarchitect.core.indexing.models import Candidate
from dbarchitect.core.indexing.size import btree_size
from dbarchitect.live.postgres.index_advisor import column_stats, sample_expressions
from dbarchitect.live.postgres.introspect import take_snapshot

BOOKING = [  # (table, keys, key columns, predicate, DDL)
    ("events", ["((payload ->> 'request_id'))"], [None], None, "CREATE INDEX {n} ON events ((payload->>'request_id'))"),
    ("payments", ["tenant_id", "(DATE(created_at))"], ["tenant_id", None], None,
     "CREATE INDEX {n} ON payments (tenant_id, date(created_at))"),
    ("payments", ["tenant_id", "status", "(DATE(created_at))"], ["tenant_id", "status", None], None,
     "CREATE INDEX {n} ON payments (tenant_id, status, date(created_at))"),
    ("payments", ["tenant_id", "status"], ["tenant_id", "status"], None, "CREATE INDEX {n} ON payments (tenant_id, status)"),
    ("payments", ["(DATE(created_at))"], [None], None, "CREATE INDEX {n} ON payments (date(created_at))"),
    ("events", ["((payload ->> 'source'))"], [None], None, "CREATE INDEX {n} ON events ((payload->>'source'))"),
    ("customers", ["tenant_id", "(LOWER(email))"], ["tenant_id", None], "deleted_at IS NULL",
     "CREATE INDEX {n} ON customers (tenant_id, lower(email)) WHERE deleted_at IS NULL"),
    ("staff", ["(LOWER(email))"], [None], None, "CREATE INDEX {n} ON staff (lower(email))"),
]  # fmt: skip


class _Cands:
    def __init__(self, cands):
        self.candidates = cands


async def estimates(dsn: str, cands: list[Candidate]) -> list[int | None]:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
    try:
        snap = await take_snapshot(conn)
        stats = await column_stats(conn, sorted({c.table for c in cands}))
        sampled, _ = await sample_expressions(conn, _Cands(cands), {}, snap, 30_000)
        stats = {**stats, **sampled}
        return [btree_size(c, snap, stats) for c in cands]
    finally:
        await conn.close()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dsn", required=True, help="server DSN without dbname")
    p.add_argument("--db", default="oltp_booking")
    args = p.parse_args()
    cands = [Candidate(table=f"public.{t}", keys=tuple(k), columns=tuple(c), predicate=w) for t, k, c, w, _ in BOOKING]
    est = asyncio.run(estimates(f"{args.dsn} dbname={args.db}", cands))
    copy = f"{args.db}_sizes"
    with psycopg.connect(f"{args.dsn} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{args.db}"')
    try:
        with psycopg.connect(f"{args.dsn} dbname={copy}", autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '256MB'")
            for i, ((_, _, _, _, ddl), e) in enumerate(zip(BOOKING, est)):
                name = f"size_check_{i}"
                t = time.time()
                conn.execute(ddl.format(n=name))
                built = conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()[0]
                ratio = f"{e / built:.2f}x" if e else "-"
                print(f"{ddl.format(n='…')[16:]:75s} built {built / 2**20:7.1f} MB  estimated "
                      f"{'-' if e is None else f'{e / 2**20:7.1f} MB'}  {ratio}  ({time.time() - t:.0f} s)", flush=True)
    finally:
        with psycopg.connect(f"{args.dsn} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')


if __name__ == "__main__":
    main()
