"""
## What it does
Flags tables shaped as entity-attribute-value: a reference to some entity (`*_id`), a column
naming an attribute (`attribute`, `key`, `name`, `property`, `field`, `meta_key`) and a generic
text-typed value column (`value`, `val`, `meta_value`).

## Why is this bad?
An EAV table hides the real schema inside data: every attribute is text, so no type, NOT NULL,
CHECK or foreign key can protect it; reading one entity means one join or pivot per attribute;
the planner has no statistics per attribute; a typo in an attribute name creates a new
"column". It usually stands in for columns nobody wanted to add, or for a `jsonb` document.

## Example
```sql
CREATE TABLE product_attributes (
    product_id bigint REFERENCES products, attribute text, value text
);
```

## Use instead
Real columns for the attributes every row has; a `jsonb` column (with a GIN index and CHECKs on
the keys that matter) for the open-ended rest:
```sql
ALTER TABLE products ADD COLUMN weight_grams integer CHECK (weight_grams > 0),
                     ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';
CREATE INDEX products_attributes_idx ON products USING gin (attributes jsonb_path_ops);
```

## References
SQLCheck 1006 (entity-attribute-value); Karwin, "SQL Antipatterns", chapter 6.
"""

from __future__ import annotations

from dbarchitect.core.models import Finding, SchemaSnapshot, Severity
from dbarchitect.core.rulebook import RuleMeta
from dbarchitect.core.rules.schema._common import ReviewContext, is_text

RULE = RuleMeta(
    name="entity-attribute-value-table",
    code="SD020",
    family="schema",
    severity=Severity.warning,
    summary="A table stores (entity, attribute, value) rows: types, constraints and statistics are lost.",
)

ATTRIBUTE_NAMES = {"attribute", "attribute_name", "attr", "attr_name", "key", "meta_key", "property",
                   "property_name", "field", "field_name", "param", "parameter"}  # fmt: skip
VALUE_NAMES = {"value", "val", "meta_value", "attribute_value", "attr_value", "property_value", "field_value",
               "param_value", "value_text", "string_value"}  # fmt: skip


def check(snapshot: SchemaSnapshot, ctx: ReviewContext) -> list[Finding]:
    out = []
    for t in ctx.tables(snapshot):
        if t.partition_of:
            continue
        pk_cols = set(t.primary_key.columns) if t.primary_key and len(t.primary_key.columns) == 1 else set()
        attr = next((c for c in t.columns if c.name.lower() in ATTRIBUTE_NAMES and is_text(c)), None)
        value = next((c for c in t.columns if c.name.lower() in VALUE_NAMES and is_text(c)), None)
        entity = next(
            (c for c in t.columns if c.name.lower().endswith("_id") and c.name not in pk_cols),
            None,
        )
        if attr is None or value is None or entity is None:
            continue
        out.append(
            RULE.finding(
                message=(
                    f"{t.qualified} stores ({entity.name}, {attr.name}, {value.name}) rows: every attribute of the "
                    f"entity becomes text in {value.name}, out of reach of types, NOT NULL, CHECK and foreign keys, "
                    "and reading one entity takes a join or pivot per attribute."
                ),
                obj=t.qualified,
                fix=(
                    "-- move the attributes every entity has into real, typed columns of the entity table, and the\n"
                    "-- open-ended rest into a jsonb column with a GIN index; then drop this table. To see them:\n"
                    f"SELECT {attr.name}, count(*) FROM {t.qualified} GROUP BY 1 ORDER BY 2 DESC;"
                ),
                evidence=[
                    ctx.evidence(
                        f"columns {entity.name} (entity), {attr.name} ({attr.type}), {value.name} ({value.type})",
                        entity=entity.name,
                        attribute=attr.name,
                        value=value.name,
                    )
                ],
            )
        )
    return out
