"""Index advice for MongoDB from a workload of find/aggregate commands, by the Equality-Sort-Range
rule, with the createIndex commands.

Per query (a find, or an aggregate's leading $match and $sort): equality fields first, then the sort
keys in their directions, then range fields. A projection of only indexed fields (without _id)
appends the projected fields so the query is covered (no FETCH). A field compared with the same
constant by every query that would use the index becomes a partial index filter instead of a key.
$text needs a text index. Candidates that are prefixes of another merge into it; a candidate an
existing index already serves (its keys a prefix of that index's, directions equal or all reversed)
is not proposed. Without a server nothing is costed: the advice is labelled heuristic, each pick
with the queries and weights it serves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dbarchitect.core.indexing.models import IndexAdvice, IndexRecommendation, RejectedCandidate, WorkloadQuery
from dbarchitect.core.models import Evidence
from dbarchitect.core.mongo.review import DocumentContext, create_index, drop_index, run
from dbarchitect.core.mongo.workload import Bundle, IndexSpec, MongoQuery, leading_match, predicates
from dbarchitect.core.rules.document.equivalent_index import same_direction


#: a field with at most this many distinct sampled values is status-like (a partial filter candidate)
PARTIAL_MAX_VALUES = 10


@dataclass
class _Candidate:
    collection: str
    keys: list[tuple[str, object]]
    partial: dict | None = None
    kind: str = "composite"
    queries: list[MongoQuery] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    covered: bool = False

    @property
    def name(self) -> str:
        return "_".join(f"{f}_{v}" for f, v in self.keys)

    def signature(self) -> str:
        extra = f" partial {json.dumps(self.partial, sort_keys=True)}" if self.partial else ""
        return f"{self.collection} {{{', '.join(f'{f}: {v}' for f, v in self.keys)}}}{extra}"


def _candidate(q: MongoQuery) -> _Candidate | None:
    flt, sort = leading_match(q)
    preds = predicates(flt)
    if any(p.role == "text" for p in preds):
        return _Candidate(q.collection, [("$**", "text")], kind="fts", queries=[q],
                          reasons=[f"{q.id}: $text needs a text index (list the searched fields instead of $**)"])
    eq = [p for p in preds if p.role == "equality"]
    rng = [p for p in preds if p.role == "range" and p.field not in {f for f, _ in sort}]
    keys: list[tuple[str, object]] = [(p.field, 1) for p in eq]
    keys += [(f, d) for f, d in sort if f not in {k for k, _ in keys}]
    keys += [(p.field, 1) for p in rng if p.field not in {k for k, _ in keys}]
    if not keys:
        return None
    why = []
    if eq:
        why.append("equality " + ", ".join(p.field for p in eq))
    if sort:
        why.append("sort " + ", ".join(f"{f} {d}" for f, d in sort))
    if rng:
        why.append("range " + ", ".join(p.field for p in rng))
    cand = _Candidate(q.collection, keys, kind="btree" if len(keys) == 1 else "composite", queries=[q],
                      reasons=[f"{q.id}: " + "; ".join(why)])
    proj = q.projection or {}
    if q.kind == "find" and proj and proj.get("_id") in (0, False):
        wanted = [f for f, v in proj.items() if f != "_id" and v in (1, True)]
        if wanted and all("." not in f for f in wanted):
            extra = [f for f in wanted if f not in {k for k, _ in keys}]
            cand.keys += [(f, 1) for f in extra]
            cand.covered = True
            cand.kind = "covering"
            cand.reasons[-1] += f"; covered: the projection {sorted(wanted)} is in the index (no FETCH)"
    return cand


def _partial(cands: list[_Candidate], bundle: Bundle) -> None:
    """A leading equality field every query of the candidate compares with one same constant becomes
    the partial filter (the index then holds only those documents) — when the constant is a boolean,
    or the sampled documents show a status-like field (at most PARTIAL_MAX_VALUES distinct values)
    whose constant selects at most half of them."""
    for c in cands:
        if c.kind in ("fts", "covering") or len(c.keys) < 2:
            continue
        field0 = c.keys[0][0]
        values = set()
        for q in c.queries:
            flt, _ = leading_match(q)
            match = [p for p in predicates(flt) if p.field == field0 and p.constant]
            values.add(json.dumps(match[0].value, sort_keys=True) if match else None)
        if len(values) != 1 or None in values:
            continue
        constant = json.loads(next(iter(values)))
        docs = bundle.collections[c.collection].documents if c.collection in bundle.collections else []
        share = sum(1 for d in docs if d.get(field0) == constant) / len(docs) if docs else None
        distinct = len({json.dumps(d.get(field0), sort_keys=True) for d in docs})
        # a status-like field (few values in the samples) whose constant selects a minority
        if isinstance(constant, bool) or (share is not None and 0 < share <= 0.5 and distinct <= PARTIAL_MAX_VALUES):
            values = {json.dumps(constant)}
            c.partial = {field0: json.loads(values.pop())}
            c.keys = c.keys[1:]
            c.kind = "partial"
            seen = f", {share:.0%} of the sampled documents" if share is not None else ""
            c.reasons.append(f"partial: every query filters {field0} = {json.dumps(constant)}{seen}")


def _served_by(c: _Candidate, indexes: list[IndexSpec]) -> IndexSpec | None:
    for i in indexes:
        if i.hidden or (i.partial and i.partial != c.partial) or i.kind != ("text" if c.kind == "fts" else "btree"):
            continue
        if c.kind == "fts":
            return i
        if c.partial and i.partial != c.partial:
            continue
        if len(i.keys) >= len(c.keys) and same_direction(i.keys[: len(c.keys)], c.keys):
            return i
    return None


def recommend(bundle: Bundle, *, max_indexes: int | None = None) -> IndexAdvice:
    if not bundle.queries:
        raise ValueError("recommend_indexes for MongoDB needs queries: find/aggregate commands as JSON or mongosh text.")
    cands: list[_Candidate] = []
    skipped: dict[str, str] = {}
    for q in bundle.queries:
        c = _candidate(q)
        if c is None:
            skipped[q.id] = "no filter or sort an index can serve (empty filter, or only $or/$expr/$where)"
            continue
        same = next((x for x in cands if x.signature() == c.signature()), None)
        if same:
            same.queries += c.queries
            same.reasons += c.reasons
        else:
            cands.append(c)
    _partial(cands, bundle)
    # merge prefixes into the longer candidate
    merged: list[_Candidate] = []
    for c in sorted(cands, key=lambda x: (-len(x.keys), x.signature())):
        host = next((m for m in merged if m.collection == c.collection and m.partial == c.partial and m.kind != "fts"
                     and c.kind != "fts" and same_direction(m.keys[: len(c.keys)], c.keys)), None)  # fmt: skip
        if host is not None:
            host.queries += c.queries
            host.reasons += c.reasons
        else:
            merged.append(c)
    rejected: list[RejectedCandidate] = []
    picks: list[_Candidate] = []
    for c in merged:
        existing = _served_by(c, bundle.collections[c.collection].indexes or []) if c.collection in bundle.collections else None
        if existing is not None:
            rejected.append(RejectedCandidate(index=c.signature(), reason=f"already served by {existing.name} {existing.pattern()}"))
        else:
            picks.append(c)
    picks.sort(key=lambda c: (-sum(q.weight for q in c.queries), c.signature()))
    if max_indexes is not None:
        for c in picks[max_indexes:]:
            rejected.append(RejectedCandidate(index=c.signature(), reason=f"beyond max_indexes={max_indexes}"))
        picks = picks[:max_indexes]
    recs = []
    for rank, c in enumerate(picks, 1):
        options: dict = {"name": c.name}
        if c.partial:
            options["partialFilterExpression"] = c.partial
        coll = bundle.collections.get(c.collection)
        existing = coll.indexes if coll and coll.indexes else []
        supersedes = [i.name for i in existing if i.name != "_id_" and not (i.unique or i.partial or i.sparse)
                      and i.ttl_seconds is None and len(i.keys) < len(c.keys) and not c.partial
                      and same_direction(c.keys[: len(i.keys)], i.keys)]  # fmt: skip
        size = int(coll.count * 40 * len(c.keys)) if coll and coll.count else 0
        recs.append(IndexRecommendation(
            rank=rank, name=c.name, table=c.collection, ddl=create_index(c.collection, c.keys, options),
            undo=drop_index(c.collection, c.name), kind=c.kind if c.kind != "btree" else "btree",
            method="text" if c.kind == "fts" else "btree", keys=[f"{f} {v}" for f, v in c.keys],
            predicate=json.dumps(c.partial) if c.partial else None, estimated_size_bytes=size,
            reason="ESR (equality, sort, range): " + " | ".join(c.reasons),
            workload_benefit=round(sum(q.weight for q in c.queries), 3), supersedes=supersedes,
            evidence=Evidence(kind="static", detail=f"serves {', '.join(q.id for q in c.queries)} (not costed: no server)",
                              data={"queries": [q.id for q in c.queries], "covered": c.covered}),
        ))  # fmt: skip
    ctx = DocumentContext.of(bundle)
    findings, _ = run(ctx, ("index",))
    notes = [
        "MongoDB: heuristic advice by the ESR rule (equality, sort, range); nothing was costed. Check each pick with "
        "explain('executionStats') on a copy: totalKeysExamined ≈ totalDocsExamined ≈ nReturned, no SORT stage.",
        "Build on a live replica set with createIndex (4.2+ builds hold an exclusive lock only at start and end); "
        "hideIndex an index you plan to drop before dropping it.",
    ]
    notes += [f"{f.code} {f.rule}: {f.message} Fix: {f.fix}" for f in findings]
    return IndexAdvice(
        mode="heuristic", queries=[WorkloadQuery(id=q.id, sql=q.text, weight=q.weight) for q in bundle.queries],
        recommendations=recs, rejected=rejected, skipped_queries=skipped, candidates_considered=len(cands),
        total_size_bytes=sum(r.estimated_size_bytes for r in recs), notes=notes,
    )  # fmt: skip
