"""Each migration rule's documentation is run: its `Example` SQL must fire the rule, its `Use instead` SQL must not.

The blocks are linted as they stand, offline. A rule whose example needs catalog facts or options gets them
in `NEEDS` below (a `setup` run on a fresh database whose catalog is then read, like the YAML fixtures).
"""

from __future__ import annotations

import re

import psycopg
import pytest

from dbarchitect.core.migration.context import LintContext
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.rulebook import family_modules
from dbarchitect.live.postgres.lint_context import build_lint_context

# rule -> what its documented SQL needs beyond itself: `setup` (catalog), `pg_version`, `assume_in_transaction`
NEEDS: dict[str, dict] = {
    # "was varchar(255)": only the catalog knows the column's current type (offline the change is assumed to rewrite)
    "alter-column-type-metadata-only": {"setup": "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255));"},
    # the data decides: two orders share a code
    "data-dependent-failure": {"setup": "CREATE TABLE orders (id bigint PRIMARY KEY, code text);"
                               " INSERT INTO orders VALUES (1, 'A-1'), (2, 'A-1');"},
    # a view depends on the table
    "statement-fails": {"setup": "CREATE TABLE orders (id bigint PRIMARY KEY);"
                        " CREATE VIEW recent_orders AS SELECT * FROM orders;"},
    # the catalog decides: the type is missing from this database
    "catalog-rejects": {"setup": "CREATE TABLE orders (id bigint PRIMARY KEY);"},
    # "runner wraps the file in a transaction"
    "transaction-misuse": {"assume_in_transaction": True},
}

# Rules that still report the recommended statement, because it is what they describe, and whose remedy is
# lock_timeout: on their `Use instead` they must report it without a fix.
REPORTED_WITHOUT_FIX: dict[str, str] = {
    "alter-column-type-metadata-only": "informational: every metadata-only type change is reported",
}


def _section(doc: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return m.group(1) if m else ""


def _sql_blocks(text: str) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", text, re.S)


def _cases():
    for mod in family_modules("migration"):
        doc = mod.__doc__ or ""
        for heading, fires in (("Example", True), ("Use instead", False)):
            blocks = _sql_blocks(_section(doc, heading))
            yield pytest.param(mod.RULE.name, "\n".join(blocks), fires, id=f"{mod.RULE.name}:{heading}")


async def _lint(rule: str, sql: str, request):
    opts = NEEDS.get(rule, {})
    ctx = LintContext()
    if opts.get("setup"):
        dsn = request.getfixturevalue("pg").create_db(opts["setup"])
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            ctx = await build_lint_context(conn, sql)
    return lint(sql, context=ctx, pg_version=opts.get("pg_version"),
                assume_in_transaction=bool(opts.get("assume_in_transaction")))


@pytest.mark.anyio
@pytest.mark.parametrize(("rule", "sql", "fires"), list(_cases()))
async def test_documented_sql(rule, sql, fires, request):
    assert sql.strip(), f"{rule}: no ```sql block"
    report = await _lint(rule, sql, request)
    assert report.parse_error is None, report.parse_error
    got = [f for f in report.findings if f.rule == rule]
    if fires:
        assert got, f"{rule}: its Example does not fire it"
        assert any(f.fix for f in got) or rule not in REPORTED_WITHOUT_FIX
    elif rule in REPORTED_WITHOUT_FIX:
        assert got and all(f.fix is None for f in got), [(f.message, f.fix) for f in got]
    else:
        assert not got, f"{rule}: its Use instead fires it: {[f.message for f in got]}"
