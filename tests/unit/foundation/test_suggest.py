"""The one 'did you mean' helper (core/suggest.py) and the refusals that use it, pure: near names
found best first in their own spelling, nothing offered when nothing is near, letter case ignored
only when asked, a huge name answered quickly; the phrase in its three forms."""

from __future__ import annotations

import time

import pytest

from dbarchitect.core.describe import UserInputError, detail, require_schema
from dbarchitect.core.review_report import require_known_rules
from dbarchitect.core.schema_parse import snapshot_from_ddl
from dbarchitect.core.suggest import closest, did_you_mean
from dbarchitect.server.arguments import unknown_arguments, unknown_tool

COLUMNS = ["created_at", "customer_id", "status", "total_cents", "updated_at"]


def test_a_near_name_is_found_nearest_first():
    assert closest("custmer_id", COLUMNS) == ["customer_id"]
    assert closest("upated_at", COLUMNS) == ["updated_at", "created_at"]
    assert closest("upated_at", COLUMNS, n=1) == ["updated_at"]


def test_nothing_near_gives_nothing():
    assert closest("invoice_number", COLUMNS) == []
    assert closest("status", []) == []
    assert closest("status", COLUMNS, n=0) == []
    assert did_you_mean([]) == ""


def test_case_counts_unless_ignored_and_the_choice_keeps_its_spelling():
    choices = ["ORDER_LINES", "CUSTOMERS"]
    assert closest("order_lines", choices) == []
    assert closest("order_lines", choices, ignore_case=True) == ["ORDER_LINES"]
    assert closest("Order_Line", choices, ignore_case=True) == ["ORDER_LINES"]
    # choices differing only in case are offered once, as first spelt
    assert closest("customer", ["Customers", "customers", "CUSTOMERS"], ignore_case=True) == ["Customers"]
    assert closest("customer", ["Customers", "customers"]) == ["customers", "Customers"]


def test_no_limit_and_no_cutoff_orders_every_choice():
    assert closest("pubic", ["audit", "billing", "public"], n=None, cutoff=0.0) == ["public", "audit", "billing"]


def test_a_huge_name_is_compared_by_its_start_and_answered_quickly():
    started = time.perf_counter()
    assert closest("customer_id" + "x" * 200_000, COLUMNS) == []
    assert closest("customer_i" + "x" * 200_000, COLUMNS * 50, n=None, cutoff=0.0)[:1] == ["customer_id"]
    assert time.perf_counter() - started < 2.0


def test_the_phrase_in_each_form():
    assert did_you_mean(["a", "b"]) == " Did you mean a, b?"
    assert did_you_mean(["tags.plan"], quote=repr) == " Did you mean 'tags.plan'?"
    assert did_you_mean(["schema"], form="aside", quote=lambda c: f"`{c}`") == " (did you mean `schema`?)"
    assert did_you_mean(["integer", "int"], form="clause") == "; did you mean integer, int?"


def test_unknown_argument_and_tool_name_the_nearest_or_the_stem():
    said = unknown_arguments("review_schema", {"Shema": 1, "limit": 2}, ["schema", "limit", "rules"])
    assert said is not None and "`Shema` (did you mean `schema`?)" in said
    said = unknown_arguments("recommend_indexes", {"budget": 1}, ["queries", "budget_mb"])
    assert said is not None and "(did you mean `budget_mb`?)" in said  # a shared stem
    said = unknown_arguments("run_query", {"zzzz": 1}, ["sql", "max_rows"])
    assert said is not None and "did you mean" not in said
    assert unknown_arguments("run_query", {"sql": "x"}, ["sql", "max_rows"]) is None
    assert unknown_tool("reveiw_schema", ["review_schema", "run_query"]).endswith(" Did you mean review_schema?")
    assert unknown_tool("qqqq", ["review_schema"]).endswith(" tools/list names them.")


def test_unknown_rule_suggests_codes_and_names_in_their_own_case():
    with pytest.raises(UserInputError, match=r"'sd0001' \(did you mean SD001, "):
        require_known_rules({"sd0001"})
    with pytest.raises(UserInputError, match=r"'table-without-primary-kee' \(did you mean table-without-primary-key"):
        require_known_rules({"table-without-primary-kee"})
    with pytest.raises(UserInputError) as raised:
        require_known_rules({"qqqqqqqqqqqq"})
    assert "did you mean" not in str(raised.value)
    require_known_rules({"sd001", "table-without-primary-key"})  # known: silent


SNAP = snapshot_from_ddl("CREATE SCHEMA sales; CREATE SCHEMA archive; CREATE TABLE sales.orders (id int PRIMARY KEY); "
                         "CREATE TABLE archive.orders (id int PRIMARY KEY); CREATE TABLE sales.refunds (id int);").snapshot  # fmt: skip


def test_missing_table_lists_every_schema_s_table_of_a_near_name():
    with pytest.raises(UserInputError, match=r"Similar: sales\.orders, archive\.orders\."):
        detail(SNAP, "ordres")
    with pytest.raises(UserInputError, match="without `table` to list tables"):
        detail(SNAP, "qqqqqq")
    assert detail(SNAP, "sales.refunds").table.name == "refunds"


def test_missing_schema_lists_the_schemas_nearest_first():
    with pytest.raises(UserInputError, match="Schema 'archiv' does not exist. Schemas: archive, sales"):
        require_schema(SNAP, "archiv")
    with pytest.raises(UserInputError, match="Schema 'SALES' does not exist. Schemas: sales, "):
        require_schema(SNAP, "SALES")
    require_schema(SNAP, "sales")
