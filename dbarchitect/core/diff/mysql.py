"""draft_migration on MySQL/MariaDB, the pure half: tables as the server prints them (`SHOW CREATE
TABLE`), the difference between two such catalogs, and the ordered steps in MySQL syntax.

Every ALTER carries explicit `ALGORITHM=` and `LOCK=` clauses, so a server that cannot do it that way
refuses instead of silently copying the table under a lock. Phases as on PostgreSQL: expand (new
tables, columns, indexes, foreign keys), migrate (batched backfills), contract (drops, the swap of an
expand/contract change; deploy the application first). Type changes and renames are expand/contract
when `online`: a new column kept in sync by triggers, backfilled in primary-key ranges by a
temporary procedure (each batch commits), then swapped in. MySQL DDL commits implicitly, so each
step is one statement (or one ALTER) and a failed migration stays where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dbarchitect.core.diff.models import Hazard, Phase, Refusal, Step
from dbarchitect.core.sql.mysql_ident import quote_mysql as q

BATCH_ROWS = 5_000
LOCK_WAIT_S = 5
_COL = re.compile(r"^`(?P<name>(?:[^`]|``)+)`\s+(?P<type>[a-z]+(?:\((?:[^()']|'(?:[^']|'')*')*\))?(?:\s+unsigned)?(?:\s+zerofill)?)(?P<rest>.*)$", re.I | re.S)
_KEY = re.compile(r"^(?P<kind>PRIMARY KEY|UNIQUE KEY|KEY|FULLTEXT KEY|SPATIAL KEY)\s*(?:`(?P<name>(?:[^`]|``)+)`)?\s*\((?P<parts>.*)\)(?P<rest>[^()]*)$", re.S)
_CONSTRAINT = re.compile(r"^CONSTRAINT\s+`(?P<name>(?:[^`]|``)+)`\s+(?P<body>(?P<kind>FOREIGN KEY|CHECK).*)$", re.S)
_INT_TYPES = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint")


def _unq(name: str) -> str:
    return name.replace("``", "`")


@dataclass
class ColumnDef:
    name: str
    type: str  # e.g. varchar(100), int(11) unsigned
    rest: str  # CHARACTER SET …, NOT NULL, DEFAULT …, AUTO_INCREMENT, COMMENT …

    @property
    def text(self) -> str:
        return f"{q(self.name)} {self.type}{self.rest}"

    @property
    def not_null(self) -> bool:
        return "NOT NULL" in self.rest.upper()

    @property
    def base_type(self) -> str:
        return self.type.split("(")[0].lower()

    def with_rest(self, rest: str) -> ColumnDef:
        return ColumnDef(self.name, self.type, rest)

    def nullable_text(self) -> str:
        """The definition as a NULLable column without default (for the expand half of a swap)."""
        rest = re.sub(r"\s+NOT NULL", "", self.rest, flags=re.I)
        rest = re.sub(r"\s+DEFAULT\s+('(?:[^']|'')*'|\S+)", "", rest, flags=re.I)
        rest = re.sub(r"\s+AUTO_INCREMENT", "", rest, flags=re.I)
        return f"{q(self.name)} {self.type}{rest}"

    def renamed(self, name: str) -> ColumnDef:
        return ColumnDef(name, self.type, self.rest)


@dataclass
class TableDef:
    name: str
    create: str
    columns: dict[str, ColumnDef] = field(default_factory=dict)
    primary: str | None = None  # "PRIMARY KEY (`id`)"
    keys: dict[str, str] = field(default_factory=dict)  # name -> KEY line
    fks: dict[str, str] = field(default_factory=dict)  # name -> FOREIGN KEY … body
    checks: dict[str, str] = field(default_factory=dict)  # name -> CHECK (…) body
    options: str = ""

    @property
    def pk_columns(self) -> list[str]:
        if not self.primary:
            return []
        inner = self.primary[self.primary.index("(") + 1 : self.primary.rindex(")")]
        return [_unq(m) for m in re.findall(r"`((?:[^`]|``)+)`", inner)]

    def references(self) -> set[str]:
        return {m for body in self.fks.values() for m in re.findall(r"REFERENCES\s+`((?:[^`]|``)+)`", body)}

    def fingerprint(self) -> dict:
        """What must match for two tables to be the same (column order is tolerated: ADD COLUMN appends)."""
        return {
            "columns": {n: c.text for n, c in self.columns.items()},
            "primary": self.primary,
            "keys": dict(self.keys),
            "fks": dict(self.fks),
            "checks": dict(self.checks),
        }


def parse_create(name: str, create: str) -> TableDef:
    """A table from SHOW CREATE TABLE text (the server's own normal form)."""
    t = TableDef(name=name, create=create)
    body = create[create.index("(") + 1 : create.rindex(")")]
    t.options = create[create.rindex(")") + 1 :].strip()
    for raw in body.split("\n"):
        line = raw.strip().rstrip(",").strip()
        if not line:
            continue
        if line.startswith("`"):
            m = _COL.match(line)
            if m:
                t.columns[_unq(m["name"])] = ColumnDef(_unq(m["name"]), m["type"], m["rest"])
            continue
        m = _CONSTRAINT.match(line)
        if m:
            (t.fks if m["kind"] == "FOREIGN KEY" else t.checks)[_unq(m["name"])] = m["body"]
            continue
        m = _KEY.match(line)
        if m:
            if m["kind"] == "PRIMARY KEY":
                t.primary = line
            else:
                t.keys[_unq(m["name"] or "")] = line
    return t


@dataclass
class Features:
    """What the server can do online, by flavour and version."""

    flavor: str
    version_num: int

    @property
    def mariadb(self) -> bool:
        return self.flavor == "MariaDB"

    @property
    def instant_add(self) -> bool:  # ADD COLUMN (last) without a rebuild
        return self.version_num >= (100300 if self.mariadb else 80012)

    @property
    def instant_drop(self) -> bool:
        return self.version_num >= (100400 if self.mariadb else 80029)

    @property
    def rename_column(self) -> bool:  # RENAME COLUMN syntax
        return self.version_num >= (100500 if self.mariadb else 80000)

    @property
    def instant_default(self) -> bool:
        return self.version_num >= (100300 if self.mariadb else 80000)


def _algo(instant: bool) -> str:
    return "ALGORITHM=INSTANT" if instant else "ALGORITHM=INPLACE, LOCK=NONE"


def _varchar_len(c: ColumnDef) -> int | None:
    m = re.match(r"varchar\((\d+)\)", c.type, re.I)
    return int(m.group(1)) if m else None


def _bytes_per_char(c: ColumnDef) -> int:
    cs = re.search(r"CHARACTER SET (\w+)", c.rest, re.I)
    name = (cs.group(1) if cs else "utf8mb4").lower()
    return 4 if name.startswith("utf8mb4") else 3 if name.startswith("utf8") else 1


def _varchar_widening_inplace(old: ColumnDef, new: ColumnDef) -> bool:
    """VARCHAR(n) -> VARCHAR(m), m > n, same other attributes and the same length-byte count (both ≤ 255
    bytes or both > 255): in place, no rebuild (MySQL and MariaDB manuals)."""
    a, b = _varchar_len(old), _varchar_len(new)
    if a is None or b is None or b <= a or old.rest != new.rest:
        return False
    bpc = _bytes_per_char(old)
    return (a * bpc <= 255) == (b * bpc <= 255)


def _default_only(old: ColumnDef, new: ColumnDef) -> str | None:
    """The SET/DROP DEFAULT clause when only the DEFAULT differs, else None."""
    strip = lambda r: re.sub(r"\s+DEFAULT\s+('(?:[^']|'')*'|\S+)", "", r, flags=re.I)  # noqa: E731
    if old.type != new.type or strip(old.rest) != strip(new.rest):
        return None
    m = re.search(r"\sDEFAULT\s+('(?:[^']|'')*'|\S+)", new.rest, re.I)
    if m is None:
        return f"ALTER COLUMN {q(new.name)} DROP DEFAULT"
    if m.group(1).upper() == "NULL" and not new.not_null:
        return f"ALTER COLUMN {q(new.name)} SET DEFAULT NULL"
    return f"ALTER COLUMN {q(new.name)} SET DEFAULT {m.group(1)}"


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, phase: str, action: str, obj: str, description: str, statements: list[str], *, lock: str = "NONE",
            rewrites: bool = False, pattern: str | None = None, hazards: list[Hazard] | None = None) -> Step:  # fmt: skip
        step = Step(id=len(self.steps) + 1, phase=phase, action=action, object=obj, description=description,
                    statements=statements, transactional=False, lock=lock, lock_relations={obj.split(".")[0]: lock},
                    rewrites=[obj.split(".")[0]] if rewrites else [], lock_timeout=f"{LOCK_WAIT_S}s",
                    statement_timeout="0", pattern=pattern, hazards=hazards or [])  # fmt: skip
        for h in step.hazards:
            h.step = step.id
        self.steps.append(step)
        if pattern and pattern not in self.patterns:
            self.patterns.append(pattern)
        return step


