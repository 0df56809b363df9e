"""`make demo` calls every tool over MCP (issue 21: it skipped explain_plan)."""

from dbarchitect.demo import SCENES
from dbarchitect.tools import TOOLS


def test_the_demo_calls_every_tool():
    assert {t.name for t in TOOLS} - {s.tool for s in SCENES} == set()
    assert {s.tool for s in SCENES} <= {t.name for t in TOOLS}
