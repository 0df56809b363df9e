"""A statement on a legacy inheritance parent reaches every child: the dry run reports it once, with the
children listed (issue 20: danbooru's favorites_0..99 gave one finding per child)."""

from __future__ import annotations

import pytest

from dbarchitect.live.postgres.dryrun import dry_run_migration

CHILDREN = 30
SETUP = "CREATE TABLE favorites (id bigint NOT NULL, user_id integer NOT NULL, post_id integer NOT NULL);\n" + "".join(
    f"CREATE TABLE favorites_{i} (CHECK (user_id % {CHILDREN} = {i})) INHERITS (favorites);\n"
    f"INSERT INTO favorites_{i} SELECT g, {i}, g FROM generate_series(1, 5) g;\n"
    for i in range(CHILDREN)
)


@pytest.mark.anyio
async def test_type_change_on_an_inheritance_parent_is_one_finding_listing_the_children(pg):
    target = pg.create_db(SETUP)
    report = await dry_run_migration("ALTER TABLE favorites ALTER COLUMN post_id TYPE bigint;", target=target)
    obs = report.statements[-1] if report.statements[-1].rewritten else next(s for s in report.statements if s.rewritten)
    rewritten = {r.relation for r in obs.rewritten}
    assert {f"public.favorites_{i}" for i in range(CHILDREN)} <= rewritten  # PostgreSQL rewrote every child
    rewrites = [f for f in report.findings if f.rule == "dry-run-rewrite-observed"]
    assert len(rewrites) == 1, [f.message for f in rewrites]
    msg = rewrites[0].message
    assert f"and {CHILDREN} more table(s)" in msg and "+20 more" in msg and "total size" in msg, msg
    assert len(rewrites[0].evidence[0].data["rewritten"]) == CHILDREN + 1
    assert len(report.findings) < 10, [f.rule for f in report.findings]
