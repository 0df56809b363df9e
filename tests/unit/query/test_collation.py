"""QR017 knows the database collation: silent under C, a warning under any other collation."""

from dbarchitect.core.query_review import review_query
from tests.unit.query.snapshots import blog

SQL = "SELECT * FROM posts WHERE title LIKE 'foo%'"


def qr017(snapshot):
    return [f for f in review_query(SQL, snapshot=snapshot).findings if f.code == "QR017"]


def test_c_collation_is_silent():
    snap = blog()
    snap.collation = "C"
    assert qr017(snap) == []


def test_known_non_c_collation_is_a_warning_with_evidence():
    snap = blog()
    snap.collation = "en_US.UTF-8"
    [f] = qr017(snap)
    assert f.severity.value == "warning" and "en_US.UTF-8" in f.message
    assert any(e.data.get("collation") == "en_US.UTF-8" for e in f.evidence)


def test_unknown_collation_stays_info():
    snap = blog()
    snap.collation = ""
    [f] = qr017(snap)
    assert f.severity.value == "info" and "unless the database collation is C" in f.message
