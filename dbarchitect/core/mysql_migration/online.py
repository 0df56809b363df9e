"""InnoDB online DDL: which algorithm and lock the server uses for each ALTER TABLE operation.

Sources: MySQL 8.0 Reference Manual, 17.12.1 "Online DDL Operations" (the column, index, foreign key,
table and tablespace tables), and MariaDB's "InnoDB Online DDL Operations with ALGORITHM=INSTANT /
NOCOPY / INPLACE" pages; the MariaDB rows are checked against the installed server by
tests/live/mysql/test_online_ddl_truth.py (each case run with ALGORITHM=INSTANT, NOCOPY, INPLACE and
LOCK=NONE, SHARED to see which the server accepts).

Vocabulary: `algorithm` is INSTANT (metadata only), INPLACE (no table copy; `rebuild` says whether the
clustered index is rebuilt in place) or COPY (a new table is filled row by row). MariaDB's ALGORITHM=NOCOPY
is INPLACE without a rebuild. `lock` is the weakest LOCK= the server accepts for the operation, which is
what it takes by default: NONE (reads and writes continue), SHARED (reads continue, writes wait),
EXCLUSIVE (everything waits). Every ALTER also takes a short exclusive metadata lock at its start and end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALGORITHMS = ("INSTANT", "INPLACE", "COPY")
LOCKS = ("NONE", "SHARED", "EXCLUSIVE")
LOCK_RANK = {k: i for i, k in enumerate(LOCKS)}
# what a written ALGORITHM= accepts at most: MariaDB reads it as "the least efficient algorithm I accept"
CLAUSE_RANK = {"INSTANT": 0, "NOCOPY": 1, "INPLACE": 2, "COPY": 3, "DEFAULT": 3}

#: bytes per character of the common character sets (the maximum, which sizes VARCHAR length bytes)
CHARSET_BYTES = {
    "latin1": 1, "ascii": 1, "binary": 1, "latin2": 1, "cp1250": 1, "cp1251": 1, "cp1256": 1, "cp1257": 1,
    "greek": 1, "hebrew": 1, "koi8r": 1, "koi8u": 1, "swe7": 1, "tis620": 1, "dec8": 1, "hp8": 1, "cp850": 1,
    "ucs2": 2, "gbk": 2, "big5": 2, "sjis": 2, "cp932": 2, "euckr": 2, "gb2312": 2,
    "utf8": 3, "utf8mb3": 3, "ujis": 3, "eucjpms": 3,
    "utf8mb4": 4, "utf16": 4, "utf16le": 4, "utf32": 4, "gb18030": 4,
}  # fmt: skip


@dataclass(frozen=True)
class Server:
    """The target server: flavour and version decide the online-DDL table."""

    flavor: str  # "MySQL" | "MariaDB"
    version: tuple[int, int, int]

    @classmethod
    def parse(cls, text: str) -> Server:
        """'MariaDB 10.11.6', '10.11.19-MariaDB-0+deb12u1', 'mysql 8.0.36', '8.0.36' (MySQL)."""
        low = text.lower()
        m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", low)
        if not m:
            raise ValueError(f"no version in {text!r}")
        version = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
        return cls("MariaDB" if "maria" in low else "MySQL", version)

    @property
    def mariadb(self) -> bool:
        return self.flavor == "MariaDB"

    def at_least(self, *v: int) -> bool:
        return self.version >= tuple(v) + (0,) * (3 - len(v))

    @property
    def label(self) -> str:
        return f"{self.flavor} {'.'.join(map(str, self.version))}"

    @property
    def online_copy(self) -> bool:
        """MariaDB 11.2+ runs ALGORITHM=COPY with LOCK=NONE (MDEV-16329: concurrent DML is replayed)."""
        return self.mariadb and self.at_least(11, 2)


DEFAULT_SERVER = Server("MySQL", (8, 0, 36))


@dataclass
class Online:
    """How the server performs one operation (or a whole statement)."""

    algorithm: str  # INSTANT | INPLACE | COPY
    lock: str = "NONE"
    rebuild: bool = False
    why: str = ""
    #: the operation's form when the statement also holds a non-instant operation (INSTANT ones only)
    fallback: Online | None = None
    cause: str = ""  # the operation kind that decided the statement's algorithm (combine())
    assumed: bool = False  # decided without the facts (offline: the column's current type unknown)

    @property
    def clause_rank(self) -> int:
        if self.algorithm == "INSTANT":
            return 0
        if self.algorithm == "INPLACE":
            return 2 if self.rebuild else 1
        return 3

    def clause(self, server: Server) -> str:
        """The ALGORITHM=…, LOCK=… clause that pins this behaviour (the server refuses anything worse)."""
        alg = self.algorithm
        if alg == "INPLACE" and not self.rebuild and server.mariadb:
            alg = "NOCOPY"
        return f"ALGORITHM={alg}, LOCK={self.lock}"

    @property
    def words(self) -> str:
        what = {"INSTANT": "instant (metadata only)", "COPY": "a table copy"}.get(
            self.algorithm, "in place, rebuilding the table" if self.rebuild else "in place, without a rebuild"
        )
        lock = {"NONE": "reads and writes continue", "SHARED": "writes wait, reads continue",
                "EXCLUSIVE": "reads and writes wait"}[self.lock]  # fmt: skip
        return f"{what}; {lock}"


def instant(why: str, fallback: Online | None = None, lock: str = "NONE") -> Online:
    return Online("INSTANT", lock, False, why, fallback=fallback)


def inplace(why: str, *, rebuild: bool, lock: str = "NONE") -> Online:
    return Online("INPLACE", lock, rebuild, why)


def copy(server: Server, why: str) -> Online:
    return Online("COPY", "NONE" if server.online_copy else "SHARED", True, why)


def combine(parts: list[tuple[str, Online]]) -> Online | None:
    """One statement's behaviour from its operations': INSTANT only when every one is; otherwise every
    instant operation takes its in-place form, and the worst algorithm, any rebuild and the strongest
    lock win (MySQL: "a statement cannot combine the addition of a column with other ALTER TABLE
    actions that do not support the INSTANT algorithm"; MariaDB behaves the same, observed)."""
    if not parts:
        return None
    if all(o.algorithm == "INSTANT" for _, o in parts):
        kind, worst = max(parts, key=lambda p: LOCK_RANK[p[1].lock])
        return Online("INSTANT", worst.lock, False, "; ".join(o.why for _, o in parts), cause=kind)
    forms = [(k, o.fallback or o if o.algorithm == "INSTANT" else o) for k, o in parts]
    kind, decisive = max(forms, key=lambda p: (p[1].clause_rank, p[1].rebuild, LOCK_RANK[p[1].lock]))
    return Online(
        decisive.algorithm,
        max((o.lock for _, o in forms), key=LOCK_RANK.__getitem__),
        any(o.rebuild for _, o in forms),
        "; ".join(dict.fromkeys(o.why for _, o in forms)),
        cause=kind,
        assumed=decisive.assumed,
    )


# ----------------------------------------------------------------------------------------------
# Types
# ----------------------------------------------------------------------------------------------

_INT_BYTES = {"tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8}


@dataclass
class ColType:
    """A column type as written or as information_schema.COLUMN_TYPE says it (normalised)."""

    base: str  # varchar, int, enum, decimal, text, ...
    args: list[str] = field(default_factory=list)
    unsigned: bool = False
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> ColType:
        t = " ".join(text.lower().replace("`", "").split())
        m = re.match(r"([a-z ]+?)\s*(?:\((.*)\))?\s*((?:unsigned|signed|zerofill|\s)*)$", t)
        if not m:
            return cls(t, [], False, t)
        base = m.group(1).strip()
        base = {"integer": "int", "character varying": "varchar", "character": "char", "bool": "tinyint",
                "boolean": "tinyint", "dec": "decimal", "numeric": "decimal"}.get(base, base)  # fmt: skip
        args = [a.strip() for a in _split_args(m.group(2) or "")]
        if base in _INT_BYTES:
            args = []  # display width means nothing for storage
        unsigned = "unsigned" in (m.group(3) or "")
        norm = base + (f"({','.join(args)})" if args else "") + (" unsigned" if unsigned else "")
        return cls(base, args, unsigned, norm)

    @property
    def length(self) -> int | None:
        if self.base in ("varchar", "char", "varbinary", "binary") and self.args and self.args[0].isdigit():
            return int(self.args[0])
        return None

    @property
    def members(self) -> list[str]:
        return [a.strip() for a in self.args] if self.base in ("enum", "set") else []


def _split_args(s: str) -> list[str]:
    out, buf, quote = [], "", False
    for ch in s:
        if ch == "'":
            quote = not quote
        if ch == "," and not quote:
            out.append(buf)
            buf = ""
        else:
            buf += ch
    if buf.strip():
        out.append(buf)
    return out


def charset_bytes(charset: str | None) -> int | None:
    return CHARSET_BYTES.get((charset or "").lower()) if charset else None


def _set_bytes(n: int) -> int:
    return 8 if n > 32 else (n + 7) // 8 if n <= 24 else 4


def type_change(server: Server, old: ColType, new: ColType, old_cs: str | None, new_cs: str | None) -> tuple[Online, str]:
    """(behaviour, kind) of changing a column's type (same name): kind is one of varchar_extend,
    enum_append, set_append, charset, narrowing, type."""
    if old.text == new.text and (old_cs or "").lower() == (new_cs or "").lower():
        return instant("no type change"), "same"
    if old.base == new.base and old.base in ("varchar", "varbinary") and old.length and new.length:
        bpc = 1 if old.base == "varbinary" else charset_bytes(old_cs)
        if (old_cs or "").lower() != (new_cs or "").lower() and old.base == "varchar":
            return _charset_change(server, old, new, old_cs, new_cs)
        if new.length < old.length:
            return copy(server, f"shortening {old.text} to {new.text} copies the table"), "narrowing"
        if bpc is None:
            return copy(server, f"extending {old.text} in an unknown character set: assumed to copy"), "type"
        ob, nb = old.length * bpc, new.length * bpc
        crosses = ob <= 255 < nb
        if server.mariadb and server.at_least(10, 4):
            if not crosses or ob <= 127:
                return instant(f"extending {old.text} to {new.text} ({ob} to {nb} bytes) is instant"), "varchar_extend"
            return copy(server, f"extending {old.text} to {new.text} crosses 255 bytes ({ob} to {nb}): the length "
                        "prefix grows from 1 to 2 bytes, so the table is copied"), "varchar_extend"  # fmt: skip
        if not crosses:
            return inplace(f"extending {old.text} to {new.text} ({ob} to {nb} bytes) keeps the length prefix: in place, "
                           "metadata only", rebuild=False), "varchar_extend"  # fmt: skip
        return copy(server, f"extending {old.text} to {new.text} crosses 255 bytes ({ob} to {nb}): the length prefix grows "
                    "from 1 to 2 bytes, so the table is copied"), "varchar_extend"  # fmt: skip
    if old.base == new.base and old.base in ("enum", "set"):
        o, n = old.members, new.members
        if len(n) > len(o) and n[: len(o)] == o:
            same_storage = (len(o) <= 255) == (len(n) <= 255) if old.base == "enum" else _set_bytes(len(o)) == _set_bytes(len(n))
            if same_storage:
                return (instant(f"appending {old.base.upper()} members at the end is instant")
                        if server.mariadb or server.at_least(8, 0) else
                        inplace(f"appending {old.base.upper()} members at the end is metadata only", rebuild=False)), f"{old.base}_append"  # fmt: skip
            return copy(server, f"appending {old.base.upper()} members changes the storage size: the table is copied"), "type"
        if set(n) >= set(o):
            return copy(server, f"reordering or inserting {old.base.upper()} members (not appending at the end) changes "
                        "stored values: the table is copied"), "type"  # fmt: skip
        return copy(server, f"removing {old.base.upper()} members copies the table (rows holding them fail or become '')"), "narrowing"
    if (old_cs or "").lower() != (new_cs or "").lower() and old.text == new.text:
        return _charset_change(server, old, new, old_cs, new_cs)
    kind = "narrowing" if narrowing(old, new) else "type"
    return copy(server, f"changing {old.text} to {new.text} copies the table"), kind


def _charset_change(server: Server, old, new, old_cs, new_cs) -> tuple[Online, str]:
    o, n = (old_cs or "").lower(), (new_cs or "").lower()
    if server.mariadb and server.at_least(10, 11) and o in ("utf8", "utf8mb3") and n == "utf8mb4" and old.length and new.length:
        if new.length >= old.length and (new.length * 4 <= 255 or old.length * 3 <= 127):
            return instant(f"utf8mb3 to utf8mb4 of {new.text} keeps the length prefix: instant (observed on MariaDB 10.11)"), "charset"
    return copy(server, f"converting {old.text} from {old_cs or '?'} to {new_cs or '?'} copies the table"), "charset"


def narrowing(old: ColType, new: ColType) -> bool:
    """Can values of `old` not fit `new` (so existing rows may be cut, clamped or refused)?"""
    if old.base in _INT_BYTES and new.base in _INT_BYTES:
        return _INT_BYTES[new.base] < _INT_BYTES[old.base] or (old.unsigned != new.unsigned)
    if old.length and new.length and old.base in ("varchar", "char", "varbinary", "binary"):
        return new.length < old.length
    if old.base in ("text", "mediumtext", "longtext", "tinytext", "blob", "mediumblob", "longblob") and new.base in (
            "varchar", "char", "tinytext", "text", "varbinary", "binary", "tinyblob", "blob"):
        order = ["tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob"]
        return new.base in ("varchar", "char", "varbinary", "binary") or order.index(new.base) % 4 < order.index(old.base) % 4
    if old.base == new.base == "decimal" and old.args and new.args:
        op, os_ = int(old.args[0]), int(old.args[1]) if len(old.args) > 1 else 0
        np_, ns = int(new.args[0]), int(new.args[1]) if len(new.args) > 1 else 0
        return np_ - ns < op - os_ or ns < os_
    if old.base in _INT_BYTES and new.base in ("varchar", "char"):
        return bool(new.length and new.length < 20)
    if old.base in ("datetime", "timestamp") and new.base == "date":
        return True
    return False
