"""Text renderings keep what matters: a draft with nothing to run still shows what was refused."""

from dbarchitect.core.diff.models import DraftReport, Refusal, Verification
from dbarchitect.core.render import render


def test_draft_with_only_a_refusal_says_so():
    report = DraftReport(
        up_sql="", down_sql="", steps=[], down_steps=[], phases=[], hazards=[], patterns=[],
        refused=[Refusal(object="pg_stat_statements", change="drop extension", reason="operational extension")],
        verification=Verification(), current_source="from_ddl", left_alone=["public.other"], notes=["scope=objects"],
    )  # fmt: skip
    text = render(report)
    assert "except what was refused" in text and "drop extension pg_stat_statements" in text
    assert "left alone (not in the target): public.other" in text and "note: scope=objects" in text