def backfill_statements(t: TableDef, assignment: str, where: str, tag: str) -> list[str]:
    """A temporary procedure that updates in primary-key ranges of BATCH_ROWS (an integer single-column
    key), or in LIMIT batches until no row is left (any other key; `where` must exclude updated rows),
    each batch its own transaction; then CALL and DROP it."""
    proc = q(f"dbarchitect_backfill_{tag}"[:64])
    pk = t.pk_columns
    tbl = q(t.name)
    if len(pk) == 1 and t.columns.get(pk[0]) and t.columns[pk[0]].base_type in _INT_TYPES:
        k = q(pk[0])
        body = (
            f"CREATE PROCEDURE {proc}() BEGIN DECLARE lo BIGINT; DECLARE hi BIGINT; "
            f"SELECT COALESCE(MIN({k}), 0), COALESCE(MAX({k}), -1) INTO lo, hi FROM {tbl}; "
            f"WHILE lo <= hi DO UPDATE {tbl} SET {assignment} WHERE {k} >= lo AND {k} < lo + {BATCH_ROWS} AND ({where}); "
            f"SET lo = lo + {BATCH_ROWS}; END WHILE; END"
        )
    else:
        body = (
            f"CREATE PROCEDURE {proc}() BEGIN REPEAT UPDATE {tbl} SET {assignment} WHERE {where} LIMIT {BATCH_ROWS}; "
            "UNTIL ROW_COUNT() = 0 END REPEAT; END"
        )
    return [f"DROP PROCEDURE IF EXISTS {proc}", body, f"CALL {proc}()", f"DROP PROCEDURE {proc}"]


