"""`ORDER BY k LIMIT n OFFSET m` -> keyset pagination `WHERE (k, id) > ($1, $2) ORDER BY k, id LIMIT n`.

Advisory: it changes the API (callers pass the last row they saw instead of a page number, and
cannot jump to page N). The order is made total with the primary key as a tiebreaker when the
ORDER BY keys are not already a unique NOT NULL key, and the index that serves the seek is named:
an existing one from the catalog, or the CREATE INDEX to add.
"""

from __future__ import annotations

from sqlglot import exp

from dbarchitect.core.models import Evidence
from dbarchitect.core.rewrites._base import Rewrite, RewriteContext, and_all, next_parameter
from dbarchitect.core.rules.query._facts import ident_name, where_of

NAME = "offset-to-keyset"
IMPLEMENTS = "offset-pagination"  # the query rule whose finding this rewrite fixes


def offset_to_keyset(ctx: RewriteContext) -> list[Rewrite]:
    out = []
    for select in ctx.tree.find_all(exp.Select):
        order, offset, limit = (select.args.get(k) for k in ("order", "offset", "limit"))
        from_ = select.args.get("from_")
        if order is None or offset is None or limit is None or from_ is None or not isinstance(from_.this, exp.Table):
            continue
        items = order.expressions
        if not all(isinstance(o.this, exp.Column) for o in items):
            continue
        directions = {bool(o.args.get("desc")) for o in items}
        if len(directions) != 1 or select.args.get("group") or select.args.get("distinct") or select.args.get("joins"):
            continue
        desc = directions.pop()
        keys = [o.this for o in items]
        names = [ident_name(k.this) for k in keys]
        table = ctx.facts.table(from_.this)
        evidence: list[Evidence] = []
        notes = []
        if table is not None:
            proof = ctx.facts.unique_key(table, names)
            if proof is not None:
                evidence.append(proof)
            else:
                pk = ctx.facts.primary_key_columns(table) or []
                extra = [c for c in pk if c not in names]
                if not pk:
                    notes.append(f"{table.qualified} has no primary key: add a unique NOT NULL tiebreaker to the ORDER BY.")
                qualifier = keys[0].args.get("table")
                keys += [exp.column(c, table=qualifier.copy() if qualifier else None) for c in extra]
                names += extra
                if pk:
                    evidence.append(Evidence(kind="catalog", detail=f"Tiebreaker: primary key ({', '.join(pk)}) of {table.qualified}.",
                                             data={"table": table.qualified, "primary_key": pk}))
            nullable = [n for n in names if table.column(n) is not None and not table.column(n).not_null]
            if nullable:
                notes.append(f"{', '.join(nullable)} can be NULL: rows with NULL keys are never reached by the row comparison; "
                             "coalesce them or filter them out.")
        else:
            notes.append("Without the catalog the order is assumed total: add the primary key to the ORDER BY if the keys are not unique.")
        first = next_parameter(ctx.tree)
        params = [exp.Parameter(this=exp.Literal.number(first + i)) for i in range(len(keys))]
        if len(keys) == 1:
            seek = (exp.LT if desc else exp.GT)(this=keys[0].copy(), expression=params[0])
        else:
            seek = (exp.LT if desc else exp.GT)(this=exp.Tuple(expressions=[k.copy() for k in keys]),
                                                expression=exp.Tuple(expressions=params))
        index_sql = None
        if table is not None:
            serving = [i for i in table.indexes if i.valid and i.method == "btree" and i.columns[: len(names)] == names]
            if serving:
                evidence.append(Evidence(kind="catalog", detail=f"{serving[0].name} serves the seek: {serving[0].definition}",
                                         data={"index": serving[0].name}))
            else:
                index_sql = f"CREATE INDEX CONCURRENTLY ON {table.qualified} ({', '.join(names)});"
        else:
            index_sql = f"CREATE INDEX CONCURRENTLY ON {from_.this.sql(ctx.dialect)} ({', '.join(names)});"

        def mutate(twin, select=select, keys=keys, seek=seek, items=items):
            new = twin(select)
            new.set("offset", None)
            ordered = [twin(o).copy() for o in items]
            for k in keys[len(items):]:
                extra = ordered[0].copy()
                extra.set("this", k.copy())
                ordered.append(extra)
            new.set("order", exp.Order(expressions=ordered))
            where = where_of(new)
            new.set("where", exp.Where(this=and_all([where.copy() if where is not None else None, seek.copy()])))

        sql = ctx.edit([select], mutate)
        out.append(Rewrite(
            name=NAME, code="QR018", title="OFFSET pagination to keyset pagination", safety="advisory",
            condition="The ORDER BY keys plus tiebreaker form a total order; an index on them serves the seek.",
            changes=("Callers pass the last row's (" + ", ".join(names) + f") as ${first}..${first + len(keys) - 1} instead of "
                     "an OFFSET; the first page runs without the seek condition; jumping to page N is no longer possible. "
                     + " ".join(notes)).strip(),
            before=f"ORDER BY ... {offset.sql(ctx.dialect)}", after=seek.sql(ctx.dialect), sql=sql,
            evidence=evidence, index=index_sql,
        ))
    return out
