"""draft_migration on MySQL/MariaDB (feature `draft`), and the `scratch` feature it asks for.

1. The target DDL (and `from_ddl`) is loaded into scratch databases on the connected server, so the
   server itself parses it; every table is read back as `SHOW CREATE TABLE` text (the current schema:
   from the connected database). Only CREATE TABLE / CREATE INDEX / ALTER TABLE on unqualified tables
   are accepted in the DDL: nothing in it can reach another database.
2. `core/diff/mysql.py` plans the up steps; the down steps are the plan from the target back.
3. Verification on a shadow of the current schema (`CREATE TABLE` from the current SHOW CREATE TABLE
   texts): the up statements run as written (so the server accepts every ALGORITHM/LOCK clause),
   the shadow's tables are compared with the target's (column order tolerated), the plan from the
   result to the target must be empty, and the down statements must bring back the current tables.
Every scratch database is dropped at the end, also on errors and cancellation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import anyio
import pymysql
import sqlglot
from sqlglot import exp

from dbarchitect.core.diff.models import Difference, DraftReport, Verification
from dbarchitect.core.diff.mysql import Features, TableDef, ordered, parse_create, phases, plan_mysql, render_mysql
from dbarchitect.core.sql.mysql_ident import quote_mysql
from dbarchitect.core.sql.mysql_split import split_script
from dbarchitect.core.describe import UserInputError
from dbarchitect.live.errors import DatabaseError
from dbarchitect.live.mysql.dryrun import IN_USE, new_scratch_name

SCRATCH_PREFIX = "dbarchitect_draft_"


def read_tables(cur, database: str) -> dict[str, TableDef]:
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'"
                " ORDER BY table_name", (database,))  # fmt: skip
    out = {}
    for (name,) in cur.fetchall():
        name = name.decode() if isinstance(name, bytes) else str(name)
        cur.execute(f"SHOW CREATE TABLE {quote_mysql(database)}.{quote_mysql(name)}")
        out[name] = parse_create(name, str(cur.fetchone()[1]))
    return out


def checked_ddl(ddl: str, database: str) -> list[str]:
    """The DDL's statements, each a CREATE TABLE / CREATE INDEX / ALTER TABLE on a table of this database
    (unqualified, or qualified with its name); UserInputError for anything else."""
    stmts = split_script(ddl)
    if not stmts:
        raise UserInputError("The DDL holds no statement.")
    out = []
    for s in stmts:
        try:
            tree = sqlglot.parse_one(s, read="mysql")
        except Exception as exc:  # noqa: BLE001
            raise UserInputError(f"The DDL could not be read (sqlglot, mysql dialect): {str(exc).splitlines()[0][:200]}") from None
        ok = (isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() in ("TABLE", "INDEX")) or (
            isinstance(tree, exp.Alter) and str(tree.args.get("kind", "")).upper() == "TABLE")  # fmt: skip
        if not ok:
            raise UserInputError(f"draft_migration reads CREATE TABLE, CREATE INDEX and ALTER TABLE only; not: {s[:80]}")
        for t in tree.find_all(exp.Table):
            if t.db and t.db != database:
                raise UserInputError(f"The DDL names a table of another database ({t.db}.{t.name}): write it unqualified.")
        out.append(s)
    return out


def _diff(expected: Mapping[str, TableDef], actual: Mapping[str, TableDef], names) -> list[Difference]:
    out = []
    for n in sorted(names):
        e, a = expected.get(n), actual.get(n)
        if e is None or a is None:
            out.append(Difference(key=n, change="missing" if a is None else "unexpected"))
            continue
        fe, fa = e.fingerprint(), a.fingerprint()
        for part in fe:
            if fe[part] != fa[part]:
                if isinstance(fe[part], dict):
                    for k in sorted(set(fe[part]) | set(fa[part])):
                        if fe[part].get(k) != fa[part].get(k):
                            out.append(Difference(key=f"{n}.{k}", change=f"{part} differ", before=fa[part].get(k),
                                                  after=fe[part].get(k)))  # fmt: skip
                else:
                    out.append(Difference(key=n, change=f"{part} differ", before=fa[part], after=fe[part]))
    return out


class MySQLDrafter:
    def __init__(self, db, tool: str):
        self.db = db
        self.tool = tool

    async def draft(self, target_ddl: str, *, from_ddl: str | None, renames: Mapping[str, str] | None,
                    allow_data_loss: bool, online: bool, backfill: Mapping[str, str] | None, scope: str,
                    verify: bool, scratch: str, progress=None) -> DraftReport:  # fmt: skip
        info = await self.db.info()
        if not info.database:
            raise UserInputError("draft_migration on MySQL/MariaDB needs a connection URL that names the database (mysql://…/db).")
        target_stmts = checked_ddl(target_ddl, info.database)
        from_stmts = checked_ddl(from_ddl, info.database) if from_ddl else None
        features = Features(info.flavor, info.version_num)
        base = new_scratch_name("draft")
        names = {k: f"{base}_{k}" for k in ("target", "current", "shadow")}
        IN_USE.update(names.values())
        conn = await anyio.to_thread.run_sync(self.db._connect)
        created: list[str] = []
        run = anyio.to_thread.run_sync
        started = time.perf_counter()
        try:
            cur = conn.cursor()

            def load(key: str, stmts: list[str]) -> dict[str, TableDef]:
                db = names[key]
                cur.execute(f"CREATE DATABASE {quote_mysql(db)}")
                created.append(db)
                cur.execute(f"USE {quote_mysql(db)}")
                cur.execute("SET SESSION foreign_key_checks = 0")
                for s in stmts:
                    try:
                        cur.execute(s)
                    except pymysql.err.MySQLError as exc:
                        raise DatabaseError(f"The server refused the {key} DDL at `{s[:80]}`: {exc.args[-1]}") from None
                cur.execute("SET SESSION foreign_key_checks = 1")
                return read_tables(cur, db)

            target = await run(lambda: load("target", target_stmts))
            if from_stmts is not None:
                current = await run(lambda: load("current", from_stmts))
            else:
                current = await run(lambda: read_tables(cur, info.database))
            if progress:
                await progress(1, 3, "planned")
            up = plan_mysql(current, target, features=features, renames=renames, allow_data_loss=allow_data_loss,
                            online=online, backfill=backfill, scope=scope)  # fmt: skip
            inverse = {}
            for k, v in (renames or {}).items():
                if "." in k:
                    tbl, col = k.split(".", 1)
                    new_tbl = (renames or {}).get(tbl, tbl)
                    inverse[f"{new_tbl}.{v}"] = col
                else:
                    inverse[v] = k
            in_scope = {n for n in current if n in target or (renames or {}).get(n) in target or scope == "schema"}
            back = {n: current[n] for n in in_scope}
            down = plan_mysql(target, back, features=features, renames=inverse, allow_data_loss=True, online=False,
                              scope="schema")  # fmt: skip
            steps, down_steps = ordered(up.steps), ordered(down.steps)
            verification = Verification(scope=scope)
            if verify:
                verification = await run(lambda: self._verify(cur, names["shadow"], created, current, target, steps,
                                                               down_steps, features, renames, scope, in_scope))  # fmt: skip
            if progress:
                await progress(3, 3, "verified" if verify else "planned")
        finally:
            with anyio.CancelScope(shield=True):
                await run(lambda: self._drop_all(conn, created))
        verification.duration_ms = round((time.perf_counter() - started) * 1000, 1)
        notes = [f"{info.flavor} {info.version}: every ALTER names its ALGORITHM and LOCK, so the server refuses "
                 "rather than silently copying; MySQL DDL commits by itself, so run one step at a time."]  # fmt: skip
        if verify:
            notes.append("Verified on scratch databases on the connected server (schema only, no rows); they were dropped.")
        return DraftReport(
            up_sql=render_mysql(steps, "up"), down_sql=render_mysql(down_steps, "down"), steps=steps, down_steps=down_steps,
            phases=phases(steps), hazards=[*(h for h in up.hazards if h.step is None), *(h for s in steps for h in s.hazards)], refused=up.refused, patterns=up.patterns,
            verification=verification, current_source="from_ddl" if from_ddl else "connection", scope=scope,  # type: ignore[arg-type]
            left_alone=sorted(n for n in current if n not in in_scope), notes=notes,
        )  # fmt: skip

    def _drop_all(self, conn, created: list[str]) -> None:
        try:
            self._drop_each(conn, created)
        finally:
            IN_USE.difference_update(created)

    def _drop_each(self, conn, created: list[str]) -> None:
        try:
            cur = conn.cursor()
            for db in created:
                cur.execute(f"DROP DATABASE IF EXISTS {quote_mysql(db)}")
            conn.close()
        except pymysql.err.MySQLError:
            fresh = self.db._connect()
            try:
                for db in created:
                    fresh.cursor().execute(f"DROP DATABASE IF EXISTS {quote_mysql(db)}")
            finally:
                fresh.close()

    def _verify(self, cur, shadow: str, created: list[str], current, target, steps, down_steps, features, renames,
                scope, in_scope) -> Verification:  # fmt: skip
        v = Verification(ran=True, scope=scope)
        cur.execute(f"CREATE DATABASE {quote_mysql(shadow)}")
        created.append(shadow)
        cur.execute(f"USE {quote_mysql(shadow)}")
        cur.execute("SET SESSION foreign_key_checks = 0")
        for t in current.values():
            cur.execute(t.create)
        cur.execute("SET SESSION foreign_key_checks = 1")

        def apply(step_list) -> str | None:
            for s in step_list:
                for stmt in s.statements:
                    try:
                        cur.execute(stmt)
                    except pymysql.err.MySQLError as exc:
                        cur.execute("SET SESSION foreign_key_checks = 1")
                        return f"step {s.id} ({s.action} {s.object}) failed at `{stmt[:100]}`: {exc.args[-1]}"
            return None

        v.error = apply(steps)
        v.applied = v.error is None
        if not v.applied:
            return v
        after = read_tables(cur, shadow)
        v.convergence_differences = _diff(target, after, target.keys())
        others = [n for n in current if n not in in_scope]
        v.out_of_scope_changes = _diff({n: current[n] for n in others}, after, others)
        v.untouched = not v.out_of_scope_changes if scope == "objects" else None
        v.converged = not v.convergence_differences and v.untouched is not False
        replan = plan_mysql({n: after[n] for n in after if n in target}, target, features=features, online=False,
                            allow_data_loss=True, scope="schema")  # fmt: skip
        v.replan_steps = [s.description for s in replan.steps]
        v.replan_empty = not replan.steps
        err = apply(down_steps)
        v.down_applied = err is None
        if err:
            v.error = f"down: {err}"
            return v
        back = read_tables(cur, shadow)
        v.reversibility_differences = _diff({n: current[n] for n in in_scope}, back, in_scope)
        v.reversibility_differences += [Difference(key=n, change="left behind by down") for n in back
                                        if n not in current]  # fmt: skip
        v.reversible = not v.reversibility_differences
        return v
