"""The shared wording of sizes and counts (core/units.py) and the severity helpers every review uses
(core/models.py: sort_findings, severity_counts)."""

from dbarchitect.core.models import Finding, Severity, severity_counts, sort_findings
from dbarchitect.core.units import human_bytes, human_count


def test_sizes_are_worded_like_pg_size_pretty():
    assert [human_bytes(n) for n in (0, 512, 1536, 48 * 1024, 120 * 2**20, 13 * 2**30, 3 * 2**40, 5000 * 2**40)] == [
        "0 bytes", "512 bytes", "1.5 kB", "48 kB", "120 MB", "13 GB", "3.0 TB", "5000 TB"]  # fmt: skip


def test_counts_are_worded_in_k_m_g():
    assert [human_count(n) for n in (0, 9999, 20_000, 1_500_000, 1_000_000, 40_000_000, 2e9, 2.5e9)] == [
        "0", "9999", "20 k", "1.5 M", "1 M", "40 M", "2 G", "2.5 G"]  # fmt: skip


def _f(code: str, severity: Severity, obj: str | None = None, statement: int | None = None) -> Finding:
    return Finding(rule=code.lower(), code=code, severity=severity, message="m", object=obj, statement=statement)


def test_findings_sort_by_the_fields_asked_for_worst_first():
    fs = [_f("B1", Severity.info, "x", 1), _f("A1", Severity.error, "y", 2), _f("A1", Severity.error, "a", 3),
          _f("C1", Severity.warning, None, 1)]  # fmt: skip
    assert [(f.code, f.object) for f in sort_findings(fs)] == [("A1", "a"), ("A1", "y"), ("C1", None), ("B1", "x")]
    assert [f.statement for f in sort_findings(fs, by=("statement", "severity", "code"))] == [1, 1, 2, 3]
    assert [f.code for f in sort_findings(fs, by=("statement", "severity", "code"))][:2] == ["C1", "B1"]
    assert fs[0].code == "B1"  # a new list; the input is left as it was


def test_severity_counts_list_every_severity_info_first():
    counts = severity_counts([_f("A", Severity.error), _f("B", Severity.error), _f("C", Severity.advice)])
    assert counts == {"info": 0, "advice": 1, "warning": 0, "error": 2}
    assert list(counts) == ["info", "advice", "warning", "error"]
