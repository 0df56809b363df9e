"""What the MySQL schema rules share: the review context, quoting, type facts, index key parts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dbarchitect.core.models import Column, Evidence, Index, SchemaSnapshot, Table
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.sql.mysql_ident import quote_mysql

MYSQL = frozenset({"mysql"})


def rule(name: str, code: str, severity, summary: str) -> RuleMeta:
    return RuleMeta(name=name, code=code, family="mysql_schema", severity=severity, summary=summary, engines=MYSQL)


@dataclass
class MySQLReviewContext:
    schema: str | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self, snapshot: SchemaSnapshot) -> list[Table]:
        return [t for t in snapshot.tables if self.schema is None or t.schema_name == self.schema]

    @staticmethod
    def evidence(detail: str, **data: object) -> Evidence:
        return Evidence(kind="catalog", detail=detail, data=dict(data))


def qt(t: Table) -> str:
    return f"{quote_mysql(t.schema_name)}.{quote_mysql(t.name)}"


qi = quote_mysql

# the largest value of each integer type, signed and unsigned
INT_RANGES = {
    "tinyint": (2**7 - 1, 2**8 - 1),
    "smallint": (2**15 - 1, 2**16 - 1),
    "mediumint": (2**23 - 1, 2**24 - 1),
    "int": (2**31 - 1, 2**32 - 1),
    "integer": (2**31 - 1, 2**32 - 1),
    "bigint": (2**63 - 1, 2**64 - 1),
}
INT_TYPES = set(INT_RANGES)
TEXTUAL = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}


def data_type(col: Column) -> str:
    if col.mysql is not None and col.mysql.data_type:
        return col.mysql.data_type
    return re.split(r"[ (]", col.type.lower(), maxsplit=1)[0]


def int_max(col: Column) -> int | None:
    dt = data_type(col)
    if dt not in INT_RANGES:
        return None
    signed, unsigned = INT_RANGES[dt]
    return unsigned if (col.mysql and col.mysql.unsigned) else signed


def charset_of(col: Column, table: Table) -> str | None:
    if col.mysql and col.mysql.charset:
        return col.mysql.charset
    return None


def bytes_per_char(charset: str | None) -> int:
    cs = (charset or "").lower()
    if cs in ("utf8mb4", "utf16", "utf32", "utf16le"):
        return 4
    if cs in ("utf8mb3", "utf8", "ucs2"):
        return 3
    if cs in ("binary", "latin1", "ascii", "latin2", "cp1251", "cp1252"):
        return 1
    return 4 if not cs else 2


def key_part_chars(table: Table, index: Index, k: int) -> int | None:
    """Characters of key part k (the prefix length, or the column's declared length); None when not textual."""
    name = index.columns[k] if k < len(index.columns) else None
    col = table.column(name) if name else None
    if col is None or data_type(col) not in ("char", "varchar"):
        return None
    sub = index.mysql.sub_parts[k] if index.mysql and k < len(index.mysql.sub_parts) else None
    return sub or (col.mysql.max_length if col.mysql else None)


def key_parts(index: Index) -> tuple:
    """What an index orders by: (column, prefix length) per part."""
    subs = index.mysql.sub_parts if index.mysql else [None] * len(index.columns)
    # a functional key part (MySQL 8) has no column: its expression text identifies it
    names = [c if c is not None else (index.expressions[k] if k < len(index.expressions) else f"#{k}")
             for k, c in enumerate(index.columns)]  # fmt: skip
    return tuple(zip(names, subs, strict=False))


def btree(index: Index) -> bool:
    return (index.mysql.index_type if index.mysql else index.method.upper()) in ("BTREE", "")


def is_money_name(name: str) -> bool:
    words = {"price", "amount", "cost", "total", "subtotal", "balance", "fee", "fees", "tax", "salary", "wage",
             "wages", "revenue", "payment", "refund", "discount", "charge", "credit", "debit", "budget", "paid"}  # fmt: skip
    not_money = {"rate", "ratio", "percent", "percentage", "pct", "factor", "weight", "score", "count", "share"}
    parts = [p.lower() for p in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if p]
    return any(p in words for p in parts) and not any(p in not_money for p in parts)