def plan_mysql(current: Mapping[str, TableDef], target: Mapping[str, TableDef], *, features: Features,
               renames: Mapping[str, str] | None = None, allow_data_loss: bool = False, online: bool = True,
               backfill: Mapping[str, str] | None = None, scope: str = "objects") -> Plan:  # fmt: skip
    """The steps from `current` to `target` (table name -> TableDef). `renames`: {"table.old": "new"} for
    columns, {"old_table": "new_table"} for tables; `backfill`: {"table.column": "SQL expression"} for
    existing rows of a new NOT NULL column; scope="objects": tables the target omits are left alone."""
    plan = Plan()
    renames = dict(renames or {})
    backfill = dict(backfill or {})
    table_renames = {k: v for k, v in renames.items() if "." not in k}
    col_renames: dict[str, dict[str, str]] = {}
    for k, v in renames.items():
        if "." in k:
            tbl, col = k.split(".", 1)
            col_renames.setdefault(table_renames.get(tbl, tbl), {})[col] = v
    cur = dict(current)
    for k, v in renames.items():  # a misspelled rename would be planned as drop + add: say it was not read
        tbl, _, col = k.partition(".")
        if tbl not in current or (col and col.lower() not in {c.lower() for c in current[tbl].columns}):
            from dbarchitect.core.suggest import closest, did_you_mean

            names = [*current, *(f"{t}.{c}" for t, d in current.items() for c in d.columns)]
            hint = did_you_mean(closest(k, names), quote=repr)
            plan.hazards.append(Hazard(code="rename-not-understood", object=k[:200], message=(
                f"The rename {k[:200]!r} -> {v[:200]!r} names no table or column of the current schema; it was "
                f"ignored.{hint}")))  # fmt: skip
    for old, new in table_renames.items():
        if old in cur and new in target and new not in cur:
            plan.add("expand", "rename-table", new, f"rename table {old} to {new} (atomic, metadata only)",
                     [f"RENAME TABLE {q(old)} TO {q(new)}"], lock="EXCLUSIVE",
                     hazards=[Hazard(code="rename-breaks-running-code", message=f"Code that still uses {old} fails from "
                                     "this moment: deploy the application that uses the new name together with it.",
                                     object=new)])  # fmt: skip
            cur[new] = TableDef(**{**cur.pop(old).__dict__, "name": new})
    contract: list[tuple] = []
    # new tables, parents first
    new_tables = [n for n in target if n not in cur]
    for name in _parents_first(new_tables, target):
        plan.add("expand", "create-table", name, f"create table {name}", [target[name].create], lock="NONE")
    pending_fks: list[tuple[str, str, str]] = []
    for name, tt in target.items():
        if name not in cur:
            continue
        ct = cur[name]
        _plan_table(plan, ct, tt, features, col_renames.get(name, {}), allow_data_loss, online, backfill, contract,
                    pending_fks)  # fmt: skip
    for name, fk, body in pending_fks:
        plan.add("expand", "add-foreign-key", f"{name}.{fk}", f"add foreign key {fk} on {name}",
                 ["SET SESSION foreign_key_checks = 0",
                  f"ALTER TABLE {q(name)} ADD CONSTRAINT {q(fk)} {body}, ALGORITHM=INPLACE, LOCK=NONE",
                  "SET SESSION foreign_key_checks = 1"],
                 hazards=[Hazard(code="foreign-key-not-validated", severity="warning",
                                 message=f"In place (no table copy) only with foreign_key_checks=0, so existing rows of {name} "
                                         "are not checked: look for orphans first (a LEFT JOIN to the parent where the parent "
                                         "row is missing); with checks on the server copies the table.",
                                 object=f"{name}.{fk}")])  # fmt: skip
    for step in contract:
        plan.add(*step[:4], step[4], **step[5])
    if scope == "schema":
        for name in [n for n in cur if n not in target]:
            if not allow_data_loss:
                plan.refused.append(Refusal(object=name, change="drop table", reason="its rows would be lost"))
                continue
            plan.add("contract", "drop-table", name, f"drop table {name}", [f"DROP TABLE {q(name)}"], lock="EXCLUSIVE",
                     hazards=[Hazard(code="data-loss", severity="warning", message=f"Dropping {name} loses its rows.", object=name)])  # fmt: skip
    plan.hazards = [*(h for h in plan.hazards if h.step is None), *(h for s in plan.steps for h in s.hazards)]
    return plan


