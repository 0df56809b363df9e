"""A MySQL/MariaDB migration split into statements and parsed with sqlglot's `mysql` dialect.

Statements are split on `;` tokens of sqlglot's MySQL tokenizer (so a `;` inside a string or a comment
never splits). Each statement is parsed on its own; when sqlglot falls back to an opaque `Command`
(it does for `OPTIMIZE TABLE`, `CONVERT TO CHARACTER SET`, `CREATE FULLTEXT INDEX`, `RENAME TABLE`,
`ADD CHECK`, `CREATE INDEX … ALGORITHM=…`), a few strict whole-statement patterns turn the statement
into the equivalent `ALTER TABLE` that sqlglot reads. Anything else is kept as *not understood*:
reported, never guessed. A text that cannot even be tokenized (an unterminated quote) raises
`MySQLMigrationParseError`.

`-- dbarchitect:ignore <rule>[, <rule>]` before or inside a statement silences rules for it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

_IGNORE = re.compile(r"dbarchitect:ignore\s+([A-Za-z0-9_, \-]+)", re.IGNORECASE)
_COMMENTS = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?\*/", re.DOTALL)
_ALG_LOCK = re.compile(r"\s*,?\s*\b(ALGORITHM|LOCK)\s*=?\s*([A-Za-z]+)", re.IGNORECASE)
_NAME = r"(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)"
_QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})?"
_CREATE_INDEX = re.compile(
    rf"^CREATE\s+(?:(?P<kind>UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+(?P<name>{_NAME})\s*(?:USING\s+(?:BTREE|HASH)\s+)?"
    rf"ON\s+(?P<table>{_QNAME})\s*(?P<cols>\(.*\))\s*(?P<rest>(?:(?:USING\s+(?:BTREE|HASH)|COMMENT\s+'[^']*'|"
    rf"(?:ALGORITHM|LOCK)\s*=?\s*[A-Za-z]+)\s*)*)$",
    re.IGNORECASE | re.DOTALL,
)
_DROP_INDEX = re.compile(
    rf"^DROP\s+INDEX\s+(?P<name>{_NAME})\s+ON\s+(?P<table>{_QNAME})\s*(?P<rest>(?:(?:ALGORITHM|LOCK)\s*=?\s*[A-Za-z]+\s*)*)$",
    re.IGNORECASE | re.DOTALL,
)
_CONVERT = re.compile(
    rf"^ALTER\s+(?:ONLINE\s+)?TABLE\s+(?P<table>{_QNAME})\s+CONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+"
    rf"(?P<charset>[A-Za-z0-9_]+)(?:\s+COLLATE\s+(?P<collation>[A-Za-z0-9_]+))?(?P<rest>(?:\s*,\s*(?:ALGORITHM|LOCK)\s*=?\s*[A-Za-z]+)*)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_OPTIMIZE = re.compile(rf"^OPTIMIZE\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLES?\s+(?P<tables>{_QNAME}(?:\s*,\s*{_QNAME})*)\s*$",
                       re.IGNORECASE | re.DOTALL)  # fmt: skip
_RENAME_TABLE = re.compile(
    rf"^RENAME\s+TABLES?\s+(?P<pairs>{_QNAME}\s+TO\s+{_QNAME}(?:\s*,\s*{_QNAME}\s+TO\s+{_QNAME})*)\s*$", re.IGNORECASE | re.DOTALL
)
_ADD_CHECK = re.compile(
    rf"^ALTER\s+TABLE\s+(?P<table>{_QNAME})\s+ADD\s+(?:CONSTRAINT\s+(?P<name>{_NAME})\s+)?CHECK\s*\((?P<expr>.*)\)"
    rf"(?P<rest>(?:\s*,\s*(?:ALGORITHM|LOCK)\s*=?\s*[A-Za-z]+)*)\s*$",
    re.IGNORECASE | re.DOTALL,
)


_STATEMENTS = (exp.Alter, exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete, exp.Set, exp.TruncateTable,
               exp.Query, exp.Transaction, exp.Commit, exp.Rollback, exp.Use, exp.Merge)


class MySQLMigrationParseError(ValueError):
    """The text could not be split into statements at all (sqlglot's MySQL tokenizer refused it)."""


@dataclass
class Recognized:
    """A statement sqlglot reads only as a Command, recognised by a strict whole-statement pattern."""

    kind: str  # optimize | convert_charset | rename_table | add_check
    tables: list[str] = field(default_factory=list)
    charset: str | None = None
    collation: str | None = None
    renames: list[tuple[str, str]] = field(default_factory=list)
    name: str | None = None
    expr: str | None = None


@dataclass
class RawStatement:
    index: int
    line: int
    sql: str
    node: exp.Expression | None  # sqlglot's tree (None when not understood or recognised below)
    recognized: Recognized | None = None
    clauses: dict[str, str] = field(default_factory=dict)  # ALGORITHM / LOCK written on the statement
    ignores: frozenset[str] = frozenset()
    error: str | None = None  # why the statement was not understood

    @property
    def understood(self) -> bool:
        return self.error is None


def _unquote(name: str) -> str:
    name = name.strip()
    if name.startswith("`") and name.endswith("`"):
        return name[1:-1].replace("``", "`")
    return name


def qname(text: str) -> str:
    """`db`.`t` -> db.t (identifiers unquoted)."""
    parts = re.findall(_NAME, text)
    return ".".join(_unquote(p) for p in parts)


def _clauses(rest: str) -> dict[str, str]:
    return {m.group(1).upper(): m.group(2).upper() for m in _ALG_LOCK.finditer(rest or "")}


def _parse_one(text: str) -> exp.Expression:
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # sqlglot warns when it falls back to Command; the fallback is handled here
    try:
        return sqlglot.parse_one(text, read="mysql")
    finally:
        logger.setLevel(level)


def _alter_clauses(node: exp.Expression) -> dict[str, str]:
    out = {}
    for opt in node.args.get("options") or []:
        if isinstance(opt, exp.AlgorithmProperty):
            out["ALGORITHM"] = opt.this.name.upper()
        elif isinstance(opt, exp.LockProperty):
            out["LOCK"] = opt.this.name.upper()
    return out


def _read(text: str) -> tuple[exp.Expression | None, Recognized | None, dict[str, str], str | None]:
    """(sqlglot node, recognised Command, ALGORITHM/LOCK clauses, error) of one statement."""
    bare = _COMMENTS.sub(" ", text).strip()
    if m := _CREATE_INDEX.match(bare):
        kind = (m.group("kind") or "").upper()
        word = {"UNIQUE": "UNIQUE INDEX", "FULLTEXT": "FULLTEXT INDEX", "SPATIAL": "SPATIAL INDEX"}.get(kind, "INDEX")
        rest = m.group("rest") or ""
        try:
            node = _parse_one(f"ALTER TABLE {m.group('table')} ADD {word} {m.group('name')} {m.group('cols')}")
        except (ParseError, TokenError) as exc:
            return None, None, {}, f"sqlglot (mysql) could not read it: {str(exc).splitlines()[0]}"
        if isinstance(node, exp.Alter):
            return node, None, _clauses(rest), None
    if m := _DROP_INDEX.match(bare):
        node = _parse_one(f"ALTER TABLE {m.group('table')} DROP INDEX {m.group('name')}")
        return node, None, _clauses(m.group("rest")), None
    if m := _CONVERT.match(bare):
        rec = Recognized("convert_charset", [qname(m.group("table"))], charset=m.group("charset").lower(),
                         collation=(m.group("collation") or "").lower() or None)  # fmt: skip
        return None, rec, _clauses(m.group("rest")), None
    if m := _OPTIMIZE.match(bare):
        tables = [qname(t) for t in re.split(r"\s*,\s*", m.group("tables").strip())]
        return None, Recognized("optimize", tables), {}, None
    if m := _RENAME_TABLE.match(bare):
        pairs = []
        for pair in re.split(r"\s*,\s*", m.group("pairs").strip()):
            old, new = re.split(r"\s+TO\s+", pair, flags=re.IGNORECASE)
            pairs.append((qname(old), qname(new)))
        return None, Recognized("rename_table", [p[0] for p in pairs], renames=pairs), {}, None
    if m := _ADD_CHECK.match(bare):
        rec = Recognized("add_check", [qname(m.group("table"))], name=_unquote(m.group("name")) if m.group("name") else None,
                         expr=m.group("expr").strip())  # fmt: skip
        return None, rec, _clauses(m.group("rest")), None
    try:
        node = _parse_one(text)
    except (ParseError, TokenError) as exc:
        return None, None, {}, f"sqlglot (mysql) could not read it: {str(exc).splitlines()[0][:200]}"
    if node is None:
        return None, None, {}, "empty statement"
    if isinstance(node, exp.Command):
        head = " ".join(bare.split()[:3]).upper()
        return None, None, {}, f"sqlglot (mysql) reads {head} … only as an opaque command"
    if not isinstance(node, _STATEMENTS):
        return None, None, {}, "not a statement (a stored program body split at its `;`? DELIMITER blocks are not read)"
    if isinstance(node, exp.Create) and str(node.args.get("kind") or "").upper() in ("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"):
        return None, None, {}, "stored program bodies are not analysed"
    clauses = _alter_clauses(node) if isinstance(node, exp.Alter) else {}
    return node, None, clauses, None


def split(sql: str) -> list[tuple[int, str, str]]:
    """(line, statement text, text before it since the previous statement) for every statement."""
    try:
        tokens = sqlglot.Dialect.get_or_raise("mysql").tokenize(sql)
    except TokenError as exc:
        raise MySQLMigrationParseError(f"the text could not be tokenized as MySQL: {exc}") from None
    out: list[tuple[int, str, str]] = []
    chunk: list = []
    prev_end = 0
    for tok in [*tokens, None]:
        if tok is None or tok.token_type == TokenType.SEMICOLON:
            if chunk:
                start, end = chunk[0].start, chunk[-1].end + 1
                # a statement starts at its first token; comments attached to it stay in the gap
                out.append((chunk[0].line, sql[start:end], sql[prev_end:start]))
                prev_end = end
            if tok is not None:
                prev_end = max(prev_end, tok.end + 1)
            chunk = []
            continue
        chunk.append(tok)
    return out


def parse_migration(sql: str) -> list[RawStatement]:
    """Every statement of `sql`, each understood (sqlglot node or recognised form) or with its error."""
    out = []
    for i, (line, text, before) in enumerate(split(sql), start=1):
        ignores: set[str] = set()
        for m in _IGNORE.finditer(before + "\n" + "\n".join(c for c in re.findall(r"--[^\n]*|/\*.*?\*/", text, re.DOTALL))):
            ignores |= {w.strip().lower() for w in m.group(1).split(",") if w.strip()}
        node, rec, clauses, error = _read(text)
        out.append(RawStatement(index=i, line=line, sql=text.strip(), node=node, recognized=rec, clauses=clauses,
                                ignores=frozenset(ignores), error=error))  # fmt: skip
    return out
