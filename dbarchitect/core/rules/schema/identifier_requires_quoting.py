"""
## What it does
Advises on names that must be double-quoted in every statement: upper- or mixed-case names
(`"UserId"`), SQL keywords (`"user"`, `"order"`, `"group"`), and names with spaces, dashes or a
leading digit. One finding per table (its columns, indexes, constraints and triggers included),
and one per other object.

## Why is this bad?
PostgreSQL folds unquoted names to lower case, so `"UserId"` must be written with quotes, in the
exact case, in every query, by every tool and every person, forever; forgetting them gives
`column "userid" does not exist`. Keyword names break hand-written SQL and code generators that
do not quote. Lower-case snake_case names never need quotes.

## Example
```sql
CREATE TABLE "Order" ("Id" bigint PRIMARY KEY, "user" bigint, "Created At" timestamptz);
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, created_at timestamptz);
```

## References
PostgreSQL wiki, "Don't Do This: upper case table or column names"; schemalint name-casing.
"""

from __future__ import annotations

import re

from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity, Table
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, qi, qname, qt

RULE = RuleMeta(
    name="identifier-requires-quoting",
    code="SD015",
    family="schema",
    severity=Severity.advice,
    summary="Names are mixed-case, keywords or contain odd characters: every query must quote them exactly.",
)


def problem(name: str) -> str | None:
    """Why a name needs quotes, or None when it does not."""
    if name in RESERVED_KEYWORDS or name in TYPE_FUNC_NAME_KEYWORDS:
        return "an SQL keyword"
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return None
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", name):
        return "upper-case letters"
    return "spaces, punctuation or a leading digit"


def suggest(name: str, keyword_suffix: str) -> str:
    """A name that needs no quotes: snake_case, and a suffix when the result is still a keyword."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"[^A-Za-z0-9_]+", "_", s).strip("_").lower() or "unnamed"
    if s[0].isdigit():
        s = f"n_{s}"
    if s in RESERVED_KEYWORDS or s in TYPE_FUNC_NAME_KEYWORDS:
        s = f"{s}_{keyword_suffix}"
    return s


def _table_names(t: Table) -> list[tuple[str, str, str]]:
    """(kind, name, rename statement) for every badly named part of a table."""
    out = []
    if problem(t.name):
        out.append(("table", t.name, f"ALTER TABLE {qt(t)} RENAME TO {suggest(t.name, 'records')};"))
    for c in t.columns:
        if problem(c.name):
            out.append(("column", c.name, f"ALTER TABLE {qt(t)} RENAME COLUMN {qi(c.name)} TO {suggest(c.name, 'value')};"))
    constraint_indexes = {c.index for c in t.constraints if c.index}
    for c in t.constraints:
        if problem(c.name):
            out.append(
                ("constraint", c.name, f"ALTER TABLE {qt(t)} RENAME CONSTRAINT {qi(c.name)} TO {suggest(c.name, 'check')};")
            )
    for i in t.indexes:
        if problem(i.name) and i.name not in constraint_indexes:
            out.append(("index", i.name, f"ALTER INDEX {qname(t.schema_name, i.name)} RENAME TO {suggest(i.name, 'idx')};"))
    for tr in t.triggers:
        if problem(tr.name):
            out.append(("trigger", tr.name, f"ALTER TRIGGER {qi(tr.name)} ON {qt(t)} RENAME TO {suggest(tr.name, 'trg')};"))
    return out


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        bad = _table_names(t)
        if not bad:
            continue
        listed = "; ".join(f"{kind} {qi(name)} ({problem(name)})" for kind, name, _ in bad)
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified}: {listed}. Each must be written double-quoted, in this exact case, in every "
                    "query and by every tool; an unquoted reference fails or names something else."
                ),
                obj=t.qualified,
                fix="-- renames break every query that uses the old names: ship them with the code change\n"
                + "\n".join(sql for _, _, sql in bad),
                evidence=[ctx.evidence(f"{len(bad)} name(s) on {t.qualified} need quoting", names=[n for _, n, _ in bad])],
            )
        )
    others = []
    for v in snapshot.views:
        if ctx.schema in (None, v.schema_name) and problem(v.name):
            kw = "MATERIALIZED VIEW" if v.materialized else "VIEW"
            others.append((v.qualified, v.name, f"ALTER {kw} {qname(v.schema_name, v.name)} RENAME TO {suggest(v.name, 'view')};"))
    for s in snapshot.sequences:
        if ctx.schema in (None, s.schema_name) and problem(s.name) and not s.owned_by:
            others.append((s.qualified, s.name, f"ALTER SEQUENCE {qname(s.schema_name, s.name)} RENAME TO {suggest(s.name, 'seq')};"))
    for e in snapshot.enums:
        if ctx.schema in (None, e.schema_name) and problem(e.name):
            others.append(
                (f"{e.schema_name}.{e.name}", e.name, f"ALTER TYPE {qname(e.schema_name, e.name)} RENAME TO {suggest(e.name, 'type')};")
            )
    for obj, name, sql in others:
        out.append(
            RULE.finding(
                message=f"{obj} has a name with {problem(name)}: every reference must quote it exactly.",
                obj=obj,
                fix=sql,
                evidence=[ctx.evidence(f"{name!r} needs quoting: {problem(name)}")],
            )
        )
    return out
