"""Compare two catalog snapshots and plan the ordered, online-safe steps from the current to the target.

What a careful DBA writes, by default:
- indexes: CREATE/DROP INDEX CONCURRENTLY (outside a transaction); a changed index is built under a
  temporary name, the old one dropped concurrently, the new one renamed;
- CHECK and FOREIGN KEY on existing tables: ADD ... NOT VALID (brief lock), VALIDATE in a later step
  (SHARE UPDATE EXCLUSIVE: reads and writes continue); a changed one is added under a temporary name so
  the table is never unprotected, then the old one dropped and the new one renamed;
- SET NOT NULL: CHECK (c IS NOT NULL) NOT VALID -> VALIDATE -> SET NOT NULL (proved by the check, no
  scan) -> drop the check;
- UNIQUE / PRIMARY KEY on existing tables: CREATE UNIQUE INDEX CONCURRENTLY -> ADD ... USING INDEX;
- a new column that needs values for existing rows (volatile default, or NOT NULL with a `backfill`
  expression): add it nullable, SET DEFAULT for new rows, batched backfill, then the NOT NULL pattern;
- with online=True a rewriting type change becomes expand/contract: a new column, a sync trigger, a
  batched backfill, a swap in one short transaction, and the old column dropped after the deploy;
- renames turn drop + add into RENAME (a renamed table keeps a compatibility view under its old name
  until the contract phase);
- drops that lose data (tables, columns) are refused unless allow_data_loss, and then happen in the
  contract phase, after the deploy that stops using them.

Phases: expand (compatible with the running application) -> migrate (the swap of expand/contract
changes) -> deploy -> contract (drops).

Pure: no I/O. Lock and rewrite predictions come from the migration lint's analyzer
(`dbarchitect.core.migration.engine.analyze`), fed the catalog facts of a `LintContext` when given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from dbarchitect.core.diff.models import (
    CatalogExtras,
    Hazard,
    MigrationPlan,
    Phase,
    PhaseName,
    Refusal,
    Step,
    render_script,
)
from dbarchitect.core.diff.sqltext import (
    derived_name,
    index_shape,
    index_sql,
    lit,
    qi,
    qkey,
    qn,
    strip_not_valid,
    trigger_sql,
)
from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.engine import analyze
from dbarchitect.core.sql.statements import SQLParseError
from dbarchitect.core.models import (
    Column,
    Constraint,
    Index,
    Policy,
    SchemaSnapshot,
    Sequence,
    Table,
    Trigger,
    View,
)
from dbarchitect.core.rules.schema._indexes import fk_supporting_index

AE = "AccessExclusiveLock"
SRE = "ShareRowExclusiveLock"
SHARE = "ShareLock"
SUE = "ShareUpdateExclusiveLock"
RX = "RowExclusiveLock"

BATCH_SIZE = 5000

# Buckets in execution order, with their phase. Within a bucket, steps keep the order they were added.
_BUCKETS: list[tuple[str, PhaseName]] = [
    ("table_renames", "expand"),
    ("pre_drop_views", "expand"),
    ("drop_triggers", "expand"),
    ("drop_policies", "expand"),
    ("drop_fks", "expand"),
    ("drop_constraints", "expand"),
    ("drop_indexes", "expand"),
    ("extensions", "expand"),
    ("schemas", "expand"),
    ("types", "expand"),
    ("enum_values", "expand"),
    ("domains", "expand"),
    ("sequences", "expand"),
    ("functions", "expand"),
    ("tables", "expand"),
    ("table_indexes", "expand"),
    ("column_renames", "expand"),
    ("columns_add", "expand"),
    ("columns_alter", "expand"),
    ("enum_recreate", "expand"),
    ("backfill", "expand"),
    ("constraints_add", "expand"),
    ("indexes", "expand"),
    ("validate", "expand"),
    ("not_null", "expand"),
    ("pk_unique", "expand"),
    ("new_fks", "expand"),
    ("views", "expand"),
    ("triggers", "expand"),
    ("rls", "expand"),
    ("policies", "expand"),
    ("sequence_owned", "expand"),
    ("comments", "expand"),
    ("swap", "migrate"),
    ("contract_views", "contract"),
    ("contract_triggers", "contract"),
    ("contract_indexes", "contract"),
    ("contract_columns", "contract"),
    ("contract_tables", "contract"),
    ("contract_sequences", "contract"),
    ("contract_functions", "contract"),
    ("contract_types", "contract"),
    ("contract_extensions", "contract"),
    ("contract_schemas", "contract"),
]
_PHASE_OF = dict(_BUCKETS)

# Binary-coercible or otherwise metadata-only type changes the planner knows without a catalog
# (the lint's analyzer, with a LintContext, decides the rest).
_BUILTIN_VOLATILE = ("random(", "clock_timestamp(", "timeofday(", "gen_random_uuid(", "uuid_generate_v",
                     "nextval(", "txid_current(", "gen_random_bytes(")  # fmt: skip


@dataclass
class PlanOptions:
    renames: dict[str, str] = field(default_factory=dict)
    allow_data_loss: bool = False
    online: bool = True
    backfill: dict[str, str] = field(default_factory=dict)
    context: LintContext | None = None
    #: "schema.table.column" -> conversion of the old value, `{src}` standing for it (default `{src}::type`)
    using: dict[str, str] = field(default_factory=dict)


def _key(schema: str, name: str) -> str:
    return f"{schema}.{name}"


class _Planner:
    def __init__(self, cur: SchemaSnapshot, tgt: SchemaSnapshot, cx: CatalogExtras, tx: CatalogExtras,
                 opts: PlanOptions):  # fmt: skip
        self.cur, self.tgt, self.cx, self.tx, self.opts = cur, tgt, cx, tx, opts
        self.buckets: dict[str, list[Step]] = defaultdict(list)
        self.hazards: list[Hazard] = []
        self.refused: list[Refusal] = []
        self.patterns: set[str] = set()
        self.pg = tgt.server_version_num or cur.server_version_num or 150000
        self.cur_tables = {t.qualified: t for t in cur.tables}
        self.tgt_tables = {t.qualified: t for t in tgt.tables}
        self.cur_views = {v.qualified: _norm_deps(v) for v in cur.views}
        self.tgt_views = {v.qualified: _norm_deps(v) for v in tgt.views}
        self.table_renames: dict[str, str] = {}  # current key -> target key
        self.column_renames: dict[tuple[str, str], str] = {}  # (target table key, current col) -> target col
        self.recreate_views: set[str] = set()  # current views to drop and recreate
        self.altered_tables: set[str] = set()  # tables whose column types change in place (views must go)
        self.dropped_columns: dict[str, set[str]] = defaultdict(set)
        self.new_tables: set[str] = set()
        self._parse_renames()

    # ---------------------------------------------------------------- helpers
    def add(self, bucket: str, action: str, obj: str, description: str, statements: list[str], *,
            transactional: bool = True, lock: str | None = AE, pattern: str | None = None,
            lock_timeout: str = "3s", statement_timeout: str = "15s", hazards: list[Hazard] | None = None,
            dry_run_statements: list[str] | None = None) -> Step:  # fmt: skip
        step = Step(id=0, phase=_PHASE_OF[bucket], action=action, object=obj, description=description,
                    statements=statements, transactional=transactional, lock=lock, pattern=pattern,
                    lock_timeout=lock_timeout, statement_timeout=statement_timeout, hazards=hazards or [],
                    dry_run_statements=dry_run_statements)  # fmt: skip
        if pattern:
            self.patterns.add(pattern)
        self.buckets[bucket].append(step)
        return step

    def hazard(self, code: str, message: str, obj: str | None = None, severity: str = "warning") -> Hazard:
        return Hazard(code=code, message=message, object=obj, severity=severity)  # type: ignore[arg-type]

    def predicted_rewrite(self, sql: str) -> bool:
        """Does the statement rewrite a pre-existing table? Asks the migration lint's analyzer."""
        try:
            mig = analyze(sql, context=self.opts.context, pg_version=self.pg // 10000)
        except (SQLParseError, ValueError):
            return True
        return any(st.prediction.rewrites for st in mig.statements)

    def volatile(self, expr: str | None) -> bool:
        if not expr:
            return False
        low = expr.lower()
        if any(f in low for f in _BUILTIN_VOLATILE):
            return True
        for fn in self.tgt.functions:
            if fn.volatility == "volatile" and f"{fn.name.lower()}(" in low:
                return True
        return False

    def _parse_renames(self) -> None:
        for old, new in (self.opts.renames or {}).items():
            parts = old.split(".")
            # a table rename: "table" or "schema.table" whose new name is a table of the target
            tkey = old if len(parts) == 2 else f"public.{old}" if len(parts) == 1 else None
            if tkey and tkey in self.cur_tables:
                new_key = new if "." in new else f"{tkey.split('.')[0]}.{new}"
                if new_key in self.tgt_tables and new_key not in self.cur_tables:
                    self.table_renames[tkey] = new_key
                    continue
            if len(parts) in (2, 3):
                table = ".".join(parts[:-1]) if len(parts) == 3 else f"public.{parts[0]}"
                ct = self.cur_tables.get(table)
                if ct is not None and ct.column(parts[-1]) is not None:
                    tgt_key = self.table_renames.get(table, table)
                    self.column_renames[(tgt_key, parts[-1])] = new.split(".")[-1]
                    continue
            self.hazards.append(self.hazard("rename-not-understood",
                f"The rename {old[:200]!r} -> {new[:200]!r} names no table or column of the current schema; it was "
                f"ignored.{self._rename_hint(old)}", old[:200]))  # fmt: skip
        # table renames given as "table.column"-looking keys are resolved above; column renames of renamed
        # tables are keyed by the target table.

    def _rename_hint(self, old: str) -> str:
        """' Did you mean …?' for a misspelled rename key: the closest current tables and columns."""
        from dbarchitect.core.suggest import closest, did_you_mean

        names = [k.split(".", 1)[1] if k.startswith("public.") else k for k in self.cur_tables]
        names += [f"{n}.{c.name}" for n, t in zip(names, self.cur_tables.values()) for c in t.columns]
        key = old[len("public."):] if old.startswith("public.") else old
        return did_you_mean(closest(key, names), quote=repr)

    def cur_table_for(self, tgt_key: str) -> Table | None:
        for old, new in self.table_renames.items():
            if new == tgt_key:
                return self.cur_tables.get(old)
        if tgt_key in self.table_renames:
            return None
        return self.cur_tables.get(tgt_key)

    def cur_column_for(self, tgt_key: str, ct: Table, col: str) -> Column | None:
        for (tk, old), new in self.column_renames.items():
            if tk == tgt_key and new == col:
                return ct.column(old)
        if (tgt_key, col) in self.column_renames:
            return None
        return ct.column(col)

    # ---------------------------------------------------------------- the plan
    def plan(self) -> MigrationPlan:
        self.extensions()
        self.schemas()
        self.types()
        self.domains()
        self.sequences()
        self.functions()
        for key in sorted(self.tgt_tables, key=lambda k: (self.tgt_tables[k].partition_of is not None, k)):
            ct = self.cur_table_for(key)
            if ct is None:
                self.create_table(self.tgt_tables[key])
            else:
                self.alter_table(ct, self.tgt_tables[key])
        self.drop_tables()
        self.identity_sequence_renames()
        self.views()
        self.matview_indexes()
        self.table_comments()
        self.other_comments()
        return self.finish()

    def finish(self) -> MigrationPlan:
        steps: list[Step] = []
        phases: list[Phase] = []
        for bucket, phase in _BUCKETS:
            for step in self.buckets.get(bucket, []):
                step.id = len(steps) + 1
                for h in step.hazards:
                    h.step = step.id
                steps.append(step)
                if not phases or phases[-1].name != phase:
                    phases.append(Phase(name=phase, steps=[], deploy_before=phase == "contract",
                                        note=_PHASE_NOTES[phase]))  # fmt: skip
                phases[-1].steps.append(step.id)
        hazards = list(self.hazards) + [h for s in steps for h in s.hazards]
        plan = MigrationPlan(steps=steps, phases=phases, hazards=hazards, refused=self.refused,
                             patterns=sorted(self.patterns))  # fmt: skip
        plan.up_sql = render_script(steps, phases, "up migration")
        return plan

    # ---------------------------------------------------------------- extensions, schemas
    def extensions(self) -> None:
        cur = {e.name: e for e in self.cur.extensions}
        tgt = {e.name: e for e in self.tgt.extensions}
        for name, e in sorted(tgt.items()):
            if name not in cur:
                self.add("extensions", "create-extension", name, f"create extension {name}",
                         [f"CREATE EXTENSION IF NOT EXISTS {qi(name)} WITH SCHEMA {qi(e.schema_name)} "
                          f"VERSION {lit(e.version)}"], lock=None)  # fmt: skip
            elif cur[name].version != e.version:
                self.add("extensions", "update-extension", name, f"update extension {name} to {e.version}",
                         [f"ALTER EXTENSION {qi(name)} UPDATE TO {lit(e.version)}"], lock=None,
                         hazards=[self.hazard("extension-upgrade", f"Upgrading {name} from {cur[name].version} "
                                  f"to {e.version} runs the extension's own scripts: review its release notes.",
                                  name)])  # fmt: skip
        for name in sorted(set(cur) - set(tgt)):
            if name == "plpgsql":
                continue
            msg = (f"DROP EXTENSION {name} removes everything the extension provides (its functions, types, "
                   "operators, and the data of its own tables, e.g. pg_stat_statements' statistics or hypopg's "
                   "hypothetical indexes); extensions are often installed for operations, not by the schema.")
            if not self.opts.allow_data_loss:
                self.refused.append(Refusal(object=name, change="drop extension", reason=msg))
                self.hazards.append(self.hazard("data-loss-refused", msg + " Refused: pass allow_data_loss=true to "
                                                "drop it, or add CREATE EXTENSION to the target.", name, "error"))
                continue
            self.add("contract_extensions", "drop-extension", name, f"drop extension {name}",
                     [f"DROP EXTENSION IF EXISTS {qi(name)}"], lock=None,
                     hazards=[self.hazard("extension-drop", f"Dropping {name} fails while objects use it.", name),
                              self.hazard("data-loss", msg, name, "error")])  # fmt: skip

    def schemas(self) -> None:
        cur, tgt = set(self.cur.schemas), set(self.tgt.schemas)
        for s in sorted(tgt - cur):
            self.add("schemas", "create-schema", s, f"create schema {s}", [f"CREATE SCHEMA {qi(s)}"], lock=None)
        kept = {e.schema_name for e in self.cur.extensions
                if any(r.change == "drop extension" and r.object == e.name for r in self.refused)}  # fmt: skip
        for s in sorted(cur - tgt - kept):
            self.add("contract_schemas", "drop-schema", s, f"drop schema {s}", [f"DROP SCHEMA {qi(s)}"], lock=None)

    # ---------------------------------------------------------------- types
    def types(self) -> None:
        cur = {_key(e.schema_name, e.name): e for e in self.cur.enums}
        tgt = {_key(e.schema_name, e.name): e for e in self.tgt.enums}
        for key, e in sorted(tgt.items()):
            labels = ", ".join(lit(x) for x in e.labels)
            if key not in cur:
                self.add("types", "create-enum", key, f"create enum {key}",
                         [f"CREATE TYPE {qkey(key)} AS ENUM ({labels})"], lock=None)  # fmt: skip
                continue
            old = cur[key].labels
            if old == e.labels:
                continue
            if _is_subsequence(old, e.labels):
                for i, label in enumerate(e.labels):
                    if label in old:
                        continue
                    after = next((x for x in reversed(e.labels[:i]) if x in old or x in e.labels[:i]), None)
                    where = f" AFTER {lit(after)}" if after else f" BEFORE {lit(e.labels[i + 1])}"
                    self.add("enum_values", "add-enum-value", key, f"add value {label!r} to {key}",
                             [f"ALTER TYPE {qkey(key)} ADD VALUE IF NOT EXISTS {lit(label)}{where}"], lock=None,
                             pattern="enum-add-value",
                             hazards=[self.hazard("enum-value-not-usable-in-same-transaction",
                                      f"The new value {label!r} cannot be used in the transaction that adds it; "
                                      "this step commits on its own.", key, "info")])  # fmt: skip
                continue
            if len(old) == len(e.labels) and not (set(e.labels) - set(old)) & set(old):
                renamed = [(a, b) for a, b in zip(old, e.labels, strict=True) if a != b]
                if renamed and all(b not in old for _, b in renamed):
                    for a, b in renamed:
                        self.add("enum_values", "rename-enum-value", key, f"rename value {a!r} of {key} to {b!r}",
                                 [f"ALTER TYPE {qkey(key)} RENAME VALUE {lit(a)} TO {lit(b)}"], lock=None,
                                 hazards=[self.hazard("enum-value-renamed", f"Rows holding {a!r} now read {b!r}; "
                                          "code comparing with the old label breaks.", key)])  # fmt: skip
                    continue
            self.recreate_enum(key, old, e.labels)
        for key in sorted(set(cur) - set(tgt)):
            self.add("contract_types", "drop-type", key, f"drop type {key}", [f"DROP TYPE {qkey(key)}"], lock=None)

    def recreate_enum(self, key: str, old: list[str], new: list[str]) -> None:
        schema, name = key.split(".", 1)
        tmp = derived_name(name, "__new")
        users = []
        for t in self.cur.tables:
            for c in t.columns:
                if _type_matches(c.type, key):
                    users.append((t, c))
        removed = [x for x in old if x not in new]
        defaults: list[str] = []
        stmts = [f"CREATE TYPE {qn(schema, tmp)} AS ENUM ({', '.join(lit(x) for x in new)})"]
        hz = [self.hazard("enum-recreated",
                          f"The labels of {key} change beyond appending ({old} -> {new}): a new type replaces it and "
                          f"every column of that type is converted under ACCESS EXCLUSIVE with a table rewrite "
                          f"({', '.join(t.qualified + '.' + c.name for t, c in users) or 'no columns'}).", key)]
        if removed:
            hz.append(self.hazard("enum-value-removed", f"Rows still holding {removed} make the conversion fail; "
                                  "update them first.", key, "error" if users else "warning"))  # fmt: skip
        for t, c in users:
            tq = qkey(t.qualified)
            self.altered_tables.add(t.qualified)
            tgt_col = self._target_column_of(t, c)
            if c.default is not None:
                stmts.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} DROP DEFAULT")
            stmts.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} TYPE {qn(schema, tmp)} "
                         f"USING {qi(c.name)}::text::{qn(schema, tmp)}")  # fmt: skip
            if tgt_col is not None and tgt_col.default is not None:
                defaults.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} SET DEFAULT {tgt_col.default}")
        stmts.append(f"DROP TYPE {qkey(key)}")
        stmts.append(f"ALTER TYPE {qn(schema, tmp)} RENAME TO {qi(name)}")
        stmts += defaults
        self.add("enum_recreate", "recreate-enum", key, f"replace enum {key} by a new type with the new labels",
                 stmts, pattern="enum-recreate", statement_timeout="0", hazards=hz)  # fmt: skip
        self.recreated_enums.add(key)

    recreated_enums: set[str]
    _enum_defaults: list[tuple[str, str, str]]

    def _target_column_of(self, ct: Table, c: Column) -> Column | None:
        tkey = self.table_renames.get(ct.qualified, ct.qualified)
        tt = self.tgt_tables.get(tkey)
        if tt is None:
            return None
        return tt.column(self.column_renames.get((tkey, c.name), c.name))

    def domains(self) -> None:
        cur = {_key(d.schema_name, d.name): d for d in self.cur.domains}
        tgt = {_key(d.schema_name, d.name): d for d in self.tgt.domains}
        for key, d in sorted(tgt.items()):
            cons = self.tx.domain_constraints.get(key, {})
            if key not in cur:
                parts = [f"CREATE DOMAIN {qkey(key)} AS {d.base_type}"]
                if d.default is not None:
                    parts.append(f"DEFAULT {d.default}")
                if d.not_null:
                    parts.append("NOT NULL")
                parts += [f"CONSTRAINT {qi(n)} {strip_not_valid(df)}" for n, df in sorted(cons.items())]
                self.add("domains", "create-domain", key, f"create domain {key}", [" ".join(parts)], lock=None)
                continue
            c = cur[key]
            if c.base_type != d.base_type:
                self.hazards.append(self.hazard("domain-base-type-changed",
                    f"The base type of domain {key} changes ({c.base_type} -> {d.base_type}); PostgreSQL cannot "
                    "alter it in place. Create a new domain and convert the columns.", key, "error"))  # fmt: skip
                continue
            stmts = []
            if c.default != d.default:
                stmts.append(f"ALTER DOMAIN {qkey(key)} " + (f"SET DEFAULT {d.default}" if d.default is not None
                                                              else "DROP DEFAULT"))  # fmt: skip
            if c.not_null != d.not_null:
                stmts.append(f"ALTER DOMAIN {qkey(key)} {'SET' if d.not_null else 'DROP'} NOT NULL")
            if stmts:
                self.add("domains", "alter-domain", key, f"alter domain {key}", stmts, lock=None,
                         statement_timeout="0")  # fmt: skip
            old_cons = self.cx.domain_constraints.get(key, {})
            for n in sorted(set(old_cons) - set(cons)):
                self.add("drop_constraints", "drop-domain-constraint", f"{key}.{n}", f"drop constraint {n} of {key}",
                         [f"ALTER DOMAIN {qkey(key)} DROP CONSTRAINT {qi(n)}"], lock=None)  # fmt: skip
            for n, df in sorted(cons.items()):
                if n in old_cons and strip_not_valid(old_cons[n]) == strip_not_valid(df):
                    continue
                if n in old_cons:
                    self.add("drop_constraints", "drop-domain-constraint", f"{key}.{n}",
                             f"drop changed constraint {n} of {key}",
                             [f"ALTER DOMAIN {qkey(key)} DROP CONSTRAINT {qi(n)}"], lock=None)  # fmt: skip
                self.add("constraints_add", "add-domain-constraint", f"{key}.{n}",
                         f"add constraint {n} to {key} without checking existing values",
                         [f"ALTER DOMAIN {qkey(key)} ADD CONSTRAINT {qi(n)} {strip_not_valid(df)} NOT VALID"],
                         lock=None, pattern="not-valid-then-validate",
                         hazards=[self.hazard("domain-constraint",
                                  f"Validating a domain constraint scans every column of type {key}.", key, "info")])
                self.add("validate", "validate-domain-constraint", f"{key}.{n}", f"validate {n} of {key}",
                         [f"ALTER DOMAIN {qkey(key)} VALIDATE CONSTRAINT {qi(n)}"], lock=SUE,
                         pattern="not-valid-then-validate", statement_timeout="0")  # fmt: skip
        for key in sorted(set(cur) - set(tgt)):
            self.add("contract_types", "drop-domain", key, f"drop domain {key}", [f"DROP DOMAIN {qkey(key)}"],
                     lock=None)  # fmt: skip

    # ---------------------------------------------------------------- sequences, functions
    def _plain_sequences(self, snap: SchemaSnapshot, extras: CatalogExtras) -> dict[str, Sequence]:
        out = {}
        for s in snap.sequences:
            key = s.qualified
            if key in extras.identity_sequences:
                continue
            out[key] = s
        return out

    def sequences(self) -> None:
        cur = self._plain_sequences(self.cur, self.cx)
        tgt = self._plain_sequences(self.tgt, self.tx)
        for key, s in sorted(tgt.items()):
            opts = (f"AS {s.data_type} INCREMENT BY {s.increment} MINVALUE {s.min_value} MAXVALUE {s.max_value} "
                    f"START WITH {s.start} {'CYCLE' if s.cycle else 'NO CYCLE'}")  # fmt: skip
            c = cur.get(key)
            if c is None:
                self.add("sequences", "create-sequence", key, f"create sequence {key}",
                         [f"CREATE SEQUENCE {qkey(key)} {opts}"], lock=None)  # fmt: skip
            elif (c.data_type, c.increment, c.min_value, c.max_value, c.start, c.cycle) != (
                s.data_type, s.increment, s.min_value, s.max_value, s.start, s.cycle
            ):
                self.add("sequences", "alter-sequence", key, f"change the parameters of sequence {key}",
                         [f"ALTER SEQUENCE {qkey(key)} {opts}"], lock=None)  # fmt: skip
            if s.owned_by and (c is None or c.owned_by != s.owned_by):
                table, _, col = s.owned_by.rpartition(".")
                owner = _key(s.schema_name, table) if "." not in table else table
                self.add("sequence_owned", "sequence-owned-by", key, f"tie sequence {key} to {s.owned_by}",
                         [f"ALTER SEQUENCE {qkey(key)} OWNED BY {qkey(owner)}.{qi(col)}"], lock=None)  # fmt: skip
            elif c is not None and c.owned_by and not s.owned_by:
                self.add("sequence_owned", "sequence-owned-by", key, f"detach sequence {key} from {c.owned_by}",
                         [f"ALTER SEQUENCE {qkey(key)} OWNED BY NONE"], lock=None)  # fmt: skip
        for key, c in sorted(cur.items()):
            if key in tgt:
                continue
            if c.owned_by:
                table = _key(c.schema_name, c.owned_by.rpartition(".")[0])
                tkey = self.table_renames.get(table, table)
                tt = self.tgt_tables.get(tkey)
                col = c.owned_by.rpartition(".")[2]
                if tt is None or tt.column(self.column_renames.get((tkey, col), col)) is None:
                    continue  # dropped together with its table or column
            self.add("contract_sequences", "drop-sequence", key, f"drop sequence {key}",
                     [f"DROP SEQUENCE {qkey(key)}"], lock=None)  # fmt: skip

    def identity_sequence_renames(self) -> None:
        """An identity column keeps its sequence when its table or column is renamed; the target names the
        sequence after the new names, so rename it too."""
        cur_by_owner = {(s.schema_name, s.owned_by): s for s in self.cur.sequences
                        if s.qualified in self.cx.identity_sequences and s.owned_by}  # fmt: skip
        for s in self.tgt.sequences:
            if s.qualified not in self.tx.identity_sequences or not s.owned_by:
                continue
            table, _, col = s.owned_by.rpartition(".")
            tkey = _key(s.schema_name, table)
            ct = self.cur_table_for(tkey)
            if ct is None:
                continue
            old_col = self.cur_column_for(tkey, ct, col)
            if old_col is None:
                continue
            old = cur_by_owner.get((ct.schema_name, f"{ct.name}.{old_col.name}"))
            if old is not None and old.name != s.name:
                self.add("sequence_owned", "rename-sequence", s.qualified, f"rename sequence {old.qualified} to {s.name}",
                         [f"ALTER SEQUENCE {qkey(old.qualified)} RENAME TO {qi(s.name)}"], lock=None)  # fmt: skip

    def _functions(self, snap: SchemaSnapshot, extras: CatalogExtras) -> dict[str, str]:
        return dict(extras.function_defs)

    def functions(self) -> None:
        cur, tgt = self.cx.function_defs, self.tx.function_defs
        for key, df in sorted(tgt.items()):
            if cur.get(key) == df:
                continue
            if key in cur and _signature_head(cur[key]) != _signature_head(df):
                kind = self.cx.function_kinds.get(key, "function").upper()
                self.add("functions", "replace-function", key, f"drop and recreate {key} (its result type changes)",
                         [f"DROP {kind} {_qualified_signature(key)}", df], lock=None,
                         hazards=[self.hazard("function-signature-changed", f"{key} changes its result type: it is "
                                  "dropped and created again; objects depending on it must be dropped first.",
                                  key)])  # fmt: skip
                continue
            verb = "replace" if key in cur else "create"
            self.add("functions", f"{verb}-function", key, f"{verb} {key}", [df], lock=None)
        for key in sorted(set(cur) - set(tgt)):
            kind = self.cx.function_kinds.get(key, "function").upper()
            self.add("contract_functions", "drop-function", key, f"drop {key}",
                     [f"DROP {kind} {_qualified_signature(key)}"], lock=None)  # fmt: skip

    # ---------------------------------------------------------------- tables
    def _inherited(self, extras: CatalogExtras, kind: str, key: str) -> bool:
        return f"{kind} {key}" in extras.inherited

    def column_sql(self, t: Table, c: Column, *, with_default: bool = True, with_not_null: bool = True) -> str:
        parts = [qi(c.name), c.type]
        if c.collation:
            parts.append(f"COLLATE {qi(c.collation)}")
        if c.generated:
            parts.append(f"GENERATED ALWAYS AS ({c.generated}) STORED")
        elif c.identity:
            parts.append(f"GENERATED {'ALWAYS' if c.identity == 'always' else 'BY DEFAULT'} AS IDENTITY")
        elif with_default and c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if with_not_null and c.not_null and not c.identity:
            parts.append("NOT NULL")
        return " ".join(parts)

    def create_table(self, t: Table) -> None:
        key = t.qualified
        self.new_tables.add(key)
        defs: list[str] = []
        if t.partition_of:
            head = f"CREATE TABLE {qkey(key)} PARTITION OF {t.partition_of}"
            for c in t.columns:
                if not self._inherited(self.tx, "column", f"{key}.{c.name}"):
                    defs.append(self.column_sql(t, c))
        else:
            unlogged = "UNLOGGED " if t.persistence == "unlogged" else ""
            head = f"CREATE {unlogged}TABLE {qkey(key)}"
            defs = [self.column_sql(t, c) for c in sorted(t.columns, key=lambda c: c.position)]
        later: list[str] = []
        for con in t.constraints:
            if self._inherited(self.tx, "constraint", f"{key}.{con.name}"):
                continue
            if con.kind == "foreign_key":
                self.add("new_fks", "add-foreign-key", f"{key}.{con.name}",
                         f"add foreign key {con.name} to the new table {key}",
                         [f"ALTER TABLE {qkey(key)} ADD CONSTRAINT {qi(con.name)} {con.definition}"], lock=SRE,
                         statement_timeout="15s")  # fmt: skip
            elif con.kind in ("primary_key", "unique", "check", "exclude"):
                defs.append(f"CONSTRAINT {qi(con.name)} {con.definition}")
                if con.kind in ("primary_key", "unique") and con.index and con.index != con.name:
                    later.append(f"ALTER INDEX {qn(t.schema_name, con.name)} RENAME TO {qi(con.index)}")
        sql = f"{head} (\n    " + ",\n    ".join(defs) + "\n)" if defs or not t.partition_of else head
        if t.partition_of:
            sql += f" {t.partition_bound}"
        if t.partition_key:
            sql += f" PARTITION BY {t.partition_key}"
        opts = self.tx.reloptions.get(key)
        if opts:
            sql += f" WITH ({', '.join(opts)})"
        stmts = [sql] + later
        if t.rls_enabled:
            stmts.append(f"ALTER TABLE {qkey(key)} ENABLE ROW LEVEL SECURITY")
        if t.rls_forced:
            stmts.append(f"ALTER TABLE {qkey(key)} FORCE ROW LEVEL SECURITY")
        self.add("tables", "create-table", key, f"create table {key}", stmts, lock=None)
        for ix in t.indexes:
            if ix.constraint or self._inherited(self.tx, "index", _key(t.schema_name, ix.name)):
                continue
            self.add("table_indexes", "create-index", _key(t.schema_name, ix.name),
                     f"create index {ix.name} on the new (empty) table {key}",
                     [ix.definition.replace(" ON ONLY ", " ON ", 1)], lock=None)  # fmt: skip
        for tg in t.triggers:
            self.add("triggers", "create-trigger", f"{key}.{tg.name}", f"create trigger {tg.name} on {key}",
                     [tg.definition], lock=None)  # fmt: skip
            if not tg.enabled:
                self.add("triggers", "disable-trigger", f"{key}.{tg.name}", f"disable trigger {tg.name}",
                         [f"ALTER TABLE {qkey(key)} DISABLE TRIGGER {qi(tg.name)}"], lock=SRE)  # fmt: skip
        for p in t.policies:
            self.add("policies", "create-policy", f"{key}.{p.name}", f"create policy {p.name} on {key}",
                     [_policy_sql(key, p)], lock=None)  # fmt: skip

    def drop_tables(self) -> None:
        renamed = set(self.table_renames)
        dropped = [k for k in self.cur_tables if k not in self.tgt_tables and k not in renamed]
        # referencing tables first
        order: list[str] = []

        def visit(k: str, seen: set[str]) -> None:
            if k in order or k in seen:
                return
            seen.add(k)
            for other in dropped:
                ot = self.cur_tables[other]
                if any(fk.references and fk.references.table == k for fk in ot.foreign_keys) and other != k:
                    visit(other, seen)
            order.append(k)

        for k in sorted(dropped, key=lambda k: self.cur_tables[k].partition_of is not None, reverse=True):
            visit(k, set())
        for k in order:
            t = self.cur_tables[k]
            if t.partition_of and t.partition_of in dropped:
                continue
            rows = t.estimated_rows
            msg = f"DROP TABLE {k} destroys its rows" + (f" (about {rows} rows)" if rows > 0 else "") + "."
            if not self.opts.allow_data_loss:
                self.refused.append(Refusal(object=k, change="drop table", reason=msg))
                self.hazards.append(self.hazard("data-loss-refused", msg + " Refused: pass allow_data_loss=true "
                                                "to drop it.", k, "error"))  # fmt: skip
                continue
            self.add("contract_tables", "drop-table", k, f"drop table {k}", [f"DROP TABLE {qkey(k)}"],
                     hazards=[self.hazard("data-loss", msg + " Take a backup first; the down migration recreates "
                                          "the table empty.", k, "error")])  # fmt: skip

    def alter_table(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        tq = qkey(key)
        if ct.qualified != key:
            old_schema, old_name = ct.schema_name, ct.name
            stmts = []
            if old_schema != tt.schema_name:
                stmts.append(f"ALTER TABLE {qkey(ct.qualified)} SET SCHEMA {qi(tt.schema_name)}")
            if old_name != tt.name:
                stmts.append(f"ALTER TABLE {qn(tt.schema_name, old_name)} RENAME TO {qi(tt.name)}")
            stmts.append(f"CREATE VIEW {qkey(ct.qualified)} AS SELECT * FROM {tq}")
            self.add("table_renames", "rename-table", key, f"rename table {ct.qualified} to {key}, keeping a "
                     f"compatibility view under the old name", stmts, pattern="rename-with-compatibility-view",
                     hazards=[self.hazard("rename-breaks-running-code", f"Code still using {ct.qualified} goes "
                              f"through an updatable view until the contract phase; deploy code using {key} "
                              "before then.", key, "info")])  # fmt: skip
            self.add("contract_views", "drop-compatibility-view", ct.qualified,
                     f"drop the compatibility view {ct.qualified}", [f"DROP VIEW {qkey(ct.qualified)}"],
                     pattern="rename-with-compatibility-view")  # fmt: skip
        if ct.persistence != tt.persistence and "temporary" not in (ct.persistence, tt.persistence):
            logged = "LOGGED" if tt.persistence == "permanent" else "UNLOGGED"
            self.add("columns_alter", "set-persistence", key, f"make {key} {logged.lower()}",
                     [f"ALTER TABLE {tq} SET {logged}"], statement_timeout="0",
                     hazards=[self.hazard("rewrite-under-access-exclusive", f"SET {logged} rewrites {key} under "
                              "ACCESS EXCLUSIVE: reads and writes wait for the whole copy.", key, "error")])
        self.reloptions(ct, tt)
        self.columns(ct, tt)
        self.constraints(ct, tt)
        self.indexes(ct, tt)
        self.triggers(ct, tt)
        self.rls(ct, tt)

    def reloptions(self, ct: Table, tt: Table) -> None:
        old = set(self.cx.reloptions.get(ct.qualified, []))
        new = set(self.tx.reloptions.get(tt.qualified, []))
        if old == new:
            return
        stmts = []
        gone = {o.split("=")[0] for o in old} - {o.split("=")[0] for o in new}
        if gone:
            stmts.append(f"ALTER TABLE {qkey(tt.qualified)} RESET ({', '.join(sorted(gone))})")
        if new - old:
            stmts.append(f"ALTER TABLE {qkey(tt.qualified)} SET ({', '.join(sorted(new - old))})")
        self.add("columns_alter", "set-storage-parameters", tt.qualified, f"storage parameters of {tt.qualified}",
                 stmts, lock=SUE)  # fmt: skip

    # ---------------------------------------------------------------- columns
    def columns(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        tq = qkey(key)
        seen_cur: set[str] = set()
        for c in sorted(tt.columns, key=lambda c: c.position):
            if self._inherited(self.tx, "column", f"{key}.{c.name}"):
                old = ct.column(c.name)
                if old:
                    seen_cur.add(old.name)
                continue
            old = self.cur_column_for(key, ct, c.name)
            if old is None:
                self.add_column(tt, c)
                continue
            seen_cur.add(old.name)
            if old.name != c.name:
                self.add("column_renames", "rename-column", f"{key}.{c.name}",
                         f"rename column {key}.{old.name} to {c.name}",
                         [f"ALTER TABLE {tq} RENAME COLUMN {qi(old.name)} TO {qi(c.name)}"], pattern="rename",
                         hazards=[self.hazard("rename-breaks-running-code",
                                  f"Code that reads or writes {key}.{old.name} fails from this step on: deploy code "
                                  f"that uses {c.name} together with it (or read the column by position through an "
                                  "ORM alias during the switch).", f"{key}.{c.name}")])  # fmt: skip
            self.alter_column(ct, tt, old, c)
        for c in ct.columns:
            if c.name in seen_cur or self._inherited(self.cx, "column", f"{ct.qualified}.{c.name}"):
                continue
            self.drop_column(ct, tt, c)

    def add_column(self, t: Table, c: Column) -> None:
        key = t.qualified
        tq = qkey(key)
        obj = f"{key}.{c.name}"
        fill = self.opts.backfill.get(obj) or self.opts.backfill.get(f"{t.name}.{c.name}")
        simple = self.column_sql(t, c)
        if c.generated or c.identity:
            what = "a stored generated" if c.generated else "an identity"
            self.add("columns_add", "add-column", obj, f"add {what} column {obj}", [f"ALTER TABLE {tq} ADD COLUMN {simple}"],
                     statement_timeout="0",
                     hazards=[self.hazard("rewrite-under-access-exclusive",
                              f"Adding {what} column computes it for every row: {key} is rewritten under ACCESS "
                              "EXCLUSIVE (reads and writes wait). PostgreSQL has no online form that ends in "
                              "this catalog state; run it in a quiet window.", obj, "error")])  # fmt: skip
            return
        volatile = self.volatile(c.default)
        if not volatile and not fill and not (c.not_null and c.default is None):
            sql = f"ALTER TABLE {tq} ADD COLUMN {simple}"
            self.add("columns_add", "add-column", obj, f"add column {obj}" + (" (metadata only: the default is not "
                     "volatile)" if c.default else ""), [sql])  # fmt: skip
            return
        # needs values for existing rows: nullable first, default for new rows, batched backfill, NOT NULL
        self.add("columns_add", "add-column", obj, f"add column {obj} as nullable, without a default",
                 [f"ALTER TABLE {tq} ADD COLUMN {self.column_sql(t, c, with_default=False, with_not_null=False)}"],
                 pattern="add-column-then-backfill")  # fmt: skip
        if c.default is not None:
            self.add("columns_add", "set-default", obj, f"default of {obj} for new rows",
                     [f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} SET DEFAULT {c.default}"],
                     pattern="add-column-then-backfill")  # fmt: skip
        value = fill or c.default
        if value is not None:
            self.backfill_step(t, obj, f"{qi(c.name)} = {value}", f"{qi(c.name)} IS NULL", "backfill")
        else:
            self.hazards.append(self.hazard("backfill-value-needed",
                f"{obj} is NOT NULL without a default: existing rows need a value before NOT NULL can hold. Pass "
                f"backfill={{'{obj}': '<expression>'}} to have the plan fill it in batches; without it the "
                "validation step fails on a non-empty table.", obj, "error"))  # fmt: skip
        if c.not_null:
            self.not_null_via_check(t, c.name, obj)

    def backfill_step(self, t: Table, obj: str, assignment: str, pending: str, bucket: str) -> None:
        tq = qkey(t.qualified)
        batch = (f"UPDATE {tq} SET {assignment} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {tq} WHERE {pending} "
                 f"LIMIT {BATCH_SIZE}))")  # fmt: skip
        loop = (f"DO $backfill$\nDECLARE done_rows bigint;\nBEGIN\n  LOOP\n    {batch};\n"
                f"    GET DIAGNOSTICS done_rows = ROW_COUNT;\n    COMMIT;\n    EXIT WHEN done_rows < {BATCH_SIZE};\n"
                "  END LOOP;\nEND\n$backfill$")  # fmt: skip
        self.add(bucket, "batched-backfill", obj, f"backfill {obj} in batches of {BATCH_SIZE} rows, committing after "
                 "each batch (run outside a transaction block; safe to re-run)", [loop], transactional=False,
                 lock=RX, pattern="batched-backfill", statement_timeout="0", dry_run_statements=[batch],
                 hazards=[self.hazard("backfill-load", f"The backfill rewrites every row of {t.qualified} in "
                          "batches: row locks only, but WAL and replication lag grow with the table; throttle on "
                          "busy systems.", obj, "info")])  # fmt: skip

    def not_null_via_check(self, t: Table, col: str, obj: str) -> None:
        tq = qkey(t.qualified)
        chk = derived_name(f"{t.name}_{col}", "_not_null")
        self.add("constraints_add", "add-check-not-valid", obj, f"prove {obj} IS NOT NULL for new rows (CHECK NOT VALID)",
                 [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(chk)} CHECK ({qi(col)} IS NOT NULL) NOT VALID"],
                 pattern="set-not-null-via-check")  # fmt: skip
        self.add("validate", "validate-check", obj, f"validate the NOT NULL check of {obj} (reads and writes continue)",
                 [f"ALTER TABLE {tq} VALIDATE CONSTRAINT {qi(chk)}"], lock=SUE, statement_timeout="0",
                 pattern="set-not-null-via-check")  # fmt: skip
        self.add("not_null", "set-not-null", obj, f"SET NOT NULL on {obj}, proved by the validated check (no scan)",
                 [f"ALTER TABLE {tq} ALTER COLUMN {qi(col)} SET NOT NULL",
                  f"ALTER TABLE {tq} DROP CONSTRAINT {qi(chk)}"], pattern="set-not-null-via-check")  # fmt: skip

    def alter_column(self, ct: Table, tt: Table, old: Column, new: Column) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{new.name}"
        col = qi(new.name)
        if old.generated != new.generated:
            if old.generated and not new.generated and self.pg >= 130000:
                self.add("columns_alter", "drop-expression", obj, f"make {obj} a plain column",
                         [f"ALTER TABLE {tq} ALTER COLUMN {col} DROP EXPRESSION"])  # fmt: skip
                old = old.model_copy(update={"generated": None})
            else:
                self.recreate_column(ct, tt, old, new)
                return
        type_changed = old.type != new.type or (old.collation or "") != (new.collation or "")
        enum_recreated = any(_type_matches(old.type, k) for k in self.recreated_enums)
        if type_changed and not enum_recreated:
            self.change_type(ct, tt, old, new)
        elif old.default != new.default:
            self.set_default(tq, obj, col, new.default)
        if old.identity != new.identity:
            if not old.identity:
                if not new.not_null:
                    pass
                self.add("columns_alter", "add-identity", obj, f"make {obj} an identity column",
                         [f"ALTER TABLE {tq} ALTER COLUMN {col} ADD GENERATED "
                          f"{'ALWAYS' if new.identity == 'always' else 'BY DEFAULT'} AS IDENTITY"])  # fmt: skip
            elif not new.identity:
                self.add("columns_alter", "drop-identity", obj, f"stop generating {obj}",
                         [f"ALTER TABLE {tq} ALTER COLUMN {col} DROP IDENTITY"])  # fmt: skip
            else:
                self.add("columns_alter", "set-identity", obj, f"identity of {obj}: {new.identity}",
                         [f"ALTER TABLE {tq} ALTER COLUMN {col} SET GENERATED "
                          f"{'ALWAYS' if new.identity == 'always' else 'BY DEFAULT'}"])  # fmt: skip
        if old.not_null != new.not_null and not getattr(self, "_swapped", {}).get(obj):
            if new.not_null:
                self.not_null_via_check(tt, new.name, obj)
            else:
                self.add("columns_alter", "drop-not-null", obj, f"allow NULL in {obj}",
                         [f"ALTER TABLE {tq} ALTER COLUMN {col} DROP NOT NULL"],
                         hazards=[self.hazard("readers-see-nulls", f"Readers that assume {obj} is never NULL must "
                                  "be deployed first.", obj, "info")])  # fmt: skip
        if (old.comment or None) != (new.comment or None):
            self.add("comments", "comment", obj, f"comment on column {obj}",
                     [f"COMMENT ON COLUMN {tq}.{col} IS {lit(new.comment)}"], lock=SUE)  # fmt: skip

    def set_default(self, tq: str, obj: str, col: str, default: str | None) -> None:
        sql = f"ALTER TABLE {tq} ALTER COLUMN {col} " + (f"SET DEFAULT {default}" if default is not None
                                                          else "DROP DEFAULT")  # fmt: skip
        self.add("columns_alter", "set-default" if default is not None else "drop-default", obj,
                 f"{'set' if default is not None else 'drop'} the default of {obj} (new rows only)", [sql])

    def recreate_column(self, ct: Table, tt: Table, old: Column, new: Column) -> None:
        key = tt.qualified
        obj = f"{key}.{new.name}"
        tq = qkey(key)
        self.altered_tables.add(ct.qualified)
        self.add("columns_alter", "recreate-generated-column", obj,
                 f"drop and add {obj} again (its generation expression changes)",
                 [f"ALTER TABLE {tq} DROP COLUMN {qi(old.name)}", f"ALTER TABLE {tq} ADD COLUMN {self.column_sql(tt, new)}"],
                 statement_timeout="0",
                 hazards=[self.hazard("rewrite-under-access-exclusive", f"A generated column cannot change its "
                          f"expression in place on PostgreSQL {self.pg // 10000}: {key} is rewritten under ACCESS "
                          "EXCLUSIVE (reads and writes wait).", obj, "error")])  # fmt: skip

    def change_type(self, ct: Table, tt: Table, old: Column, new: Column) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{new.name}"
        col = qi(new.name)
        coll = f" COLLATE {qi(new.collation)}" if new.collation else ""
        using = f" USING {col}::{new.type}" if not _same_base(old.type, new.type) else ""
        sql = f"ALTER TABLE {tq} ALTER COLUMN {col} TYPE {new.type}{coll}{using}"
        rewrites = self.predicted_rewrite(f"ALTER TABLE {qkey(ct.qualified)} ALTER COLUMN {qi(old.name)} "
                                          f"TYPE {new.type}{coll}")  # fmt: skip
        if not rewrites:
            sql = f"ALTER TABLE {tq} ALTER COLUMN {col} TYPE {new.type}{coll}"
        blockers = self.expand_contract_blockers(ct, old)
        views = self.views_on(ct.qualified)
        if rewrites and self.opts.online and not blockers:
            self.expand_contract(ct, tt, old, new)
            return
        self.altered_tables.add(ct.qualified)
        stmts = []
        default_changes = old.default is not None
        if default_changes:
            stmts.append(f"ALTER TABLE {tq} ALTER COLUMN {col} DROP DEFAULT")
        stmts.append(sql)
        if new.default is not None:
            stmts.append(f"ALTER TABLE {tq} ALTER COLUMN {col} SET DEFAULT {new.default}")
        hz = []
        if views:
            hz.append(self.hazard("dependent-views-recreated", f"Views reading {key} ({', '.join(views)}) are dropped "
                                  "before the type change and created again after it.", obj, "info"))  # fmt: skip
        if rewrites:
            why = ("online=false" if not self.opts.online else
                   "expand/contract is not possible here: " + "; ".join(blockers))  # fmt: skip
            hz.append(self.hazard("rewrite-under-access-exclusive",
                      f"Changing {obj} from {old.type} to {new.type} rewrites {key} and its indexes under ACCESS "
                      f"EXCLUSIVE: reads and writes wait for the whole copy ({why}).", obj, "error"))  # fmt: skip
        desc = f"change the type of {obj} to {new.type}" + ("" if rewrites else " (metadata only, no rewrite)")
        self.add("columns_alter", "alter-column-type", obj, desc, stmts, statement_timeout="0" if rewrites else "15s",
                 hazards=hz)  # fmt: skip

    def views_on(self, table_key: str) -> list[str]:
        out = []
        for v in self.cur_views.values():
            if table_key in v.depends_on:
                out.append(v.qualified)
        return out

    def expand_contract_blockers(self, ct: Table, c: Column) -> list[str]:
        out = []
        for ix in ct.indexes:
            if c.name in ix.columns or c.name in ix.include or any(c.name in e for e in ix.expressions if e):
                out.append(f"index {ix.name} uses the column")
        for con in ct.constraints:
            if c.name in con.columns:
                out.append(f"constraint {con.name} uses the column")
        for t in self.cur.tables:
            for fk in t.foreign_keys:
                if fk.references and fk.references.table == ct.qualified and c.name in fk.references.columns:
                    out.append(f"foreign key {t.qualified}.{fk.name} references it")
        if self.views_on(ct.qualified):
            out.append("views read the table")
        if c.generated or c.identity:
            out.append("the column is generated")
        return out

    def expand_contract(self, ct: Table, tt: Table, old: Column, new: Column) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{new.name}"
        col = qi(new.name)
        tmp = derived_name(new.name, "__new")
        prev = derived_name(new.name, "__old")
        fn = qn(tt.schema_name, derived_name(f"{tt.name}_{new.name}", "_sync"))
        trg = qi(derived_name(f"{tt.name}_{new.name}", "_sync"))
        conv = self.opts.using.get(obj, f"{{src}}::{new.type}")
        coll = f" COLLATE {qi(new.collation)}" if new.collation else ""
        pat = "expand-contract"
        self.add("columns_add", "add-column", obj, f"expand: add {key}.{tmp} of type {new.type}",
                 [f"ALTER TABLE {tq} ADD COLUMN {qi(tmp)} {new.type}{coll}"], pattern=pat)  # fmt: skip
        body = (f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $sync$\nBEGIN\n"
                f"  NEW.{qi(tmp)} := {conv.format(src='NEW.' + col)};\n  RETURN NEW;\nEND\n$sync$")  # fmt: skip
        self.add("columns_add", "create-sync-trigger", obj,
                 f"expand: keep {tmp} in step with {new.name} on every insert and update",
                 [body, f"CREATE TRIGGER {trg} BEFORE INSERT OR UPDATE ON {tq} FOR EACH ROW EXECUTE FUNCTION {fn}()"],
                 lock=SRE, pattern=pat,
                 hazards=[self.hazard("trigger-blocks-writes-briefly", f"CREATE TRIGGER takes SHARE ROW EXCLUSIVE on "
                          f"{key}: writes wait for the moment it takes.", obj, "info")])  # fmt: skip
        self.backfill_step(tt, obj, f"{qi(tmp)} = {conv.format(src=col)}", f"{qi(tmp)} IS NULL AND {col} IS NOT NULL",
                           "backfill")  # fmt: skip
        swap: list[str] = []
        if new.not_null:
            chk = derived_name(f"{tt.name}_{tmp}", "_not_null")
            self.add("constraints_add", "add-check-not-valid", obj, f"prove {tmp} IS NOT NULL (CHECK NOT VALID)",
                     [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(chk)} CHECK ({qi(tmp)} IS NOT NULL) NOT VALID"],
                     pattern=pat)  # fmt: skip
            self.add("validate", "validate-check", obj, f"validate the NOT NULL check of {tmp}",
                     [f"ALTER TABLE {tq} VALIDATE CONSTRAINT {qi(chk)}"], lock=SUE, statement_timeout="0",
                     pattern=pat)  # fmt: skip
        swap += [f"LOCK TABLE {tq} IN ACCESS EXCLUSIVE MODE",
                 f"ALTER TABLE {tq} RENAME COLUMN {col} TO {qi(prev)}"]  # fmt: skip
        if old.not_null:
            swap.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(prev)} DROP NOT NULL")
        if old.default is not None:
            swap.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(prev)} DROP DEFAULT")
        swap.append(f"ALTER TABLE {tq} RENAME COLUMN {qi(tmp)} TO {col}")
        if new.default is not None:
            swap.append(f"ALTER TABLE {tq} ALTER COLUMN {col} SET DEFAULT {new.default}")
        if new.not_null:
            swap.append(f"ALTER TABLE {tq} ALTER COLUMN {col} SET NOT NULL")
            swap.append(f"ALTER TABLE {tq} DROP CONSTRAINT {qi(chk)}")
        swap += [f"DROP TRIGGER {trg} ON {tq}", f"DROP FUNCTION {fn}()"]
        if new.comment:
            swap.append(f"COMMENT ON COLUMN {tq}.{col} IS {lit(new.comment)}")
        self.add("swap", "swap-columns", obj, f"swap: {tmp} becomes {new.name}, the old values stay in {prev} "
                 "(one short transaction)", swap, pattern=pat,
                 hazards=[self.hazard("type-visible-to-application", f"From this step on {obj} is {new.type}; the "
                          f"application must accept it (deploy before this phase if it does not).", obj,
                          "info")])  # fmt: skip
        self.add("contract_columns", "drop-column", f"{key}.{prev}", f"contract: drop {key}.{prev} (the old values)",
                 [f"ALTER TABLE {tq} DROP COLUMN {qi(prev)}"], pattern=pat)  # fmt: skip
        self._swapped[obj] = True

    def drop_column(self, ct: Table, tt: Table, c: Column) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{c.name}"
        if c.generated:
            self.add("contract_columns", "drop-column", obj, f"drop the generated column {obj}",
                     [f"ALTER TABLE {tq} DROP COLUMN {qi(c.name)}"])  # fmt: skip
            return
        msg = f"Dropping {obj} destroys its values."
        if not self.opts.allow_data_loss:
            self.refused.append(Refusal(object=obj, change="drop column", reason=msg))
            self.hazards.append(self.hazard("data-loss-refused", msg + " Refused: pass allow_data_loss=true to drop "
                                            "it.", obj, "error"))  # fmt: skip
            return
        self.dropped_columns[ct.qualified].add(c.name)
        self.altered_tables.add(ct.qualified)
        relax = []
        if c.identity:
            relax.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} DROP IDENTITY")
        if c.not_null:
            relax.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} DROP NOT NULL")
        if c.default is not None and not c.identity:
            relax.append(f"ALTER TABLE {tq} ALTER COLUMN {qi(c.name)} DROP DEFAULT")
        if relax:
            self.add("columns_alter", "relax-column", obj, f"let code that no longer writes {obj} insert rows "
                     "(drop NOT NULL and default)", relax, pattern="safe-column-removal")  # fmt: skip
        self.add("contract_columns", "drop-column", obj, f"drop {obj} (after the deploy that stops using it)",
                 [f"ALTER TABLE {tq} DROP COLUMN {qi(c.name)}"], pattern="safe-column-removal",
                 hazards=[self.hazard("data-loss", msg + " The down migration adds the column back empty.", obj,
                          "error")])  # fmt: skip

    # ---------------------------------------------------------------- constraints
    def constraints(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        tq = qkey(key)
        cur = {c.name: c for c in ct.constraints if not self._inherited(self.cx, "constraint", f"{ct.qualified}.{c.name}")}
        tgt = {c.name: c for c in tt.constraints if not self._inherited(self.tx, "constraint", f"{key}.{c.name}")}
        for name, c in list(tgt.items()):
            if name in cur:
                continue
            twin = next((o for n, o in cur.items() if n not in tgt and o.kind == c.kind
                         and _con_same(o, c, self.column_renames, key)), None)  # fmt: skip
            if twin is not None:
                self.add("drop_constraints", "rename-constraint", f"{key}.{name}",
                         f"rename constraint {twin.name} to {name}",
                         [f"ALTER TABLE {tq} RENAME CONSTRAINT {qi(twin.name)} TO {qi(name)}"])  # fmt: skip
                del cur[twin.name]
                cur[name] = twin.model_copy(update={"name": name, "index": c.index if twin.index else None})
        for name, c in cur.items():
            if name in tgt:
                continue
            if c.kind in ("primary_key", "unique", "exclude") or c.kind == "check" or c.kind == "foreign_key":
                if any(cl in self.dropped_columns.get(ct.qualified, ()) for cl in c.columns) and c.kind != "foreign_key":
                    pass
                bucket = "drop_fks" if c.kind == "foreign_key" else "drop_constraints"
                self.add(bucket, "drop-constraint", f"{key}.{name}", f"drop constraint {name} of {key}",
                         [f"ALTER TABLE {tq} DROP CONSTRAINT {qi(name)}"])  # fmt: skip
        for name, c in tgt.items():
            old = cur.get(name)
            obj = f"{key}.{name}"
            same = old is not None and _con_same(old, c, self.column_renames, key)
            if same and old.validated == c.validated and old.deferrable == c.deferrable:
                if old.index != c.index and c.index and old.index:
                    self.add("drop_indexes", "rename-index", obj, f"rename index {old.index} to {c.index}",
                             [f"ALTER INDEX {qn(tt.schema_name, old.index)} RENAME TO {qi(c.index)}"])  # fmt: skip
                continue
            if same and not old.validated and c.validated:
                self.add("validate", "validate-constraint", obj, f"validate {name} (reads and writes continue)",
                         [f"ALTER TABLE {tq} VALIDATE CONSTRAINT {qi(name)}"], lock=SUE, statement_timeout="0",
                         pattern="not-valid-then-validate")  # fmt: skip
                continue
            if c.kind in ("check", "foreign_key"):
                self.add_check_or_fk(tt, c, replacing=old)
            elif c.kind in ("primary_key", "unique"):
                if old is not None:
                    self.add("drop_constraints", "drop-constraint", obj, f"drop the changed constraint {name}",
                             [f"ALTER TABLE {tq} DROP CONSTRAINT {qi(name)}"])  # fmt: skip
                self.add_unique(tt, c)
            else:
                if old is not None:
                    self.add("drop_constraints", "drop-constraint", obj, f"drop the changed constraint {name}",
                             [f"ALTER TABLE {tq} DROP CONSTRAINT {qi(name)}"])  # fmt: skip
                self.add("pk_unique", "add-exclusion-constraint", obj, f"add exclusion constraint {name}",
                         [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(name)} {c.definition}"], statement_timeout="0",
                         hazards=[self.hazard("exclusion-constraint-blocks",
                                  f"An EXCLUDE constraint builds its index under ACCESS EXCLUSIVE on {key} and has "
                                  "no NOT VALID or USING INDEX form: reads and writes wait for the build.", obj,
                                  "error")])  # fmt: skip

    def add_check_or_fk(self, tt: Table, c: Constraint, replacing: Constraint | None) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{c.name}"
        definition = strip_not_valid(c.definition)
        fk = c.kind == "foreign_key"
        lock = SRE if fk else AE
        word = "foreign key" if fk else "check"
        name = c.name if replacing is None else derived_name(c.name, "__new")
        hz = []
        if fk and not _fk_indexed(tt, c):
            hz.append(self.hazard("foreign-key-without-index", f"No index on {key} ({', '.join(c.columns)}): deletes "
                                  f"and key updates on {c.references.table if c.references else 'the parent'} scan "
                                  f"{key}.", obj, "warning"))  # fmt: skip
        if replacing is not None:
            hz.append(self.hazard("constraint-replaced", f"{c.name} changes: the new definition is added under a "
                                  "temporary name and validated before the old one goes, so the table is never "
                                  "unprotected.", obj, "info"))  # fmt: skip
        self.add("constraints_add", f"add-{'foreign-key' if fk else 'check'}-not-valid", obj,
                 f"add {word} {name} for new rows only (NOT VALID: no scan)",
                 [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(name)} {definition} NOT VALID"], lock=lock,
                 pattern="not-valid-then-validate", hazards=hz)  # fmt: skip
        if c.validated:
            self.add("validate", "validate-constraint", obj, f"validate {name} (SHARE UPDATE EXCLUSIVE: reads and "
                     "writes continue)", [f"ALTER TABLE {tq} VALIDATE CONSTRAINT {qi(name)}"], lock=SUE,
                     statement_timeout="0", pattern="not-valid-then-validate")  # fmt: skip
        if replacing is not None:
            self.add("validate", "swap-constraint", obj, f"drop the old {c.name} and give the new one its name",
                     [f"ALTER TABLE {tq} DROP CONSTRAINT {qi(c.name)}",
                      f"ALTER TABLE {tq} RENAME CONSTRAINT {qi(name)} TO {qi(c.name)}"],
                     pattern="not-valid-then-validate")  # fmt: skip

    def add_unique(self, tt: Table, c: Constraint) -> None:
        key = tt.qualified
        tq = qkey(key)
        obj = f"{key}.{c.name}"
        ix = next((i for i in tt.indexes if i.name == (c.index or c.name)), None)
        word = "PRIMARY KEY" if c.kind == "primary_key" else "UNIQUE"
        if ix is None:
            self.add("pk_unique", "add-constraint", obj, f"add {word} {c.name}",
                     [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(c.name)} {c.definition}"])  # fmt: skip
            return
        idx_def = ix.definition
        if c.kind == "primary_key":
            idx_def = idx_def.replace("CREATE INDEX", "CREATE UNIQUE INDEX", 1)
        self.add("indexes", "create-unique-index-concurrently", _key(tt.schema_name, ix.name),
                 f"build the unique index behind {c.name} without blocking writes",
                 [index_sql(idx_def, concurrently=True)], transactional=False, lock=SUE, statement_timeout="0",
                 pattern="unique-via-concurrent-index",
                 hazards=[self.hazard("concurrent-index-may-fail", f"If the build fails (duplicates, a deadlock) it "
                          f"leaves an INVALID index: DROP INDEX CONCURRENTLY {ix.name} and run the step again.",
                          obj, "info")])  # fmt: skip
        defer = " DEFERRABLE" if c.deferrable else ""
        if "INITIALLY DEFERRED" in c.definition:
            defer += " INITIALLY DEFERRED"
        self.add("pk_unique", "add-constraint-using-index", obj, f"attach {ix.name} as {word} {c.name} (brief lock)",
                 [f"ALTER TABLE {tq} ADD CONSTRAINT {qi(c.name)} {word} USING INDEX {qi(ix.name)}{defer}"],
                 pattern="unique-via-concurrent-index")  # fmt: skip

    # ---------------------------------------------------------------- indexes
    def indexes(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        schema = tt.schema_name
        cur = {i.name: i for i in ct.indexes if not i.constraint
               and not self._inherited(self.cx, "index", _key(ct.schema_name, i.name))}  # fmt: skip
        tgt = {i.name: i for i in tt.indexes if not i.constraint
               and not self._inherited(self.tx, "index", _key(schema, i.name))}  # fmt: skip
        # indexes that back a constraint of the target are created by add_unique
        partitioned = tt.kind == "partitioned_table"
        for name, ix in list(tgt.items()):
            if name in cur:
                continue
            twin = next((o for n, o in cur.items() if n not in tgt and _index_same(o, ix, ct, tt, self.column_renames)),
                        None)  # fmt: skip
            if twin is not None:
                self.add("drop_indexes", "rename-index", _key(schema, name), f"rename index {twin.name} to {name}",
                         [f"ALTER INDEX {qn(schema, twin.name)} RENAME TO {qi(name)}"])  # fmt: skip
                del cur[twin.name]
                cur[name] = ix
        for name, ix in tgt.items():
            old = cur.get(name)
            ikey = _key(schema, name)
            if old is not None and _index_same(old, ix, ct, tt, self.column_renames):
                continue
            if partitioned:
                if old is not None:
                    self.add("drop_indexes", "drop-index", ikey, f"drop the changed index {name}",
                             [f"DROP INDEX {qn(schema, name)}"])  # fmt: skip
                self.add("indexes", "create-index", ikey, f"create index {name} on the partitioned table {key}",
                         [ix.definition.replace(" ON ONLY ", " ON ", 1)], lock=SHARE, statement_timeout="0",
                         hazards=[self.hazard("index-on-partitioned-table", "CREATE INDEX CONCURRENTLY is not "
                                  "possible on a partitioned table: writes wait while every partition is indexed.",
                                  ikey)])  # fmt: skip
                continue
            if old is None:
                self.add("indexes", "create-index-concurrently", ikey, f"create index {name} concurrently",
                         [index_sql(ix.definition, concurrently=True)], transactional=False, lock=SUE,
                         statement_timeout="0", pattern="create-index-concurrently",
                         hazards=[self.hazard("concurrent-index-may-fail", f"A failed build leaves an INVALID index: "
                                  f"DROP INDEX CONCURRENTLY IF EXISTS {name}, then run the step again.", ikey,
                                  "info")])  # fmt: skip
                continue
            tmp = derived_name(name, "__new")
            self.add("indexes", "create-index-concurrently", ikey, f"build the new definition of {name} as {tmp}",
                     [index_sql(ix.definition, name=tmp, concurrently=True)], transactional=False, lock=SUE,
                     statement_timeout="0", pattern="replace-index-concurrently")  # fmt: skip
            self.add("indexes", "drop-index-concurrently", ikey, f"drop the old {name} concurrently",
                     [f"DROP INDEX CONCURRENTLY {qn(schema, name)}"], transactional=False, lock=SUE,
                     statement_timeout="0", pattern="replace-index-concurrently")  # fmt: skip
            self.add("indexes", "rename-index", ikey, f"rename {tmp} to {name}",
                     [f"ALTER INDEX {qn(schema, tmp)} RENAME TO {qi(name)}"], pattern="replace-index-concurrently")
        for name in cur:
            if name in tgt:
                continue
            ikey = _key(ct.schema_name, name)
            if any(c.index == name for c in tt.constraints):
                continue  # becomes a constraint's index
            if partitioned:
                self.add("contract_indexes", "drop-index", ikey, f"drop index {name}", [f"DROP INDEX {qkey(ikey)}"])
            else:
                self.add("contract_indexes", "drop-index-concurrently", ikey, f"drop index {name} concurrently",
                         [f"DROP INDEX CONCURRENTLY {qkey(ikey)}"], transactional=False, lock=SUE,
                         statement_timeout="0", pattern="drop-index-concurrently")  # fmt: skip

    # ---------------------------------------------------------------- triggers, RLS, policies
    def triggers(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        tq = qkey(key)
        cur = {t.name: t for t in ct.triggers}
        tgt = {t.name: t for t in tt.triggers}
        for name, tg in tgt.items():
            old = cur.get(name)
            obj = f"{key}.{name}"
            if old is None or _trigger_def(old, ct, tt) != _trigger_def(tg, tt, tt):
                stmts = []
                replace = old is not None and self.pg >= 140000
                if old is not None and not replace:
                    stmts.append(f"DROP TRIGGER {qi(name)} ON {tq}")
                stmts.append(trigger_sql(tg.definition, replace))
                self.add("triggers", "create-trigger", obj, f"{'replace' if old else 'create'} trigger {name} on {key}",
                         stmts, lock=SRE,
                         hazards=[self.hazard("trigger-blocks-writes-briefly", f"CREATE TRIGGER takes SHARE ROW "
                                  f"EXCLUSIVE on {key}: writes wait while it is taken.", obj, "info")])  # fmt: skip
            if (old is None and not tg.enabled) or (old is not None and old.enabled != tg.enabled):
                self.add("triggers", "enable-trigger", obj, f"{'enable' if tg.enabled else 'disable'} trigger {name}",
                         [f"ALTER TABLE {tq} {'ENABLE' if tg.enabled else 'DISABLE'} TRIGGER {qi(name)}"], lock=SRE)
        for name in cur:
            if name not in tgt:
                self.add("drop_triggers", "drop-trigger", f"{key}.{name}", f"drop trigger {name} on {key}",
                         [f"DROP TRIGGER {qi(name)} ON {tq}"])  # fmt: skip

    def rls(self, ct: Table, tt: Table) -> None:
        key = tt.qualified
        tq = qkey(key)
        if ct.rls_enabled != tt.rls_enabled:
            hz = []
            if tt.rls_enabled and not tt.policies:
                hz.append(self.hazard("rls-without-policy", f"Row-level security on {key} without a policy hides "
                                      "every row from roles other than the owner.", key, "warning"))  # fmt: skip
            hz.append(self.hazard("authorization-change", f"Who sees which rows of {key} changes.", key, "info"))
            self.add("rls", "row-level-security", key,
                     f"{'enable' if tt.rls_enabled else 'disable'} row-level security on {key}",
                     [f"ALTER TABLE {tq} {'ENABLE' if tt.rls_enabled else 'DISABLE'} ROW LEVEL SECURITY"],
                     hazards=hz)  # fmt: skip
        if ct.rls_forced != tt.rls_forced:
            self.add("rls", "force-row-level-security", key, f"{'force' if tt.rls_forced else 'stop forcing'} "
                     f"row-level security on {key}",
                     [f"ALTER TABLE {tq} {'FORCE' if tt.rls_forced else 'NO FORCE'} ROW LEVEL SECURITY"])  # fmt: skip
        cur = {p.name: p for p in ct.policies}
        tgt = {p.name: p for p in tt.policies}
        for name, p in tgt.items():
            old = cur.get(name)
            obj = f"{key}.{name}"
            hz = [self.hazard("authorization-change", f"Policy {name} changes who may read or write rows of {key}.",
                              obj, "info")]  # fmt: skip
            if old is None:
                self.add("policies", "create-policy", obj, f"create policy {name} on {key}", [_policy_sql(key, p)],
                         hazards=hz)  # fmt: skip
            elif (old.command, old.permissive) != (p.command, p.permissive):
                self.add("policies", "replace-policy", obj, f"replace policy {name} on {key}",
                         [f"DROP POLICY {qi(name)} ON {tq}", _policy_sql(key, p)], hazards=hz)  # fmt: skip
            elif (sorted(old.roles), old.using, old.with_check) != (sorted(p.roles), p.using, p.with_check):
                parts = [f"ALTER POLICY {qi(name)} ON {tq} TO {_roles(p.roles)}"]
                if p.using is not None:
                    parts.append(f"USING ({p.using})")
                if p.with_check is not None:
                    parts.append(f"WITH CHECK ({p.with_check})")
                stmts = [" ".join(parts)]
                if (old.using is not None and p.using is None) or (old.with_check is not None and p.with_check is None):
                    stmts = [f"DROP POLICY {qi(name)} ON {tq}", _policy_sql(key, p)]
                self.add("policies", "alter-policy", obj, f"change policy {name} on {key}", stmts, hazards=hz)
        for name in cur:
            if name not in tgt:
                self.add("drop_policies", "drop-policy", f"{key}.{name}", f"drop policy {name} on {key}",
                         [f"DROP POLICY {qi(name)} ON {tq}"],
                         hazards=[self.hazard("authorization-change", f"Dropping policy {name} changes who may read "
                                  f"or write rows of {key}.", f"{key}.{name}", "info")])  # fmt: skip

    # ---------------------------------------------------------------- views
    def views(self) -> None:
        changed: set[str] = set()
        for key, v in self.tgt_views.items():
            old = self.cur_views.get(key)
            if old is None:
                continue
            if old.materialized != v.materialized or old.definition != v.definition or old.columns != v.columns:
                changed.add(key)
            elif v.materialized and self.cx.populated.get(key) != self.tx.populated.get(key):
                changed.add(key)
        for key, old in self.cur_views.items():
            if any(d in self.altered_tables for d in old.depends_on):
                changed.add(key)
            if any(d in self.table_renames for d in old.depends_on):
                changed.add(key)
        # plain views whose columns are only appended can be replaced in place
        replace_in_place = set()
        for key in list(changed):
            old, new = self.cur_views[key], self.tgt_views.get(key)
            if (new is not None and not old.materialized and not new.materialized
                    and new.columns[: len(old.columns)] == old.columns
                    and not any(d in self.altered_tables for d in old.depends_on)):  # fmt: skip
                replace_in_place.add(key)
        # dependents of dropped/recreated views go too
        recreate = changed - replace_in_place
        grew = True
        while grew:
            grew = False
            for key, v in self.cur_views.items():
                if key not in recreate and any(d in recreate for d in v.depends_on):
                    recreate.add(key)
                    replace_in_place.discard(key)
                    grew = True
        removed = {k for k in self.cur_views if k not in self.tgt_views}
        pre_drop = recreate | (removed & self._views_blocking())
        for key in _topo(self.cur_views, pre_drop, reverse=True):
            v = self.cur_views[key]
            kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
            self.add("pre_drop_views", "drop-view", key, f"drop {kind.lower()} {key}" +
                     (" (recreated later in this phase)" if key in self.tgt_views else ""),
                     [f"DROP {kind} {qkey(key)}"],
                     hazards=[self.hazard("view-unavailable", f"{key} does not exist between this step and its "
                              "re-creation: run the expand phase in a quiet window or keep the steps close.", key,
                              "info")] if key in self.tgt_views else [])  # fmt: skip
        for key in _topo(self.cur_views, removed - pre_drop, reverse=True):
            v = self.cur_views[key]
            kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
            self.add("contract_views", "drop-view", key, f"drop {kind.lower()} {key}", [f"DROP {kind} {qkey(key)}"])
        create = {k for k in self.tgt_views if k not in self.cur_views} | (recreate & set(self.tgt_views))
        for key in _topo(self.tgt_views, create | replace_in_place):
            v = self.tgt_views[key]
            opts = self.tx.reloptions.get(key)
            with_opts = f" WITH ({', '.join(opts)})" if opts else ""
            body = v.definition.rstrip().rstrip(";")
            if v.materialized:
                data = "WITH DATA" if self.tx.populated.get(key, True) else "WITH NO DATA"
                stmts = [f"CREATE MATERIALIZED VIEW {qkey(key)}{with_opts} AS\n{body}\n{data}"]
                hz = [self.hazard("materialized-view-build", f"Building {key} runs its query once in full.", key,
                                  "info")]  # fmt: skip
            else:
                verb = "CREATE OR REPLACE VIEW" if key in replace_in_place else "CREATE VIEW"
                stmts = [f"{verb} {qkey(key)}{with_opts} AS\n{body}"]
                hz = []
            if v.comment:
                stmts.append(f"COMMENT ON {'MATERIALIZED VIEW' if v.materialized else 'VIEW'} {qkey(key)} IS "
                             f"{lit(v.comment)}")  # fmt: skip
            self.add("views", "create-view", key, f"{'replace' if key in replace_in_place else 'create'} "
                     f"{'materialized view' if v.materialized else 'view'} {key}", stmts, lock=None,
                     statement_timeout="0" if v.materialized else "15s", hazards=hz)  # fmt: skip
            self._view_created.add(key)
        for key, v in self.tgt_views.items():
            old = self.cur_views.get(key)
            if old is not None and key not in self._view_created and (old.comment or None) != (v.comment or None):
                kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
                self.add("comments", "comment", key, f"comment on {key}",
                         [f"COMMENT ON {kind} {qkey(key)} IS {lit(v.comment)}"], lock=SUE)  # fmt: skip

    def _views_blocking(self) -> set[str]:
        out = set()
        for key, v in self.cur_views.items():
            if any(d in self.altered_tables or d in self.table_renames for d in v.depends_on):
                out.add(key)
        return out

    def matview_indexes(self) -> None:
        for key, v in self.tgt_views.items():
            if not v.materialized:
                continue
            new = dict(self.tx.matview_indexes.get(key, []))
            old = {} if key in self._view_created else dict(self.cx.matview_indexes.get(key, []))
            for name, df in sorted(new.items()):
                if name in old and index_shape(old[name]) == index_shape(df):
                    continue
                ikey = _key(v.schema_name, name)
                if name in old:
                    self.add("views", "drop-index", ikey, f"drop the changed index {name}",
                             [f"DROP INDEX {qkey(ikey)}"])  # fmt: skip
                fresh = key in self._view_created
                self.add("views", "create-index" if fresh else "create-index-concurrently", ikey,
                         f"create index {name} on materialized view {key}",
                         [index_sql(df, concurrently=not fresh)], transactional=fresh, lock=None if fresh else SUE,
                         statement_timeout="0", pattern=None if fresh else "create-index-concurrently")  # fmt: skip
            for name in sorted(set(old) - set(new)):
                ikey = _key(v.schema_name, name)
                self.add("contract_indexes", "drop-index-concurrently", ikey, f"drop index {name} concurrently",
                         [f"DROP INDEX CONCURRENTLY {qkey(ikey)}"], transactional=False, lock=SUE,
                         pattern="drop-index-concurrently")  # fmt: skip

    # ---------------------------------------------------------------- comments
    def table_comments(self) -> None:
        for key, tt in self.tgt_tables.items():
            ct = self.cur_table_for(key)
            old = ct.comment if ct else None
            if (old or None) != (tt.comment or None):
                self.add("comments", "comment", key, f"comment on table {key}",
                         [f"COMMENT ON TABLE {qkey(key)} IS {lit(tt.comment)}"], lock=SUE)  # fmt: skip
            if ct is None:
                for c in tt.columns:
                    if c.comment:
                        self.add("comments", "comment", f"{key}.{c.name}", f"comment on column {key}.{c.name}",
                                 [f"COMMENT ON COLUMN {qkey(key)}.{qi(c.name)} IS {lit(c.comment)}"], lock=None)

    def other_comments(self) -> None:
        cur, tgt = self.cx.comments, self.tx.comments
        for k in sorted(set(cur) | set(tgt)):
            old, new = cur.get(k), tgt.get(k)
            if old == new:
                continue
            kind, _, name = k.partition(" ")
            if new is None and not self._exists_in_target(kind, name):
                continue  # the object itself goes away
            if kind == "matview_index":
                continue
            target = _comment_target(kind, name)
            if target is None:
                continue
            self.add("comments", "comment", name, f"comment on {kind} {name}", [f"COMMENT ON {target} IS {lit(new)}"],
                     lock=None)  # fmt: skip

    def _exists_in_target(self, kind: str, name: str) -> bool:
        if kind == "function":
            return name in self.tx.function_defs
        if kind == "schema":
            return name in self.tgt.schemas
        if kind in ("index",):
            return any(_key(t.schema_name, i.name) == name for t in self.tgt.tables for i in t.indexes)
        if kind in ("constraint", "trigger", "policy"):
            schema, table, obj = name.split(".", 2)
            t = self.tgt_tables.get(_key(schema, table))
            if t is None:
                return False
            pool = {"constraint": t.constraints, "trigger": t.triggers, "policy": t.policies}[kind]
            return any(x.name == obj for x in pool)
        if kind == "sequence":
            return any(s.qualified == name for s in self.tgt.sequences)
        if kind == "type":
            return any(_key(e.schema_name, e.name) == name for e in self.tgt.enums)
        if kind == "domain":
            return any(_key(d.schema_name, d.name) == name for d in self.tgt.domains)
        return False


_PHASE_NOTES: dict[str, str] = {
    "expand": "Compatible with the running application: additive changes, constraints for new rows, concurrent "
    "index builds, validations that let reads and writes continue.",
    "migrate": "Swaps that switch columns to their new form, each in one short transaction; run after the "
    "backfills have completed.",
    "contract": "After the application no longer uses what is dropped here (deploy first).",
}


def _policy_sql(table_key: str, p: Policy) -> str:
    parts = [f"CREATE POLICY {qi(p.name)} ON {qkey(table_key)} AS {'PERMISSIVE' if p.permissive else 'RESTRICTIVE'}",
             f"FOR {p.command} TO {_roles(p.roles)}"]  # fmt: skip
    if p.using is not None:
        parts.append(f"USING ({p.using})")
    if p.with_check is not None:
        parts.append(f"WITH CHECK ({p.with_check})")
    return " ".join(parts)


def _roles(roles: list[str]) -> str:
    return ", ".join("PUBLIC" if r == "public" else qi(r) for r in sorted(roles)) or "PUBLIC"


def _comment_target(kind: str, name: str) -> str | None:
    if kind == "function":
        return f"FUNCTION {_qualified_signature(name)}"
    if kind == "schema":
        return f"SCHEMA {qi(name)}"
    if kind in ("index", "sequence", "type", "domain"):
        return f"{kind.upper()} {qkey(name)}"
    if kind in ("constraint", "trigger", "policy"):
        schema, table, obj = name.split(".", 2)
        return f"{kind.upper()} {qi(obj)} ON {qn(schema, table)}"
    return None


def _qualified_signature(key: str) -> str:
    head, _, args = key.partition("(")
    return f"{qkey(head)}({args}"


def _signature_head(definition: str) -> str:
    """The RETURNS line of pg_get_functiondef(): what CREATE OR REPLACE cannot change."""
    for line in definition.splitlines():
        if line.strip().startswith("RETURNS"):
            return line.strip()
    return ""


def _is_subsequence(old: list[str], new: list[str]) -> bool:
    it = iter(new)
    return all(any(x == y for y in it) for x in old)


def _type_matches(col_type: str, key: str) -> bool:
    schema, name = key.split(".", 1)
    base = col_type.removesuffix("[]")
    return base in (name, key, qi(name), qkey(key)) and (schema == "public" or "." in base)


def _same_base(a: str, b: str) -> bool:
    return a.split("(")[0].removesuffix("[]") == b.split("(")[0].removesuffix("[]")


def _con_same(old: Constraint, new: Constraint, renames: dict[tuple[str, str], str], table: str) -> bool:
    if old.kind != new.kind:
        return False
    a, b = strip_not_valid(old.definition), strip_not_valid(new.definition)
    if a == b:
        return True
    # a rename of a column the constraint uses changes its text the same way PostgreSQL does
    for (tk, oldc), newc in renames.items():
        if tk == table:
            a = _replace_word(a, oldc, newc)
    return a == b


def _replace_word(text: str, old: str, new: str) -> str:
    import re

    return re.sub(rf"(?<![\w\"]){re.escape(old)}(?![\w\"])", new, text)


def _index_same(old: Index, new: Index, ct: Table, tt: Table, renames: dict[tuple[str, str], str]) -> bool:
    a = index_shape(old.definition).replace(f" ON {ct.qualified} ", f" ON {tt.qualified} ")
    a = a.replace(f" ON ONLY {ct.qualified} ", f" ON ONLY {tt.qualified} ")
    for (tk, oldc), newc in renames.items():
        if tk == tt.qualified:
            a = _replace_word(a, oldc, newc)
    return a == index_shape(new.definition)


def _trigger_def(tg: Trigger, t: Table, target: Table) -> str:
    d = tg.definition.replace(f" ON {t.qualified} ", f" ON {target.qualified} ")
    return d


def _fk_indexed(t: Table, c: Constraint) -> bool:
    return fk_supporting_index(t, c.columns) is not None


def _norm_deps(v: View) -> View:
    """depends_on holds regclass texts, unqualified for relations on the search path: qualify them."""
    deps = [d if "." in d.replace('"."', ".") else f"public.{d}" for d in v.depends_on]
    deps = [d.replace('"', "") for d in deps]
    return v.model_copy(update={"depends_on": deps})


def _topo(views: dict[str, View], keys: set[str], reverse: bool = False) -> list[str]:
    """Order views so that each comes after the views it reads (reverse: dependents first)."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(k: str) -> None:
        if k in seen:
            return
        seen.add(k)
        for d in sorted(views[k].depends_on):
            if d in keys and d in views:
                visit(d)
        out.append(k)

    for k in sorted(keys):
        if k in views:
            visit(k)
    return list(reversed(out)) if reverse else out


def keep_refused(target: SchemaSnapshot, current: SchemaSnapshot, plan: MigrationPlan) -> SchemaSnapshot:
    """The catalog the plan actually reaches: the target plus the tables, columns and extensions it refused
    to drop."""
    if not plan.refused:
        return target
    out = target.model_copy(deep=True)
    for r in plan.refused:
        if r.change == "drop table":
            t = current.table(r.object)
            if t is not None:
                out.tables.append(t.model_copy(deep=True))
        elif r.change == "drop column":
            table_key, _, col = r.object.rpartition(".")
            ct, tt = current.table(table_key), out.table(table_key)
            c = ct.column(col) if ct else None
            if tt is not None and c is not None:
                tt.columns.append(c.model_copy(update={"position": max((x.position for x in tt.columns), default=0) + 1}))
        elif r.change == "drop extension":
            e = next((x for x in current.extensions if x.name == r.object), None)
            if e is not None and all(x.name != e.name for x in out.extensions):
                out.extensions.append(e.model_copy(deep=True))
                if e.schema_name not in out.schemas:
                    out.schemas.append(e.schema_name)
    return out


def plan_migration(
    current: SchemaSnapshot,
    target: SchemaSnapshot,
    *,
    current_extras: CatalogExtras | None = None,
    target_extras: CatalogExtras | None = None,
    renames: dict[str, str] | None = None,
    allow_data_loss: bool = False,
    online: bool = True,
    backfill: dict[str, str] | None = None,
    context: LintContext | None = None,
    using: dict[str, str] | None = None,
) -> MigrationPlan:
    """Plan the steps that turn `current` into `target` (see the module docstring for the patterns).

    renames: {"table.column": "new_column"} or {"schema.table.column": ...}; {"table": "new_table"} or
    {"schema.table": "new_table"} for tables. backfill: {"table.column": "SQL expression"} -- the value
    existing rows get when a column becomes NOT NULL without a default (or is added so).
    context: the lint's catalog facts about the current database, for lock/rewrite predictions.
    using: {"schema.table.column": "rtrim({src})"} -- how an expand/contract backfill converts old values.
    """
    p = _Planner(current, target, current_extras or CatalogExtras(), target_extras or CatalogExtras(),
                 PlanOptions(renames=dict(renames or {}), allow_data_loss=allow_data_loss, online=online,
                             backfill=dict(backfill or {}), context=context, using=dict(using or {})))  # fmt: skip
    p.recreated_enums = set()
    p._enum_defaults = []
    p._swapped = {}
    p._view_created = set()
    return p.plan()
