"""Migration rules (MG): one module per hazard of a schema migration; see core/migration/kit.py.

At discovery each rule's `OPS` (the op kinds it reads, core/migration/ops.py) is checked: a kind the
analyzer never emits is refused with a ValueError naming the module.
"""

from types import ModuleType

from dbarchitect.core.migration.ops import check_kinds
from dbarchitect.core.rulebook import register_validator


def _check_ops(mod: ModuleType) -> None:
    if not callable(getattr(mod, "check", None)):
        raise ValueError(f"{mod.__name__}: a migration rule defines check(stmt, mig)")
    if getattr(mod, "OPS", None) is not None:
        mod.OPS = check_kinds(mod.OPS, mod.__name__)


register_validator("migration", _check_ops)
