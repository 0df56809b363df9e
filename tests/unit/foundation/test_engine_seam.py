"""The engine seam: which engine a DSN speaks, the lazy registry behind App.db(), the PostgreSQL
implementation of the protocol and its features, and the rule that tools never import an engine."""

import ast
import pathlib
import subprocess
import sys

import pytest

from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.core.describe import UserInputError
from dbarchitect.live import engine as engine_mod
from dbarchitect.live import features
from dbarchitect.live.engine import Database, Engine, EngineUnsupported, engine_of, implementation
from dbarchitect.live.errors import DatabaseError, DDLRejected

ROOT = pathlib.Path(__file__).resolve().parents[3] / "dbarchitect"


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://u:p@db.example.com:5432/shop", Engine.postgresql),
        ("postgres://u@localhost/shop", Engine.postgresql),
        ("POSTGRESQL://u@localhost/shop", Engine.postgresql),
        ("host=localhost port=5432 dbname=shop user=app", Engine.postgresql),  # libpq key=value
        ("dbname=shop", Engine.postgresql),
        ("service=prod", Engine.postgresql),
        ("", Engine.postgresql),  # libpq defaults (PGHOST, PGDATABASE, ...)
        ("  postgresql://u@h/db  ", Engine.postgresql),
        ("mysql://root@127.0.0.1:3306/shop", Engine.mysql),
        ("mariadb://root@127.0.0.1:3306/shop", Engine.mysql),
        ("MySQL://root@h/shop", Engine.mysql),
        ("mongodb://localhost:27017/app", Engine.mongodb),
        ("mongodb+srv://user:pw@cluster0.example.net/app", Engine.mongodb),
    ],
)
def test_engine_of_every_scheme_and_libpq_form(dsn, expected):
    assert engine_of(dsn) is expected


def test_engine_of_unknown_scheme_names_the_known_ones():
    with pytest.raises(UserInputError) as err:
        engine_of("oracle://scott@db/orcl")
    assert "'oracle'://" in str(err.value) and "mysql://" in str(err.value) and "mongodb://" in str(err.value)


def test_engine_unsupported_names_tool_and_engine():
    exc = EngineUnsupported("lint_migration", Engine.mysql, "Later.")
    assert str(exc) == "lint_migration does not support MySQL/MariaDB yet. Later."
    assert isinstance(exc, UserInputError) and exc.tool == "lint_migration" and exc.engine is Engine.mysql


def test_registry_imports_postgres_lazily_and_answers_for_the_rest():
    assert implementation(Engine.postgresql, tool="describe_schema").__name__ == "PostgresDatabase"
    assert implementation(Engine.mongodb, tool="describe_schema").__name__ == "MongoDatabase"
    with pytest.raises(EngineUnsupported) as err:  # an engine with a Database but without the feature
        App(load_settings({"DATABASE_URL": "mongodb://localhost:1/app"})).feature("lint_context", tool="lint_migration")
    assert str(err.value).startswith("lint_migration does not support MongoDB yet.")


def test_registry_without_the_module_says_not_installed(monkeypatch):
    monkeypatch.setitem(engine_mod.IMPLEMENTATIONS, Engine.mysql, "dbarchitect.live.nosuchengine.database:NoSuch")
    with pytest.raises(EngineUnsupported) as err:
        implementation(Engine.mysql, tool="review_schema")
    assert str(err.value) == (
        "review_schema does not support MySQL/MariaDB yet. MySQL/MariaDB support is not installed in this build."
    )


