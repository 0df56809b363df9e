"""Query rules (QR): anti-patterns in SELECT statements, one module per pattern.

Each module defines `RULE` and `check(ctx: QueryContext) -> list[Finding]`; codes follow the rows of
the "Query rewrites and anti-patterns" table of the domain catalogue (QR001 = row 1, ...).
"""
