"""run_query cannot write — each layer tested on its own — and still accepts real analytics."""

import psycopg
import pytest

from dbarchitect.config import load_settings
from dbarchitect.live.postgres.database import Database, stream_rows
from dbarchitect.live.postgres.errors import DatabaseError

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c numeric, j jsonb);
INSERT INTO t SELECT g, g % 3, 'b' || g, g * 1.5, jsonb_build_object('k', g) FROM generate_series(1, 50) g;
CREATE TABLE u (id int PRIMARY KEY, t_id int);
INSERT INTO u SELECT g, g FROM generate_series(1, 10) g;
CREATE SEQUENCE s;
CREATE TABLE log (msg text);
CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO log VALUES ('written'); SELECT 1 $$;
CREATE FUNCTION harmless(x int) RETURNS int LANGUAGE sql STABLE AS $$ SELECT x * 2 $$;
CREATE SCHEMA app;
CREATE FUNCTION app.sneaky2() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM t; RETURN 1; END $$;
"""


@pytest.fixture
async def db(pg):
    dsn = pg.create_db(SETUP)
    database = Database("default", dsn, load_settings({"DATABASE_URL": dsn}, max_rows=20))
    yield database
    await database.close()


async def state(db: Database):
    async def read(conn):
        cur = await conn.execute(
            "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM log), (SELECT last_value FROM s),"
            " (SELECT count(*) FROM pg_class WHERE relname = 't'), current_setting('transaction_read_only')"
        )
        return await cur.fetchone()

    return await db.run(read)


REFUSED = [
    "SELECT 1; COMMIT; DROP TABLE t",
    "WITH x AS (DELETE FROM t RETURNING *) SELECT count(*) FROM x",
    "SELECT set_config('transaction_read_only', 'off', false)",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    "COPY t TO PROGRAM 'cat > /tmp/dbarchitect-pwned'",
    "SELECT nextval('s')",
    "SELECT sneaky()",
    "SELECT app.sneaky2()",
    "SELECT * FROM t WHERE a = sneaky()",
]


@pytest.mark.parametrize("sql", REFUSED)
async def test_refused_with_clear_error_and_no_effect(db, sql):
    before = await state(db)
    with pytest.raises(DatabaseError) as err:
        await db.run_query(sql)
    message = str(err.value)
    assert message.startswith("Refused:") and "Nothing was executed" in message
    assert await state(db) == before


async def test_volatile_error_names_the_function(db):
    with pytest.raises(DatabaseError, match=r"sneaky\(\) is a VOLATILE user function"):
        await db.run_query("SELECT sneaky()")


async def test_stable_user_function_is_allowed(db):
    result = await db.run_query("SELECT harmless(21) AS v")
    assert result.rows == [[42]]


async def test_layer_b_extended_protocol_blocks_stacked_statements(db):
    """Bypassing the parser gate, the extended protocol still refuses a second statement."""

    async def go(conn):
        with pytest.raises(psycopg.errors.SyntaxError, match="multiple commands"):
            await stream_rows(conn, "SELECT 1; DROP TABLE t", 10, db.limits, kind="select")

    await db.run(go)
    assert (await state(db))[3] == 1  # t still exists


async def test_layer_c_read_only_transaction_blocks_writes(db):
    """Bypassing the gate and the volatility check, READ ONLY still stops the write."""

    async def go(conn):
        async with db.read_only_transaction(conn):
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                await stream_rows(conn, "SELECT sneaky()", 10, db.limits, kind="select")

    before = await state(db)
    await db.run(go)
    assert await state(db) == before


async def test_layer_d_role(pg):
    dsn = pg.create_db(SETUP + "CREATE ROLE dba_ro NOLOGIN; GRANT SELECT ON u TO dba_ro;")
    database = Database("default", dsn, load_settings({"DATABASE_URL": dsn}, role="dba_ro"))
    try:
        assert (await database.run_query("SELECT count(*) FROM u")).rows == [[10]]
        with pytest.raises(DatabaseError, match="Permission denied"):
            await database.run_query("SELECT count(*) FROM t")
        assert (await database.run_query("SELECT current_user")).rows == [["dba_ro"]]
    finally:
        await database.close()


ANALYTICS = {
    "window": ("SELECT id, row_number() OVER (PARTITION BY a ORDER BY id) FROM t ORDER BY id LIMIT 3", [[1, 1], [2, 1], [3, 1]]),
    "percentile": ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM t", [[25.5]]),
    "recursive": ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT sum(n) FROM r", [[10]]),
    "lateral": ("SELECT t.id, x.id FROM t, LATERAL (SELECT id FROM u WHERE u.t_id = t.id) x ORDER BY 1 LIMIT 2", [[1, 1], [2, 2]]),
    "json": ("SELECT j->>'k', j @> '{\"k\": 2}' FROM t WHERE id = 2", [["2", True]]),
    "grouping sets": ("SELECT a, count(*) FROM t GROUP BY GROUPING SETS ((a), ()) ORDER BY a NULLS LAST", [[0, 16], [1, 17], [2, 17], [None, 50]]),
    "distinct on": ("SELECT DISTINCT ON (a) a, id FROM t ORDER BY a, id DESC", [[0, 48], [1, 49], [2, 50]]),
    "catalog": ("SELECT relname FROM pg_class WHERE relname = 'u'", [["u"]]),
}


@pytest.mark.parametrize("sql,expected", ANALYTICS.values(), ids=ANALYTICS.keys())
async def test_accepts_analytics(db, sql, expected):
    assert (await db.run_query(sql)).rows == expected


async def test_explain_of_select_runs(db):
    result = await db.run_query("EXPLAIN (FORMAT JSON) SELECT * FROM t WHERE id = 1")
    assert result.statement_kind == "explain"
    assert "Plan" in str(result.rows[0][0])


async def test_types_and_values_are_json_safe(db):
    result = await db.run_query(
        "SELECT 1.25::numeric AS n, '2024-01-02 03:04:05+00'::timestamptz AS ts, '\\x00ff'::bytea AS raw,"
        " ARRAY[1,2] AS arr, '{\"a\": [1, 2]}'::jsonb AS doc, interval '1 day 2 hours' AS iv,"
        " '00000000-0000-0000-0000-000000000001'::uuid AS id, '10.1.2.3'::inet AS ip, NULL::int AS nothing"
    )
    assert [c.type for c in result.columns] == [
        "numeric", "timestamp with time zone", "bytea", "integer[]", "jsonb", "interval", "uuid", "inet", "integer",
    ]  # fmt: skip
    assert result.rows == [
        [1.25, "2024-01-02T03:04:05+00:00", "\\x00ff", [1, 2], {"a": [1, 2]}, "P1DT2H", "00000000-0000-0000-0000-000000000001", "10.1.2.3", None]
    ]


async def test_rows_are_capped_and_truncation_is_reported(db):
    result = await db.run_query("SELECT * FROM t ORDER BY id")
    assert result.row_count == 20 and result.truncated and "max_rows=20" in result.truncated_reason
    assert (await db.run_query("SELECT * FROM t ORDER BY id", max_rows=5)).row_count == 5
    small = await db.run_query("SELECT * FROM u")
    assert small.row_count == 10 and not small.truncated


async def test_response_size_cap(pg):
    dsn = pg.create_db(SETUP)
    database = Database("default", dsn, load_settings({"DATABASE_URL": dsn}, max_response_chars=2000, max_cell_chars=300))
    try:
        result = await database.run_query("SELECT repeat('x', 1000) FROM generate_series(1, 100)")
        assert result.truncated and "character cap" in result.truncated_reason
        assert result.truncated_cells >= 1 and 1 <= result.row_count < 10
    finally:
        await database.close()


async def test_errors_are_clear_and_the_next_call_works(db):
    with pytest.raises(DatabaseError, match='relation "nope" does not exist.*describe_schema'):
        await db.run_query("SELECT * FROM nope")
    with pytest.raises(DatabaseError, match="does not parse"):
        await db.run_query("SELEKT 1")
    with pytest.raises(DatabaseError, match="division by zero"):
        await db.run_query("SELECT 1 / 0")
    assert (await db.run_query("SELECT 1")).rows == [[1]]
