"""MongoDB document rules (DM): document-model design, indexes, pipelines and explain output.

Each module has `RULE` (engines={"mongodb"}), `SCOPE` (schema | index | query | plan) and
`check(ctx: core.mongo.review.DocumentContext) -> list[Finding]`; core/mongo/review.py runs them."""

from dbarchitect.core.rulebook import register_validator

SCOPES = ("schema", "index", "query", "plan")


def _validate(mod) -> None:
    if getattr(mod, "SCOPE", None) not in SCOPES:
        raise ValueError(f"{mod.__name__}: SCOPE must be one of {SCOPES}")
    if mod.RULE.engines != frozenset({"mongodb"}):
        raise ValueError(f"{mod.__name__}: a document rule is for engines={{'mongodb'}}")


register_validator("document", _validate)
