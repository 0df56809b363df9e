"""review_indexes on MySQL/MariaDB (feature `index_review`): the snapshot plus what the server knows
about its indexes, read-only: CARDINALITY per key prefix (information_schema.statistics), and usage
from performance_schema (MySQL, when on) or information_schema.INDEX_STATISTICS / TABLE_STATISTICS
(MariaDB, when userstat=1), counted since the server started at most (Uptime). When neither source is
on, usage is unknown and the review says so (core/rules/mysql_index/unused_index.py)."""

from __future__ import annotations

from dbarchitect.core.indexing.review import IndexReview
from dbarchitect.core.mysql_index_review import review_mysql_indexes
from dbarchitect.core.rules.mysql_index._common import MySQLIndexFacts
from dbarchitect.live.mysql.introspect import SYSTEM_SCHEMAS


def _variable(cur, name: str) -> str | None:
    cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (name,))
    row = cur.fetchone()
    return None if row is None else str(row[1])


def _status(cur, name: str) -> str | None:
    cur.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
    row = cur.fetchone()
    return None if row is None else str(row[1])


def _scope(schemas: list[str]) -> tuple[str, tuple]:
    return ", ".join(["%s"] * len(schemas)), tuple(schemas)


def read_index_facts(conn, schemas: list[str]) -> MySQLIndexFacts:
    facts = MySQLIndexFacts()
    schemas = [s for s in schemas if s.lower() not in SYSTEM_SCHEMAS] or ["\x00none"]
    marks, params = _scope(schemas)
    cur = conn.cursor()
    cur.execute(
        "SELECT table_schema, table_name, index_name, seq_in_index, cardinality FROM information_schema.statistics"
        f" WHERE table_schema IN ({marks}) ORDER BY table_schema, table_name, index_name, seq_in_index",
        params,
    )
    for schema, table, index, _seq, card in cur.fetchall():
        facts.cardinality.setdefault(f"{schema}.{table}.{index}", []).append(None if card is None else int(card))
    uptime = _status(cur, "Uptime")
    age = int(uptime) / 86400 if uptime and uptime.isdigit() else None
    if (_variable(cur, "performance_schema") or "").upper() in ("ON", "1"):
        cur.execute(
            "SELECT object_schema, object_name, index_name, count_read FROM performance_schema.table_io_waits_summary_by_index_usage"
            f" WHERE object_schema IN ({marks})",
            params,
        )
        for schema, table, index, reads in cur.fetchall():
            if index is None:
                facts.table_reads[f"{schema}.{table}"] = facts.table_reads.get(f"{schema}.{table}", 0) + int(reads or 0)
            else:
                facts.used[f"{schema}.{table}.{index}"] = int(reads or 0)
                facts.table_reads[f"{schema}.{table}"] = facts.table_reads.get(f"{schema}.{table}", 0) + int(reads or 0)
        facts.usage_source, facts.stats_age_days = "performance_schema", age
        facts.usage_detail = f"count_read since the server started {age:.1f} days ago" if age is not None else "count_read"
        return facts
    userstat = _variable(cur, "userstat")
    if (userstat or "").upper() in ("ON", "1"):
        cur.execute(f"SELECT table_schema, table_name, index_name, rows_read FROM information_schema.INDEX_STATISTICS"
                    f" WHERE table_schema IN ({marks})", params)  # fmt: skip
        for schema, table, index, reads in cur.fetchall():
            facts.used[f"{schema}.{table}.{index}"] = int(reads or 0)
        cur.execute(f"SELECT table_schema, table_name, rows_read FROM information_schema.TABLE_STATISTICS"
                    f" WHERE table_schema IN ({marks})", params)  # fmt: skip
        for schema, table, reads in cur.fetchall():
            facts.table_reads[f"{schema}.{table}"] = int(reads or 0)
        facts.usage_source, facts.stats_age_days = "userstat", age
        facts.usage_detail = (
            f"rows_read counted for at most {age:.1f} days (server uptime; less if userstat was enabled or "
            "FLUSH INDEX_STATISTICS ran since)" if age is not None else "rows_read"
        )
        return facts
    facts.usage_detail = (
        "performance_schema is OFF" + ("; userstat is OFF (SET GLOBAL userstat = 1 starts MariaDB's index counters)"
                                       if userstat is not None else "")  # fmt: skip
    )
    return facts


class MySQLIndexReviewer:
    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def review(self, *, schema: str | None = None) -> IndexReview:
        snapshot = await self.db.snapshot(refresh=True)
        if schema is not None and not any(t.schema_name == schema for t in snapshot.tables):
            known = sorted({t.schema_name for t in snapshot.tables})
            raise ValueError(f"No tables in database {schema!r} on this connection (databases: {', '.join(known) or 'none'}).")
        schemas = sorted({t.schema_name for t in snapshot.tables})
        facts = await self.db.run(lambda conn: read_index_facts(conn, schemas))
        return review_mysql_indexes(snapshot, facts, schema=schema)
