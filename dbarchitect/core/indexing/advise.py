"""Turn a selection (or, without HypoPG, the query structure alone) into an `IndexAdvice`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dbarchitect.core.sql.ident import quote_ident
from dbarchitect.core.indexing.candidates import CandidateSet, StatsMap, covers, existing_keys, norm_predicate
from dbarchitect.core.indexing.models import (
    Candidate,
    IndexAdvice,
    IndexRecommendation,
    QueryCost,
    RejectedCandidate,
    WorkloadQuery,
)
from dbarchitect.core.indexing import estimate
from dbarchitect.core.indexing.select import FAST_QUERY_COST, Selection, default_budget
from dbarchitect.core.indexing.size import btree_size, entry_btree_size
from dbarchitect.core.indexing.shape import QueryShape
from dbarchitect.core.models import Evidence, Index, SchemaSnapshot

STATIC_MIN_ROWS = 10_000  # below this a sequential scan is cheap: no uncosted (static) advice …
STATIC_MIN_PAGES = 1024  # … and no uncosted GIN below 8 MB of heap (TPC-H supplier: 10 k rows in 1.7 MB, a ~1 ms scan)
MAX_REJECTED = 12
MAX_GUARDED = 4  # rejected slots first given to candidates a plan-risk guard turned down
MAX_COVERED = 4  # rejected slots kept for "an existing index already covers it", however many others there are
HYPOPG_INSTALL = (
    "Install HypoPG to have every recommendation proven by planner costs: "
    "`apt-get install postgresql-{major}-hypopg` (or build it from https://github.com/HypoPG/hypopg), "
    "then `CREATE EXTENSION hypopg;` in this database. It only creates hypothetical indexes in the session."
)


_ident = quote_ident


def table_sql(qualified: str) -> str:
    schema, _, name = qualified.partition(".")
    return f"{_ident(schema)}.{_ident(name)}"


def index_name(cand: Candidate, taken: set[str]) -> str:
    table = cand.table.split(".", 1)[1]
    parts = [c if c else re.sub(r"[^a-z0-9]+", "_", k.lower()).strip("_") for c, k in zip(cand.columns, cand.keys)]
    suffix = {"partial": "part_idx", "gin_trgm": "trgm_idx", "gin": "gin_idx", "fts": "fts_idx", "brin": "brin_idx"}.get(
        cand.kind, "idx"
    )
    if cand.include and cand.kind != "partial":
        suffix = "cov_idx"
    base = "_".join([table, *parts])
    room = 63 - len(suffix) - 1
    base = base.encode()[:room].decode(errors="ignore").rstrip("_")
    name, n = f"{base}_{suffix}", 2
    while name in taken:
        name = f"{base[: room - 3]}_{suffix}{n}"
        n += 1
    taken.add(name)
    return name


def ddl(cand: Candidate, name: str, snapshot: SchemaSnapshot) -> tuple[str, str]:
    t = snapshot.table(cand.table)
    conc = "" if t is not None and t.kind == "partitioned_table" else "CONCURRENTLY "
    create = f"CREATE INDEX {conc}{_ident(name)} {cand.body(table_sql(cand.table))};"
    schema = cand.table.split(".", 1)[0]
    return create, f"DROP INDEX {conc}IF EXISTS {_ident(schema)}.{_ident(name)};"


# a jsonb document no other row repeats holds at least one value of its own (a request id, a timestamp): a
# GIN entry with a one-item posting list, ~24 bytes with its line pointer, instead of a share of a posting
# list (booking's events.payload: 4 M events built 132 MB; width / 10 + 1 alone gave 53 MB)
GIN_OWN_ENTRY = 24.0


def _unrepeated(cand: Candidate, rows: float, stats: StatsMap) -> float:
    """The share of rows whose jsonb document no other row repeats: pg_stats' distinct documents per row."""
    st = stats.get((cand.table, cand.columns[0])) if cand.columns and cand.columns[0] else None
    if st is None or rows <= 0:
        return 0.0
    return min(1.0, st.distinct(rows) / rows) * (1.0 - st.null_frac)


