"""Schema rules (family SD): what an architect flags when reading a schema's catalog.

Each module is one rule with `RULE`, an optional `NEEDS` set of facts, and
`check(snapshot, ctx) -> list[Finding]`; `dbarchitect.core.schema_review.review` runs them.
"""
