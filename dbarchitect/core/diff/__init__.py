"""Schema diff: two catalog snapshots -> ordered, online-safe migration steps with SQL (pure)."""

from dbarchitect.core.diff.models import CatalogExtras, DraftReport, MigrationPlan, Phase, Step, Verification
from dbarchitect.core.diff.planner import plan_migration

__all__ = ["CatalogExtras", "DraftReport", "MigrationPlan", "Phase", "Step", "Verification", "plan_migration"]
