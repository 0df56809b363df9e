import pytest

from dbarchitect.core.plan.analyze import explain_plan
from dbarchitect.core.plan.parse import PlanParseError


@pytest.mark.parametrize("text", ["this is not a plan", "hello\n  world", "SELECT * FROM t"])
def test_prose_is_not_read_as_a_plan(text):
    with pytest.raises(PlanParseError, match="not a plan node line"):
        explain_plan(text)


@pytest.mark.parametrize(
    "text",
    ["Seq Scan on t", "Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)", "Result  (actual time=0.001..0.001 rows=1 loops=1)"],
)
def test_real_root_lines_are_read(text):
    assert explain_plan(text).tree
