"""What the reviews (review_schema, review_indexes) hand back: one finding per rule, ranked by impact,
within a response budget, paged by cursor.

- Grouping: the findings of one rule become one `ReviewFinding` listing its objects and their count;
  the first finding's message, fix and evidence stand for the others ("e.g."). Inheritance and
  partition children fold into their parent: `public.favorites (+100 children)`.
- Ranking: by what it costs the application — data risk, then locks, space, speed, hygiene — then
  severity and the number of objects.
- Summary: one line per impact family with its rules and counts, over every group (not only the page).
- Budget and paging: groups are added until their JSON reaches the budget (the text says the same
  thing again, so text + structured stay ≈ twice this); `next_cursor` and `cut` say how to get the
  rest. `rules`, `min_severity` and `limit` filter before the cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, Field

from dbarchitect.core.models import Evidence, Finding, SchemaSnapshot, Severity
from dbarchitect.core.suggest import closest, did_you_mean

#: impact families, most costly first
IMPACTS = ("data risk", "locks", "space", "speed", "hygiene")

#: rule code -> impact family (codes not listed are hygiene), most costly first within a family
IMPACT_OF = {
    # wrong or lost data
    "SD026": "data risk", "SD001": "data risk", "SD007": "data risk", "SD006": "data risk",
    "SD013": "data risk", "SD012": "data risk", "SD009": "data risk", "IX004": "data risk",
    "SD024": "data risk", "SD023": "data risk", "SD011": "data risk", "SD027": "data risk",
    "SD003": "data risk",
    # locks and blocking writes
    "SD002": "locks", "SD019": "locks", "IX007": "locks",
    # disk, cache and write amplification
    "SD017": "space", "SD018": "space", "IX006": "space", "IX001": "space",
    # query speed
    "SD010": "speed", "SD020": "speed", "SD021": "speed", "SD022": "speed",
}  # fmt: skip
_PRIORITY = {code: n for n, code in enumerate(IMPACT_OF)}

#: index-pattern rules: review_indexes owns them, review_schema only counts them
INDEX_OWNED = ("SD002", "SD017", "SD018")

DEFAULT_BUDGET_CHARS = 36_000  # JSON of the page's findings; the text repeats it: ≈ 20k tokens together
MAX_OBJECTS = 60  # objects listed per group; the count says how many there are


class ReviewFinding(Finding):
    """A finding of a review: one rule, every object it concerns (the message/fix are the first's)."""

    impact: str = Field(default="hygiene", description="data risk, locks, space, speed or hygiene.")
    count: int = Field(default=1, description="Objects this rule flagged.")
    objects: list[str] = Field(default_factory=list, description="The objects (first MAX_OBJECTS), children folded into parents.")


def as_review_findings(findings: Iterable[Finding]) -> list[ReviewFinding]:
    out = []
    for f in findings:
        if isinstance(f, ReviewFinding):
            out.append(f)
            continue
        data = f.model_dump()
        out.append(ReviewFinding(**data, impact=IMPACT_OF.get(f.code, "hygiene"), objects=[f.object] if f.object else []))
    return out


def inheritance_parents(snapshot: SchemaSnapshot) -> dict[str, str]:
    """Qualified name of every inheritance or partition child (and of its indexes) -> its top parent."""
    direct: dict[str, str] = {}
    for t in snapshot.tables:
        parent = t.partition_of or (t.inherits[0] if t.inherits else None)
        if parent:
            direct[t.qualified] = parent if "." in parent else f"{t.schema_name}.{parent}"
    out: dict[str, str] = {}
    for child in direct:
        top, seen = direct[child], {child}
        while top in direct and top not in seen:
            seen.add(top)
            top = direct[top]
        out[child] = top
    for t in snapshot.tables:
        if t.qualified in out:
            for i in t.indexes:
                out[f"{t.schema_name}.{i.name}"] = out[t.qualified]
    return out


def _fold(obj: str, parents: Mapping[str, str]) -> tuple[str, bool]:
    """(the object as its parent's, whether it was a child's)."""
    if obj in parents:
        return parents[obj], True
    head, _, tail = obj.rpartition(".")
    if head in parents:  # schema.table.column
        return f"{parents[head]}.{tail}", True
    return obj, False


def group_findings(findings: Iterable[Finding], parents: Mapping[str, str] | None = None) -> list[ReviewFinding]:
    """One finding per rule code (children folded into parents), ranked by impact."""
    parents = parents or {}
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    out: list[ReviewFinding] = []
    for code, fs in by_code.items():
        worst = max(fs, key=lambda f: f.severity.rank)
        first = next(f for f in fs if f.severity == worst.severity)
        objects: dict[str, int] = {}  # folded object -> children folded into it
        parent_first: Finding | None = None
        for f in fs:
            if not f.object:
                continue
            name, child = _fold(f.object, parents)
            objects.setdefault(name, 0)
            if child:
                objects[name] += 1
            elif parent_first is None and f.severity == worst.severity:
                parent_first = f
        if parent_first is not None:
            first = parent_first  # show the parent's own finding, not a child's
        listed = [f"{o} (+{n} children)" if n else o for o, n in objects.items()]
        count = len(objects) or len(fs)
        folded = sum(objects.values())
        if len(fs) == 1 and not folded:
            out.extend(as_review_findings([first]))
            continue
        message = first.message
        if count > 1 or folded:
            msg_children = f", {folded} inheritance/partition children folded into their parents" if folded else ""
            message = f"{count} objects{msg_children}; e.g. {first.object}: {first.message}"
        fix = first.fix
        if fix and count > 1:
            fix = _group_fix(first, [f for f in fs if f.object and not _fold(f.object, parents)[1]], count)
        elif fix and folded and "NO INHERIT" not in fix:
            fix = f"-- {first.object}: runs on the parent and every inheritance child\n{fix}"
        evidence = list(first.evidence)
        if count > 1:
            evidence.append(Evidence(kind=first.evidence[0].kind if first.evidence else "catalog",
                                     detail=f"{len(fs)} finding(s) of {first.rule} over {count} object(s)",
                                     data={"findings": len(fs), "objects": count}))  # fmt: skip
        out.append(
            ReviewFinding(
                rule=first.rule, code=code, severity=worst.severity, message=message, fix=fix, evidence=evidence,
                object=first.object if count == 1 else f"{count} objects", statement=first.statement, line=first.line,
                impact=IMPACT_OF.get(code, "hygiene"), count=count, objects=listed[:MAX_OBJECTS],
            )  # fmt: skip
        )
    return rank(out)


MAX_FIX_SHAPES = 3  # distinct kinds of fix shown per group


def _shape(fix: str) -> str:
    """What kind of fix this is, names aside: its first statement's words without identifiers."""
    line = next((ln for ln in fix.splitlines() if ln.strip() and not ln.lstrip().startswith("--")), "")
    words = re.sub(r'"[^"]*"|\b\w+\.\w+\b|\([^)]*\)', " ", line).split()
    return " ".join(w for w in words if w.isupper())[:60]


def _group_fix(first: Finding, own: list[Finding], count: int) -> str:
    """The first object's fix, plus one example of each other kind of fix in the group (up to 3)."""
    shown = [first]
    shapes = {_shape(first.fix or "")}
    for f in own:
        if len(shown) >= MAX_FIX_SHAPES:
            break
        if f.fix and (shape := _shape(f.fix)) not in shapes:
            shapes.add(shape)
            shown.append(f)
    parts = []
    for f in shown:
        parts.append(f"-- for {f.object}" + (" (objects not shown take the same fix, with their own names)" if f is first else ""))
        parts.append(f.fix or "")
    return "\n".join(parts)


def rank(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, IMPACTS.index(f.impact) if f.impact in IMPACTS else 9,
                                           _PRIORITY.get(f.code, 99), -f.count, f.code))  # fmt: skip


