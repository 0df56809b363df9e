"""What a PostgreSQL major version does differently, for the migration lint — one table, checked against reality.

`LOCK_CHANGES`: behaviour of a statement that changed between majors; the lint's predictions read it,
and tests/live/dryrun/test_hazards.py observes each entry by dry run on the versions on each side of
the change (`make test-matrix` runs it on 13, 14, 15, 16, 17, 18).

`SYNTAX_SINCE`: statements or clauses a version does not have. `unsupported_syntax` names them for
the target's version; tests/live/migration/test_version_syntax.py runs each example on every
matrix version and checks that the server accepts it exactly from the version the table says.

`PARSER_MAJOR`: the grammar of the SQL parser (pglast); newer syntax cannot be parsed at all, and
`explain_parse_error` says so instead of a bare syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from pglast import ast
from pglast.enums import AlterTableType

AE = "AccessExclusiveLock"
SUE = "ShareUpdateExclusiveLock"


@dataclass(frozen=True)
class LockChange:
    key: str
    since: int  # first major with `after`
    before: str
    after: str
    example: str  # a statement of tests/live/dryrun/test_hazards.py
    relation: str  # the relation of that example whose lock changed
    why: str


LOCK_CHANGES: dict[str, LockChange] = {
    c.key: c
    for c in (
        LockChange(
            "detach_partition_child", 14, SUE, AE,
            "ALTER TABLE meas DETACH PARTITION meas_old", "public.meas_old",
            "PostgreSQL 14 (with DETACH CONCURRENTLY) takes ACCESS EXCLUSIVE on the detached partition; "
            "13 took SHARE UPDATE EXCLUSIVE",
        ),
    )
}  # fmt: skip


def lock_for(key: str, pg_version: int) -> str:
    change = LOCK_CHANGES[key]
    return change.after if pg_version >= change.since else change.before


@dataclass(frozen=True)
class SyntaxFeature:
    name: str
    since: int
    example: str  # runs on a server of `since` or later; fails with a syntax error before
    setup: str
    detect: Callable[[ast.Node], bool] | None  # None: pglast cannot parse it (newer than PARSER_MAJOR)
    pattern: str | None = None  # recognises the text when pglast cannot parse it


def _walk(node) -> list:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Node):
            out.append(n)
            for attr in n:
                stack.append(getattr(n, attr))
        elif isinstance(n, (tuple, list)):
            stack.extend(n)
    return out


def _any(node, pred) -> bool:
    return any(pred(n) for n in _walk(node))


SYNTAX_SINCE: list[SyntaxFeature] = [
    SyntaxFeature(
        "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY", 14,
        "ALTER TABLE syn_m DETACH PARTITION syn_p CONCURRENTLY",
        "CREATE TABLE syn_m (a int) PARTITION BY RANGE (a); "
        "CREATE TABLE syn_p PARTITION OF syn_m FOR VALUES FROM (0) TO (10)",
        lambda n: _any(n, lambda x: isinstance(x, ast.PartitionCmd) and bool(x.concurrent)),
    ),
    SyntaxFeature(
        "ALTER TABLE ... ALTER COLUMN ... SET COMPRESSION", 14, "ALTER TABLE syn_c ALTER COLUMN a SET COMPRESSION pglz",
        "CREATE TABLE syn_c (a text)",
        lambda n: _any(n, lambda x: isinstance(x, ast.AlterTableCmd) and x.subtype == AlterTableType.AT_SetCompression),
    ),
    SyntaxFeature(
        "MERGE", 15, "MERGE INTO syn_t t USING syn_t s ON t.a = s.a WHEN MATCHED THEN DELETE",
        "CREATE TABLE syn_t (a int)", lambda n: isinstance(n, ast.MergeStmt),
    ),
    SyntaxFeature(
        "ALTER TABLE ... SET ACCESS METHOD", 15, "ALTER TABLE syn_am SET ACCESS METHOD heap",
        "CREATE TABLE syn_am (a int)",
        lambda n: _any(n, lambda x: isinstance(x, ast.AlterTableCmd) and x.subtype == AlterTableType.AT_SetAccessMethod),
    ),
    SyntaxFeature(
        "UNIQUE NULLS NOT DISTINCT", 15, "CREATE TABLE syn_u (a int UNIQUE NULLS NOT DISTINCT)", "",
        lambda n: _any(n, lambda x: (isinstance(x, ast.Constraint) and bool(x.nulls_not_distinct))
                       or (isinstance(x, ast.IndexStmt) and bool(x.nulls_not_distinct))),
    ),
    SyntaxFeature(
        "generated column without STORED (virtual generated column)", 18,
        "CREATE TABLE syn_v (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)", "", None,
        r"GENERATED\s+ALWAYS\s+AS\s*\((?:[^()]|\([^()]*\))*\)\s*(VIRTUAL\b|[,)])",
    ),
]  # fmt: skip

PARSER_MAJOR = 17  # pglast 7 carries PostgreSQL 17's grammar


def parser_major() -> int:
    try:
        from pglast.parser import get_postgresql_version

        return int(get_postgresql_version()[0])
    except Exception:  # noqa: BLE001 - older pglast
        return PARSER_MAJOR


def unsupported_syntax(node: ast.Node, pg_version: int) -> list[SyntaxFeature]:
    """The features `node` uses that PostgreSQL `pg_version` does not have."""
    return [f for f in SYNTAX_SINCE if f.detect and pg_version < f.since and f.detect(node)]


def explain_parse_error(sql: str, error: str, pg_version: int) -> str:
    """A parse error, with what it probably is: syntax newer than the parser's grammar, or a plain error."""
    for f in SYNTAX_SINCE:
        if f.detect is None and f.pattern and re.search(f.pattern, sql, re.IGNORECASE):
            target = (f"PostgreSQL {pg_version} has it" if pg_version >= f.since
                      else f"PostgreSQL {pg_version} does not have it either")  # fmt: skip
            return (f"{error} — this is {f.name}, PostgreSQL {f.since}+ syntax that the SQL parser here "
                    f"(pglast, PostgreSQL {parser_major()}'s grammar) cannot read yet ({target}); "
                    "the migration was not linted")  # fmt: skip
    if pg_version > parser_major() and "syntax error" in error.lower():
        # (a grammar rule's own message, e.g. "UNIQUE constraints cannot be marked NOT VALID", is every version's verdict)
        return (f"{error} — not valid in PostgreSQL {parser_major()}'s grammar (pglast); if it is newer "
                f"PostgreSQL {pg_version} syntax, the lint cannot read it yet and nothing was linted")
    return error
