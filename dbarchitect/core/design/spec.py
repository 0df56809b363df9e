"""The design_schema input: entities, relationships and options, validated before any DDL is written.

Names must be lower-case snake_case identifiers that need no quoting (the review's SD015 would flag
anything else). A status-like text attribute must list its `values` (or be a relationship), so the
design never ships an unchecked status column. `dialect` admits only "postgres" today; a MySQL
generator will add "mysql" to the literal without changing the rest of the spec.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from dbarchitect.core.rules.schema.identifier_requires_quoting import problem as name_problem
from dbarchitect.core.rules.schema.status_column_without_check import is_status_name
from dbarchitect.core.suggest import closest, did_you_mean

OnDelete = Literal["cascade", "restrict", "set_null", "no_action"]
Scalar = str | int | float | bool

RESERVED_COLUMNS = {"id", "tenant_id", "created_at", "updated_at", "deleted_at", "search_vector"}


def check_name(name: str, what: str) -> str:
    why = name_problem(name)
    if why:
        raise ValueError(f"{what} {name!r} would need quoting ({why}); use lower-case snake_case, e.g. {name.lower()}s")
    if len(name.encode()) > 50:
        raise ValueError(f"{what} {name!r} is too long: keep names within 50 bytes so derived index names fit in 63")
    return name


#: keys callers write for the ones the spec names otherwise
_SYNONYMS = {"fields": "attributes", "columns": "attributes", "properties": "attributes", "tables": "entities",
             "relations": "relationships", "nullable": "optional", "enum": "values", "choices": "values"}  # fmt: skip


class _Strict(BaseModel):
    """A spec part that refuses keys it does not know (pydantic would ignore them, and the design would
    silently lack the columns given as `fields`); the schema is unchanged (no additionalProperties)."""

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = list(cls.model_fields)
            unknown = [str(k) for k in data if k not in cls.model_fields]
            if unknown:
                key = unknown[0]
                synonym = _SYNONYMS.get(key.lower())
                close = [synonym] if synonym in known else closest(key, known, n=1, ignore_case=True)
                hint = did_you_mean(close, form="clause", quote=repr)
                shown = key if len(key) <= 60 else key[:60] + "…"
                what = {"DesignOptions": "options", "SchemaSpec": "spec"}.get(cls.__name__, cls.__name__.lower())
                raise ValueError(f"{what} has no key {shown!r}{hint} (its keys: {', '.join(known)})")
        return data


class Attribute(_Strict):
    """A column. `type`: a logical type (text, integer, decimal, boolean, date, timestamp, uuid, json,
    email, ...) or a PostgreSQL type; unsafe ones are replaced."""

    name: str
    type: str = "text"
    optional: bool = Field(default=False, description="Nullable. Required attributes are NOT NULL.")
    unique: bool = False
    default: Scalar | None = Field(default=None, description="A constant default, written as a literal.")
    default_sql: str | None = Field(default=None, description="A default expression, e.g. now() or gen_random_uuid().")
    values: list[str] | None = Field(default=None, description="The allowed values: becomes CHECK (col IN (...)).")
    max_length: int | None = Field(default=None, gt=0, description="Text length limit: CHECK (char_length(col) <= n).")
    min_length: int | None = Field(default=None, ge=0)
    minimum: float | None = Field(default=None, description="CHECK (col >= minimum).")
    maximum: float | None = Field(default=None, description="CHECK (col <= maximum).")
    comment: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Attribute:
        check_name(self.name, "attribute")
        if self.default is not None and self.default_sql is not None:
            raise ValueError(f"attribute {self.name!r}: give default or default_sql, not both")
        if self.values is not None and not self.values:
            raise ValueError(f"attribute {self.name!r}: values must list at least one value")
        if self.values and self.default is not None and str(self.default) not in self.values:
            raise ValueError(f"attribute {self.name!r}: default {self.default!r} is not among its values")
        return self


class Entity(_Strict):
    """A table; it gets an identity key `id` and the option columns."""

    name: str = Field(description="Table name, plural snake_case (users, order_items).")
    attributes: list[Attribute] = Field(default_factory=list)
    unique_together: list[list[str]] = Field(default_factory=list, description="Composite uniqueness, by attribute.")
    soft_delete: bool | None = Field(default=None, description="Override options.soft_delete for this entity.")
    timestamps: bool | None = Field(default=None, description="Override options.timestamps for this entity.")
    comment: str | None = None

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


class Relationship(_Strict):
    """one_to_many: a `parent` row has many `child` rows (FK in child); one_to_one: a unique FK;
    many_to_many: a junction table `through` (default `<parent>_<child>`)."""

    kind: Literal["one_to_many", "many_to_many", "one_to_one"]
    parent: str
    child: str
    column: str | None = Field(default=None, description="FK column in child; default <singular parent>_id.")
    optional: bool = Field(default=False, description="The child may exist without a parent (nullable FK).")
    on_delete: OnDelete | None = Field(
        default=None, description="Default: cascade (junction), set_null (optional), restrict; no_action within a tenant."
    )
    through: str | None = Field(default=None, description="many_to_many: the junction table's name.")
    attributes: list[Attribute] = Field(default_factory=list, description="many_to_many: extra junction columns.")
    comment: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Relationship:
        if self.kind == "many_to_many" and (self.column or self.optional):
            raise ValueError("many_to_many: junction columns are named after both sides and always required")
        if self.kind != "many_to_many" and (self.through or self.attributes):
            raise ValueError(f"{self.kind}: `through` and `attributes` belong to many_to_many relationships")
        if self.on_delete == "set_null" and self.kind != "many_to_many" and not self.optional:
            raise ValueError("on_delete set_null needs optional: true (the foreign key column must be nullable)")
        return self


class DesignOptions(_Strict):
    timestamps: bool = Field(default=True, description="created_at/updated_at, with a trigger keeping updated_at.")
    soft_delete: bool = Field(default=False, description="deleted_at; uniqueness holds among live rows only.")
    full_text_search: dict[str, list[str]] = Field(
        default_factory=dict, description="entity -> text attributes, weighted in order, in a generated tsvector."
    )
    text_search_config: str = "english"
    multi_tenant: bool = Field(default=False, description="tenant_id on every table, RLS policies on it.")
    tenant_entity: str = "tenants"
    tenant_setting: str = Field(default="app.tenant_id", description="The setting the RLS policies read.")
    schema_name: str = "public"


class SchemaSpec(_Strict):
    entities: list[Entity]
    relationships: list[Relationship] = Field(default_factory=list)
    options: DesignOptions = Field(default_factory=DesignOptions)
    dialect: Literal["postgres"] = "postgres"

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)

    @model_validator(mode="after")
    def _valid(self) -> SchemaSpec:
        opts = self.options
        check_name(opts.schema_name, "schema")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+", opts.tenant_setting):
            raise ValueError("tenant_setting must be a dotted custom setting name such as app.tenant_id")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", opts.text_search_config):
            raise ValueError("text_search_config must be a text search configuration name such as english")
        names = [e.name for e in self.entities]
        if not names:
            raise ValueError("a design needs at least one entity")
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"entities named twice: {sorted(dupes)}")
        for e in self.entities:
            check_name(e.name, "entity")
            seen = set()
            for a in e.attributes:
                if a.name in seen:
                    raise ValueError(f"{e.name}.{a.name} is listed twice")
                seen.add(a.name)
                if a.name in RESERVED_COLUMNS:
                    raise ValueError(f"{e.name}.{a.name}: {a.name} is generated by the design; drop it from the spec")
                if is_status_name(a.name) and a.values is None and a.type.lower() in ("text", "string"):
                    raise ValueError(
                        f"{e.name}.{a.name} looks like a fixed list of values: give its `values`, or model it as a "
                        "relationship to a lookup entity"
                    )
            for group in e.unique_together:
                missing = [c for c in group if e.attribute(c) is None]
                if missing or len(group) < 2:
                    raise ValueError(f"{e.name}.unique_together {group}: needs two or more of its attributes")
        for r in self.relationships:
            for side in (r.parent, r.child):
                if side not in names:
                    raise ValueError(f"relationship {r.kind} {r.parent} -> {r.child}: unknown entity {side!r}")
            if r.column:
                check_name(r.column, "relationship column")
            if r.through:
                check_name(r.through, "junction table")
        for entity, fields in opts.full_text_search.items():
            e = self.entity(entity)
            if e is None:
                raise ValueError(f"full_text_search: unknown entity {entity!r}")
            for f in fields:
                if e.attribute(f) is None:
                    raise ValueError(f"full_text_search: {entity}.{f} is not an attribute")
        if opts.multi_tenant and self.entity(opts.tenant_entity) is None:
            check_name(opts.tenant_entity, "tenant entity")
        return self
