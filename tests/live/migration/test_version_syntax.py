"""The lint's syntax table (core/migration/versions.py SYNTAX_SINCE) against the server: each example is
accepted exactly from the version the table says, and the lint reports it for the versions before.
`make test-matrix` runs this on PostgreSQL 13 to 18."""

import psycopg
import pytest

from dbarchitect.core.migration.engine import lint
from dbarchitect.core.migration.versions import SYNTAX_SINCE

pytestmark = [pytest.mark.live, pytest.mark.version_sensitive]


@pytest.fixture(scope="module")
def major(pg) -> int:
    return int(pg.admin("SHOW server_version_num")[0][0]) // 10000


@pytest.mark.parametrize("feature", SYNTAX_SINCE, ids=lambda f: f.name)
def test_server_and_lint_agree_on_the_version(pg, major, feature):
    dsn = pg.create_db(feature.setup or None)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(feature.example)
        accepted, error = True, None
    except psycopg.errors.SyntaxError as exc:
        accepted, error = False, exc
    assert accepted == (major >= feature.since), f"PostgreSQL {major}: {feature.name}: {error}"
    report = lint(feature.example, pg_version=major)
    if feature.detect is None:  # beyond the parser's grammar: said so, whatever the version
        assert report.parse_error and "cannot read yet" in report.parse_error
    elif accepted:
        assert report.unsupported_syntax == [] and report.parse_error is None
    else:
        assert any(feature.name in u for u in report.unsupported_syntax), report
