"""`$n` bindings run on PostgreSQL and find the stored rows they were drawn from: stored text with LIKE
metacharacters, quotes, backslashes, commas and a NULL-like word, as a prefix pattern, inside a pattern
built with `||`, and as an array parameter's elements."""

from __future__ import annotations

import psycopg

from dbarchitect.core.indexing.models import ColumnStats
from dbarchitect.core.indexing.workload import bind_from_stats
from dbarchitect.core.models import SchemaSnapshot

from tests.unit.index.kit import pk, table

SNAP = SchemaSnapshot(database="t", tables=[table("items", [("id", "bigint"), ("title", "text")], 5,
                                                  indexes=[pk("items")])])  # fmt: skip
TITLES = ["50%_off\\", "NULL", "a,b", 'say "hi"', "o'brien"]


def test_bound_values_run_and_match_the_stored_rows(pg, db_dsn):
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id bigint PRIMARY KEY, title text)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO items VALUES (%s, %s)", list(enumerate(TITLES)))
        for middle in TITLES:  # each stored title in turn as the histogram's middle value
            stats = {("public.items", "title"): ColumnStats(table="public.items", column="title", n_distinct=-1.0,
                                                            histogram_bounds=["0", middle, "zzz"])}  # fmt: skip
            for sql in ("SELECT title FROM items WHERE title LIKE $1",
                        "SELECT title FROM items WHERE title ILIKE '%' || $1 || '%'",
                        "SELECT title FROM items WHERE title ILIKE '%' || $1",
                        "SELECT title FROM items WHERE title = ANY($1::text[])"):  # fmt: skip
                bound, _ = bind_from_stats(sql, SNAP, stats)
                got = [r[0] for r in conn.execute(bound)]
                assert got == [middle], (bound, got)
