"""The acceptance corpus: every before/after pair in tests/fixtures/migrations is drafted, applied on a
shadow of `before`, and must converge to `after`, re-plan to nothing and round-trip through the down plan,
with the safe patterns and hazards its expect.yaml names.

`options.scope` says how `after.sql` is read: "schema" (the whole schema: what it omits is dropped) or
"objects" (the default: only what it defines; everything else must stay exactly as it was). Cases without
it are whole schemas whose plan is the same in both scopes (they then exercise the default)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
import yaml

from dbarchitect.live.postgres.draft import ScratchPool, draft_migration
from dbarchitect.live.postgres.shadow import ScratchHost

CORPUS = Path(__file__).parents[2] / "fixtures" / "migrations"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yaml").exists())


@pytest.fixture(scope="module")
def pool(pg):
    p = ScratchPool(ScratchHost("local_cluster", pg.dsn()))
    yield p
    anyio.run(p.close)


def test_corpus_is_large_enough():
    assert len(CASES) >= 60


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES)
async def test_case(case, pool):
    d = CORPUS / case
    expect = yaml.safe_load((d / "expect.yaml").read_text())
    opts = expect.get("options", {})
    report = await draft_migration((d / "after.sql").read_text(), from_ddl=(d / "before.sql").read_text(),
                                   pool=pool, dry_run=False, **opts)  # fmt: skip
    v = report.verification
    assert v.applied and v.down_applied, v.error
    refused = expect.get("refused", [])
    assert sorted(r.object for r in report.refused) == sorted(refused)
    if refused:
        # the only differences left are the objects the plan refused to drop
        assert v.convergence_differences
        for diff in v.convergence_differences:
            assert any(r in diff.key for r in refused), diff
    else:
        assert v.converged, v.convergence_differences
    assert v.replan_empty, v.replan_steps
    assert v.reversible, v.reversibility_differences
    missing = set(expect.get("patterns", [])) - set(report.patterns)
    assert not missing, f"patterns {missing} not in {report.patterns}"
    codes = {h.code for h in report.hazards}
    assert not set(expect.get("hazards", [])) - codes, codes
    actions = [s.action for s in report.steps]
    assert not set(expect.get("actions", [])) - set(actions), actions
    if "only_actions" in expect:
        assert set(actions) <= set(expect["only_actions"]), actions
    assert report.scope == opts.get("scope", "objects") == v.scope
    if report.scope == "objects":
        assert v.untouched is True, v.out_of_scope_changes
    else:
        assert v.untouched is None and not v.out_of_scope_changes
    if "left_alone" in expect:
        assert report.left_alone == expect["left_alone"]
        assert any("left as they are" in n for n in report.notes), report.notes
    if case == "no_change":
        assert not report.steps and "nothing to do" in report.up_sql
    elif not refused:
        assert report.steps and report.down_steps
    for step in report.steps:
        if step.action.endswith("-concurrently"):
            assert not step.transactional and "CONCURRENTLY" in step.statements[0]
