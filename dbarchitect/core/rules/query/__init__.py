"""Query rules (QR): anti-patterns in SELECT statements, one module per pattern.

Each module defines `RULE` and `check(ctx: QueryContext) -> list[Finding]`; codes follow the rows of
the "Query rewrites and anti-patterns" table of the domain catalogue (QR001 = row 1, ...).
Its cases are tests/fixtures/rules/query/<rule-name>.yaml; its docstring's `Example` must fire and
its `Use instead` must stay silent (tests/unit/query/test_rule_fixtures.py runs both).
"""
