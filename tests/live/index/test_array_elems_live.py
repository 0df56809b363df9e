"""Array columns' most common elements read from pg_stats on a real PostgreSQL (`most_common_elems` is an
anyarray, listed in value order: read as text[] for int[] and for text elements with commas and quotes) and
the popular element (the most frequent, wherever it stands) bound back as a one-element array that the
server reads as that element."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.core.indexing.workload import bind_common
from dbarchitect.live.postgres.index_advisor import column_stats
from dbarchitect.live.postgres.introspect import take_snapshot

pytestmark = [pytest.mark.anyio, pytest.mark.live]


async def test_most_common_elements_of_int_and_text_arrays_round_trip(db_dsn):
    conn = await psycopg.AsyncConnection.connect(db_dsn, autocommit=True)
    try:
        await conn.execute("CREATE TABLE posts (id bigint PRIMARY KEY, nums int[] NOT NULL, tags text[] NOT NULL)")
        # one tag in half the rows, written with a comma and quotes; the rest spread over 2,000 plain tags.
        # The popular number, 7, is not the least: pg_stats lists 1, 3, 5 before it
        await conn.execute("""INSERT INTO posts SELECT g, ARRAY[CASE WHEN g % 2 = 0 THEN 7 ELSE g % 3000 END, g % 5000],
                                     ARRAY[CASE WHEN g % 2 = 0 THEN 'a,b "c"' ELSE 't' || g % 2000 END, 'u' || g % 3000]
                                FROM generate_series(1, 20000) g""")  # fmt: skip
        await conn.execute("ANALYZE posts")
        stats = await column_stats(conn, ["public.posts"])
        snapshot = await take_snapshot(conn)
        nums, tags = stats[("public.posts", "nums")], stats[("public.posts", "tags")]
        assert "7" in nums.most_common_elems and len(nums.most_common_elem_freqs) == len(nums.most_common_elems)
        assert tags.most_common_elems[tags.most_common_elem_freqs.index(max(tags.most_common_elem_freqs))] == 'a,b "c"'
        sql, values = bind_common("SELECT id FROM posts WHERE tags && $1::text[] LIMIT 5", snapshot, stats)
        assert sql is not None, values
        cur = await conn.execute(f"SELECT {values['$1']}::text[]")
        assert (await cur.fetchone())[0] == ['a,b "c"']
        cur = await conn.execute(f"SELECT count(*) FROM ({sql}) s")
        assert (await cur.fetchone())[0] == 5
        sql, values = bind_common("SELECT id FROM posts WHERE nums && $1::int[] LIMIT 5", snapshot, stats)
        assert values == {"$1": "'{7}'"}
    finally:
        await conn.close()
