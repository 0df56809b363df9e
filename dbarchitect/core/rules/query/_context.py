"""What a query rule receives: one parsed statement, its dialect and the catalog facts.

Every rule module of the `query` family defines `check(ctx: QueryContext) -> list[Finding]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp

from dbarchitect.core.models import Evidence, Finding, SchemaSnapshot, Table
from dbarchitect.core.rules.query._facts import QueryFacts, size_evidence, static
from dbarchitect.core.rulebook import RuleMeta

__all__ = ["QueryContext", "static"]


@dataclass
class QueryContext:
    statement: exp.Expression
    dialect: str = "postgres"
    snapshot: SchemaSnapshot | None = None
    number: int = 1
    line: int = 1
    facts: QueryFacts = field(init=False)

    def __post_init__(self) -> None:
        self.facts = QueryFacts(self.statement, self.snapshot)

    @property
    def postgres(self) -> bool:
        return self.dialect in ("postgres", "postgresql")

    def sql(self, node: exp.Expression) -> str:
        return node.sql(dialect=self.dialect)

    def selects(self) -> Iterator[exp.Select]:
        yield from self.statement.find_all(exp.Select)

    def finding(
        self,
        rule: RuleMeta,
        message: str,
        *,
        fix: str | None = None,
        evidence: list[Evidence] | None = None,
        obj: str | None = None,
        severity=None,
    ) -> Finding:
        """`rule.finding(...)` placed on this statement."""
        return rule.finding(message=message, fix=fix, evidence=evidence or (), obj=obj, severity=severity,
                            statement=self.number, line=self.line)

    def negligible(self, table: Table | None) -> bool:
        """The catalog says this table is too small for an access-path finding to matter."""
        return self.facts.is_small(table)

    def size_evidence(self, table: Table | None) -> list[Evidence]:
        return [size_evidence(table)] if table is not None and table.estimated_rows >= 0 else []
