"""MySQL identifier quoting: backticks, doubled inside."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
# a few reserved words that appear as column names in practice
_RESERVED = frozenset(
    "add all alter and as asc between by case change check column condition constraint create cross current_date "
    "current_time current_timestamp current_user database default delete desc describe distinct div drop dual else "
    "exists explain false fetch for force foreign from fulltext grant group having if ignore in index inner insert "
    "interval into is join key keys kill left like limit lines load lock long match mod natural not null on option "
    "or order outer partition primary procedure range read references regexp rename repeat replace require restrict "
    "return revoke right rlike row rows schema select set show signal spatial sql table then to trigger true union "
    "unique unlock unsigned update usage use using values when where while with write xor".split()
)


def quote_mysql(name: str) -> str:
    """An identifier as MySQL needs it written: bare when plain lower-case, else in backticks."""
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    return "`" + name.replace("`", "``") + "`"


def qualified_mysql(schema: str, name: str) -> str:
    return f"{quote_mysql(schema)}.{quote_mysql(name)}"