def summary_lines(groups: list[ReviewFinding]) -> list[str]:
    """One line per impact family: how many objects, which rules."""
    lines = []
    for impact in IMPACTS:
        gs = [g for g in groups if g.impact == impact]
        if gs:
            rules = ", ".join(f"{g.code} {g.rule} ×{g.count}" for g in gs)
            lines.append(f"{impact}: {sum(g.count for g in gs)} object(s) in {len(gs)} rule(s) — {rules}")
    return lines


class Page(BaseModel):
    findings: list[ReviewFinding]
    summary: list[str]
    next_cursor: str | None = None
    cut: str | None = None
    notes: list[str] = Field(default_factory=list)


def _matches(f: Finding, rules: set[str]) -> bool:
    return f.code.lower() in rules or f.rule.lower() in rules


def _short(value: str, keep: int = 60) -> str:
    return repr(value[:keep]) + (f" (+{len(value) - keep} more characters)" if len(value) > keep else "")


def require_known_rules(wanted: set[str], findings: Iterable[Finding] = ()) -> None:
    """Raise UserInputError for a `rules` entry that names no rule (a misspelled filter must not read
    as "no findings"); the message suggests the closest codes and names."""
    from dbarchitect.core.describe import UserInputError
    from dbarchitect.core.rulebook import all_rules

    known = {m.RULE.code.lower(): m.RULE.code for m in all_rules()} | {m.RULE.name.lower(): m.RULE.name for m in all_rules()}
    known |= {f.code.lower(): f.code for f in findings} | {f.rule.lower(): f.rule for f in findings}
    unknown = sorted(w for w in wanted if w not in known)
    if not unknown:
        return
    parts = []
    for w in unknown[:5]:
        parts.append(_short(w) + did_you_mean(closest(w, known.values(), ignore_case=True), form="aside"))
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    raise UserInputError(f"rules names no rule: {'; '.join(parts)}{more}. Give rule codes (SD001) or names "
                         "(table-without-primary-key), comma-separated, or omit rules for all of them.")


