"""Shared parts of the OLTP workloads: the query model, the seeded parameter draw, literal
rendering, and the loader (schema, server-side generation, constraints, VACUUM ANALYZE)."""

from __future__ import annotations

import importlib
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psycopg

HERE = Path(__file__).resolve().parent
WORKLOADS = ("tracker", "shop", "booking", "social")

REAL_WORDS = (
    "error crash login page slow timeout update payment user report export import search button email mobile "
    "server database cache deploy build release test broken missing feature request support invoice account "
    "password dashboard sync upload download notification permission settings profile order checkout shipping "
    "delivery refund price discount cotton leather wooden steel organic vintage wireless portable kitchen garden "
    "office travel outdoor premium classic compact"
).split()
SYLLABLES = "ka,lo,mi,ne,ru,ta,vo,zi,pe,sa,do,fu,gri,bla,tor,vex,qui,mon,dar,lix".split(",")


def vocabulary() -> list[str]:
    """The vocabulary in Zipf rank order (index 0 = rank 1): 62 real words, then 8,000 pseudo-words."""
    fake = [SYLLABLES[k % 20] + SYLLABLES[(k // 20) % 20] + SYLLABLES[(k // 400) % 20] + "x" for k in range(8000)]
    return REAL_WORDS + fake


@dataclass
class Query:
    """One application query: $n parameters, a traffic weight, and how to draw its parameters
    (a list of (label, parameters) variants; the weight is shared equally between them)."""

    name: str
    weight: float
    sql: str
    draw: Callable[[Draw], list[tuple[str, tuple]]]

    @property
    def write(self) -> bool:
        return self.sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")


class Draw:
    """The seeded source of parameter values: rng for choices, one()/row() to read the data."""

    def __init__(self, conn: psycopg.Connection, seed: int, sizes: dict):
        self.conn, self.rng, self.sizes = conn, random.Random(seed), sizes

    def _exec(self, sql: str, args: tuple):
        return self.conn.execute(render(sql, args))

    def one(self, sql: str, *args, pick: bool = False):
        rows = self._exec(sql, args).fetchall()
        if not rows:
            raise RuntimeError(f"parameter draw found no row: {render(sql, args)}")
        return self.rng.choice(rows)[0] if pick else rows[0][0]

    def row(self, sql: str, *args):
        return self._exec(sql, args).fetchone()

    def word(self, lo: int, hi: int) -> str:
        """A word of Zipf rank lo..hi (1 = the most common)."""
        return vocabulary()[self.rng.randint(lo, hi) - 1]

    def timestamp(self, value) -> str:
        """A timestamp read from the data as a literal this engine accepts (PostgreSQL: ISO 8601 with
        its offset)."""
        return value.isoformat()


def literal(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def render(sql: str, params: tuple) -> str:
    """The statement with each $n replaced by the literal of params[n-1] (what a driver that
    interpolates client-side sends, and what an advisor given literal queries sees)."""
    return re.sub(r"\$(\d+)", lambda m: literal(params[int(m.group(1)) - 1]), sql)


def workload(name: str):
    if name not in WORKLOADS:
        raise SystemExit(f"unknown workload {name!r}: one of {', '.join(WORKLOADS)}")
    root = str(HERE.parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"bench.oltp.{name}.workload")


def draw_parameters(dsn: str, name: str, scale: float, seed: int) -> dict[str, list[tuple[str, tuple]]]:
    """Every query's parameter variants, drawn from the loaded data with one seed: every
    configuration (a copy of the same database) runs the very same values."""
    wl = workload(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # a LIMIT without ORDER BY over a large table starts where the last sequential scan of it stopped
        # (synchronized scans): the same seed would draw other rows from run to run
        conn.execute("SET synchronize_seqscans = off")
        d = Draw(conn, seed, wl.sizes(scale))
        return {q.name: [(label, tuple(p)) for label, p in q.draw(d)] for q in wl.QUERIES}


def load(admin_dsn: str, dsn: str, dbname: str, name: str, scale: float, log=print) -> dict:
    """Create `dbname` and fill it: schema.sql (primary keys only), generate.sql server-side
    (INSERT … SELECT generate_series with random(), setseed first: the same data every time),
    constraints.sql (foreign keys, validated once), identity sequences past the loaded ids,
    VACUUM ANALYZE. Returns the sizes and the seconds taken."""
    wl = workload(name)
    sizes = wl.sizes(scale)
    d = HERE / name
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{dbname}"')
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("SET maintenance_work_mem = '256MB'")
        c.execute("SET work_mem = '64MB'")
        c.execute((d / "schema.sql").read_text())
        c.execute("SELECT setseed(0.42)")
        vocab = "ARRAY[" + ",".join(literal(w) for w in vocabulary()) + "]"
        c.execute((HERE / "words.sql").read_text().replace("{vocab}", vocab))
        for stmt in split_sql((d / "generate.sql").read_text().format(**sizes)):
            t = time.perf_counter()
            c.execute(stmt)
            first = next(ln for ln in stmt.splitlines() if ln.strip() and not ln.strip().startswith("--"))
            log(f"  {time.perf_counter() - t:6.1f} s  {first.strip()[:70]}")
        c.execute((d / "constraints.sql").read_text())
        for (table,) in c.execute(
            "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND a.attidentity <> '' AND a.attname = 'id'"
        ).fetchall():
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
        c.execute("VACUUM ANALYZE")
        total = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        c.execute(f"COMMENT ON DATABASE \"{dbname}\" IS {literal(marker(name, scale))}")
    return {**sizes, "load_s": round(time.perf_counter() - t0, 1), "database_bytes": total}


def marker(name: str, scale: float) -> str:
    """The comment a completely loaded source database carries (a load cut short has none)."""
    return f"bench/oltp {name} scale={scale} loaded"


def loaded(admin_dsn: str, dbname: str, name: str, scale: float) -> bool:
    with psycopg.connect(admin_dsn, autocommit=True) as c:
        row = c.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    return bool(row) and row[0] == marker(name, scale)


def split_sql(text: str) -> list[str]:
    """generate.sql's statements (split on ';' at the end of a line; no ';' inside the statements' lines)."""
    return [s for s in re.split(r";\s*\n", text) if s.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in s.splitlines())]
