"""The parameter draw of the MariaDB ports of bench/oltp's workloads (shop/, tracker/): the same
Query model and literal rendering as bench/oltp/common.py, reading the data over PyMySQL."""

from __future__ import annotations

import random

from bench.oltp.common import Query, render, vocabulary

__all__ = ["Draw", "Query", "statements"]


class Draw:
    """The seeded source of parameter values: rng for choices, one()/row() to read the data."""

    def __init__(self, conn, seed: int, sizes: dict):
        self.conn, self.rng, self.sizes = conn, random.Random(seed), sizes

    def _exec(self, sql: str, args: tuple):
        cur = self.conn.cursor()
        cur.execute(render(sql, args))
        return cur

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


def statements(conn, queries: list[Query], sizes: dict, seed: int = 42) -> list[tuple[str, float, str]]:
    """Each query's parameter variants drawn from the loaded data, rendered as literal statements
    (MySQL has no $n): (name/variant, weight, sql), the query's weight shared equally between its
    variants (as bench/oltp/run.py does)."""
    d = Draw(conn, seed, sizes)
    out = []
    for q in queries:
        variants = q.draw(d)
        for label, params in variants:
            out.append((f"{q.name} [{label}]", q.weight / len(variants), render(q.sql, tuple(params))))
    return out
