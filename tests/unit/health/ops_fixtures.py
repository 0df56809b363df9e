"""Shared by the health and security fixture runners: a YAML case creates its condition for real on a
fresh database of the test PostgreSQL, the facts are read live, and the file's rule is judged.

A case:
  setup:      SQL run on the fresh database (autocommit; may hold several statements)
  sessions:   SQL strings, each run on its own connection that stays open (e.g. `BEGIN; SELECT 1`
              leaves it idle in transaction) while the facts are read
  background: SQL strings started on their own connections without waiting (e.g. a query blocked by a
              session's lock); cancelled afterwards
  sleep:      seconds to wait before reading (for durations)
  teardown:   SQL run afterwards on the fresh database (cluster-wide objects: slots, roles)
  patch:      fields merged into the facts after the live read — only for cluster-wide counters a test
              cannot set without disturbing the whole server (checkpoint counts, max_connections)
  constants:  module constants of the rule overridden for the case (a threshold in seconds, so a
              real condition need not last a minute)
  expect:     findings of the file's rule: {object (ANY: not known in advance, e.g. a pid), severity?,
              message_contains?, fix_contains?}
  only:       (default true) no other finding of the rule may appear; false for cluster-wide rules,
              with `absent: [objects]` that must not appear
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect.core.sql.statements import scan

ROOT = Path(__file__).parents[2] / "fixtures" / "rules"


def cases(family: str):
    for path in sorted((ROOT / family).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for name, case in doc["cases"].items():
            yield pytest.param(doc["rule"], case, id=f"{path.stem}:{name}")


async def with_condition(pg, case, read):
    """Create the case's condition on a fresh database, then `await read(dsn)` while it holds."""
    dsn = pg.create_db()
    if case.get("setup"):
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in scan(case["setup"]):  # one by one: VACUUM cannot run in a block
                conn.execute(statement.sql)
    held: list[psycopg.AsyncConnection] = []
    tasks = []
    try:
        for sql in case.get("sessions") or []:
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            held.append(conn)
            await conn.execute(sql)
        for sql in case.get("background") or []:
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            held.append(conn)
            tasks.append(asyncio.ensure_future(conn.execute(sql)))
        if tasks:
            await asyncio.sleep(0.5)
        if case.get("sleep"):
            await asyncio.sleep(float(case["sleep"]))
        return await read(dsn)
    finally:
        for conn in held:
            try:
                conn.cancel()
            except psycopg.Error:
                pass
        for t in tasks:
            try:
                await asyncio.wait_for(t, 5)
            except Exception:  # noqa: BLE001 - the cancelled statement's error
                pass
        for conn in held:
            await conn.close()
        if case.get("teardown"):
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(case["teardown"])


def judge(rule: str, case, findings) -> None:
    got = [f for f in findings if f.rule == rule]
    expect = case.get("expect") or []
    objects = [f.object for f in got]
    for e in expect:
        match = [f for f in got if e["object"] in ("ANY", f.object)]
        assert match, f"{rule} did not fire on {e['object']}; it fired on {objects}"
        if "severity" in e:
            assert any(f.severity.value == e["severity"] for f in match), [f.severity for f in match]
        if "message_contains" in e:
            assert any(e["message_contains"] in f.message for f in match), [f.message for f in match]
        if "fix_contains" in e:
            assert any(e["fix_contains"] in (f.fix or "") for f in match), [f.fix for f in match]
    if case.get("only", True):
        if any(e["object"] == "ANY" for e in expect):
            assert len(got) == len(expect), [f.message for f in got]
        else:
            assert sorted(objects) == sorted(e["object"] for e in expect), [f.message for f in got]
    for obj in case.get("absent") or []:
        assert obj not in objects, [f.message for f in got if f.object == obj]
    for f in got:
        assert f.evidence and f.evidence[0].data, f.message
        assert f.fix, f.message


def patched(model, patch: dict | None):
    """`model` with `patch` merged in depth (dicts merge, everything else replaces), re-validated."""
    if not patch:
        return model

    def merge(a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            return {k: merge(a.get(k), v) if k in a else v for k, v in b.items()} | {k: v for k, v in a.items() if k not in b}
        return b

    return type(model).model_validate(merge(model.model_dump(), patch))
