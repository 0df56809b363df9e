"""fix_check: the renames and the drop of an expand/contract swap the fix itself performs are not hazards
(the application keeps its column name; the old values were copied first); any other rename or drop is."""

from __future__ import annotations

from dbarchitect.core.fix_check import annotate
from dbarchitect.core.migration.engine import lint
from dbarchitect.core.models import Finding, Severity

SWAP = """BEGIN;
LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;
ALTER TABLE public.orders RENAME COLUMN amount TO amount__old;
ALTER TABLE public.orders RENAME COLUMN amount__new TO amount;
COMMIT;
ALTER TABLE public.orders DROP COLUMN amount__old;"""


def _checked(sql: str) -> str:
    finding = Finding(rule="float-for-money-column", code="SD007", severity=Severity.warning, message="m", fix=sql)
    return annotate(finding, lint(sql, runner="autocommit")).fix.splitlines()[0]


def test_the_swap_of_an_expand_contract_plan_is_not_a_hazard():
    rules = {f.rule for f in lint(SWAP, runner="autocommit").findings}
    assert {"rename-column", "drop-column"} <= rules  # the lint alone sees renames and a drop
    assert _checked(SWAP).startswith("-- checked by lint_migration on this database: no hazard")


def test_a_plain_rename_or_drop_is_still_a_hazard():
    assert "hazard(s)" in _checked("ALTER TABLE public.orders RENAME COLUMN amount TO total;")
    assert "hazard(s)" in _checked("ALTER TABLE public.orders DROP COLUMN amount__old;")