def _parents_first(names: list[str], tables: Mapping[str, TableDef]) -> list[str]:
    out: list[str] = []
    pending = list(names)
    while pending:
        ready = [n for n in pending if not (tables[n].references() & set(pending) - {n})]
        if not ready:
            ready = pending[:1]
        for n in ready:
            out.append(n)
            pending.remove(n)
    return out


def _plan_table(plan: Plan, ct: TableDef, tt: TableDef, f: Features, col_renames: dict[str, str], allow_data_loss: bool,
                online: bool, backfill: Mapping[str, str], contract: list, pending_fks: list) -> None:  # fmt: skip
    name = tt.name
    tbl = q(name)
    # foreign keys that go away or change: dropped first (they may pin an index or a column)
    for fk, body in ct.fks.items():
        if tt.fks.get(fk) != body:
            plan.add("expand" if fk in tt.fks else "contract", "drop-foreign-key", f"{name}.{fk}", f"drop foreign key {fk} on {name}",
                     [f"ALTER TABLE {tbl} DROP FOREIGN KEY {q(fk)}, ALGORITHM=INPLACE, LOCK=NONE"])  # fmt: skip
    renamed = {old: new for old, new in col_renames.items() if old in ct.columns and new in tt.columns}
    for old, new in renamed.items():
        newdef = tt.columns[new]
        if not online or newdef.type != ct.columns[old].type:
            if f.rename_column and newdef.type == ct.columns[old].type and newdef.rest == ct.columns[old].rest:
                stmt = f"ALTER TABLE {tbl} RENAME COLUMN {q(old)} TO {q(new)}, ALGORITHM=INSTANT"
            else:
                stmt = f"ALTER TABLE {tbl} CHANGE COLUMN {q(old)} {newdef.text}, ALGORITHM=INPLACE, LOCK=NONE"
            plan.add("expand", "rename-column", f"{name}.{new}", f"rename {name}.{old} to {new}", [stmt],
                     hazards=[Hazard(code="rename-breaks-running-code", object=f"{name}.{new}",
                                     message=f"Code that still uses {old} fails from this moment; online=true "
                                             "drafts it as expand/contract instead.")])  # fmt: skip
            continue
        _swap(plan, ct, tt, old, new, f, contract, kind="rename")
    gone = set(renamed)
    added = set(renamed.values())
    for col, cd in tt.columns.items():
        if col in added:
            continue
        if col not in ct.columns:
            _add_column(plan, ct, cd, f, backfill.get(f"{name}.{col}"))
            continue
        old = ct.columns[col]
        if old.text == cd.text:
            continue
        dflt = _default_only(old, cd)
        if dflt is not None:
            plan.add("expand", "alter-column-default", f"{name}.{col}", f"change the default of {name}.{col}",
                     [f"ALTER TABLE {tbl} {dflt}, {_algo(f.instant_default)}"])  # fmt: skip
        elif _varchar_widening_inplace(old, cd):
            plan.add("expand", "widen-varchar", f"{name}.{col}", f"widen {name}.{col} to {cd.type} (in place, no copy)",
                     [f"ALTER TABLE {tbl} MODIFY COLUMN {cd.text}, ALGORITHM=INPLACE, LOCK=NONE"])  # fmt: skip
        elif old.type == cd.type:
            # nullability / charset / comment: an in-place rebuild that lets writes through
            stmts = []
            fill = backfill.get(f"{name}.{col}")
            if cd.not_null and not old.not_null and fill:
                stmts = backfill_statements(ct, f"{q(col)} = {fill}", f"{q(col)} IS NULL", f"{name}_{col}")
                plan.add("migrate", "backfill", f"{name}.{col}", f"fill NULLs of {name}.{col} in batches", stmts,
                         pattern="batched-backfill")  # fmt: skip
            hz = [Hazard(code="not-null-over-nulls", object=f"{name}.{col}", severity="warning",
                         message=f"Fails if {name}.{col} still holds NULLs (strict sql_mode): backfill them first.")] if (
                cd.not_null and not old.not_null and not fill) else []  # fmt: skip
            plan.add("expand", "modify-column", f"{name}.{col}", f"change {name}.{col} to {cd.type}{cd.rest} (in-place rebuild)",
                     [f"ALTER TABLE {tbl} MODIFY COLUMN {cd.text}, ALGORITHM=INPLACE, LOCK=NONE"], rewrites=True, hazards=hz)  # fmt: skip
        elif online:
            _swap(plan, ct, tt, col, col, f, contract, kind="type")
        else:
            plan.add("expand", "modify-column-copy", f"{name}.{col}", f"change the type of {name}.{col} to {cd.type} (table copy)",
                     [f"ALTER TABLE {tbl} MODIFY COLUMN {cd.text}, ALGORITHM=COPY, LOCK=SHARED"], lock="SHARED", rewrites=True,
                     hazards=[Hazard(code="table-copy-blocks-writes", object=f"{name}.{col}", severity="warning",
                                     message=f"Changing the type copies {name} and blocks writes (LOCK=SHARED) for the whole "
                                             "copy; online=true drafts it as expand/contract, or use pt-online-schema-change / gh-ost.")])  # fmt: skip
    for col in ct.columns:
        if col in tt.columns or col in gone:
            continue
        if not allow_data_loss:
            plan.refused.append(Refusal(object=f"{name}.{col}", change="drop column", reason="its values would be lost"))
            continue
        contract.append(("contract", "drop-column", f"{name}.{col}", f"drop column {name}.{col}",
                         [f"ALTER TABLE {tbl} DROP COLUMN {q(col)}, {_algo(f.instant_drop)}"],
                         {"rewrites": not f.instant_drop, "hazards": [Hazard(code="data-loss", object=f"{name}.{col}",
                          message=f"Dropping {name}.{col} loses its values; deploy code that no longer reads it first.")]}))  # fmt: skip
    # keys
    if ct.primary != tt.primary:
        clauses = (["DROP PRIMARY KEY"] if ct.primary else []) + ([f"ADD {tt.primary}"] if tt.primary else [])
        plan.add("expand", "change-primary-key", name, f"change the primary key of {name} (in-place rebuild)",
                 [f"ALTER TABLE {tbl} {', '.join(clauses)}, ALGORITHM=INPLACE, LOCK=NONE"], rewrites=True,
                 hazards=[Hazard(code="primary-key-rebuild", object=name, severity="warning",
                                 message=f"Changing the primary key rebuilds {name} (every secondary index too); it fails on duplicates.")])  # fmt: skip
    for k, line in ct.keys.items():
        if tt.keys.get(k) != line:
            step = ("contract" if k not in tt.keys else "expand", "drop-index", f"{name}.{k}", f"drop index {k} on {name}",
                    [f"ALTER TABLE {tbl} DROP INDEX {q(k)}, ALGORITHM=INPLACE, LOCK=NONE"], {})  # fmt: skip
            if k in tt.keys:
                plan.add(*step[:4], step[4])
            else:
                contract.append(step)
    for k, line in tt.keys.items():
        if ct.keys.get(k) != line:
            lock = "SHARED" if line.startswith(("FULLTEXT", "SPATIAL")) else "NONE"
            plan.add("expand", "add-index", f"{name}.{k}", f"add index {k} on {name}",
                     [f"ALTER TABLE {tbl} ADD {line}, ALGORITHM=INPLACE, LOCK={lock}"], lock=lock,
                     hazards=[Hazard(code="unique-over-duplicates", object=f"{name}.{k}", severity="info",
                                     message="Fails if existing rows hold duplicates.")] if line.startswith("UNIQUE") else [])  # fmt: skip
    for c, body in ct.checks.items():
        if tt.checks.get(c) != body:
            plan.add("expand", "drop-check", f"{name}.{c}", f"drop check {c} on {name}",
                     [f"ALTER TABLE {tbl} DROP CONSTRAINT {q(c)}, ALGORITHM=INSTANT" if f.mariadb
                      else f"ALTER TABLE {tbl} DROP CHECK {q(c)}, ALGORITHM=INPLACE, LOCK=NONE"])  # fmt: skip
    for c, body in tt.checks.items():
        if ct.checks.get(c) != body:
            plan.add("expand", "add-check", f"{name}.{c}", f"add check {c} on {name} (table copy: existing rows are checked)",
                     [f"ALTER TABLE {tbl} ADD CONSTRAINT {q(c)} {body}, ALGORITHM=COPY, LOCK=SHARED"], lock="SHARED", rewrites=True,
                     hazards=[Hazard(code="table-copy-blocks-writes", object=f"{name}.{c}", severity="warning",
                                     message=f"Adding a CHECK copies {name} and blocks writes for the copy.")])  # fmt: skip
    for fk, body in tt.fks.items():
        if ct.fks.get(fk) != body:
            pending_fks.append((name, fk, body))


