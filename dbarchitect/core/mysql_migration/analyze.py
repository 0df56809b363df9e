"""Statement by statement: the operations of a MySQL/MariaDB migration and how the server runs them.

The analyzer keeps the tables as they stand after each statement (the catalog's, then what earlier
statements created, added, dropped or changed), so `ALTER TABLE t MODIFY c …` is compared with the
column as it is at that point, and the session settings a statement runs under (`foreign_key_checks`,
`lock_wait_timeout`, `sql_mode`, an open `START TRANSACTION`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sqlglot import exp

from dbarchitect.core.models import Column, Index, MySQLColumn, MySQLIndex, MySQLTable, Table
from dbarchitect.core.mysql_ddl_parse import _table as table_from_create
from dbarchitect.core.mysql_migration.context import MyLintContext
from dbarchitect.core.mysql_migration.online import (
    CLAUSE_RANK,
    LOCK_RANK,
    ColType,
    Online,
    Server,
    combine,
    copy,
    inplace,
    instant,
    narrowing,
    type_change,
)
from dbarchitect.core.mysql_migration.parse import RawStatement, qname

#: assumed throughput of a table copy or rebuild (data + indexes), for the time estimates
ASSUMED_MB_PER_S = 50.0


@dataclass
class Action:
    kind: str
    table: str
    online: Online
    column: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class MyStatement:
    raw: RawStatement
    kind: str  # ALTER TABLE, CREATE INDEX, CREATE TABLE, DROP TABLE, SET, DML, ...
    table: str | None = None  # qualified db.table (lower case) the statement changes
    actions: list[Action] = field(default_factory=list)
    online: Online | None = None  # the server's own choice (None: not an online-DDL statement)
    effective: Online | None = None  # after the written ALGORITHM/LOCK clauses
    refused: str | None = None  # why the server refuses the written clauses
    ddl: bool = False  # commits implicitly
    preexisting: bool = False  # the table existed before the migration
    rows: int | None = None
    total_bytes: int | None = None
    foreign_key_checks: bool = True
    lock_wait_timeout_set: bool = False
    sql_mode: str = ""
    in_transaction: bool = False
    data_loss: list[str] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def index(self) -> int:
        return self.raw.index

    @property
    def line(self) -> int:
        return self.raw.line

    @property
    def sql(self) -> str:
        return self.raw.sql

    @property
    def ignores(self) -> frozenset[str]:
        return self.raw.ignores

    @property
    def estimated_seconds(self) -> float | None:
        if self.effective is None or self.total_bytes is None:
            return None
        if self.effective.algorithm == "INSTANT" or not (self.effective.rebuild or self.effective.algorithm == "COPY"):
            return None
        return self.total_bytes / (ASSUMED_MB_PER_S * 1024 * 1024)

    def kinds(self) -> set[str]:
        return {a.kind for a in self.actions}


@dataclass
class MyMigration:
    server: Server
    ctx: MyLintContext
    statements: list[MyStatement] = field(default_factory=list)
    server_assumed: bool = False

    def strict(self, stmt: MyStatement) -> bool:
        flags = {f.strip().upper() for f in stmt.sql_mode.split(",")}
        return bool(flags & {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES"})


def human_seconds(s: float) -> str:
    if s < 1:
        return "under a second"
    if s < 90:
        return f"~{math.ceil(s)} s"
    if s < 5400:
        return f"~{math.ceil(s / 60)} min"
    return f"~{s / 3600:.1f} h"


class Analyzer:
    def __init__(self, server: Server, ctx: MyLintContext):
        self.server = server
        self.ctx = ctx
        self.tables: dict[str, Table] = {k.lower(): t.model_copy(deep=True) for k, t in ctx.tables.items()}
        self.created: set[str] = set()
        self.fkc = ctx.foreign_key_checks
        self.lwt = ctx.lock_wait_timeout_s is not None and ctx.lock_wait_timeout_s <= 60
        self.sql_mode = ctx.sql_mode
        self.in_tx = False

    # -- names ------------------------------------------------------------------------------
    def qualify(self, name: str) -> str:
        name = name.strip()
        if "." in name:
            return name.lower()
        return f"{self.ctx.database or 'db'}.{name}".lower()

    def table_of(self, node: exp.Expression | None) -> str | None:
        if not isinstance(node, exp.Table):
            return None
        db = node.args.get("db")
        return self.qualify(f"{db.name}.{node.name}" if db is not None else node.name)

    # -- statements ---------------------------------------------------------------------------
    def statement(self, raw: RawStatement) -> MyStatement:
        st = MyStatement(raw=raw, kind="not understood", foreign_key_checks=self.fkc, lock_wait_timeout_set=self.lwt,
                         sql_mode=self.sql_mode, in_transaction=self.in_tx)  # fmt: skip
        if raw.error:
            return st
        node, rec = raw.node, raw.recognized
        if rec is not None:
            self._recognized(st, rec)
        elif isinstance(node, exp.Alter) and str(node.args.get("kind") or "TABLE").upper() == "TABLE":
            st.kind = "CREATE INDEX" if raw.sql.lstrip()[:6].upper() == "CREATE" else (
                "DROP INDEX" if raw.sql.lstrip()[:4].upper() == "DROP" else "ALTER TABLE")
            st.ddl = True
            st.table = self.table_of(node.this)
            self._alter(st, node)
        elif isinstance(node, exp.Create):
            self._create(st, node)
        elif isinstance(node, exp.Drop):
            self._drop(st, node)
        elif isinstance(node, exp.TruncateTable):
            st.kind, st.ddl = "TRUNCATE TABLE", True
            for t in node.expressions:
                q = self.table_of(t)
                if q:
                    st.table = st.table or q
                    st.data_loss.append(q)
        elif isinstance(node, exp.Set):
            st.kind = "SET"
            self._set(st, node)
        elif isinstance(node, exp.Transaction):
            st.kind = "START TRANSACTION"
            self.in_tx = True
        elif isinstance(node, (exp.Commit, exp.Rollback)):
            st.kind = "COMMIT" if isinstance(node, exp.Commit) else "ROLLBACK"
            self.in_tx = False
        elif isinstance(node, (exp.Insert, exp.Update, exp.Delete)):
            st.kind = type(node).__name__.upper()
            target = node.this if not isinstance(node, exp.Insert) else node.this
            if isinstance(target, exp.Schema):
                target = target.this
            st.table = self.table_of(target)
        else:
            st.kind = type(node).__name__.upper()
        if st.ddl:
            self.in_tx = False  # DDL commits the open transaction
        if st.table:
            known = not self.ctx.online or st.table in {k.lower() for k in self.ctx.tables}
            st.preexisting = st.table not in self.created and known
            if not known and st.table not in self.created and st.ddl:
                st.assumptions.append(f"{st.table} is not in the catalog (created outside this migration?)")
            t = self.tables.get(st.table)
            if t is not None and st.preexisting:
                st.rows = max(0, int(t.reltuples)) if t.reltuples >= 0 else None
                st.total_bytes = t.total_bytes or t.size_bytes or None
        if st.online is not None:
            self._clauses(st)
        self._advance(st)
        return st

    def _clauses(self, st: MyStatement) -> None:
        pred = st.online
        st.effective = pred
        alg, lock = st.raw.clauses.get("ALGORITHM"), st.raw.clauses.get("LOCK")
        if alg == "NOCOPY" and not self.server.mariadb:
            st.refused = "ALGORITHM=NOCOPY is MariaDB syntax; MySQL rejects the statement"
            return
        if alg == "INSTANT" and not (self.server.at_least(8, 0, 12) if not self.server.mariadb else self.server.at_least(10, 3, 7)):
            st.refused = f"ALGORITHM=INSTANT does not exist before {'MariaDB 10.3.7' if self.server.mariadb else 'MySQL 8.0.12'}"
            return
        if alg == "COPY" and pred.algorithm != "COPY":
            st.effective = copy(self.server, "ALGORITHM=COPY forces a table copy")
            st.effective.cause = "algorithm_clause"
            pred = st.effective
        elif alg and alg != "DEFAULT" and CLAUSE_RANK[alg] < pred.clause_rank and pred.assumed:
            st.assumptions.append(f"whether ALGORITHM={alg} is accepted depends on the column's current definition (unknown): "
                                  "the statement either runs that way or fails")
            st.effective = None
            return
        elif alg and alg != "DEFAULT" and CLAUSE_RANK[alg] < pred.clause_rank:
            need = pred.clause(self.server).split(",")[0]
            st.refused = f"ALGORITHM={alg} is not supported for this operation ({pred.why}); the server needs {need}"
            return
        if lock and lock not in ("DEFAULT",) and lock in LOCK_RANK and LOCK_RANK[lock] < LOCK_RANK[pred.lock]:
            st.refused = f"LOCK={lock} is not supported for this operation ({pred.why}); the server needs LOCK={pred.lock}"
            return
        if lock in ("SHARED", "EXCLUSIVE") and LOCK_RANK[lock] > LOCK_RANK[pred.lock]:
            st.effective = Online(pred.algorithm, lock, pred.rebuild, pred.why + f"; LOCK={lock} as written", cause=pred.cause)

    def _set(self, st: MyStatement, node: exp.Set) -> None:
        for item in node.expressions:
            e = item.this if isinstance(item, exp.SetItem) else item
            if not isinstance(e, exp.EQ):
                continue
            name = e.this.sql(dialect="mysql").lower().replace("@@session.", "").replace("@@", "").replace("session.", "")
            name = name.split(".")[-1].strip("`")
            value = e.expression.sql(dialect="mysql").strip("'\"").upper()
            if "global" in item.sql(dialect="mysql").lower()[:12]:
                continue
            if name == "foreign_key_checks":
                self.fkc = value not in ("0", "OFF", "FALSE")
            elif name == "lock_wait_timeout":
                self.lwt = True
            elif name == "sql_mode":
                self.sql_mode = value

    def _recognized(self, st: MyStatement, rec) -> None:
        st.ddl = True
        srv = self.server
        if rec.kind == "optimize":
            st.kind = "OPTIMIZE TABLE"
            st.table = self.qualify(rec.tables[0])
            t = self.tables.get(st.table)
            if self._innodb(t) is False:
                st.actions.append(Action("optimize", st.table, copy(srv, "OPTIMIZE of a non-InnoDB table copies it")))
            elif self._has_fulltext(t):
                on = copy(srv, "OPTIMIZE TABLE of an InnoDB table with a FULLTEXT index copies it") if not srv.mariadb else inplace(
                    "OPTIMIZE TABLE rebuilds the table (with a FULLTEXT index: writes wait)", rebuild=True, lock="SHARED")
                st.actions.append(Action("optimize", st.table, on))
            else:
                st.actions.append(Action("optimize", st.table, inplace("OPTIMIZE TABLE on InnoDB is ALTER TABLE … FORCE: "
                                                                       "the table is rebuilt in place", rebuild=True)))
            st.online = combine([(a.kind, a.online) for a in st.actions])
        elif rec.kind == "convert_charset":
            st.kind = "ALTER TABLE"
            st.table = self.qualify(rec.tables[0])
            t = self.tables.get(st.table)
            cur = (t.mysql.charset if t is not None and t.mysql else None) or None
            cols = [c for c in (t.columns if t else []) if c.mysql and c.mysql.charset]
            if t is not None and cur and cur.lower() == rec.charset and all((c.mysql.charset or "").lower() == rec.charset for c in cols):
                on = instant(f"every column is already {rec.charset}: nothing to convert")
            else:
                on = copy(srv, f"CONVERT TO CHARACTER SET {rec.charset} rewrites every text column: the table is copied")
                if t is None:
                    st.assumptions.append("the table's current character set is unknown: a conversion (copy) is assumed")
            st.actions.append(Action("convert_charset", st.table, on, detail={"charset": rec.charset}))
            st.online = on
            if t is not None and t.mysql:
                t.mysql.charset = rec.charset
                for c in cols:
                    c.mysql.charset = rec.charset
        elif rec.kind == "rename_table":
            st.kind = "RENAME TABLE"
            st.table = self.qualify(rec.tables[0])
            for old, new in rec.renames:
                st.breaks.append(f"{self.qualify(old)} (renamed to {new})")
            st.actions.append(Action("rename_table", st.table, instant("RENAME TABLE changes metadata only", lock="EXCLUSIVE")))
            st.online = st.actions[0].online
        elif rec.kind == "add_check":
            st.kind = "ALTER TABLE"
            st.table = self.qualify(rec.tables[0])
            t = self.tables.get(st.table)
            on = (copy(srv, "adding a CHECK constraint copies the table to validate every row")
                  if srv.mariadb or srv.at_least(8, 0, 16) else instant("CHECK constraints are parsed and ignored before MySQL 8.0.16"))  # fmt: skip
            if self._innodb(t) is False:
                on = copy(srv, "non-InnoDB tables are altered by copying")
            st.actions.append(Action("add_check", st.table, on, detail={"expr": rec.expr}))
            st.online = on

    # -- ALTER TABLE ---------------------------------------------------------------------------
    def _innodb(self, t: Table | None) -> bool | None:
        if t is None or t.mysql is None or not t.mysql.engine:
            return None
        return t.mysql.engine.lower() == "innodb"

    def _has_fulltext(self, t: Table | None) -> bool:
        return t is not None and any((i.mysql and i.mysql.index_type == "FULLTEXT") or i.method == "fulltext" for i in t.indexes)

    def _compressed(self, t: Table | None) -> bool:
        return t is not None and t.mysql is not None and (t.mysql.row_format or "").lower() == "compressed"

    def _alter(self, st: MyStatement, node: exp.Alter) -> None:
        srv = self.server
        table = st.table or "?"
        t = self.tables.get(table)
        if t is None:
            st.assumptions.append(f"{table} is not in the catalog: InnoDB with no FULLTEXT index, default row format assumed")
        parts: list[Action] = []
        for a in node.args.get("actions") or []:
            parts += self._action(st, t, table, a)
        for opt in node.args.get("options") or []:
            parts += self._option(t, table, opt)
        if any(p.kind == "add_primary" for p in parts):  # DROP + ADD PRIMARY KEY in one statement: one in-place rebuild
            for p in parts:
                if p.kind == "drop_primary":
                    p.online = inplace("replacing the primary key in one statement rebuilds the table in place", rebuild=True)
        if self._innodb(t) is False:
            for p in parts:
                if not (p.online.algorithm == "INSTANT" and p.kind in ("set_default", "drop_default", "rename_table",
                                                                        "comment", "rename_column")):
                    p.online = copy(srv, f"{t.mysql.engine} tables are altered by copying (online DDL is InnoDB's)")
        if self._has_fulltext(t):  # rebuilding a table with a FULLTEXT index lets reads continue, not writes
            for p in parts:
                for o in (p.online, p.online.fallback):
                    if o is not None and o.algorithm == "INPLACE" and o.rebuild and LOCK_RANK[o.lock] < 1:
                        o.lock = "SHARED"
                        o.why += " (the table has a FULLTEXT index: writes wait during the rebuild)"
        st.actions = parts
        st.online = combine([(a.kind, a.online) for a in parts])

    def _option(self, t: Table | None, table: str, opt: exp.Expression) -> list[Action]:
        srv = self.server
        if isinstance(opt, (exp.AlgorithmProperty, exp.LockProperty)):
            return []
        if isinstance(opt, exp.EngineProperty):
            engine = opt.this.name
            cur = t.mysql.engine if t is not None and t.mysql else None
            if cur is None and engine.lower() == "innodb" or (cur and cur.lower() == engine.lower()):
                on = inplace(f"ENGINE={engine} on an {engine} table rebuilds it in place", rebuild=True)
                if cur is None:
                    on.why += " (the table is assumed to be InnoDB already)"
                return [Action("rebuild", table, on)]
            if t is not None and t.mysql:
                t.mysql.engine = engine
            return [Action("engine_change", table, copy(srv, f"changing the engine from {cur or '?'} to {engine} copies the table"))]
        if isinstance(opt, exp.RowFormatProperty):
            return [Action("row_format", table, inplace(f"ROW_FORMAT={opt.this.name} rebuilds the table", rebuild=True))]
        if isinstance(opt, exp.AutoIncrementProperty):
            on = instant("AUTO_INCREMENT= changes metadata only") if srv.mariadb else inplace(
                "AUTO_INCREMENT= is in place, metadata only", rebuild=False)
            return [Action("auto_increment", table, on)]
        if isinstance(opt, exp.SchemaCommentProperty):
            on = instant("a table COMMENT changes metadata only") if srv.mariadb else inplace(
                "a table COMMENT is in place, metadata only", rebuild=False)
            return [Action("comment", table, on)]
        if isinstance(opt, exp.CharacterSetProperty):
            on = instant("the table's default character set applies to columns added later only") if srv.mariadb else inplace(
                "changing the table's default character set is in place", rebuild=False)
            return [Action("table_charset", table, on)]
        name = opt.this.name.upper() if isinstance(opt, exp.Property) and isinstance(opt.this, exp.Var) else type(opt).__name__
        if name == "KEY_BLOCK_SIZE":
            return [Action("row_format", table, inplace("KEY_BLOCK_SIZE rebuilds the table", rebuild=True))]
        return [Action("option", table, inplace(f"table option {name}: assumed to rebuild in place", rebuild=True),
                       detail={"option": name})]  # fmt: skip

    def _column_type(self, col: Column | None) -> tuple[ColType | None, str | None]:
        if col is None:
            return None, None
        text = col.mysql.column_type if col.mysql else col.type
        return ColType.parse(text), (col.mysql.charset if col.mysql else None)

    def _new_type(self, cdef: exp.ColumnDef, t: Table | None) -> tuple[ColType | None, str | None, list]:
        kind = cdef.args.get("kind")
        cons = [c.args.get("kind") for c in cdef.args.get("constraints") or []]
        if kind is None:
            return None, None, cons
        ct = ColType.parse(kind.sql(dialect="mysql"))
        cs = next((c.this.name.lower() for c in cons if isinstance(c, exp.CharacterSetColumnConstraint)), None)
        if cs is None and ct.base in ("char", "varchar", "text", "tinytext", "mediumtext", "longtext", "enum", "set"):
            cs = (t.mysql.charset if t is not None and t.mysql else None)
        return ct, cs, cons

    def _action(self, st: MyStatement, t: Table | None, table: str, a: exp.Expression) -> list[Action]:
        srv = self.server
        maria = srv.mariadb
        fts, compressed = self._has_fulltext(t), self._compressed(t)
        rebuild_lock = "SHARED" if fts else "NONE"
        col_rebuild = inplace("the table is rebuilt in place", rebuild=True, lock=rebuild_lock)
        if isinstance(a, exp.ColumnDef):
            name = a.name
            cons = [c.args.get("kind") for c in a.args.get("constraints") or []]
            pos = a.args.get("position")
            positioned = pos is not None
            if any(isinstance(c, exp.AutoIncrementColumnConstraint) for c in cons):
                on = inplace("adding an AUTO_INCREMENT column rebuilds the table and blocks writes", rebuild=True, lock="SHARED")
            elif any(isinstance(c, exp.ComputedColumnConstraint) and c.args.get("persisted") for c in cons):
                on = copy(srv, "adding a STORED generated column copies the table")
            elif any(isinstance(c, exp.ComputedColumnConstraint) for c in cons):
                on = instant("adding a VIRTUAL generated column is instant") if (maria or srv.at_least(8, 0, 12)) else inplace(
                    "adding a VIRTUAL column is in place, metadata only", rebuild=False)
            elif fts:
                on = inplace("the table has a FULLTEXT index (hidden FTS_DOC_ID): ADD COLUMN rebuilds it", rebuild=True, lock="SHARED")
            elif compressed:
                on = inplace("ROW_FORMAT=COMPRESSED tables cannot add columns instantly: rebuilt in place", rebuild=True)
            elif maria and srv.at_least(10, 4) or (not maria and srv.at_least(8, 0, 29)):
                on = instant("ADD COLUMN is instant in any position", fallback=col_rebuild)
            elif (maria and srv.at_least(10, 3, 2)) or (not maria and srv.at_least(8, 0, 12)):
                on = instant("ADD COLUMN as the last column is instant", fallback=col_rebuild) if not positioned else inplace(
                    f"ADD COLUMN with {'FIRST' if pos.args.get('position') == 'FIRST' else 'AFTER'} is instant only from "
                    f"{'MariaDB 10.4' if maria else 'MySQL 8.0.29'}: the table is rebuilt in place", rebuild=True)
            else:
                on = inplace("ADD COLUMN rebuilds the table in place", rebuild=True)
            ct, cs, _ = self._new_type(a, t)
            if t is not None:
                t.columns.append(Column(name=name, position=len(t.columns) + 1, type=ct.text if ct else "?",
                                        not_null=any(isinstance(c, exp.NotNullColumnConstraint) for c in cons),
                                        mysql=MySQLColumn(column_type=ct.text if ct else "?", charset=cs)))  # fmt: skip
            out = [Action("add_column", table, on, column=name)]
            if any(isinstance(c, (exp.UniqueColumnConstraint, exp.PrimaryKeyColumnConstraint)) for c in cons):
                out.append(Action("add_index", table, inplace("the column's index is built in place", rebuild=False), column=name))
            return out
        if isinstance(a, exp.Drop):
            kind = str(a.args.get("kind") or "").upper()
            target = a.args.get("tables") or []
            name = target[0].name if target else ""
            if kind == "COLUMN":
                col = t.column(name) if t is not None else None
                indexed = t is not None and any(name in i.columns for i in t.indexes)
                if fts:
                    on = inplace("the table has a FULLTEXT index: DROP COLUMN rebuilds it", rebuild=True, lock="SHARED")
                elif compressed:
                    on = inplace("ROW_FORMAT=COMPRESSED tables cannot drop columns instantly: rebuilt in place", rebuild=True)
                elif indexed and maria and srv.at_least(10, 4):
                    on = inplace("the column is indexed: its index is dropped in place (no rebuild)", rebuild=False)
                elif indexed:
                    on = inplace("the column is indexed: DROP COLUMN rebuilds the table in place", rebuild=True)
                elif (maria and srv.at_least(10, 4)) or (not maria and srv.at_least(8, 0, 29)):
                    on = instant("DROP COLUMN is instant", fallback=col_rebuild)
                else:
                    on = inplace("DROP COLUMN rebuilds the table in place", rebuild=True)
                st.data_loss.append(f"{table}.{name}")
                st.breaks.append(f"{table}.{name}")
                if t is not None and col is not None:
                    t.columns.remove(col)
                return [Action("drop_column", table, on, column=name)]
            if kind == "INDEX":
                on = inplace("DROP INDEX is in place, metadata only", rebuild=False)
                if t is not None:
                    t.indexes = [i for i in t.indexes if i.name.lower() != name.lower()]
                return [Action("drop_index", table, on, detail={"index": name})]
            if kind == "FOREIGN KEY":
                on = instant("DROP FOREIGN KEY changes metadata only") if maria else inplace(
                    "DROP FOREIGN KEY is in place, metadata only", rebuild=False)
                return [Action("drop_fk", table, on, detail={"constraint": name})]
            if kind in ("CHECK", "CONSTRAINT"):
                fk = t is not None and any(c.kind == "foreign_key" and c.name.lower() == name.lower() for c in t.constraints)
                on = instant("dropping a constraint changes metadata only") if maria else inplace(
                    "dropping a constraint is in place, metadata only", rebuild=False)
                return [Action("drop_fk" if fk else "drop_check", table, on, detail={"constraint": name})]
            return [Action("other", table, inplace(f"DROP {kind}: assumed in place", rebuild=False))]
        if isinstance(a, exp.DropPrimaryKey):
            return [Action("drop_primary", table, copy(srv, "dropping the primary key without adding one copies the table"))]
        if isinstance(a, exp.ModifyColumn):
            return self._modify(st, t, table, a)
        if isinstance(a, exp.RenameColumn):
            old, new = a.this.name, a.args["to"].name
            st.breaks.append(f"{table}.{old} (renamed to {new})")
            if t is not None and (c := t.column(old)) is not None:
                c.name = new
            on = instant("RENAME COLUMN changes metadata only") if (maria and srv.at_least(10, 3)) or srv.at_least(8, 0, 28) \
                else inplace("RENAME COLUMN is in place, metadata only", rebuild=False)  # fmt: skip
            return [Action("rename_column", table, on, column=old, detail={"to": new})]
        if isinstance(a, exp.AlterColumn):
            kind = "drop_default" if a.args.get("drop") else "set_default"
            if a.args.get("dtype") is not None:
                return [Action("change_type", table, copy(srv, "changing the column type copies the table"), column=a.this.name)]
            on = instant("changing a column DEFAULT is metadata only") if (maria or srv.at_least(8, 0, 12)) else inplace(
                "changing a DEFAULT is in place, metadata only", rebuild=False)
            return [Action(kind, table, on, column=a.this.name)]
        if isinstance(a, exp.AddConstraint):
            return [x for e in a.expressions for x in self._add_constraint(st, t, table, e)]
        if isinstance(a, exp.RenameIndex if hasattr(exp, "RenameIndex") else ()):
            on = instant("RENAME INDEX changes metadata only") if maria else inplace("RENAME INDEX is in place, metadata only", rebuild=False)
            return [Action("rename_index", table, on)]
        if isinstance(a, exp.AlterRename):
            new = self.table_of(a.this) or "?"
            st.breaks.append(f"{table} (renamed to {new})")
            return [Action("rename_table", table, instant("RENAME TO changes metadata only", lock="EXCLUSIVE"), detail={"to": new})]
        if type(a).__name__ == "AlterIndex":
            on = inplace("changing index visibility is in place, metadata only", rebuild=False) if not maria else instant(
                "changing index visibility is metadata only")
            return [Action("index_visibility", table, on)]
        if type(a).__name__ == "ForceProperty":
            return [Action("rebuild", table, inplace("ALTER TABLE … FORCE rebuilds the table in place", rebuild=True, lock=rebuild_lock))]
        st.assumptions.append(f"operation {type(a).__name__} is not modelled: a rebuild in place is assumed")
        return [Action("other", table, inplace(f"{type(a).__name__}: not modelled, a rebuild in place assumed", rebuild=True))]

    def _modify(self, st: MyStatement, t: Table | None, table: str, a: exp.ModifyColumn) -> list[Action]:
        srv = self.server
        maria = srv.mariadb
        cdef: exp.ColumnDef = a.this
        new_name = cdef.name
        old_name = a.args["rename_from"].name if a.args.get("rename_from") is not None else new_name
        col = t.column(old_name) if t is not None else None
        if col is None and t is not None:
            col = next((c for c in t.columns if c.name.lower() == old_name.lower()), None)
        old_t, old_cs = self._column_type(col)
        new_t, new_cs, cons = self._new_type(cdef, t)
        not_null = any(isinstance(c, exp.NotNullColumnConstraint) and not c.args.get("allow_null") for c in cons) or any(
            isinstance(c, exp.PrimaryKeyColumnConstraint) for c in cons)
        positioned = cdef.args.get("position") is not None
        out: list[Action] = []
        if old_name.lower() != new_name.lower():
            st.breaks.append(f"{table}.{old_name} (renamed to {new_name})")
        if col is None or old_t is None or new_t is None:
            st.assumptions.append(f"{table}.{old_name}'s current type is unknown (no catalog): a type change (table copy) is assumed")
            guess = copy(srv, f"MODIFY/CHANGE of {old_name} assumed to change its type (its current definition is unknown)")
            guess.assumed = True
            out.append(Action("change_type", table, guess, column=old_name, detail={"new": new_t.text if new_t else "?"}))
            return out
        on, kind = type_change(srv, old_t, new_t, old_cs, new_cs)
        detail = {"old": old_t.text, "new": new_t.text, "old_charset": old_cs, "new_charset": new_cs, "new_length": new_t.length}
        if kind != "same":
            if narrowing(old_t, new_t) or kind == "narrowing":
                detail["narrowing"] = True
            out.append(Action(kind if kind in ("varchar_extend", "enum_append", "set_append", "charset") else "change_type",
                              table, on, column=old_name, detail=detail))  # fmt: skip
        if col.not_null != not_null:
            if not_null:
                nn = inplace("making a column NOT NULL rebuilds the table in place (and fails on NULLs in strict mode)", rebuild=True)
                out.append(Action("set_not_null", table, nn, column=old_name, detail=detail))
            else:
                out.append(Action("drop_not_null", table, inplace("making a column NULL rebuilds the table in place", rebuild=True),
                                  column=old_name))  # fmt: skip
        if old_name.lower() != new_name.lower():
            on2 = instant("renaming a column changes metadata only") if (maria and srv.at_least(10, 3)) or srv.at_least(8, 0, 28) \
                else inplace("renaming a column is in place, metadata only", rebuild=False)  # fmt: skip
            out.append(Action("rename_column", table, on2, column=old_name, detail={"to": new_name}))
        if positioned:
            on3 = instant("reordering columns is instant", fallback=inplace("reordering columns rebuilds the table", rebuild=True)) \
                if maria and srv.at_least(10, 4) else inplace("reordering columns rebuilds the table in place", rebuild=True)  # fmt: skip
            out.append(Action("reorder_column", table, on3, column=old_name))
        if not out:
            out.append(Action("redefine_column", table, instant("the definition keeps the type, nullability and position: metadata only")
                              if (maria or srv.at_least(8, 0, 12)) else inplace("metadata only", rebuild=False), column=old_name))  # fmt: skip
        col.name = new_name
        col.not_null = not_null
        if col.mysql is not None:
            col.mysql.column_type = new_t.text
            col.mysql.charset = new_cs
        return out

    def _add_constraint(self, st: MyStatement, t: Table | None, table: str, e: exp.Expression) -> list[Action]:
        srv = self.server
        name = None
        if isinstance(e, exp.Constraint):
            name = e.name
            inner = e.expressions
        else:
            inner = [e]
        out = []
        for c in inner:
            if isinstance(c, exp.PrimaryKey):
                cols = [x.name for x in c.expressions]
                drops_pk = any(a.kind == "drop_primary" for a in st.actions)
                on = inplace("adding a primary key rebuilds the clustered index in place", rebuild=True)
                out.append(Action("add_primary", table, on, detail={"columns": cols, "replaces": drops_pk}))
                self._index_added(t, "PRIMARY", cols, unique=True, primary=True)
            elif isinstance(c, exp.ForeignKey):
                cols = [x.name for x in c.expressions]
                ref = c.args.get("reference")
                rs = ref.this if ref is not None else None
                ref_table = self.table_of(rs.this if isinstance(rs, exp.Schema) else rs) if rs is not None else None
                ref_cols = [x.name for x in rs.expressions] if isinstance(rs, exp.Schema) else []
                if self.fkc:
                    on = copy(srv, "adding a FOREIGN KEY with foreign_key_checks=1 copies the table (INPLACE needs foreign_key_checks=0)")
                else:
                    on = inplace("adding a FOREIGN KEY with foreign_key_checks=0 is in place (existing rows are NOT checked)", rebuild=False)
                out.append(Action("add_fk", table, on, detail={"columns": cols, "ref_table": ref_table, "ref_columns": ref_cols,
                                                               "name": name}))  # fmt: skip
            elif isinstance(c, exp.UniqueColumnConstraint):
                inner_s = c.this
                cols = [x.this.name if isinstance(x, exp.ColumnPrefix) else x.name
                        for x in (inner_s.expressions if isinstance(inner_s, exp.Schema) else [])]  # fmt: skip
                out.append(Action("add_unique", table, inplace("adding a UNIQUE index is in place, without a rebuild", rebuild=False),
                                  detail={"columns": cols}))  # fmt: skip
                self._index_added(t, "unique", cols, unique=True)
            elif isinstance(c, exp.IndexColumnConstraint):
                kind = str(c.args.get("kind") or "").upper()
                cols = [x.this.name if isinstance(x, exp.ColumnPrefix) else x.name for x in c.expressions]
                if kind == "FULLTEXT":
                    first = not self._has_fulltext(t)
                    on = inplace("the first FULLTEXT index adds the hidden FTS_DOC_ID column: the table is rebuilt, writes wait"
                                 if first else "adding a FULLTEXT index is in place; writes wait", rebuild=first, lock="SHARED")
                    out.append(Action("add_fulltext", table, on, detail={"columns": cols, "first": first}))
                    self._index_added(t, "fulltext", cols, kind="FULLTEXT")
                elif kind == "SPATIAL":
                    out.append(Action("add_spatial", table, inplace("adding a SPATIAL index is in place; writes wait", rebuild=False,
                                                                     lock="SHARED"), detail={"columns": cols}))  # fmt: skip
                else:
                    out.append(Action("add_index", table, inplace("adding a secondary index is in place, without a rebuild",
                                                                  rebuild=False), detail={"columns": cols}))  # fmt: skip
                    self._index_added(t, "index", cols)
            elif isinstance(c, exp.CheckColumnConstraint) if hasattr(exp, "CheckColumnConstraint") else False:
                out.append(Action("add_check", table, copy(srv, "adding a CHECK constraint copies the table to validate every row")))
            else:
                out.append(Action("other", table, inplace(f"{type(c).__name__}: not modelled, a rebuild assumed", rebuild=True)))
        return out

    def _index_added(self, t: Table | None, name: str, cols: list[str], *, unique=False, primary=False, kind="BTREE") -> None:
        if t is not None:
            t.indexes.append(Index(name=name, columns=cols, unique=unique, primary=primary, method=kind.lower(),
                                   mysql=MySQLIndex(index_type=kind)))  # fmt: skip

    # -- CREATE / DROP ---------------------------------------------------------------------------
    def _create(self, st: MyStatement, node: exp.Create) -> None:
        kind = str(node.args.get("kind") or "").upper()
        st.kind = f"CREATE {kind}".strip()
        st.ddl = True
        if kind == "TABLE":
            target = node.this.this if isinstance(node.this, exp.Schema) else node.this
            q = self.table_of(target)
            st.table = q
            if q and isinstance(node.this, exp.Schema):
                try:
                    tbl = table_from_create(node, q.split(".")[0])
                    self.tables[q] = tbl
                except Exception:  # noqa: BLE001 - a CREATE TABLE the snapshot parser does not follow
                    self.tables[q] = Table(schema=q.split(".")[0], name=q.split(".")[1], mysql=MySQLTable(engine="InnoDB"))
            if q:
                self.created.add(q)
        elif kind == "INDEX":  # CREATE [UNIQUE] INDEX parsed by sqlglot directly (no ALGORITHM clause)
            idx = node.this
            q = self.table_of(idx.args.get("table"))
            st.table = q
            st.kind = "CREATE INDEX"
            unique = bool(node.args.get("unique"))
            t = self.tables.get(q or "")
            on = inplace(f"adding a {'UNIQUE ' if unique else ''}secondary index is in place, without a rebuild", rebuild=False)
            if self._innodb(t) is False:
                on = copy(self.server, "non-InnoDB tables are altered by copying")
            params = idx.args.get("params")
            cols = []
            for c in (params.args.get("columns") if params else []) or []:
                x = c.this if isinstance(c, exp.Ordered) else c
                cols.append(x.this.name if isinstance(x, exp.ColumnPrefix) else x.name)
            st.actions.append(Action("add_unique" if unique else "add_index", q or "?", on, detail={"columns": cols}))
            st.online = on
            self._index_added(t, idx.name, cols, unique=unique)

    def _drop(self, st: MyStatement, node: exp.Drop) -> None:
        kind = str(node.args.get("kind") or "").upper()
        st.kind = f"DROP {kind}".strip()
        st.ddl = True
        if kind == "TABLE":
            for t in [node.this, *(node.expressions or [])]:
                q = self.table_of(t)
                if q:
                    st.table = st.table or q
                    if q in self.tables and q not in self.created:
                        st.data_loss.append(q)
                        st.breaks.append(q)
                    self.tables.pop(q, None)

    def _advance(self, st: MyStatement) -> None:
        for a in st.actions:
            if a.kind == "rename_table" and a.table in self.tables:
                new = a.detail.get("to")
                if new:
                    self.tables[new] = self.tables.pop(a.table)
        if st.raw.recognized is not None and st.raw.recognized.kind == "rename_table":
            for old, new in st.raw.recognized.renames:
                o, n = self.qualify(old), self.qualify(new)
                if o in self.tables:
                    self.tables[n] = self.tables.pop(o)


def analyze(raws: list[RawStatement], server: Server, ctx: MyLintContext) -> list[MyStatement]:
    an = Analyzer(server, ctx)
    return [an.statement(r) for r in raws]


def table_bytes_text(st: MyStatement) -> str:
    from dbarchitect.core.units import human_bytes, human_count

    parts = []
    if st.total_bytes:
        parts.append(human_bytes(st.total_bytes))
    if st.rows is not None:
        parts.append(f"~{human_count(st.rows)} rows")
    return ", ".join(parts)


_WORD = re.compile(r"\s+")
