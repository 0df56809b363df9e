"""Text renderings of review_health, review_security and top_queries (registered with core.render)."""

from __future__ import annotations

from dbarchitect.core.health.facts import Unchecked
from dbarchitect.core.health.review import HealthReview
from dbarchitect.core.render import _with_findings, renderer
from dbarchitect.core.security.review import SecurityReview
from dbarchitect.core.top_queries import TopQueries


def _unchecked(items: list[Unchecked]) -> list[str]:
    return [f"not checked — {u.check}: {u.reason}" + (f" (enable: {u.grant})" if u.grant else "") for u in items]


@renderer(HealthReview)
def _health(r: HealthReview) -> str:
    extra = _unchecked(r.unchecked)
    if r.index_summary:
        extra.append("indexes (review_indexes): " + ", ".join(f"{k} ×{v}" for k, v in r.index_summary.items()))
    return _with_findings(f"Health review of {r.database} ({', '.join(r.checks)})", r.findings, extra)


@renderer(SecurityReview)
def _security(r: SecurityReview) -> str:
    return _with_findings(f"Security review of {r.database}", r.findings, _unchecked(r.unchecked))


@renderer(TopQueries)
def _top(r: TopQueries) -> str:
    if not r.available:
        return "\n".join(["pg_stat_statements is not available.", f"enable: {r.enable}", *r.notes])
    out = [f"Top {len(r.queries)} of {r.statements} statements by {r.order_by} "
           f"(total {r.total_ms:,.0f} ms since {r.since or 'the last reset'}):"]
    for i, q in enumerate(r.queries, 1):
        text = " ".join(q.query.split())[:240]
        hit = f", hit {q.hit_ratio:.1%}" if q.hit_ratio is not None else ""
        temp = f", temp {q.temp_read + q.temp_written:,} blocks" if q.temp_read + q.temp_written else ""
        out.append(f"{i}. {q.share:.1f}% — {q.calls:,} calls, total {q.total_ms:,.1f} ms, mean {q.mean_ms:,.2f} ms, "
                   f"{q.rows:,} rows{hit}{temp}\n   {text}\n   next: {q.next_step}")
    for p in r.n_plus_one:
        out.append(f"N+1 ({p.kind}): {' '.join(p.lookup.split())[:160]} ran {p.calls:,} times for {p.parent_calls:,} runs of "
                   f"{' '.join((p.parent or '').split())[:160]} ({p.ratio}x)\n   batched: {p.batched}")
    out += [f"note: {n}" for n in r.notes]
    return "\n".join(out)
