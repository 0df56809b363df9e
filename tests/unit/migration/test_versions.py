"""The lint's version table (core/migration/versions.py) as the lint applies it; the live side of each
entry is observed by tests/live/dryrun/test_hazards.py and tests/live/migration/test_version_syntax.py."""

import pytest

from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.versions import LOCK_CHANGES, SYNTAX_SINCE


@pytest.mark.parametrize("change", LOCK_CHANGES.values(), ids=list(LOCK_CHANGES))
def test_lock_change_is_predicted_on_each_side(change):
    for version, lock in ((change.since - 1, change.before), (change.since, change.after)):
        report = lint(change.example, pg_version=version)
        assert report.statements[0].locks[change.relation] == lock, (version, report.statements[0].locks)


@pytest.mark.parametrize("feature", [f for f in SYNTAX_SINCE if f.detect], ids=lambda f: f.name)
def test_syntax_a_version_lacks_is_reported_for_that_version(feature):
    old = lint(feature.example, pg_version=feature.since - 1)
    assert old.has_errors and any(feature.name in u and f"PostgreSQL {feature.since - 1}" in u
                                  for u in old.unsupported_syntax), old.unsupported_syntax  # fmt: skip
    assert lint(feature.example, pg_version=feature.since).unsupported_syntax == []


def test_merge_on_14_is_named_in_the_text_report():
    from dbarchitect.core.migration.render import render_text

    text = render_text(lint("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", pg_version=14))
    assert "MERGE is PostgreSQL 15+; PostgreSQL 14 rejects it" in text


@pytest.mark.parametrize("version", [17, 18])
def test_syntax_the_parser_cannot_read_is_said_so(version):
    report = lint("CREATE TABLE v (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)", pg_version=version)
    assert report.parse_error and "cannot read yet" in report.parse_error and "not linted" in report.parse_error
    assert report.statements == []


def test_a_plain_syntax_error_stays_a_syntax_error():
    report = lint("CREAT TABLE x (a int)", pg_version=15)
    assert report.parse_error and "cannot read" not in report.parse_error
