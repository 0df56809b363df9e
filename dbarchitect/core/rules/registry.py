"""The rule catalogue: one module per rule, discovered per family package.

A rule module has:
  - a module docstring that is its documentation page, with the headings
    `What it does`, `Why is this bad?`, `Example`, `Use instead` (and optionally `References`);
  - `RULE = RuleMeta(name="kebab-case-name", code="MG001", family="migration", severity=...,
    summary="one line")`;
  - the family's check function (its signature is the family's business: a migration rule reads a
    statement in context, a schema rule reads a SchemaSnapshot, and so on).

Names state the flagged pattern (`create-index-non-concurrently`), codes are never reused.
The server serves each docstring as the MCP resource `rules://<name>`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from dbarchitect.core.models import Severity

FAMILY_PACKAGES = {
    "schema": "dbarchitect.core.rules.schema",
    "migration": "dbarchitect.core.rules.migration",
    "query": "dbarchitect.core.rules.query",
    "plan": "dbarchitect.core.rules.plan",
    "index": "dbarchitect.core.rules.index",
    "security": "dbarchitect.core.rules.security",
    "health": "dbarchitect.core.rules.health",
}

REQUIRED_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclass(frozen=True)
class RuleMeta:
    name: str
    code: str
    family: str
    severity: Severity
    summary: str


def family_modules(family: str) -> list[ModuleType]:
    """Every rule module of a family, sorted by code. A family not built yet has none."""
    try:
        pkg = importlib.import_module(FAMILY_PACKAGES[family])
    except ModuleNotFoundError:
        return []
    mods = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if isinstance(getattr(mod, "RULE", None), RuleMeta):
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
