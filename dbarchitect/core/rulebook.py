"""The ground floor of every rule family: what a rule is (`RuleMeta`), how findings are built, and
how rule modules are discovered.

Every family (schema, migration, query, plan, index, and those to come) imports this module and
nothing above it, so the engines that run rules (`core/migration/engine.py`, `core/plan/analyze.py`,
`core/schema_review.py`, ...) never import upwards into `core/rules/`.

A rule module has:
  - a module docstring that is its documentation page, with the headings
    `What it does`, `Why is this bad?`, `Example`, `Use instead` (and optionally `References`);
  - `RULE = RuleMeta(name="kebab-case-name", code="MG001", family="migration", severity=...,
    summary="one line", engines=...)`;
  - the family's check function (its signature is the family's business: a migration rule reads a
    statement in context, a schema rule reads a SchemaSnapshot, and so on).

Names state the flagged pattern (`create-index-non-concurrently`), codes are never reused.
The server serves each docstring as the MCP resource `rules://<name>`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType

from dbarchitect.core.models import Evidence, Finding, Severity

FAMILY_PACKAGES = {
    "schema": "dbarchitect.core.rules.schema",
    "migration": "dbarchitect.core.rules.migration",
    "query": "dbarchitect.core.rules.query",
    "plan": "dbarchitect.core.rules.plan",
    "index": "dbarchitect.core.rules.index",
    "mysql_schema": "dbarchitect.core.rules.mysql_schema",
    "mysql_plan": "dbarchitect.core.rules.mysql_plan",
    "mysql_migration": "dbarchitect.core.rules.mysql_migration",  # lint_migration on MySQL/MariaDB (MY1xx)
    "mysql_index": "dbarchitect.core.rules.mysql_index",
    "health": "dbarchitect.core.rules.health",
    "security": "dbarchitect.core.rules.security",
    "document": "dbarchitect.core.rules.document",  # MongoDB (DM), see core/mongo/review.py
}

REQUIRED_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")

#: database systems a rule can apply to (the `scheme` part of a connection URL, normalised)
ENGINES = ("postgresql", "mysql", "mongodb")
POSTGRESQL_ONLY = frozenset({"postgresql"})


@dataclass(frozen=True)
class RuleMeta:
    name: str
    code: str
    family: str
    severity: Severity
    summary: str
    #: the engines whose behaviour the rule describes; a rule is never run on another engine
    engines: frozenset[str] = POSTGRESQL_ONLY

    def applies_to(self, engine: str) -> bool:
        return engine in self.engines

    def finding(
        self,
        *,
        message: str,
        fix: str | None = None,
        evidence: Iterable[Evidence] = (),
        obj: str | None = None,
        severity: Severity | None = None,
        statement: int | None = None,
        line: int | None = None,
    ) -> Finding:
        """The one way a finding of this rule is built (every family's helper ends here)."""
        return Finding(
            rule=self.name,
            code=self.code,
            severity=severity or self.severity,
            message=message,
            fix=fix,
            evidence=list(evidence),
            object=obj,
            statement=statement,
            line=line,
        )


#: per-family checks run on each rule module at discovery (e.g. a migration rule's OPS are known op kinds);
#: a check raises ValueError naming the module and what is wrong
_VALIDATORS: dict[str, list[Callable[[ModuleType], None]]] = {}


def register_validator(family: str, check: Callable[[ModuleType], None]) -> None:
    _VALIDATORS.setdefault(family, []).append(check)


def family_modules(family: str) -> list[ModuleType]:
    """Every rule module of a family, sorted by code, each validated by the family's checks."""
    pkg = importlib.import_module(FAMILY_PACKAGES[family])
    mods = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if isinstance(getattr(mod, "RULE", None), RuleMeta):
            for check in _VALIDATORS.get(family, ()):
                check(mod)
            mods.append(mod)
    return sorted(mods, key=lambda m: m.RULE.code)


def all_rules() -> list[ModuleType]:
    return [m for fam in FAMILY_PACKAGES for m in family_modules(fam)]


def rule_doc(module: ModuleType) -> str:
    """The rule's documentation page: a title line and its docstring."""
    meta: RuleMeta = module.RULE
    body = inspect.cleandoc(module.__doc__ or "")
    return f"# {meta.name} ({meta.code}, {meta.family}, {meta.severity.value})\n\n{meta.summary}\n\n{body}\n"


def find_rule(name: str) -> ModuleType | None:
    return next((m for m in all_rules() if m.RULE.name == name or m.RULE.code == name), None)