def read_cursor(cursor: str | None, total: int) -> int:
    """The start index a `cursor` stands for; a cursor this tool never returned is an error."""
    from dbarchitect.core.describe import UserInputError

    if not cursor:
        return 0
    if not cursor.isdigit() or int(cursor) > total:
        raise UserInputError(f"cursor {_short(cursor)} is not one this tool returned ({total} rule group(s)); "
                             "pass a next_cursor from the previous page, or omit cursor to start again.")
    return int(cursor)


def paginate(
    findings: Iterable[Finding],
    *,
    parents: Mapping[str, str] | None = None,
    rules: str | list[str] | None = None,
    min_severity: str = "info",
    limit: int | None = None,
    cursor: str | None = None,
    budget_chars: int = DEFAULT_BUDGET_CHARS,
    hand_off: Mapping[str, str] | None = None,
) -> Page:
    """Group, filter, rank, cut. `hand_off`: rule codes another tool owns -> that tool's name; their
    findings are counted in a note, not listed (unless `rules` names them)."""
    notes: list[str] = []
    if isinstance(rules, str):
        rules = rules.split(",")
    wanted = {r.strip().lower() for r in rules or [] if r.strip()}
    fs = list(findings)
    if wanted:
        require_known_rules(wanted, fs)
    if hand_off:
        handed = [f for f in fs if f.code in hand_off and not _matches(f, wanted)]
        if handed:
            fs = [f for f in fs if f not in handed]
            by_tool: dict[str, dict[str, int]] = {}
            for f in handed:
                by_tool.setdefault(hand_off[f.code], {}).setdefault(f.code, 0)
                by_tool[hand_off[f.code]][f.code] += 1
            for tool, codes in by_tool.items():
                notes.append(f"{sum(codes.values())} index finding(s) ({', '.join(f'{c} ×{n}' for c, n in sorted(codes.items()))}) "
                             f"belong to {tool}: call it for them (not repeated here)")  # fmt: skip
    groups = group_findings(fs, parents)
    summary = summary_lines(groups)
    if wanted:
        groups = [g for g in groups if _matches(g, wanted)]
    floor = Severity(min_severity).rank
    if floor:
        below = [g for g in groups if g.severity.rank < floor]
        if below:
            notes.append(f"{len(below)} rule(s) below {min_severity} left out ({', '.join(g.code for g in below)})")
        groups = [g for g in groups if g.severity.rank >= floor]
    start = read_cursor(cursor, len(groups))
    page: list[ReviewFinding] = []
    used = 0
    for g in groups[start:]:
        size = len(g.model_dump_json(exclude_none=True))
        if page and (used + size > budget_chars or (limit is not None and len(page) >= limit)):
            break
        if size > budget_chars:  # one group alone over budget: shorten its object list
            g = g.model_copy(update={"objects": g.objects[:10], "evidence": g.evidence[:2]})
            size = len(g.model_dump_json(exclude_none=True))
        page.append(g)
        used += size
        if limit is not None and len(page) >= limit:
            break
    end = start + len(page)
    next_cursor = str(end) if end < len(groups) else None
    cut = None
    if next_cursor:
        rest = groups[end:]
        cut = (f"{len(rest)} more rule group(s) ({sum(g.count for g in rest)} objects: "
               f"{', '.join(g.code for g in rest[:12])}{'…' if len(rest) > 12 else ''}) left for the next page: "
               f"call again with cursor='{next_cursor}', or narrow with rules='SD001,…' / min_severity")  # fmt: skip
    return Page(findings=page, summary=summary, next_cursor=next_cursor, cut=cut, notes=notes)