def static_size(cand: Candidate, snapshot: SchemaSnapshot, stats: StatsMap) -> int:
    """Size without HypoPG (which cannot model GIN): rows × bytes per row, per kind, calibrated on built
    indexes (bench/oltp at scale 0.3, PostgreSQL 15: docs/decisions/index-advisor.md):
    - trigram GIN: about one posting item per trigram of the value (width + 2 trigrams), ~1.5 bytes
      each once compressed, plus ~16 bytes per row (issues.title, 56 bytes: 86 bytes a row built;
      products.name, 24 bytes: 66);
    - jsonb_path_ops GIN: one hash per path, repeated across rows and compressed in posting lists —
      about width / 10 + 1 bytes a row (issues.attrs, 65 bytes: 5.6; products.attrs, 59 bytes: 7), plus
      an entry of its own (GIN_OWN_ENTRY) for each document no other row repeats (`_unrepeated`:
      booking's events.payload, a request id in most: 32.6 bytes a row built); jsonb_ops keys and
      values separately: twice the first part;
    - full-text GIN: about a third of the text's bytes (lexemes without stop words, compressed
      positions-free postings), from the widths of the columns the expression names (title || body,
      250 bytes: 86 a row; name || description, 218: 91);
    - btree: key widths plus tuple overhead at fillfactor 90 (`size.btree_size` is used first)."""
    t = snapshot.table(cand.table)
    rows = max(1, t.estimated_rows if t else 1)
    if cand.method == "brin":
        return max(8192 * 3, (t.pages if t else 0) // 128 * 16)
    width = 0
    for c in [*cand.columns, *cand.include]:
        st = stats.get((cand.table, c)) if c else None
        width += st.avg_width if st else 16
    if cand.method == "gin":
        if cand.kind == "gin_trgm":
            per_row = 1.5 * (width + 2) + 16
        elif cand.kind == "fts":
            named = set(re.findall(r"\b(\w+)\b", " ".join(cand.keys)))
            text = sum(st.avg_width for (tb, col), st in stats.items() if tb == cand.table and col in named) or width
            per_row = 0.35 * text + 8
        elif any("jsonb_path_ops" in k for k in cand.keys):
            per_row = width / 10 + 1 + GIN_OWN_ENTRY * _unrepeated(cand, rows, stats)
        else:
            per_row = 2 * (width / 10 + 1) + GIN_OWN_ENTRY * _unrepeated(cand, rows, stats)
        return int(rows * per_row) + 2 * 8192
    return int(rows * (width + 16) / 0.9) + 8192


def _recommend(cand: Candidate, *, rank: int, taken: set[str], snapshot: SchemaSnapshot, size: int, reason: str,
               helps: list[QueryCost], evidence: Evidence, **extra) -> IndexRecommendation:  # fmt: skip
    name = index_name(cand, taken)
    create, undo = ddl(cand, name, snapshot)
    return IndexRecommendation(
        rank=rank, name=name, table=cand.table, ddl=create, undo=undo, kind=cand.kind, method=cand.method,
        keys=list(cand.keys), include=list(cand.include), predicate=cand.predicate, estimated_size_bytes=size,
        reason=reason, helps=helps, evidence=evidence, **extra,
    )  # fmt: skip


def superseded(cand: Candidate, snapshot: SchemaSnapshot) -> list[str]:
    """Existing plain indexes `cand` makes redundant: each is covered by `cand` itself (its keys lead
    `cand`'s, its INCLUDE columns are stored in it, same or no predicate) and backs no constraint."""
    t = snapshot.table(cand.table)
    if t is None or not cand.hypothetical:
        return []
    out = []
    for ix in t.indexes:
        if ix.unique or ix.primary or ix.constraint or not ix.valid:
            continue
        keys = tuple(existing_keys(ix))
        as_cand = Candidate(table=cand.table, keys=keys, columns=(None,) * len(keys), method=ix.method,
                            include=tuple(ix.include), predicate=ix.predicate)  # fmt: skip
        mine = Index(name="_", method=cand.method, columns=[None] * len(cand.keys), expressions=list(cand.keys),
                     include=list(cand.include), predicate=cand.predicate)  # fmt: skip
        if norm_predicate(ix.predicate) == norm_predicate(cand.predicate) and covers(mine, as_cand):
            out.append(ix.name)
    return out


def _serves(big: Candidate, small: Candidate) -> bool:
    """`big` serves every lookup `small` would: `small`'s keys lead it (or all reversed), its INCLUDE
    columns are stored in it, same method and predicate; `big` is the longer of two equal ones."""
    if big == small or big.table != small.table or norm_predicate(big.predicate) != norm_predicate(small.predicate):
        return False
    as_index = Index(name="_", method=big.method, columns=[None] * len(big.keys), expressions=list(big.keys),
                     include=list(big.include), predicate=big.predicate)  # fmt: skip
    return covers(as_index, small) and (len(big.keys), len(big.include)) > (len(small.keys), len(small.include))


def _uncosted(cset: CandidateSet, cand: Candidate) -> list[QueryCost]:
    return [QueryCost(query=q, cost_before=0, cost_after=0) for q in sorted(cset.queries[cand])]


def _static_ok(cand: Candidate, snapshot: SchemaSnapshot, min_pages: int = 0) -> bool:
    t = snapshot.table(cand.table)
    return t is not None and t.estimated_rows >= STATIC_MIN_ROWS and t.pages >= min_pages


EXTENSION_NOTE = (" Run CREATE EXTENSION IF NOT EXISTS {ext}; before it: {ext} is available on this server but "
                  "not installed in this database; creating it needs the CREATE privilege on the database ({ext} is a "
                  "trusted extension since PostgreSQL 13, so a database owner may install it) or a superuser.")


FTS_MIN_ROWS = 1000  # to_tsvector parses every row's text on a scan: ~0.1 ms a row, so 1,000 rows ≈ 0.1 s


def _fts_worth(cand: Candidate, snapshot: SchemaSnapshot) -> bool:
    """A full-text scan costs the parsing of every row's text, not its pages: a small heap is no excuse."""
    t = snapshot.table(cand.table)
    return t is not None and t.estimated_rows >= FTS_MIN_ROWS


def _static_recs(cset: CandidateSet, snapshot: SchemaSnapshot, stats: StatsMap, taken: set[str], start: int,
                 extensions: set[str], room: int | None = None, available: set[str] | None = None,
                 notes: list[str] | None = None, only: Mapping[Candidate, Mapping[str, tuple[float, float]]] | None = None,
                 weights: Mapping[str, float] | None = None) -> list[IndexRecommendation]:  # fmt: skip
    """`only`: the GIN candidates the selection's pruning pass kept (with their modelled query costs),
    already within the budget. Uncosted kinds (GIN), smallest first, within the `room` left in the budget. One that needs an
    extension the server does not have (`available`, from pg_available_extensions) is left out, and
    `notes` says so; for one whose extension is available but not installed, its reason and `notes`
    say to run CREATE EXTENSION first (its DDL stays one statement: CREATE INDEX CONCURRENTLY must be
    sent alone, and clients run `ddl` as one statement), and `requires_extension` names it."""
    out = []
    statics = [c for c in cset.candidates if not c.hypothetical and (
        _static_ok(c, snapshot, STATIC_MIN_PAGES) or (c.kind == "fts" and _fts_worth(c, snapshot)))]  # fmt: skip
    if only is not None:
        statics = [c for c in statics if c in only]
    for cand in sorted(statics, key=lambda c: (static_size(c, snapshot, stats), c.signature)):
        ext = cand.requires_extension
        if ext and ext not in extensions and available is not None and ext not in available:
            if notes is not None:
                notes.append(f"{cand.signature} would serve {', '.join(sorted(cset.queries[cand]))}, but needs the {ext} "
                             f"extension, which this server does not have (not in pg_available_extensions).")  # fmt: skip
            continue
        size = static_size(cand, snapshot, stats)
        if room is not None:
            if size > room:
                if notes is not None:
                    notes.append(f"{cand.signature} would serve {', '.join(sorted(cset.queries[cand]))} (not costed: "
                                 f"{cand.method.upper()}), but at ~{size / 2**20:,.0f} MB it does not fit the "
                                 f"{max(room, 0) / 2**20:,.0f} MB left of the budget; raise budget_mb to include it.")  # fmt: skip
                continue
            room -= size
        note = EXTENSION_NOTE.format(ext=ext) if ext and ext not in extensions else ""
        modelled = (only or {}).get(cand) or {}
        detail = (f"HypoPG cannot model {cand.method.upper()} indexes, so this one is not costed: it follows "
                  f"from the query's structure ({cset.reasons[cand]}). validate=true measures it on the copy "
                  "(built for real on the table or a sample of it).")  # fmt: skip
        if modelled:
            detail += (" Weighed against the btree picks on one scale (benefit per byte) with a modelled cost: a "
                       "bitmap scan of the rows its predicate matches on a block sample of the table.")  # fmt: skip
        evidence = Evidence(
            kind="static",
            detail=detail,
            data={"queries": sorted(cset.queries[cand]), "probes": dict(cset.probes.get(cand, {})),
                  "body": cand.body("{table}")},
        )  # fmt: skip
        helps = _uncosted(cset, cand)
        if modelled:
            helps = [QueryCost(query=q, weight=(weights or {}).get(q, 1.0), cost_before=round(b, 2), cost_after=round(a, 2))
                     for q, (b, a) in sorted(modelled.items())]  # fmt: skip
        rec = _recommend(cand, rank=start + len(out), taken=taken, snapshot=snapshot, size=size,
                         reason=cset.reasons[cand] + note, helps=helps, evidence=evidence,
                         requires_extension=ext)  # fmt: skip
        if note and notes is not None:
            first = f"Run first: CREATE EXTENSION IF NOT EXISTS {_ident(ext)};"
            if not any(n.startswith(first) for n in notes):
                notes.append(first + EXTENSION_NOTE.format(ext=ext).split(" before it:", 1)[1])
        out.append(rec)
    return out


def uncosted_candidates(cset: CandidateSet, snapshot: SchemaSnapshot, stats: StatsMap, extensions: set[str],
                        available: set[str] | None = None) -> dict[Candidate, int]:
    """The GIN candidates `_static_recs` would offer (large enough table, extension available), with their
    estimated bytes: `select` weighs them with the btree picks (`uncosted=`)."""
    return {r_c: static_size(r_c, snapshot, stats) for r_c in cset.candidates if not r_c.hypothetical
            and (_static_ok(r_c, snapshot, STATIC_MIN_PAGES) or (r_c.kind == "fts" and _fts_worth(r_c, snapshot)))
            and not (r_c.requires_extension and r_c.requires_extension not in extensions and available is not None
                     and r_c.requires_extension not in available)}  # fmt: skip


def from_selection(
    queries: Sequence[WorkloadQuery],
    cset: CandidateSet,
    sel: Selection,
    snapshot: SchemaSnapshot,
    stats: StatsMap,
    *,
    budget_bytes: int | None,
    extensions: set[str],
    available: set[str] | None = None,
) -> IndexAdvice:
    weights = {q.id: q.weight for q in queries}
    notes: list[str] = [*sel.limit_notes.values(), *sel.expression_notes.values()]
    taken = {i.name for t in snapshot.tables for i in t.indexes}
    recs: list[IndexRecommendation] = []
    names: dict[Candidate, str] = {}
    for pick in sel.picks:
        c = pick.candidate
        other = next((o.candidate for o in sel.picks if o is not pick and _serves(o.candidate, c)), None)
        if other is not None:  # a prefix-duplicate of another pick: that one serves every lookup it would
            sel.rejected[c] = (pick.benefit, f"{other.signature} serves every lookup it would (same leading keys)")
            continue
        helps = [QueryCost(query=q, weight=weights[q], cost_before=round(b, 2), cost_after=round(a, 2))
                 for q, (b, a) in sorted(pick.helps.items(), key=lambda kv: kv[1][1] - kv[1][0])]  # fmt: skip
        evidence = Evidence(
            kind="hypopg",
            detail=(
                f"With this index as a HypoPG hypothetical index the planner's cost of "
                f"{len(helps)} quer{'y' if len(helps) == 1 else 'ies'} drops by "
                f"{pick.benefit:,.0f} (weighted), for an estimated {pick.size / 2**20:.1f} MB."
            ),
            data={"helps": {q: {"before": b, "after": a} for q, (b, a) in pick.helps.items()}, "size_bytes": pick.size},
        )
        sup = superseded(c, snapshot)
        reason = cset.reasons.get(c, "")
        if pick.judged:  # a plan-risk guard fired for these queries: they were costed at its price, not vetoed
            reason += "; judged per query: " + "; ".join(pick.judged[q] for q in sorted(pick.judged))
        if sup:
            reason += (f"; it serves every lookup of the existing {', '.join(sup)} and more (same leading keys), "
                       "which can be dropped once it is built")  # fmt: skip
        rec = _recommend(c, rank=len(recs) + 1, taken=taken, snapshot=snapshot, size=pick.size,
                         reason=reason, helps=helps, evidence=evidence, supersedes=sup,
                         workload_benefit=round(pick.benefit, 2), write_charge=round(pick.charge, 2))  # fmt: skip
        names[c] = rec.name
        recs.append(rec)
    budget = budget_bytes if budget_bytes is not None else sel.default_budget
    room = None if budget is None else budget - sum(r.estimated_size_bytes for r in recs)
    if sel.uncosted:
        # the pruning pass weighed the GIN kinds and the btree picks on one scale within the budget
        recs += _static_recs(cset, snapshot, stats, taken, len(recs) + 1, extensions, None, available, notes,
                             only=sel.uncosted_kept, weights=weights)  # fmt: skip
    else:
        if budget_bytes is None and room is not None:
            # with the default budget the uncosted GIN kinds (the only index for a trigram, containment or
            # full-text predicate) keep at least half of it: costed btree picks cannot crowd them out
            room = max(room, budget // 2)
        recs += _static_recs(cset, snapshot, stats, taken, len(recs) + 1, extensions, room, available, notes)
    for c, (_loss, _size, why) in sel.pruned.items():
        notes.append(f"Pruned {c.signature}: {why}.")
    qcosts = []
    for q in queries:
        if q.id not in sel.final:
            continue
        final = sel.final[q.id]
        qcosts.append(
            QueryCost(
                query=q.id,
                weight=q.weight,
                cost_before=round(sel.base[q.id], 2),
                cost_after=round(final.cost, 2),
                indexes_used=sorted(names[c] for c in final.used if c in names),
            )
        )
    # risky kinds first, then the costed rejections by benefit, and always a few of the candidates an
    # existing index already covers (the answer to "why not X?" when X exists)
    # (a few candidates a plan-risk guard turned down come first: they answer "why not the obvious index?")
    guarded = sorted((kv for kv in sel.rejected.items() if kv[0] in sel.risky), key=lambda kv: (len(kv[0].include), kv[0].signature))
    rest = sorted((kv for kv in sel.rejected.items() if kv[0] not in sel.risky), key=lambda kv: -kv[1][0])
    rejected = guarded[:MAX_GUARDED] + rest + guarded[MAX_GUARDED:]
    covered = list(cset.covered.items())
    shown = MAX_REJECTED - min(MAX_COVERED, len(covered))
    rejected_out = [RejectedCandidate(index=c.signature, reason=why) for c, (_, why) in rejected[:shown]]
    for cand, why in cset.risky.items():
        rejected_out.insert(0, RejectedCandidate(index=cand.signature, reason=why))
    for cand, existing in covered[: max(MAX_REJECTED - len(rejected_out), min(MAX_COVERED, len(covered)))]:
        rejected_out.append(RejectedCandidate(index=cand.signature, reason=f"existing index {existing} already covers it"))
    before = sum(weights[q] * c for q, c in sel.base.items())
    after = sum(weights[q] * c.cost for q, c in sel.final.items())
    if sel.fast:
        notes.append("Already fast, no index proposed for them (planner cost below "
                     f"{FAST_QUERY_COST:.0f}): " + ", ".join(f"{q} ({c:,.1f})" for q, c in sel.fast.items()))
    if sel.default_budget is not None:
        budget_bytes = sel.default_budget
        notes.append(f"No budget_mb given: the default budget is {sel.default_budget / 2**20:.0f} MB "
                     "(half the heap the workload reads, at least 64 MB).")  # fmt: skip
        notes += [over_budget_note(c, share, sel.sizes.get(c, sel.uncosted.get(c, 0)))
                  for c, (share, _) in sel.over_budget.items()
                  if any(p.candidate == c for p in sel.picks) or c in sel.uncosted_kept]  # in the order taken
    if len(sel.rejected) > shown:
        notes.append(f"{len(sel.rejected) - shown} more rejected candidates not listed.")
    if sel.dedup_sized:
        notes.append(f"{len(sel.dedup_sized)} btree candidates are sized from pg_stats the way CREATE INDEX lays "
                     "them out (with deduplication where it applies: equal keys stored once with a list of row "
                     "pointers); HypoPG's own estimate, one padded entry per row, is up to several times larger.")  # fmt: skip
    return IndexAdvice(
        mode="hypopg",
        database=snapshot.database,
        workload_source=queries[0].source if queries else "explicit",
        queries=list(queries),
        recommendations=recs,
        workload_cost_before=round(before, 2),
        workload_cost_after=round(after, 2),
        query_costs=qcosts,
        total_size_bytes=sum(r.estimated_size_bytes for r in recs),
        budget_bytes=budget_bytes,
        rejected=rejected_out,
        skipped_queries=dict(sel.skipped),
        candidates_considered=len(cset.candidates) + len(cset.covered),
        costings=sel.costings,
        notes=notes,
    )


def over_budget_note(cand: Candidate, share: float, size: int) -> str:
    return (f"Beyond the default budget: {cand.signature} ({size / 2**20:,.1f} MB) — it alone removes "
            f"{100 * share:.0f} % of the workload cost the other picks leave and makes a query at least "
            f"{estimate.MAJOR_GAIN_RATIO:.0f}× cheaper, a lookup; pass budget_mb to hold the set to a size.")


def heuristic(
    queries: Sequence[WorkloadQuery],
    shapes: Mapping[str, QueryShape],
    cset: CandidateSet,
    snapshot: SchemaSnapshot,
    stats: StatsMap,
    *,
    budget_bytes: int | None,
    max_indexes: int | None,
    extensions: set[str],
    major: int = 15,
    available: set[str] | None = None,
) -> IndexAdvice:
    """Without HypoPG: candidates ranked by a cost estimate from pg_stats, table sizes and the
    queries' weights (`estimate.rank`), within the budget (by default the one the costed mode uses)
    and `max_indexes`; not proven by the planner, and labelled so."""
    default = budget_bytes is None
    if default:
        budget_bytes = default_budget(snapshot, shapes)
    sizes: dict[Candidate, int] = {}
    usable = []
    for cand in cset.candidates:
        if not cand.hypothetical or not _static_ok(cand, snapshot):
            continue
        usable.append(cand)
        sizes[cand] = btree_size(cand, snapshot, stats) or static_size(cand, snapshot, stats)
    entries = {c: n for c in usable if (n := entry_btree_size(c, snapshot, stats))}
    why_not: dict[Candidate, str] = {}
    # the uncosted GIN kinds keep up to half of the budget before the btrees are ranked: each is the only
    # index for its predicate (full text, containment, trigram), which otherwise reads and tests every
    # row, while the btree picks it would compete with refine queries an index already serves. Without
    # the planner the heuristic has no figure for a GIN's saving to rank it by (the costed mode reserves
    # the same share with the default budget, after its proven picks)
    gin = sum(r.estimated_size_bytes for r in _static_recs(cset, snapshot, stats, set(), 1, extensions, None, available))
    reserved = min(gin, budget_bytes // 2)
    ranked_budget = budget_bytes - reserved
    over: dict[Candidate, float] = {}
    ceiling = int(estimate.DEFAULT_BUDGET_CEILING * budget_bytes) - reserved if default else None
    picks = estimate.rank(queries, shapes, usable, snapshot, stats, sizes, budget_bytes=ranked_budget,
                          max_indexes=max_indexes, entry_sizes=entries, rejected=why_not, ceiling=ceiling, over=over,
                          partners=cset.partners)  # fmt: skip
    weights = queries_by_id(queries)
    taken = {i.name for t in snapshot.tables for i in t.indexes}
    recs: list[IndexRecommendation] = []
    used = 0
    for cand, saving, helps in picks:
        used += sizes[cand]
        evidence = Evidence(
            kind="static",
            detail="Heuristic, not costed by the planner (HypoPG is not installed): estimated from pg_stats "
            f"selectivities (rare side), the table's pages and rows and the query weights ({cset.reasons[cand]}).",
            data={"estimated_saving": round(saving, 1),
                  "estimates": {q: {"before": round(b, 1), "after": round(a, 1)} for q, (b, a) in helps.items()}},
        )  # fmt: skip
        qc = [QueryCost(query=q, weight=weights.get(q, 1.0), cost_before=round(b, 1), cost_after=round(a, 1))
              for q, (b, a) in sorted(helps.items())]  # fmt: skip
        recs.append(_recommend(cand, rank=len(recs) + 1, taken=taken, snapshot=snapshot, size=sizes[cand],
                               reason=cset.reasons[cand], helps=qc, evidence=evidence,
                               workload_benefit=round(saving, 2)))  # fmt: skip
    # picks beyond the default budget (`estimate.rank`'s ceiling) widen it by their bytes: the GIN kinds keep their share
    beyond = sum(sizes[c] for c, _, _ in picks if c in over)
    room = None if budget_bytes is None else budget_bytes + beyond - used
    notes = ["HEURISTIC: these recommendations are estimates from pg_stats and table sizes, not proven by "
             "planner costs. " + HYPOPG_INSTALL.format(major=major)]  # fmt: skip
    if max_indexes is None or len(recs) < max_indexes:
        statics = _static_recs(cset, snapshot, stats, taken, len(recs) + 1, extensions, room, available, notes)
        recs += statics if max_indexes is None else statics[: max_indexes - len(recs)]
    if default:
        notes.append(f"No budget_mb given: the default budget is {budget_bytes / 2**20:.0f} MB "
                     "(half the heap the workload reads, at least 64 MB).")  # fmt: skip
        notes += [over_budget_note(c, share, sizes[c]) for c, _, _ in picks if (share := over.get(c)) is not None]
    rejected = heuristic_rejections(why_not, cset, snapshot, notes)
    return IndexAdvice(
        mode="heuristic",
        rejected=rejected,
        database=snapshot.database,
        workload_source=queries[0].source if queries else "explicit",
        queries=list(queries),
        recommendations=recs,
        total_size_bytes=sum(r.estimated_size_bytes for r in recs),
        budget_bytes=budget_bytes,
        skipped_queries={q: s.error for q, s in shapes.items() if s.error},
        candidates_considered=len(cset.candidates) + len(cset.covered),
        notes=notes,
    )


def heuristic_rejections(why_not: Mapping[Candidate, str], cset: CandidateSet, snapshot: SchemaSnapshot,
                         notes: list[str]) -> list[RejectedCandidate]:  # fmt: skip
    """What the heuristic considered and left out, and why: first the candidates turned down for risk at
    generation (scattered single keys, identity literals, copies of a unique key), then the estimate's
    own rejections (budget, small saving, served by a pick — budget first: the ones a larger budget
    would add), then a few an existing index already covers; the rest counted in `notes`."""
    out = [RejectedCandidate(index=c.signature, reason=w) for c, w in list(cset.risky.items())[:MAX_GUARDED]]
    order = sorted(why_not.items(), key=lambda kv: (not kv[1].startswith("does not fit"), kv[0].signature))
    out += [RejectedCandidate(index=c.signature, reason=w) for c, w in order]
    covered = list(cset.covered.items())
    shown = out[: MAX_REJECTED - min(MAX_COVERED, len(covered))]
    for cand, existing in covered[: MAX_REJECTED - len(shown)]:
        shown.append(RejectedCandidate(index=cand.signature, reason=f"existing index {existing} already covers it"))
    if len(out) + len(covered) > len(shown):
        notes.append(f"{len(out) + len(covered) - len(shown)} more rejected candidates not listed.")
    return shown


def queries_by_id(queries: Sequence[WorkloadQuery]) -> dict[str, float]:
    return {q.id: q.weight for q in queries}
