"""explain_query on MySQL/MariaDB: EXPLAIN FORMAT=JSON (any statement the explain gate accepts,
never executed), or with `analyze` MariaDB's ANALYZE FORMAT=JSON / MySQL 8's EXPLAIN ANALYZE for
read-only statements only (they execute the statement). Always inside START TRANSACTION READ ONLY
(EXPLAIN of INSERT/UPDATE/DELETE, which the server plans without running, in a plain transaction;
both rolled back) with the session's time limits; the plan is diagnosed by core/plan/mysql.py."""

from __future__ import annotations

from dbarchitect.core.plan.mysql import explain_mysql_plan, loads_explain_json
from dbarchitect.core.plan.report import PlanReport
from dbarchitect.core.sql.mysql_readonly import check_mysql_explainable, check_mysql_read_only
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.mysql.database import refuse_writing_functions


class MySQLExplain:
    def __init__(self, db):
        self.db = db

    async def explain(self, sql: str, *, analyze: bool = False) -> PlanReport:
        verdict = check_mysql_read_only(sql) if analyze else check_mysql_explainable(sql)
        if not verdict.ok:
            extra = " ANALYZE runs the statement, so only read-only statements are analyzed." if analyze else ""
            raise DatabaseError(f"Refused: {verdict.reason}{extra} Nothing was executed.")
        if verdict.statement_kind in ("show", "describe", "explain", "analyze"):
            raise DatabaseError("Give explain_query the statement itself (SELECT, UPDATE, …), not SHOW/DESCRIBE/EXPLAIN.")
        info = await self.db.info()
        catalog = await self.db.snapshot()
        inner = verdict.sql

        def go(conn) -> tuple[str, object]:
            cur = conn.cursor()
            if verdict.functions:
                refuse_writing_functions(cur, verdict.functions)
            self.db.set_limits(cur, info.flavor)
            dml = verdict.statement_kind in ("insert", "replace", "update", "delete")
            # the server refuses even EXPLAIN of a write in a READ ONLY transaction; EXPLAIN does not run it,
            # and the transaction is rolled back all the same
            cur.execute("START TRANSACTION" if dml else "START TRANSACTION READ ONLY")
            try:
                if analyze and info.flavor == "MariaDB":
                    cur.execute(f"ANALYZE FORMAT=JSON {inner}")
                    return "json", loads_explain_json(cur.fetchone()[0])
                if analyze:
                    cur.execute(f"EXPLAIN ANALYZE {inner}")
                    return "tree", "\n".join(str(r[0]) for r in cur.fetchall())
                cur.execute(f"EXPLAIN FORMAT=JSON {inner}")
                return "json", loads_explain_json(cur.fetchone()[0])
            finally:
                conn.rollback()

        _kind, plan = await self.db.run(go)
        report = explain_mysql_plan(plan, sql=inner, catalog=catalog)
        report.notes.append(
            f"{info.flavor} {info.version}: "
            + ("ANALYZE executed the statement inside a READ ONLY transaction, rolled back." if analyze
               else "EXPLAIN FORMAT=JSON: the statement was planned, not executed.")  # fmt: skip
        )
        return report
