"""PL007 counts every row of a lossy page as rechecked (lossy pages × rows per page), not only the rows
the recheck removed: a work_mem-starved bitmap scan is reported with its real share of the work."""

from pathlib import Path

from dbarchitect.core.plan.analyze import explain_plan

PLAN = (Path(__file__).parents[2] / "fixtures" / "plans" / "lossy_bitmap.txt").read_text()


def test_estimate_uses_lossy_pages_times_rows_per_page():
    report = explain_plan(PLAN)
    (pl007,) = [i for i in report.insights if i.code == "PL007"]
    seen = 103600 + 9722
    per_page = seen / (547 + 520)
    rechecked = 520 * per_page  # ~55,000 rows, not the 9,722 the recheck removed
    assert "520 pages × ~106 rows per page" in pl007.message and "9722 of them discarded" in pl007.message
    data = {k: v for e in pl007.evidence for k, v in e.data.items()}
    assert abs(data["rows rechecked (estimate)"] - rechecked) < 2
    # the saving is the lossy share of the node's own time, well above removed/seen (8.6 %)
    assert pl007.saving_ms is None or pl007.saving_ms > 0.4 * 89.0
