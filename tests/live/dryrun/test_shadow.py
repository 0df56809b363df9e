"""The shadow itself: synthetic rows that satisfy real constraints, other sources and hosts."""

import psycopg
import pytest

from dbarchitect.live.postgres.dryrun import dry_run_migration
from dbarchitect.live.postgres.shadow import ScratchHost, create_shadow_db, drop_shadow_db, new_shadow_name, seed_rows

pytestmark = [pytest.mark.anyio, pytest.mark.live]

HARD_SCHEMA = """
CREATE TYPE color AS ENUM ('red', 'green');
CREATE DOMAIN short_code AS text CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE TABLE regions (code char(2) PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE cities (
  region char(2) NOT NULL, id int NOT NULL, PRIMARY KEY (region, id),
  FOREIGN KEY (region) REFERENCES regions (code)
);
CREATE TABLE places (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  region char(2) NOT NULL, city int NOT NULL,
  parent uuid REFERENCES places (id),
  color color NOT NULL,
  code short_code NOT NULL,
  lo int NOT NULL, hi int NOT NULL CHECK (lo < hi),
  tags text[] NOT NULL, meta jsonb NOT NULL, ip inet NOT NULL,
  flag boolean NOT NULL UNIQUE,
  during tsrange NOT NULL,
  slug text GENERATED ALWAYS AS (lower(region)) STORED,
  FOREIGN KEY (region, city) REFERENCES cities (region, id),
  EXCLUDE USING gist (during WITH &&)
);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL, kind text NOT NULL)
  PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2030 PARTITION OF events FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
CREATE TABLE tickets (id int NOT NULL, status text NOT NULL CHECK (status IN ('open', 'closed')))
  PARTITION BY LIST (status);
CREATE TABLE tickets_open PARTITION OF tickets FOR VALUES IN ('open');
CREATE TABLE tickets_closed PARTITION OF tickets FOR VALUES IN ('closed');
CREATE TABLE shards (id int NOT NULL) PARTITION BY HASH (id);
CREATE TABLE shards_0 PARTITION OF shards FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE shards_1 PARTITION OF shards FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE shards_2 PARTITION OF shards FOR VALUES WITH (MODULUS 3, REMAINDER 2);
"""


async def test_synthetic_rows_satisfy_hard_constraints(pg):
    host = ScratchHost("local_cluster", pg.dsn())
    name = new_shadow_name()
    await create_shadow_db(host, name)
    try:
        async with await psycopg.AsyncConnection.connect(host.dsn(name), autocommit=True) as conn:
            await conn.execute(HARD_SCHEMA)
            inserted, unseeded = await seed_rows(conn, 3)
            counts = dict(await (await conn.execute(
                "SELECT c.relname, (xpath('/row/n/text()', query_to_xml("
                "format('SELECT count(*) AS n FROM ONLY %I', c.relname), false, true, '')))[1]::text::int "
                "FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace"
            )).fetchall())  # fmt: skip
    finally:
        await drop_shadow_db(host, name)
    # boolean UNIQUE allows two rows; everything else gets its three
    assert counts["places"] == 2
    assert all(counts[t] == 3 for t in ("regions", "cities", "events_2023", "events_2030", "tickets_open",
                                         "tickets_closed")), counts  # fmt: skip
    assert counts["shards_0"] + counts["shards_1"] + counts["shards_2"] >= 6, counts
    assert unseeded == [] and inserted == sum(counts.values())


async def test_schema_sql_on_the_local_cluster(pg):
    assert pg.cluster is not None
    report = await dry_run_migration(
        "ALTER TABLE places ADD COLUMN note text DEFAULT 'x';\nALTER TABLE regions ALTER COLUMN name TYPE varchar(10);",
        schema_sql=HARD_SCHEMA,
        scratch=pg.cluster,
    )
    assert report.shadow.host == "local_cluster" and report.shadow.source == "schema_sql"
    assert any("came from DDL" in n for n in report.shadow.notes)
    first, second = report.statements
    assert first.status == "ok" and first.heap_rewrites() == set()
    # text -> varchar(10) must check every value: a rewrite under ACCESS EXCLUSIVE
    assert second.status == "ok" and second.heap_rewrites() == {"public.regions"}, second.error
    assert report.shadow.dropped


async def test_stale_shadows_from_a_crashed_process_are_dropped(pg):
    from dbarchitect.live.postgres import shadow
    from dbarchitect.live.postgres.shadow import drop_stale_shadows, list_shadows

    host = ScratchHost("same_server", pg.dsn())
    stale = "dbarchitect_shadow_1000000000_4242_deadbeef"  # created in 2001
    fresh = new_shadow_name()
    await create_shadow_db(host, stale)
    await create_shadow_db(host, fresh)
    shadow.IN_USE.discard(stale)  # as after a crash: no process holds it any more
    try:
        assert await drop_stale_shadows(pg.dsn(), older_than_s=3600) == [stale]
        assert await list_shadows(pg.dsn()) == [fresh]
    finally:
        await drop_shadow_db(host, fresh)
        await drop_shadow_db(host, stale)
    with pytest.raises(ValueError, match="not a shadow"):
        await drop_shadow_db(host, "postgres")
