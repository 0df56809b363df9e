"""Schema diff: two catalog snapshots -> ordered, online-safe migration steps with SQL (pure)."""

from dbarchitect.core.diff.models import CatalogExtras, DraftReport, MigrationPlan, Phase, Step, Verification
from dbarchitect.core.diff.planner import plan_migration
from dbarchitect.core.diff.scope import DEFAULT_SCOPE, SCOPES, Scope, scoped_target, target_scope

__all__ = ["DEFAULT_SCOPE", "SCOPES", "CatalogExtras", "DraftReport", "MigrationPlan", "Phase", "Scope", "Step",
           "Verification", "plan_migration", "scoped_target", "target_scope"]