def _real_default(c: ColumnDef) -> bool:
    m = re.search(r"\sDEFAULT\s+('(?:[^']|'')*'|\S+)", c.rest, re.I)
    return m is not None and m.group(1).upper() != "NULL"


def _add_column(plan: Plan, ct: TableDef, cd: ColumnDef, f: Features, fill: str | None) -> None:
    name, tbl = ct.name, q(ct.name)
    has_default = re.search(r"\sDEFAULT\s", cd.rest, re.I) is not None
    if cd.not_null and fill and not has_default:
        # nullable first, batched backfill, then NOT NULL (an in-place rebuild that lets writes through)
        plan.add("expand", "add-column", f"{name}.{cd.name}", f"add {name}.{cd.name} as NULL until it is filled",
                 [f"ALTER TABLE {tbl} ADD COLUMN {cd.nullable_text()}, {_algo(f.instant_add)}"], pattern="expand-contract")  # fmt: skip
        plan.add("migrate", "backfill", f"{name}.{cd.name}", f"fill {name}.{cd.name} in batches",
                 backfill_statements(ct, f"{q(cd.name)} = {fill}", f"{q(cd.name)} IS NULL", f"{name}_{cd.name}"),
                 pattern="batched-backfill")  # fmt: skip
        plan.add("contract", "set-not-null", f"{name}.{cd.name}", f"make {name}.{cd.name} NOT NULL (in-place rebuild)",
                 [f"ALTER TABLE {tbl} MODIFY COLUMN {cd.text}, ALGORITHM=INPLACE, LOCK=NONE"], rewrites=True,
                 hazards=[Hazard(code="deploy-before-not-null", object=f"{name}.{cd.name}", severity="info",
                                 message="Deploy code that writes the column before this step: inserts without it fail after.")])  # fmt: skip
        return
    hz = []
    if cd.not_null and not has_default:
        hz.append(Hazard(code="implicit-default", object=f"{name}.{cd.name}", severity="info",
                         message=f"Existing rows get the type's implicit default (0, '', …); give backfill={{'{name}.{cd.name}': …}} for another value."))  # fmt: skip
    plan.add("expand", "add-column", f"{name}.{cd.name}", f"add column {name}.{cd.name}",
             [f"ALTER TABLE {tbl} ADD COLUMN {cd.text}, {_algo(f.instant_add)}"], hazards=hz)  # fmt: skip


