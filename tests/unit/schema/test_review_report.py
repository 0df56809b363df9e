"""The reviews' report shape, pure: one finding per rule with its objects, inheritance children folded
into parents, ranked by impact, summary per family, budget and cursor paging, filters, hand-off of
index findings; framework detection and folding; unused-index advice only on old statistics."""

from __future__ import annotations

from dbarchitect.core import frameworks as fw
from dbarchitect.core.indexing.review import review as index_review
from dbarchitect.core.models import Column, Finding, Index, SchemaSnapshot, Severity, Table, TableStats
from dbarchitect.core.review_report import group_findings, paginate, present
from dbarchitect.core.schema_parse import snapshot_from_ddl
from dbarchitect.core.schema_review import review


def _f(code: str, obj: str, severity: Severity = Severity.warning, rule: str | None = None) -> Finding:
    return Finding(rule=rule or f"rule-{code.lower()}", code=code, severity=severity, message=f"{obj} is bad.",
                   fix=f"ALTER TABLE {obj} DO SOMETHING;", object=obj)  # fmt: skip


def test_one_finding_per_rule_children_folded_and_ranked():
    findings = [_f("SD003", f"public.t{i}.at") for i in range(30)]
    findings += [_f("SD001", "public.fav"), *[_f("SD001", f"public.fav_{i}") for i in range(100)]]
    findings += [_f("SD017", "public.idx", Severity.warning), _f("SD010", "public.t1.doc", Severity.advice)]
    parents = {f"public.fav_{i}": "public.fav" for i in range(100)}
    groups = group_findings(findings, parents)
    assert [g.code for g in groups] == ["SD001", "SD003", "SD017", "SD010"]  # severity, then data risk > space
    pk = groups[0]
    assert pk.count == 1 and pk.objects == ["public.fav (+100 children)"] and pk.object == "public.fav"
    assert groups[1].count == 30 and groups[1].object == "30 objects" and len(groups[1].objects) == 30


def test_budget_cursor_filters_and_hand_off():
    findings = [_f(f"SD0{i:02d}", f"public.t{j}.c{'x' * 200}") for i in range(1, 30) for j in range(40)]
    findings.append(_f("SD002", "public.t.fk"))
    page = paginate(findings, budget_chars=20_000, hand_off={"SD002": "review_indexes"})
    assert page.next_cursor and "cursor=" in page.cut
    assert sum(len(g.model_dump_json()) for g in page.findings) <= 20_000 + 2_000
    assert "SD002" not in {g.code for g in page.findings} and "review_indexes" in page.notes[0]
    rest = paginate(findings, budget_chars=20_000, cursor=page.next_cursor, hand_off={"SD002": "review_indexes"})
    assert not {g.code for g in page.findings} & {g.code for g in rest.findings}
    asked = paginate(findings, rules="SD002, SD005", hand_off={"SD002": "review_indexes"})
    assert {g.code for g in asked.findings} == {"SD002", "SD005"}
    assert [g.code for g in paginate(findings, limit=3).findings] == [g.code for g in paginate(findings).findings][:3]
    assert paginate(findings, min_severity="error").findings == []


def test_prisma_and_laravel_detected_rails_needs_its_marker():
    prisma = snapshot_from_ddl(
        "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, migration_name varchar(255) NOT NULL);"
        "CREATE TABLE post (id serial PRIMARY KEY, created_at timestamp(3) NOT NULL, updated_at timestamp(3) NOT NULL);"
    ).snapshot
    assert fw.detect(prisma) == ["prisma"]
    rep = present(review(prisma, source="parsed"))
    codes = {f.code for f in rep.findings}
    assert "SD000" in codes and "SD003" not in codes and rep.frameworks == ["prisma"]
    plain = snapshot_from_ddl("CREATE TABLE migrations (id int PRIMARY KEY, name text);").snapshot
    assert fw.detect(plain) == []  # a table called migrations is not Laravel's without migration + batch


def _indexed(age_days: float, reads: int) -> SchemaSnapshot:
    t = Table(schema="public", name="orders", columns=[Column(name="id", position=1, type="bigint"),
                                                        Column(name="note", position=2, type="text")],
              indexes=[Index(name="orders_note_idx", columns=["note"], definition="CREATE INDEX orders_note_idx ON public.orders USING btree (note)")],
              stats=TableStats(seq_scans=reads, idx_scans=reads, inserts=reads))  # fmt: skip
    return SchemaSnapshot(database="d", server_version="15", tables=[t], taken_at="2026-01-31T00:00:00+00:00",
                          stats_reset=f"2026-01-{31 - int(age_days):02d}T00:00:00+00:00")  # fmt: skip


def test_unused_index_is_advised_only_on_old_statistics_with_traffic():
    (old,) = [f for f in index_review(_indexed(30, 500)).findings if f.code == "IX001"]
    assert old.severity == Severity.advice and old.object == "public.orders_note_idx" and "DROP INDEX" in old.fix
    (young,) = [f for f in index_review(_indexed(2, 500)).findings if f.code == "IX001"]
    assert young.severity == Severity.info and "2.0 days old" in young.message and "DROP INDEX" not in young.fix
    (quiet,) = [f for f in index_review(_indexed(30, 10)).findings if f.code == "IX001"]
    assert "under 100 reads and writes" in quiet.message and quiet.object is None
