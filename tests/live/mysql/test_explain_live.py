"""explain on the spawned MariaDB: EXPLAIN FORMAT=JSON and ANALYZE FORMAT=JSON through MySQLExplain."""

from __future__ import annotations

import pytest

from dbarchitect.config import Settings
from dbarchitect.live.mysql.database import MySQLDatabase
from dbarchitect.live.mysql.explain import MySQLExplain
from dbarchitect.live.errors import DatabaseError

pytestmark = pytest.mark.anyio

SETUP = """
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, note varchar(20) NOT NULL);
INSERT INTO orders SELECT seq, seq % 500, concat('n', seq) FROM seq_1_to_20000;
"""


async def test_explain_and_analyze(mysql):
    url = mysql.create_db(SETUP)
    db = MySQLDatabase("default", url, Settings(connections={"default": url}))
    ex = MySQLExplain(db)
    try:
        plain = await ex.explain("SELECT * FROM orders WHERE note = 'n7'")
        assert not plain.summary.analyzed and plain.insights[0].code == "MY201"
        assert "orders_note_idx (note)" in plain.insights[0].fix
        measured = await ex.explain("SELECT * FROM orders WHERE note = 'n7'", analyze=True)
        assert measured.summary.analyzed and measured.summary.execution_ms is not None
        assert measured.insights[0].evidence[0].kind == "execution"
        # MariaDB prints the condition's double quotes unescaped (not JSON): still read
        quoted = await ex.explain("SELECT * FROM orders WHERE note = 'say \"hi\"'", analyze=True)
        assert quoted.summary.analyzed and quoted.insights[0].code == "MY201"
        dml = await ex.explain("DELETE FROM orders WHERE note = 'n7'")  # planned, never executed
        assert dml.summary.node_count >= 1
        with pytest.raises(DatabaseError, match="only read-only statements are analyzed"):
            await ex.explain("DELETE FROM orders WHERE note = 'n7'", analyze=True)
        with pytest.raises(DatabaseError, match="executable comments"):
            await ex.explain("SELECT 1 /*! ; DROP TABLE orders */")
        assert mysql.admin(f"SELECT count(*) FROM `{url.rsplit('/', 1)[1]}`.orders") == ((20000,),)
    finally:
        await db.close()


async def test_features_of_a_mysql_connection(mysql):
    from dbarchitect.core.describe import UserInputError
    from dbarchitect.live.engine import EngineUnsupported

    url = mysql.create_db(SETUP)
    db = MySQLDatabase("default", url, Settings(connections={"default": url}))
    try:
        explainer = db.feature("explain", tool="explain_query")
        report = await explainer.explain_query("SELECT * FROM orders WHERE note = 'n7'", analyze=True, buffers=True,
                                               params=None, hypothetical_indexes=[], allow_writes=False)  # fmt: skip
        assert report.summary.analyzed and report.insights[0].code == "MY201"
        with pytest.raises(EngineUnsupported, match="HypoPG"):
            await explainer.explain_query("SELECT 1", analyze=False, buffers=False, params=None,
                                          hypothetical_indexes=["CREATE INDEX i ON orders (note)"], allow_writes=False)  # fmt: skip
        with pytest.raises(UserInputError, match="MySQL/MariaDB"):
            explainer.diagnose("Seq Scan on users  (cost=0.00..35.50 rows=2550 width=4)", sql=None, catalog=None)
        reviewer = db.feature("schema_review", tool="review_schema")
        review = await reviewer.review_database()
        assert review.findings == [] and review.rules_run[0] == "MY001"
        for name, tool in (("health", "review_health"), ("top_queries", "top_queries")):
            with pytest.raises(EngineUnsupported, match=f"^{tool} does not support MySQL/MariaDB yet."):
                db.feature(name, tool=tool)
    finally:
        await db.close()