def test_registry_without_the_driver_says_which(monkeypatch, tmp_path):
    (tmp_path / "fake_engine_mod.py").write_text("import no_such_driver_xyz\nclass FakeDatabase: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(engine_mod.IMPLEMENTATIONS, Engine.mysql, "fake_engine_mod:FakeDatabase")
    with pytest.raises(EngineUnsupported) as err:
        implementation(Engine.mysql, tool="run_query")
    assert "driver is not installed (no_such_driver_xyz)" in str(err.value)


def test_app_db_builds_the_registered_class_once_per_connection(monkeypatch, tmp_path):
    """Adding an engine is one registry entry: App.db() then builds Class(name, dsn, settings)."""
    (tmp_path / "fake_engine_ok.py").write_text(
        "class FakeDatabase:\n"
        "    def __init__(self, name, dsn, settings):\n"
        "        self.name, self.dsn, self.settings = name, dsn, settings\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(engine_mod.IMPLEMENTATIONS, Engine.mysql, "fake_engine_ok:FakeDatabase")
    app = App(load_settings({"DATABASE_URL": "", "DBARCHITECT_DB_SHOP": "mysql://root@127.0.0.1:1/shop"}))
    db = app.db("shop")
    assert type(db).__name__ == "FakeDatabase" and db.name == "shop" and db.dsn.startswith("mysql://")
    assert app.db("SHOP") is db
    assert app.engine("shop") is Engine.mysql and app.engine() is Engine.postgresql


def test_app_db_unknown_connection_and_engines_without_implementation():
    app = App(load_settings({"DATABASE_URL": "", "DBARCHITECT_DB_DOCS": "mongodb://localhost:1/app"}))
    with pytest.raises(UserInputError, match="No connection named 'nope'"):
        app.db("nope")
    with pytest.raises(EngineUnsupported, match="^lint_migration does not support MongoDB yet"):
        app.feature("lint_context", tool="lint_migration", connection="docs")


def test_postgres_database_satisfies_the_protocol_and_every_feature_interface():
    from dbarchitect.live.postgres.database import PostgresDatabase
    from dbarchitect.live.postgres.features import FACTORIES

    db = PostgresDatabase("default", "", load_settings({}))
    assert isinstance(db, Database) and db.engine is Engine.postgresql
    interfaces = {
        "scratch": features.ScratchServer,
        "schema_review": features.SchemaReviewer,
        "explain": features.Explainer,
        "lint_context": features.LintContextReader,
        "dry_run": features.DryRunner,
        "draft": features.Drafter,
        "index_advisor": features.IndexAdvisor,
        "index_review": features.IndexReviewer,
        "query_verify": features.QueryVerifier,
        "health": features.HealthReviewer,
        "security": features.SecurityReviewer,
        "top_queries": features.TopQueryReader,
    }
    assert set(interfaces) == set(features.FEATURES) == set(FACTORIES)
    for name, interface in interfaces.items():
        assert isinstance(db.feature(name, tool="t"), interface), name
    with pytest.raises(EngineUnsupported, match="^t does not support PostgreSQL yet"):
        db.feature("time_travel", tool="t")


def test_errors_are_engine_neutral_and_postgres_reexports_them():
    from dbarchitect.live.postgres.errors import DatabaseError as PgDatabaseError
    from dbarchitect.live.postgres.schema_review import DDLLoadError

    assert PgDatabaseError is DatabaseError
    assert issubclass(DDLLoadError, DDLRejected)


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("area", ["tools", "server", "app.py"])
def test_tools_server_and_app_import_no_engine_package(area):
    paths = [ROOT / area] if area.endswith(".py") else sorted((ROOT / area).rglob("*.py"))
    assert paths
    offenders = {
        f"{p.relative_to(ROOT)}: {name}"
        for p in paths
        for name in _imports(p)
        if name.startswith(("dbarchitect.live.postgres", "dbarchitect.live.mysql", "dbarchitect.live.mongo"))
    }
    assert offenders == set()


CODE = """
import sys, anyio
from dbarchitect.app import App
from dbarchitect.config import load_settings
from dbarchitect.live.engine import EngineUnsupported
import dbarchitect.tools.schema, dbarchitect.tools.query, dbarchitect.tools.plan
import dbarchitect.tools.index, dbarchitect.tools.migration
app = App(load_settings({"DATABASE_URL": "mongodb://localhost:1/app"}))
try:
    anyio.run(lambda: dbarchitect.tools.schema.describe_schema(app))
except EngineUnsupported as exc:
    print("MSG:" + str(exc))
print("MODS:" + ",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("psycopg", "psycopg_pool"))))
"""


def test_a_connection_of_another_engine_never_imports_psycopg():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    lines = dict(line.split(":", 1) for line in out.stdout.splitlines() if line[:4] in ("MSG:", "MODS"))
    assert lines["MSG"].startswith("describe_schema does not support MongoDB yet.")
    assert lines["MODS"] == "", f"imported for a MongoDB connection: {lines['MODS']}"


FLAWED_DDL = """
CREATE TABLE users (id serial, email text, created_at timestamp);
CREATE TABLE posts (id bigint PRIMARY KEY, user_id int REFERENCES users (id), body json);
"""


def test_reviews_run_only_the_rules_of_the_connection_engine(monkeypatch):
    """Schema, index and query reviews take the connection's engine: a rule declared for PostgreSQL
    only is not run for MySQL; run for PostgreSQL (or with no engine, offline) nothing changes."""
    from dbarchitect.core import rulebook
    from dbarchitect.core.indexing.review import review as review_indexes
    from dbarchitect.core.query_review import review_query
    from dbarchitect.core.schema_parse import snapshot_from_ddl
    from dbarchitect.core.schema_review import review as review_schema

    snapshot = snapshot_from_ddl(FLAWED_DDL).snapshot
    pg = review_schema(snapshot, source="parsed", engine="postgresql")
    assert pg.findings and pg.rules_run == review_schema(snapshot, source="parsed").rules_run
    mysql = review_schema(snapshot, source="parsed", engine="mysql")
    assert mysql.rules_run == [] and mysql.findings == []

    sql = "SELECT * FROM users WHERE email = NULL"
    assert review_query(sql, engine="postgresql").findings == review_query(sql).findings != []
    assert review_query(sql, engine="mysql").rules_run == []

    assert review_indexes(snapshot, engine="postgresql").findings
    assert review_indexes(snapshot, engine="mysql").rules_run == []

    # a rule that declares MySQL too is run there
    first = rulebook.family_modules("schema")[0]
    both = rulebook.RuleMeta(**{**first.RULE.__dict__, "engines": frozenset({"postgresql", "mysql"})})
    monkeypatch.setattr(first, "RULE", both)
    report = review_schema(snapshot, source="parsed", engine="mysql")
    assert report.rules_run + [s.code for s in report.skipped] == [both.code]  # run, or skipped for lack of facts


FAKE_ENGINE = '''
from dbarchitect.core.schema_parse import review_ddl_offline
from dbarchitect.live.engine import Engine, EngineUnsupported


class Reviewer:
    async def review_ddl(self, ddl, *, admin_dsn, schema=None):
        report = review_ddl_offline(ddl, schema=schema)
        return report.model_copy(update={"notes": [*report.notes, f"admin_dsn={admin_dsn}"]})


class FakeDatabase:
    def __init__(self, name, dsn, settings):
        self.name, self.dsn, self.settings = name, dsn, settings

    engine = Engine.mysql

    def feature(self, name, *, tool):
        if name == "schema_review":
            return Reviewer()
        raise EngineUnsupported(tool, Engine.mysql)
'''


def test_an_engine_with_only_some_features_serves_those_and_names_the_rest(monkeypatch, tmp_path):
    """What the MySQL engine will do first: review_schema(ddl=) works through its own reviewer (no
    scratch server: the DDL is parsed), while a feature it lacks answers with the sentence."""
    import anyio

    from dbarchitect.tools.migration import lint_migration
    from dbarchitect.tools.schema import review_schema

    (tmp_path / "fake_engine_partial.py").write_text(FAKE_ENGINE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(engine_mod.IMPLEMENTATIONS, Engine.mysql, "fake_engine_partial:FakeDatabase")
    app = App(load_settings({"DATABASE_URL": "", "DBARCHITECT_DB_SHOP": "mysql://root@127.0.0.1:1/shop"}))
    ddl = "CREATE TABLE t (id int, name text);"
    report = anyio.run(lambda: review_schema(app, ddl=ddl, connection="shop"))
    assert report.source == "parsed" and "admin_dsn=None" in report.notes
    with pytest.raises(EngineUnsupported, match="^lint_migration does not support MySQL/MariaDB yet.$"):
        anyio.run(lambda: lint_migration(app, "ALTER TABLE t ADD COLUMN x int;", connection="shop"))
