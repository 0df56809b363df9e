"""The parameter draw of the MariaDB ports of bench/oltp's workloads (shop/, tracker/): the same
Query model and literal rendering as bench/oltp/common.py, reading the data over PyMySQL."""

from __future__ import annotations

import dataclasses

from bench.oltp.common import Draw as _OltpDraw
from bench.oltp.common import Query, render

__all__ = ["Draw", "Query", "port", "statements"]


class Draw(_OltpDraw):
    """bench/oltp's parameter draw, reading the data over a PyMySQL connection (cursor per statement)."""

    def _exec(self, sql: str, args: tuple):
        cur = self.conn.cursor()
        cur.execute(render(sql, args))
        return cur

    def timestamp(self, value) -> str:
        """MariaDB's DATETIME literal (no offset: the loaded columns are naive UTC)."""
        return str(value)


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


def port(queries: list[Query], sql: dict[str, str]) -> list[Query]:
    """A PostgreSQL workload's queries on MariaDB: the same names, weights and parameter draws, with
    the statements MySQL writes differently replaced by their translation (`sql`, by name)."""
    unknown = set(sql) - {q.name for q in queries}
    if unknown:
        raise ValueError(f"translations for queries the workload does not have: {sorted(unknown)}")
    return [dataclasses.replace(q, sql=sql.get(q.name, q.sql)) for q in queries]
