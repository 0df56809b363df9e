"""Building blocks the index advisor's unit tests share: catalog tables as the snapshot reader returns
them, and a what-if oracle whose plans depend only on whether an index leads with one column."""

from __future__ import annotations

from dbarchitect.core.indexing.select import PlanCost
from dbarchitect.core.models import Column, Index, Table


def table(name, cols, rows, indexes=(), constraints=(), pages=None) -> Table:
    """A table of `rows` rows (120 bytes each unless `pages` is given) with columns `cols` [(name, type)]."""
    size = rows * 120 if pages is None else pages * 8192
    return Table(schema="public", name=name, reltuples=rows, size_bytes=size, pages=size // 8192, columns=[Column(name=c, position=i + 1, type=ty) for i, (c, ty) in enumerate(cols)],
                 indexes=list(indexes), constraints=list(constraints))  # fmt: skip


def pk(table_name, col="id") -> Index:
    return Index(name=f"{table_name}_pkey", columns=[col], expressions=[col], primary=True, unique=True,
                 definition=f"CREATE UNIQUE INDEX {table_name}_pkey ON public.{table_name} USING btree ({col})")  # fmt: skip


class LeadingColumnOracle:
    """Plans cost `served` when an index leading with `column` is available and `unserved` otherwise;
    every candidate is `size_mb` MB; `rows` is the planner's estimate of the matches (what decides
    whether a GIN path is taken)."""

    def __init__(self, matches: float, served: float, unserved: float, size_mb: int, column: str = "tenant_id"):
        self.matches, self.served, self.unserved, self.size_mb, self.column = matches, served, unserved, size_mb, column

    async def cost(self, query, indexes):
        used = frozenset(c for c in indexes if c.columns and c.columns[0] == self.column)
        return PlanCost(self.served if used else self.unserved, used)

    async def size(self, cand):
        return self.size_mb * 2**20

    async def rows(self, table, predicates):
        return self.matches
