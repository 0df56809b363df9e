"""Plan rules read every number they compare against from core/plan/thresholds.py."""

from __future__ import annotations

import ast
import inspect
import re

from dbarchitect.core.plan.thresholds import THRESHOLDS
from dbarchitect.core.rulebook import family_modules


def _bare_numbers(source: str) -> list[str]:
    """Comparisons with a numeric literal other than 0 and 1, outside len(...) counts and subscripts."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = (node.left, *node.comparators)
        if any(isinstance(s, ast.Call) and isinstance(s.func, ast.Name) and s.func.id == "len" for s in sides):
            continue  # a count of things, not a threshold
        for side in sides:
            subscripts = {id(n.slice) for n in ast.walk(side) if isinstance(n, ast.Subscript)}
            for c in ast.walk(side):
                if (isinstance(c, ast.Constant) and type(c.value) in (int, float) and c.value not in (0, 1)
                        and id(c) not in subscripts):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_scan_sees_a_bare_threshold():
    assert _bare_numbers("x = a if share >= 0.2 else b")
    assert _bare_numbers("ok = removed < 10 * rows")
    assert not _bare_numbers('x = share >= T("jit_share_warning") and len(kids) < 2 and found[i][2] == d')


def test_no_plan_rule_compares_against_a_bare_number():
    for mod in family_modules("plan"):
        assert _bare_numbers(inspect.getsource(mod)) == [], mod.__name__


def test_every_threshold_a_rule_reads_exists():
    for mod in family_modules("plan"):
        for key in re.findall(r'\bT\("([a-z_]+)"', inspect.getsource(mod)):
            assert key in THRESHOLDS, (mod.__name__, key)