def _swap(plan: Plan, ct: TableDef, tt: TableDef, old: str, new: str, f: Features, contract: list, *, kind: str) -> None:
    """Expand/contract: a shadow column kept in sync by triggers, backfilled in batches, then swapped in."""
    name, tbl = tt.name, q(tt.name)
    target_def = tt.columns[new]
    shadow = f"{new}__new" if kind == "type" else new
    sdef = target_def.renamed(shadow)
    trig = f"dbarchitect_{name}_{new}"[:56]
    ins, upd = q(f"{trig}_ins"), q(f"{trig}_upd")
    src, dst = q(old), q(shadow)
    if kind == "type":
        sync_ins = f"SET NEW.{dst} = NEW.{src}"
        sync_upd = f"SET NEW.{dst} = NEW.{src}"
    else:  # a rename: old and new code write either name during the deploy
        sync_ins = f"SET NEW.{dst} = COALESCE(NEW.{dst}, NEW.{src}), NEW.{src} = COALESCE(NEW.{src}, NEW.{dst})"
        sync_upd = (f"BEGIN IF NOT (NEW.{src} <=> OLD.{src}) THEN SET NEW.{dst} = NEW.{src}; "
                    f"ELSEIF NOT (NEW.{dst} <=> OLD.{dst}) THEN SET NEW.{src} = NEW.{dst}; END IF; END")  # fmt: skip
    plan.add("expand", "add-column", f"{name}.{shadow}", f"add {name}.{shadow} ({target_def.type}) beside {old}",
             [f"ALTER TABLE {tbl} ADD COLUMN {sdef.nullable_text()}, {_algo(f.instant_add)}"], pattern="expand-contract")  # fmt: skip
    plan.add("expand", "create-sync-triggers", f"{name}.{shadow}", f"keep {shadow} in step with {old} on every write",
             [f"CREATE TRIGGER {ins} BEFORE INSERT ON {tbl} FOR EACH ROW {sync_ins}",
              f"CREATE TRIGGER {upd} BEFORE UPDATE ON {tbl} FOR EACH ROW {sync_upd}"], pattern="expand-contract")  # fmt: skip
    plan.add("migrate", "backfill", f"{name}.{shadow}", f"copy {old} into {shadow} in batches",
             backfill_statements(ct, f"{dst} = {src}", f"NOT ({dst} <=> {src})", f"{name}_{new}"),
             pattern="batched-backfill",
             hazards=[Hazard(code="conversion-may-fail", object=f"{name}.{old}", severity="info",
                             message=f"Values of {old} that {target_def.type} cannot hold fail the batch (strict sql_mode) "
                                     "or are truncated (non-strict): check them before.")] if kind == "type" else [])  # fmt: skip
    final = (f"ALTER TABLE {tbl} DROP COLUMN {src}, " + (f"RENAME COLUMN {dst} TO {q(new)}" if f.rename_column else
             f"CHANGE COLUMN {dst} {target_def.nullable_text()}")) if kind == "type" else f"ALTER TABLE {tbl} DROP COLUMN {src}"  # fmt: skip
    stmts = [f"DROP TRIGGER {ins}", f"DROP TRIGGER {upd}", f"{final}, ALGORITHM=INPLACE, LOCK=NONE"]
    if target_def.not_null or _real_default(target_def):
        stmts.append(f"ALTER TABLE {tbl} MODIFY COLUMN {target_def.text}, ALGORITHM=INPLACE, LOCK=NONE")
    contract.append(("contract", "swap-column" if kind == "type" else "drop-old-column", f"{name}.{new}",
                     f"drop the sync triggers and {'swap ' + shadow + ' in for ' + old if kind == 'type' else 'drop ' + old}",
                     stmts, {"rewrites": True, "pattern": "expand-contract", "hazards": [Hazard(
                         code="writes-between-trigger-drop-and-swap", object=f"{name}.{new}", severity="info",
                         message="Run at low write traffic: a write between the trigger drop and the ALTER is not copied "
                                 "(milliseconds); deploy the code that uses the new column first.")]}))  # fmt: skip


