"""One splitter (core/sql/statements.py), one parsed migration, and the names a migration touches."""

from __future__ import annotations

import pytest

from dbarchitect.core.migration.engine import analyze, lint
from dbarchitect.core.migration.names import touched_names
from dbarchitect.core.migration.parse import ParsedMigration
from dbarchitect.core.sql.statements import SQLParseError, parse, scan


def test_statements_carry_index_line_text_node_and_ignores():
    sql = ("-- head\nCREATE TABLE a (x int);\n\n/* c */ ALTER TABLE a ADD COLUMN y int NOT NULL; "
           "-- dbarchitect: ignore MG001, add-column-not-null\nBEGIN;\nCOMMIT")
    sts = parse(sql)
    assert [(s.index, s.line) for s in sts] == [(1, 2), (2, 4), (3, 5), (4, 6)]
    assert sts[0].sql == "CREATE TABLE a (x int)"
    assert sts[1].sql == "ALTER TABLE a ADD COLUMN y int NOT NULL"
    assert sts[1].ignores == {"mg001", "add-column-not-null"} and sts[0].ignores == frozenset()
    assert [s.kind for s in sts] == ["CreateStmt", "AlterTableStmt", "TransactionStmt:BEGIN",
                                     "TransactionStmt:COMMIT"]


def test_a_bare_ignore_marker_silences_everything():
    assert parse("-- dbarchitect:ignore\nDROP TABLE t;")[0].ignores == {"all"}


def test_syntax_error_has_message_line_and_position():
    with pytest.raises(SQLParseError) as info:
        parse("SELECT 1;\n-- c\n  SELEC x;")
    err = info.value
    assert err.line == 3 and err.position == 17
    assert err.message == 'syntax error at or near "SELEC"'
    assert str(err) == 'line 3: syntax error at or near "SELEC"'
    assert err.pglast_text() == 'syntax error at or near "SELEC", at index 17'
    assert isinstance(err, ValueError)


def test_an_error_at_the_start_of_a_line_is_on_that_line():
    with pytest.raises(SQLParseError) as info:
        parse("SELECT 1;\n-- c\nSELEC x;")
    assert (info.value.line, info.value.position) == (3, 15)
    with pytest.raises(SQLParseError) as info:
        parse("SELEC x")
    assert (info.value.line, info.value.position) == (1, 0)


def test_scan_splits_what_the_grammar_refuses_and_keeps_lines():
    sql = "CREATE TABLE a (x int);\nFROBNICATE TABLE b;"
    with pytest.raises(SQLParseError):
        parse(sql)
    assert [(s.index, s.line, s.node) for s in scan(sql)] == [(1, 1, None), (2, 2, None)]
    assert scan("  \n") == []
    assert [s.sql for s in scan("CREATE TABLE a (x int);;  ;\n-- only\n")] == ["CREATE TABLE a (x int)"]
    # even the scanner refuses an unterminated string: the whole text goes to the server as it is
    assert [(s.index, s.line, s.sql) for s in scan("SELECT 'abc")] == [(1, 1, "SELECT 'abc")]


def test_parsed_migration_keeps_the_error_instead_of_raising():
    bad = ParsedMigration.of("ALTER TABLE t ADD COLUMN;")
    assert bad.statements == () and bad.error is not None and bad.error.line == 1
    with pytest.raises(SQLParseError):
        bad.require()
    assert lint(bad).parse_error == str(bad.error)
    good = ParsedMigration.of(["CREATE TABLE t (x int)", "DROP TABLE t"])
    assert good.sql == "CREATE TABLE t (x int);\nDROP TABLE t" and len(good.require()) == 2
    assert ParsedMigration.of(good) is good


def test_the_lint_uses_the_statements_it_is_given():
    parsed = ParsedMigration.of("CREATE INDEX i ON t (x);\nDROP INDEX i;")
    mig = analyze(parsed)
    assert [s.node for s in mig.statements] == [s.node for s in parsed.statements]
    assert lint(parsed).model_dump() == lint(parsed.sql).model_dump()


def test_touched_names():
    parsed = ParsedMigration.of(
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES app.users (id);\n"
        "DROP INDEX old_idx;\n"
        "CREATE TABLE lines (id int, order_id int REFERENCES orders);\n"
        "ALTER TABLE parent ATTACH PARTITION child FOR VALUES IN (1);\n"
        "UPDATE accounts SET n = lower(name) WHERE my_fn(id) > 0;\n"
    )
    names = touched_names(parsed, "public")
    assert names.relations == {"public.orders", "app.users", "public.lines", "public.parent", "public.child",
                               "public.accounts"}
    assert names.indexes == {"public.old_idx"}
    assert names.functions == {"lower", "my_fn"}
    assert touched_names(parsed, "s").indexes == {"s.old_idx"}
    empty = touched_names(ParsedMigration.of("SELEC 1"), "public")
    assert (empty.relations, empty.indexes, empty.functions) == (set(), set(), set())
