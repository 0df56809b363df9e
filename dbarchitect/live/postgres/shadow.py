"""A disposable shadow of a database's schema, for dry runs: created, filled with a few rows, dropped.

Where the shadow lives (`resolve_scratch`):
  1. a configured scratch server (a conninfo whose role may CREATE DATABASE there),
  2. a given `LocalCluster` (the embedded/test cluster),
  3. the target's own server, when the target's role may CREATE DATABASE -- the most faithful choice,
     since the shadow then runs on exactly the target's PostgreSQL build and settings.

The schema comes from `pg_dump --schema-only` of the target (read-only: pg_dump runs in a
REPEATABLE READ READ ONLY transaction and takes only ACCESS SHARE locks, with --lock-wait-timeout
so it never queues behind a pending ACCESS EXCLUSIVE request), or from DDL the caller provides.
The shadow database is created from template0 with the target's encoding and locale, is named
`dbarchitect_shadow_<epoch>_<pid>_<random>` and carries an owner record as its comment (host, pid,
creation time), so `drop_stale_shadows` can clean up after a crash or a cancellation without touching
another process's work in progress.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import psycopg
from psycopg import errors as pge
from psycopg import sql as psql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dbarchitect.core.dsn import redact
from dbarchitect.core.sql.statements import SQLParseError, parse
from dbarchitect.live.postgres.cancel import Connection
from dbarchitect.live.postgres.binaries import client_bindirs
from dbarchitect.live.postgres.cluster import LocalCluster, system_bindirs, use_system_postgres
from dbarchitect.live.postgres.errors import DatabaseError

SHADOW_PREFIX = "dbarchitect_shadow_"
_SHADOW_NAME = re.compile(rf"^{SHADOW_PREFIX}(\d+)_(\d+)_[0-9a-f]+$")
_META_COMMAND = re.compile(r"^\\(restrict|unrestrict|connect)\b.*$", re.MULTILINE)


class DryRunUnavailable(DatabaseError):
    """The dry run cannot start: no place for the shadow, no usable pg_dump, ... (the message says what to do)."""


@dataclass
class ScratchHost:
    """A server on which the dry run may create and drop its shadow database."""

    kind: str  # same_server | scratch_server | local_cluster
    conninfo: str  # a maintenance connection (any database) on that server

    def dsn(self, dbname: str) -> str:
        params = conninfo_to_dict(self.conninfo)
        params["dbname"] = dbname
        return make_conninfo(**params)

    @property
    def secrets(self) -> list[str]:
        pw = conninfo_to_dict(self.conninfo).get("password")
        return [pw] if pw else []


async def _can_create_db(conninfo: str) -> bool:
    async with await Connection.connect(conninfo, autocommit=True) as conn:
        cur = await conn.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
        row = await cur.fetchone()
        return bool(row and row[0])


async def resolve_scratch(
    target: str | None, scratch: str | LocalCluster | ScratchHost | None
) -> ScratchHost:
    """Pick where the shadow lives; raises DryRunUnavailable with the remedy when nowhere fits."""
    if isinstance(scratch, ScratchHost):
        return scratch
    if isinstance(scratch, LocalCluster):
        if not scratch.running():
            scratch.start()
        return ScratchHost("local_cluster", scratch.dsn())
    if isinstance(scratch, str):
        host = ScratchHost("scratch_server", scratch)
        try:
            ok = await _can_create_db(scratch)
        except psycopg.Error as exc:
            raise DryRunUnavailable(
                redact(f"Cannot connect to the scratch server for the dry run: {exc}", host.secrets)
            ) from exc
        if not ok:
            raise DryRunUnavailable(
                "The scratch server's role may not CREATE DATABASE; grant CREATEDB to it "
                "(ALTER ROLE ... CREATEDB) or configure another scratch server."
            )
        return host
    if target is None:
        raise DryRunUnavailable(
            "A dry run needs a place for its shadow database: a target connection whose role may CREATE "
            "DATABASE, a scratch server connection, or the embedded local cluster."
        )
    if await _can_create_db(target):
        return ScratchHost("same_server", target)
    raise DryRunUnavailable(
        "The target's role may not CREATE DATABASE, so the shadow cannot live next to the target. Configure a "
        "scratch server (a PostgreSQL of the same major version where the role has CREATEDB), or use the "
        "embedded local cluster."
    )


# --------------------------------------------------------------------------------------------
# Create / drop
# --------------------------------------------------------------------------------------------


def new_shadow_name() -> str:
    return f"{SHADOW_PREFIX}{int(time.time())}_{os.getpid()}_{secrets.token_hex(4)}"


#: shadow databases this process created and has not dropped yet (never swept while in use)
IN_USE: set[str] = set()
HOSTNAME = socket.gethostname()
#: a shadow whose owner cannot be checked (another host, no owner record) is stale after this long
STALE_AFTER_S = 3600.0


def owner_record() -> str:
    """The comment every shadow database carries: who created it, so a sweep can tell a crashed
    process's leftovers (same host, process gone) from another process's work in progress."""
    return json.dumps({"owner": "dbarchitect", "host": HOSTNAME, "pid": os.getpid(), "created": int(time.time())})


async def create_shadow_db(host: ScratchHost, name: str, like: dict[str, str] | None = None) -> None:
    """CREATE DATABASE from template0, with the target's encoding and locale when the server has them,
    and the owner record as its comment. The name is registered as in use before it is created."""
    IN_USE.add(name)
    async with await Connection.connect(host.conninfo, autocommit=True) as conn:
        base = psql.SQL("CREATE DATABASE {} TEMPLATE template0").format(psql.Identifier(name))
        created = False
        if like:
            opts = psql.SQL(" ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
                psql.Literal(like["encoding"]), psql.Literal(like["collate"]), psql.Literal(like["ctype"])
            )
            try:
                await conn.execute(base + opts)
                created = True
            except (pge.InvalidParameterValue, pge.FeatureNotSupported, pge.CharacterNotInRepertoire):
                pass  # the scratch server lacks that locale: fall back to its defaults
        if not created:
            await conn.execute(base)
        comment = psql.SQL("COMMENT ON DATABASE {} IS {}").format(psql.Identifier(name), psql.Literal(owner_record()))
        await conn.execute(comment)


async def drop_shadow_db(host: ScratchHost, name: str) -> bool:
    """DROP DATABASE ... WITH (FORCE): ends any session still inside (a cancelled statement, a gate)."""
    if not name.startswith(SHADOW_PREFIX):
        raise ValueError(f"refusing to drop {name!r}: not a shadow database")
    try:
        async with await Connection.connect(host.conninfo, autocommit=True, connect_timeout=10) as conn:
            await conn.execute(psql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psql.Identifier(name)))
            cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return await cur.fetchone() is None
    finally:
        IN_USE.discard(name)  # dropped, or left for the next sweep


async def list_shadows(conninfo: str) -> list[str]:
    async with await Connection.connect(conninfo, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1", (SHADOW_PREFIX + "%",)
        )
        return [r[0] for r in await cur.fetchall()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def is_stale(name: str, comment: str | None, *, older_than_s: float = STALE_AFTER_S, now: float | None = None) -> bool:
    """Whether shadow `name` (with its owner record `comment`) is garbage: not in use by this process,
    and either created by a process of this host that is gone (or by this process, which no longer uses
    it), or older than `older_than_s` when its owner cannot be checked (another host, no record)."""
    m = _SHADOW_NAME.match(name)
    if m is None or name in IN_USE:
        return False
    try:
        owner = json.loads(comment) if comment else {}
    except ValueError:
        owner = {}
    if not isinstance(owner, dict):
        owner = {}
    created = int(owner.get("created") or m.group(1))
    pid = int(owner.get("pid") or m.group(2))
    if owner.get("host") == HOSTNAME:
        if pid == os.getpid() or not _alive(pid):
            return True
    return (now or time.time()) - created > older_than_s


async def drop_stale_shadows(conninfo: str, older_than_s: float = STALE_AFTER_S) -> list[str]:
    """Drop the shadow databases on this server left by crashed or cancelled work (see `is_stale`)."""
    host = ScratchHost("scratch_server", conninfo)
    async with await Connection.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        cur = await conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE %s",
            (SHADOW_PREFIX + "%",),
        )
        rows = await cur.fetchall()
    dropped = []
    for name, comment in sorted(rows):
        if is_stale(name, comment, older_than_s=older_than_s):
            with anyio.CancelScope(shield=True), anyio.move_on_after(60):
                if await drop_shadow_db(host, name):
                    dropped.append(name)
    return dropped


# --------------------------------------------------------------------------------------------
# Schema: pg_dump, restore
# --------------------------------------------------------------------------------------------


def find_pg_dump(server_major: int) -> Path:
    """A pg_dump at least as new as the server (older ones refuse to dump newer servers)."""
    candidates: list[Path] = []
    if env := os.environ.get("DBARCHITECT_PG_BINDIR"):
        candidates.append(Path(env) / "pg_dump")
    for d in sorted(system_bindirs(), key=lambda p: _major_of_dir(p)):
        if _major_of_dir(d) >= server_major:
            candidates.append(d / "pg_dump")
    if use_system_postgres() and (found := shutil.which("pg_dump")):
        candidates.append(Path(found))
    candidates += [d / "pg_dump" for d in client_bindirs()]  # the PyPI wheel's (18): dumps 13-18
    for c in candidates:
        if c.exists() and _pg_dump_major(c) >= server_major:
            return c
    raise DryRunUnavailable(
        f"No pg_dump of version {server_major} or newer was found to copy the target's schema. Install the "
        f"PostgreSQL {server_major} client (Debian: apt-get install postgresql-client-{server_major}), set "
        "DBARCHITECT_PG_BINDIR, or pass the schema as DDL."
    )


def _major_of_dir(p: Path) -> int:
    try:
        return int(p.parent.name)
    except ValueError:
        return 0


def _pg_dump_major(path: Path) -> int:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    m = re.search(r"\)\s+(\d+)", out) or re.search(r"(\d+)", out)
    return int(m.group(1)) if m else 0


async def dump_schema(target: str, server_major: int, timeout_s: float = 120) -> str:
    """`pg_dump --schema-only` of the target: no data, no owners, no subscriptions (they would connect out).

    The password travels in PGPASSWORD, never on the command line.
    """
    pg_dump = find_pg_dump(server_major)
    params = conninfo_to_dict(target)
    password = params.pop("password", None)
    env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "PGOPTIONS")}
    if password:
        env["PGPASSWORD"] = password
    args = [
        str(pg_dump), "--schema-only", "--no-owner", "--no-subscriptions", "--no-publications",
        "--no-tablespaces", "--no-security-labels", "--lock-wait-timeout=5000",
        f"--dbname={make_conninfo(**params)}",
    ]  # fmt: skip
    try:
        with anyio.fail_after(timeout_s):
            proc = await anyio.run_process(args, env=env, check=False)
    except TimeoutError as exc:
        raise DryRunUnavailable(f"pg_dump of the target's schema took longer than {timeout_s:g} s.") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        hint = ""
        if "permission denied" in err:
            hint = (" pg_dump locks every table IN ACCESS SHARE MODE, which needs SELECT on it: grant SELECT to "
                    "this role, or pass the schema as DDL.")
        elif "lock" in err and "timeout" in err:
            hint = " A table was locked by another session (a pending ALTER?); try again when it is free."
        raise DryRunUnavailable(
            redact(f"pg_dump could not read the target's schema: {err[-800:]}{hint}", [password] if password else [])
        )
    return _META_COMMAND.sub("", proc.stdout.decode())


async def restore_schema(conninfo: str, ddl: str) -> list[str]:
    """Run DDL in the shadow: in one go when it all works, else statement by statement (savepoints),
    returning what the scratch server rejected (a missing extension, a role that exists only on the
    target's server, ...)."""
    async with await Connection.connect(conninfo, autocommit=True) as conn:
        try:
            async with conn.transaction():
                await conn.execute(ddl)
            return []
        except psycopg.Error:
            pass
        try:
            statements = [st.sql for st in parse(ddl)]
        except SQLParseError as exc:
            raise DryRunUnavailable(f"The schema DDL does not parse: {exc.pglast_text()}") from exc
        skipped: list[str] = []
        await conn.execute("RESET ALL")
        async with conn.transaction():
            for stmt in statements:
                try:
                    async with conn.transaction():
                        await conn.execute(stmt)
                except psycopg.Error as exc:
                    first = next((ln for ln in stmt.splitlines() if ln.strip() and not ln.startswith("--")), stmt)
                    msg = (exc.diag.message_primary or str(exc)).strip()
                    skipped.append(f"{first.strip()[:120]} -- {msg}")
        return skipped


async def neutralize_foreign_servers(conn: psycopg.AsyncConnection) -> int:
    """Drop every user mapping in the shadow: a foreign table there must never reach the real remote."""
    cur = await conn.execute("SELECT srvname, usename FROM pg_user_mappings")
    rows = await cur.fetchall()
    for srv, user in rows:
        who = psql.SQL("PUBLIC") if user == "public" else psql.Identifier(user)
        await conn.execute(
            psql.SQL("DROP USER MAPPING IF EXISTS FOR {} SERVER {}").format(who, psql.Identifier(srv))
        )
    return len(rows)


# --------------------------------------------------------------------------------------------
# Synthetic rows
# --------------------------------------------------------------------------------------------

_COLUMNS_SQL = """
SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname,
       a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, a.attidentity,
       a.attgenerated, coalesce(bt.typcategory, t.typcategory), coalesce(bt.typtype, t.typtype),
       coalesce(bt.typname, t.typname), coalesce(bt.oid, t.oid), t.typtype = 'd'
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype = 'e')
ORDER BY c.oid, a.attnum
"""

_FKS_SQL = """
SELECT con.conrelid, con.conname, con.confrelid,
       quote_ident(rn.nspname) || '.' || quote_ident(r.relname),
       (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n),
       (SELECT array_agg(quote_ident(a.attname) ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)
FROM pg_constraint con
JOIN pg_class r ON r.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE con.contype = 'f'
"""

_CHECK_LITERALS_SQL = """
SELECT con.conrelid, con.conname, pg_get_constraintdef(con.oid),
       (SELECT array_agg(a.attname) FROM pg_attribute a WHERE a.attrelid = con.conrelid
          AND a.attnum = ANY (con.conkey))
FROM pg_constraint con WHERE con.contype IN ('c', 'u', 'p', 'x') AND con.conrelid <> 0
"""

_DOMAIN_CHECKS_SQL = """
SELECT t.oid, pg_get_constraintdef(con.oid) FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid
WHERE con.contype = 'c'
"""

_PARTITION_SQL = """
WITH RECURSIVE up(leaf, rel) AS (
  SELECT c.oid, c.oid FROM pg_class c WHERE c.relispartition AND c.relkind = 'r'
  UNION ALL
  SELECT up.leaf, i.inhparent FROM up JOIN pg_inherits i ON i.inhrelid = up.rel
  JOIN pg_class p ON p.oid = i.inhrelid WHERE p.relispartition
)
SELECT up.leaf, up.rel = up.leaf, i.inhparent, pg_get_expr(c.relpartbound, c.oid),
       (SELECT array_agg(a.attname) FROM pg_partitioned_table pt, unnest(pt.partattrs) k(n)
          JOIN pg_attribute a ON a.attnum = k.n WHERE pt.partrelid = i.inhparent AND a.attrelid = i.inhparent)
FROM up JOIN pg_class c ON c.oid = up.rel JOIN pg_inherits i ON i.inhrelid = up.rel
WHERE c.relispartition
"""

_HASH_BOUND = re.compile(r"FOR VALUES WITH \(modulus (\d+), remainder (\d+)\)", re.IGNORECASE)
_STRING_POOL = ("'A'", "'AAA'", "'abc'", "'a@example.com'", "'x-1'")


async def _hash_partition_values(
    conn: psycopg.AsyncConnection, parent: int, modulus: int, remainder: int, typ: str
) -> list[str]:
    """Values of the key type that hash into this partition (PostgreSQL's own satisfies_hash_partition)."""
    try:
        async with conn.transaction():
            rows = await (await conn.execute(
                f"SELECT g::text FROM generate_series(1, 5000) g "
                f"WHERE satisfies_hash_partition(%s::oid, %s, %s, (g::text)::{typ}) LIMIT 8",
                (parent, modulus, remainder),
            )).fetchall()  # fmt: skip
    except psycopg.Error:
        return []
    return [f"'{r[0]}'" for r in rows]


_LITERAL = re.compile(r"'((?:[^']|'')*)'|(?<![\w.$])(-?\d+(?:\.\d+)?)(?![\w.])")


def _literals(text: str) -> list[str]:
    """SQL literals appearing in a constraint or partition bound, as SQL text ready to cast."""
    out = []
    for s, num in _LITERAL.findall(text or ""):
        lit = num if num else "'" + s + "'"
        if lit not in out:
            out.append(lit)
    return out


@dataclass
class _Col:
    name: str
    type: str
    not_null: bool
    has_default: bool
    identity: str
    generated: str
    category: str
    typtype: str
    typname: str
    base_oid: int
    domain: bool
    candidates: list[str] = field(default_factory=list)


@dataclass
class _Table:
    oid: int
    ident: str
    name: str
    cols: list[_Col] = field(default_factory=list)
    fks: list[tuple[str, int, str, list[str], list[str]]] = field(default_factory=list)
    constraint_cols: dict[str, list[str]] = field(default_factory=dict)
    partition_keys: set[str] = field(default_factory=set)


def _value_sql(col: _Col, i: int) -> str:
    """A value for row i of a column of this type, as SQL text."""
    c, name = col.category, col.typname
    if c == "A":
        return "'{}'"
    if c == "N" and name not in ("oid", "regclass", "regtype", "regproc", "regprocedure", "regoper"):
        return str(i)
    if c == "S":
        return f"'{i}'"
    if c == "B":
        return "true" if i % 2 else "false"
    if c == "D":
        if name in ("time", "timetz"):
            return f"'00:{i % 60:02d}:00'"
        return f"'2024-01-{(i - 1) % 28 + 1:02d} 12:00:00'"
    if c == "T":
        return f"'{i} days'"
    if c == "I":
        return f"'10.0.{i // 250}.{i % 250 + 1}'"
    if c == "V":
        return "'1'"
    if c == "R":
        return "'empty'"
    if name == "uuid":
        return f"md5('{i}')::uuid"
    if name in ("json", "jsonb"):
        return "'{}'"
    if name == "bytea":
        return f"'\\x{i:02x}'"
    if name in ("tsvector", "tsquery"):
        return "'a'"
    if name == "xml":
        return "'<a/>'"
    if name in ("macaddr", "macaddr8"):
        return f"'08:00:2b:01:02:{i % 256:02x}'" if name == "macaddr" else f"'08:00:2b:01:02:03:04:{i % 256:02x}'"
    if name == "point":
        return f"'({i},{i})'"
    return "NULL"


async def _enum_labels(conn: psycopg.AsyncConnection) -> dict[int, list[str]]:
    cur = await conn.execute("SELECT enumtypid, array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum GROUP BY 1")
    return {r[0]: r[1] for r in await cur.fetchall()}


async def _load_tables(conn: psycopg.AsyncConnection) -> tuple[dict[int, _Table], dict[int, list[str]]]:
    tables: dict[int, _Table] = {}
    for row in await (await conn.execute(_COLUMNS_SQL)).fetchall():
        oid, ident, name, *c = row
        t = tables.setdefault(oid, _Table(oid, ident, name))
        t.cols.append(_Col(*c))
    for conrelid, conname, confrelid, ref_ident, cols, ref_cols in await (await conn.execute(_FKS_SQL)).fetchall():
        if conrelid in tables:
            tables[conrelid].fks.append((conname, confrelid, ref_ident, list(cols), list(ref_cols)))
            tables[conrelid].constraint_cols[conname] = list(cols)
    checks: dict[int, list[str]] = {}
    for conrelid, conname, definition, cols in await (await conn.execute(_CHECK_LITERALS_SQL)).fetchall():
        if conrelid in tables:
            tables[conrelid].constraint_cols[conname] = list(cols or [])
            for col in cols or []:
                checks.setdefault(conrelid, []).append(f"{col}\x00{definition}")
    domain_checks: dict[int, list[str]] = {}
    for typ, definition in await (await conn.execute(_DOMAIN_CHECKS_SQL)).fetchall():
        domain_checks.setdefault(typ, []).extend(_literals(definition))
    bounds: dict[int, list[str]] = {}
    for leaf, direct, parent, bound, keys in await (await conn.execute(_PARTITION_SQL)).fetchall():
        if leaf in tables:
            tables[leaf].partition_keys.update(keys or [])
            hashed = _HASH_BOUND.search(bound or "")
            if direct and hashed and keys and len(keys) == 1:
                key = next((c for c in tables[leaf].cols if c.name == keys[0]), None)
                if key is not None:
                    bounds.setdefault(leaf, []).extend(
                        await _hash_partition_values(conn, parent, int(hashed[1]), int(hashed[2]), key.type)
                    )
            bounds.setdefault(leaf, []).extend(_literals(bound))
    enums = await _enum_labels(conn)
    type_oid_of_domain: dict[str, int] = {}
    cur = await conn.execute("SELECT format_type(oid, NULL), oid FROM pg_type WHERE typtype = 'd'")
    for tname, toid in await cur.fetchall():
        type_oid_of_domain[tname] = toid
    for t in tables.values():
        for col in t.cols:
            lits: list[str] = []
            for entry in checks.get(t.oid, []):
                cname, _, definition = entry.partition("\x00")
                if cname == col.name:
                    lits.extend(x for x in _literals(definition) if x not in lits)
            if col.domain:
                dom_oid = type_oid_of_domain.get(col.type.split("(")[0])
                lits.extend(domain_checks.get(dom_oid, []))
            if col.name in t.partition_keys:
                lits.extend(bounds.get(t.oid, []))
            col.candidates = lits
    return tables, enums


def _order(tables: dict[int, _Table], children: dict[int, list[int]]) -> list[_Table]:
    """Referenced tables first (a partitioned parent counts through its partitions); cycles broken as found."""
    done: set[int] = set()
    visiting: set[int] = set()
    out: list[_Table] = []

    def leaves(oid: int) -> list[int]:
        kids = children.get(oid)
        return [leaf for k in kids for leaf in leaves(k)] if kids else [oid]

    def visit(oid: int) -> None:
        if oid in done or oid in visiting or oid not in tables:
            return
        visiting.add(oid)
        for _name, ref, *_ in tables[oid].fks:
            for dep in leaves(ref):
                visit(dep)
        visiting.discard(oid)
        done.add(oid)
        out.append(tables[oid])

    for oid in sorted(tables):
        visit(oid)
    return out


async def seed_rows(
    conn: psycopg.AsyncConnection, rows_per_table: int = 3, null_columns: Iterable[str] = ()
) -> tuple[int, list[str]]:
    """Insert a few synthetic rows per table that satisfy NOT NULL, CHECK, UNIQUE and foreign keys.

    Per column the candidates are: the column default (when it has one and is no key), a value of
    its type for the row number, then the literals found in its CHECK constraints, domain checks and
    partition bounds, then NULL when nullable. A row that violates a named constraint advances the
    candidates of that constraint's columns and is retried (savepoint per try, a few tries per row).
    Foreign-key columns take the key values of rows already in the referenced table. Foreign tables
    are never written (they live on another server). Columns named in `null_columns`
    (`schema.table.column`, from the target's pg_stats.null_frac) get NULL in the last row, so that a
    SET NOT NULL or a validation fails on the shadow where it would fail on the target.
    Returns (rows inserted, tables left empty).
    """
    nulls = set(null_columns)
    tables, enums = await _load_tables(conn)
    partition_parents: dict[int, list[int]] = {}
    cur = await conn.execute(
        "SELECT i.inhparent, i.inhrelid FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relispartition"
    )
    for parent, child in await cur.fetchall():
        partition_parents.setdefault(parent, []).append(child)
    total = 0
    unseeded: list[str] = []
    async with conn.transaction():
        for t in _order(tables, partition_parents):
            n = await _seed_table(conn, t, rows_per_table, enums, nulls)
            total += n
            if n == 0 and rows_per_table > 0:
                unseeded.append(t.name)
    return total, unseeded


async def _fk_tuples(conn: psycopg.AsyncConnection, ref_ident: str, ref_cols: list[str]) -> list[tuple]:
    q = f"SELECT {', '.join(ref_cols)} FROM {ref_ident} WHERE {' AND '.join(c + ' IS NOT NULL' for c in ref_cols)} LIMIT 50"
    try:
        async with conn.transaction():
            return [tuple(r) for r in await (await conn.execute(q)).fetchall()]
    except psycopg.Error:
        return []


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


async def _seed_table(
    conn: psycopg.AsyncConnection, t: _Table, n: int, enums: dict[int, list[str]], nulls: set[str]
) -> int:
    cols = [c for c in t.cols if not c.generated]
    if not cols:
        done = 0
        for _ in range(n):
            try:
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {t.ident} DEFAULT VALUES")
                done += 1
            except psycopg.Error:
                break
        return done
    fk_values: dict[str, list[str]] = {}
    fk_cols: set[str] = set()
    for _name, _ref, ref_ident, fcols, rcols in t.fks:
        tuples = await _fk_tuples(conn, ref_ident, rcols)
        fk_cols.update(fcols)
        for pos, fc in enumerate(fcols):
            fk_values.setdefault(fc, [])
            fk_values[fc] = [_literal(tp[pos]) for tp in tuples]
    key_cols = {c for cols_ in t.constraint_cols.values() for c in cols_}
    rows: list[dict[str, list[str]]] = []
    for i in range(1, n + 1):
        cands: dict[str, list[str]] = {}
        for pos, c in enumerate(cols):
            typed = f"::{c.type}"
            options: list[str] = []
            if c.identity == "a":
                options = ["DEFAULT"]
            elif c.name in fk_values:
                vals = fk_values[c.name]
                options = [vals[(i - 1) % len(vals)] + typed] if vals else []
                if not c.not_null:
                    options.append("NULL")
            else:
                if c.has_default and (c.name not in key_cols or c.identity):
                    options.append("DEFAULT")
                v = "NULL"
                if c.typtype == "e":
                    labels = enums.get(c.base_oid, [])
                    options += [_literal(labels[(i - 1 + k) % len(labels)]) + typed for k in range(len(labels))]
                else:
                    v = _value_sql(c, i)
                    if v != "NULL":
                        options.append(f"({v}){typed}")
                if c.name in t.partition_keys:  # bound values (hash: values PostgreSQL routes here) first
                    options[-1:-1] = [f"({lit}){typed}" for lit in c.candidates]
                else:
                    options += [f"({lit}){typed}" for lit in c.candidates]
                if c.category == "N" and v != "NULL":  # a different order per column, for CHECK (lo < hi)
                    options += [f"({i + 1000 * (pos + 1)}){typed}", f"({i + 1000 * (60 - pos)}){typed}"]
                if c.category == "S":
                    options += [f"({lit}){typed}" for lit in _STRING_POOL]
                if c.name in t.partition_keys:
                    options += [f"({_value_sql(c, i + 7 * k)}){typed}" for k in range(1, 8)]
                if c.has_default and "DEFAULT" not in options:
                    options.append("DEFAULT")
                if not c.not_null:
                    options.append("NULL")
            if not options:
                options = ["NULL"]
            if i == n and f"{t.name}.{c.name}" in nulls and "NULL" in options:
                options.remove("NULL")
                options.insert(0, "NULL")
            cands[c.name] = options
        rows.append(cands)
    names = ", ".join(psql.Identifier(c.name).as_string(conn) for c in cols)
    if rows:  # fast path: every row's first choice in one statement
        values = ", ".join("(" + ", ".join(r[c.name][0] for c in cols) + ")" for r in rows)
        try:
            async with conn.transaction():
                await conn.execute(f"INSERT INTO {t.ident} ({names}) VALUES {values}")
            return len(rows)
        except psycopg.Error:
            pass
    inserted = 0
    for cands in rows:
        pick = {c.name: 0 for c in cols}
        for _attempt in range(24):
            values = ", ".join(cands[c.name][pick[c.name]] for c in cols)
            try:
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {t.ident} ({names}) VALUES ({values})")
                inserted += 1
                break
            except psycopg.Error as exc:
                blamed = _blamed_columns(exc, t)
                advanced = False
                for col in blamed:
                    if col in pick and pick[col] + 1 < len(cands[col]):
                        pick[col] += 1
                        advanced = True
                if not advanced:
                    break
    return inserted


def _blamed_columns(exc: psycopg.Error, t: _Table) -> list[str]:
    """Which columns a failed insert's error points at: the constraint's columns, the NOT NULL column,
    the partition key; for a type error, every column not yet at NULL/DEFAULT."""
    diag = exc.diag
    if diag.constraint_name and diag.constraint_name in t.constraint_cols:
        return t.constraint_cols[diag.constraint_name]
    if diag.column_name:
        return [diag.column_name]
    if isinstance(exc, pge.CheckViolation) and t.partition_keys:
        return sorted(t.partition_keys)
    if diag.constraint_name:  # a domain's constraint: blame the columns of domain type
        return [c.name for c in t.cols if c.domain]
    if (diag.sqlstate or "").startswith("22"):
        return [c.name for c in t.cols]
    return []


async def refresh_matviews(conn: psycopg.AsyncConnection, only: Iterable[str] | None = None) -> list[str]:
    """Populate materialized views (dependencies first, by retrying until no progress)."""
    cur = await conn.execute(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname || '.' || c.relname "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' ORDER BY c.oid"
    )
    wanted = set(only) if only is not None else None
    pending = [(ident, name) for ident, name in await cur.fetchall() if wanted is None or name in wanted]
    failed: list[str] = []
    while pending:
        failed = []
        progress = False
        for ident, name in pending:
            try:
                async with conn.transaction():
                    await conn.execute(f"REFRESH MATERIALIZED VIEW {ident}")
                progress = True
            except psycopg.Error:
                failed.append((ident, name))
        if not progress:
            break
        pending = failed
    return [name for _ident, name in failed]