def phases(steps: list[Step]) -> list[Phase]:
    out = []
    for ph, note in (("expand", "Additive and online: safe before the deploy."),
                     ("migrate", "Batched backfills: each batch commits; re-runnable."),
                     ("contract", "Deploy the application that no longer needs the old shape first.")):  # fmt: skip
        ids = [s.id for s in steps if s.phase == ph]
        if ids:
            out.append(Phase(name=ph, steps=ids, deploy_before=ph == "contract", note=note))
    return out


def ordered(steps: list[Step]) -> list[Step]:
    """Steps renumbered in phase order (expand, migrate, contract)."""
    rank = {"expand": 0, "migrate": 1, "contract": 2}
    out = []
    for n, s in enumerate(sorted(steps, key=lambda s: (rank[s.phase], s.id)), start=1):
        s = s.model_copy(update={"id": n, "hazards": [h.model_copy(update={"step": n}) for h in s.hazards]})
        out.append(s)
    return out


def render_mysql(steps: list[Step], title: str) -> str:
    """A script the mysql client runs: lock_wait_timeout first, DELIMITER around procedures and compound triggers."""
    if not steps:
        return f"-- {title}: nothing to do, the schemas already match.\n"
    out = [f"-- {title}: {len(steps)} step(s). MySQL DDL commits by itself: run one step at a time; a failed step",
           "-- leaves the earlier ones applied.", f"SET SESSION lock_wait_timeout = {LOCK_WAIT_S};", ""]  # fmt: skip
    phase = None
    for s in steps:
        if s.phase != phase:
            phase = s.phase
            out.append(f"-- ==== phase: {phase}" + (" (deploy the application first)" if phase == "contract" else ""))
        out.append(f"-- step {s.id}: {s.description} (lock {s.lock})")
        for stmt in s.statements:
            if stmt.startswith("CREATE PROCEDURE") or (stmt.startswith("CREATE TRIGGER") and " BEGIN " in stmt):
                out += ["DELIMITER //", f"{stmt} //", "DELIMITER ;"]
            else:
                out.append(f"{stmt};")
        out.append("")
    return "\n".join(out)
