"""Column types as the parser and the catalog spell them, and PostgreSQL's rewrite rules for type changes.

`ALTER COLUMN ... TYPE` keeps the table's files when the old values are valid bit-for-bit in the new
type: a binary-coercible cast (pg_cast.castmethod = 'b') whose length coercion can be skipped
(varchar/numeric/time precision widened), or timestamp -> timestamptz when the session time zone
is UTC (PostgreSQL 12+). Everything else rewrites the table and rebuilds its indexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Parser spellings and format_type() spellings -> pg_type.typname.
_ALIASES = {
    "int": "int4",
    "integer": "int4",
    "int4": "int4",
    "smallint": "int2",
    "int2": "int2",
    "bigint": "int8",
    "int8": "int8",
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
    "real": "float4",
    "float4": "float4",
    "double precision": "float8",
    "float8": "float8",
    "character varying": "varchar",
    "varchar": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "bpchar": "bpchar",
    "text": "text",
    "numeric": "numeric",
    "decimal": "numeric",
    "boolean": "bool",
    "bool": "bool",
    "timestamp without time zone": "timestamp",
    "timestamp": "timestamp",
    "timestamp with time zone": "timestamptz",
    "timestamptz": "timestamptz",
    "time without time zone": "time",
    "time": "time",
    "time with time zone": "timetz",
    "timetz": "timetz",
    "interval": "interval",
    "bit varying": "varbit",
    "varbit": "varbit",
    "bit": "bit",
}

SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})

# Binary-coercible pairs of a stock PostgreSQL (pg_cast castmethod 'b'), used offline.
BUILTIN_BINARY_COERCIBLE = frozenset(
    {("varchar", "text"), ("text", "varchar"), ("cidr", "inet"), ("xml", "text"), ("int4", "oid"), ("oid", "int4")}
)

# Types whose typmod is a length/precision whose widening PostgreSQL proves harmless.
_WIDENABLE = {"varchar", "numeric", "timestamp", "timestamptz", "time", "timetz", "interval", "varbit"}
_UTC = {"utc", "etc/utc", "gmt", "etc/gmt", "zulu", "etc/zulu", "universal", "etc/universal", "uct", "etc/uct"}


@dataclass(frozen=True)
class TypeSpec:
    """A column type: canonical typname, modifiers as written, array-ness, and the spelling."""

    name: str
    mods: tuple[int, ...] = ()
    array: bool = False
    text: str = ""

    @property
    def display(self) -> str:
        return self.text or self.name


def canonical(name: str) -> str:
    low = name.lower().strip()
    return _ALIASES.get(low, low)


def from_type_name(node) -> TypeSpec:
    """TypeSpec of a pglast TypeName node."""
    names = [n.sval for n in node.names]
    if len(names) > 1 and names[0] == "pg_catalog":
        names = names[1:]
    raw = names[-1]
    mods: list[int] = []
    for m in node.typmods or ():
        val = getattr(m, "val", None)
        ival = getattr(val, "ival", None)
        if isinstance(ival, int):
            mods.append(ival)
    array = bool(node.arrayBounds)
    text = ".".join(names) + (f"({','.join(map(str, mods))})" if mods else "") + ("[]" if array else "")
    return TypeSpec(name=canonical(raw), mods=tuple(mods), array=array, text=_pretty(text))


_PRETTY = {"int4": "integer", "int8": "bigint", "int2": "smallint", "bpchar": "char", "float8": "double precision"}


def _pretty(text: str) -> str:
    m = re.match(r"^([a-z0-9_]+)(.*)$", text)
    if not m:
        return text
    return _PRETTY.get(m.group(1), m.group(1)) + m.group(2)


def from_catalog(format_type: str, typname: str, typmod: int) -> TypeSpec:
    """TypeSpec of a catalog column: pg_type.typname plus format_type() text for the modifiers."""
    array = typname.startswith("_")
    base = typname[1:] if array else typname
    mods: tuple[int, ...] = ()
    m = re.search(r"\(([\d,\s]+)\)", format_type)
    if m and typmod != -1:
        mods = tuple(int(x) for x in m.group(1).split(","))
    return TypeSpec(name=canonical(base), mods=mods, array=array, text=format_type)


def is_utc(timezone: str | None) -> bool:
    return timezone is not None and timezone.strip().lower() in _UTC


def _widened(old: TypeSpec, new: TypeSpec) -> bool:
    """New modifiers accept every value of the old ones without a length coercion."""
    if not new.mods:
        return True
    if not old.mods:
        return False
    if old.name == "numeric":
        old_scale = old.mods[1] if len(old.mods) > 1 else 0
        new_scale = new.mods[1] if len(new.mods) > 1 else 0
        return new_scale == old_scale and new.mods[0] >= old.mods[0]
    return new.mods[0] >= old.mods[0]


def change_rewrites(
    old: TypeSpec,
    new: TypeSpec,
    *,
    using: bool,
    timezone: str | None,
    pg_version: int,
    binary_coercible: frozenset[tuple[str, str]] | set[tuple[str, str]],
) -> tuple[bool, str]:
    """Whether ALTER COLUMN old -> new rewrites the table, and why, in words."""
    if using:
        return True, "a USING expression is evaluated for every row"
    if old.array != new.array:
        return True, f"{old.display} -> {new.display} changes the array dimension"
    if old.name == new.name:
        if old.mods == new.mods:
            return False, f"the type stays {new.display}"
        if old.name in _WIDENABLE and _widened(old, new):
            return False, f"{old.display} -> {new.display} only widens the type modifier"
        return True, f"{old.display} -> {new.display} narrows or changes the type modifier: every value is rechecked"
    if (old.name, new.name) in (("timestamp", "timestamptz"), ("timestamptz", "timestamp")):
        # both directions (12+: TimestampTimestampTzRequiresRewrite): the same instant when TimeZone is UTC
        change = f"{old.name} -> {new.name}"
        if pg_version >= 12 and is_utc(timezone) and (not new.mods or _widened(old, new)):
            return False, f"{change} is binary-compatible when the session TimeZone is UTC"
        why = "the session TimeZone is not UTC" if timezone else "the session TimeZone is unknown (not UTC)"
        if pg_version < 12:
            why = "PostgreSQL before 12 always converts each value"
        return True, f"{change} rewrites because {why}"
    if (old.name, new.name) in binary_coercible:
        if new.name == "varchar" and new.mods and old.name != "varchar":
            return True, f"{old.display} -> {new.display} checks every value against the new length"
        return False, f"{old.display} -> {new.display} is a binary-coercible cast"
    return True, f"{old.display} -> {new.display} is not binary-coercible: every value is converted"