def present(
    report: BaseModel,
    *,
    rules: str | list[str] | None = None,
    min_severity: str = "info",
    limit: int | None = None,
    cursor: str | None = None,
    framework: str | None = None,
    hand_off: Mapping[str, str] | None = None,
    budget_chars: int = DEFAULT_BUDGET_CHARS,
) -> BaseModel:
    """A review report (SchemaReview or IndexReview) as the tool answers it: framework conventions
    folded (review_schema: `framework` None/"auto" = as detected, "none", or a profile name), one
    finding per rule, ranked, filtered, cut to the budget, paged."""
    from dbarchitect.core import frameworks as fw

    findings = list(report.findings)
    notes = list(report.notes)
    update: dict = {}
    if "frameworks" in type(report).model_fields:
        if framework in (None, "auto"):
            chosen = list(report.frameworks)
            if chosen:
                notes.append(f"framework detected: {', '.join(fw.PROFILES[c].label for c in chosen)} — its conventions "
                             "are one info note (framework='none' lists them column by column)")  # fmt: skip
        elif framework == "none":
            chosen = []
        else:
            chosen = [framework]
            notes.append(f"framework profile {framework} applied as asked")
        findings = fw.apply_profile(findings, chosen)
        update["frameworks"] = chosen
    page = paginate(findings, parents=getattr(report, "_parents", {}), rules=rules, min_severity=min_severity,
                    limit=limit, cursor=cursor, budget_chars=budget_chars, hand_off=hand_off)  # fmt: skip
    update.update(findings=page.findings, summary=page.summary, next_cursor=page.next_cursor, cut=page.cut,
                  notes=[*notes, *page.notes])  # fmt: skip
    return report.model_copy(update=update)


def render_review(title: str, report: BaseModel, extra: Iterable[str] = ()) -> str:
    """The text of a review page: title, summary per impact family, notes, grouped findings, the cut."""
    findings: list[ReviewFinding] = list(report.findings)
    out = [title]
    out += [f"  {line}" for line in report.summary] or ["  no findings"]
    out += [f"note: {n}" for n in extra]
    for f in findings:
        many = f" ×{f.count}" if f.count > 1 else ""
        where = f" — {f.object}" if f.object and f.count == 1 else ""
        out.append(f"- [{f.severity.value}] {f.rule} ({f.code}, {f.impact}){many}{where}: {f.message}")
        if f.count > 1 or (f.objects and f.objects[0] != f.object):
            more = f" … (+{f.count - len(f.objects)} more)" if f.count > len(f.objects) else ""
            out.append("  objects: " + ", ".join(f.objects) + more)
        if f.fix:
            out.append("  fix: " + f.fix.replace("\n", "\n       "))
        for e in f.evidence:
            out.append(f"  evidence ({e.kind}): {e.detail}")
    if report.cut:
        out.append(f"… {report.cut}")
    return "\n".join(out)
