"""Framework profiles: the conventions of Rails, Django, Laravel and Prisma, detected from the tables
they create, so that review_schema states them once instead of warning about every column.

A profile says which findings are the framework's own convention (Rails writes UTC into
`timestamp without time zone` columns and keeps `updated_at` itself; polymorphic `*_type` and STI
`type` columns hold class names the framework writes), and which tables are the framework's
(`schema_migrations`, `django_migrations`, ...). `apply_profile` folds those findings into ONE
info finding (`framework-conventions`) that lists them with the reasoning; the rest pass unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dbarchitect.core.models import Evidence, Finding, SchemaSnapshot, Severity, Table

FRAMEWORKS = ("rails", "django", "laravel", "prisma")
CONVENTION_RULE = "framework-conventions"
CONVENTION_CODE = "SD000"  # not a rule module: the note that replaces per-column convention findings


def _col(obj: str | None) -> str:
    return (obj or "").rsplit(".", 1)[-1].lower()


def _is_class_name_column(obj: str | None) -> bool:
    name = _col(obj)
    return name == "type" or name.endswith("_type")


def _is_maintained_timestamp(obj: str | None) -> bool:
    return _col(obj) in {"updated_at", "created_at"}


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    marker_tables: tuple[str, ...]
    own_tables: frozenset[str]
    #: rule code -> (why the framework does this, which objects it covers: None = every object)
    conventions: dict[str, tuple[str, Callable[[str | None], bool] | None]] = field(default_factory=dict)


_UTC = "writes UTC into `timestamp without time zone` columns (default_timezone = :utc); the values are instants read back as UTC, so the type is a convention, not ambiguity"
_SERIAL = "creates `bigserial`/sequence-default keys in its migrations; switching to identity is optional and its migrations will keep writing serial"

PROFILES: dict[str, Profile] = {
    "rails": Profile(
        "rails", "Ruby on Rails (ActiveRecord)", ("schema_migrations", "ar_internal_metadata"),
        frozenset({"schema_migrations", "ar_internal_metadata"}),
        {
            "SD003": ("Rails " + _UTC, None),
            "SD014": ("ActiveRecord sets updated_at on every save; a trigger would change `touch`/`update_columns` semantics", None),
            "SD011": ("polymorphic `*_type` and STI `type` columns hold Ruby class names ActiveRecord writes; a CHECK would have to change with every new class", _is_class_name_column),
            "SD008": ("Rails " + _SERIAL, None),
            "SD005": ("Rails `string` columns are `character varying` (255 before Rails 4.2); the limit comes from the framework, not a decision", None),
        },
    ),
    "django": Profile(
        "django", "Django", ("django_migrations",),
        frozenset({"django_migrations", "django_content_type", "django_session", "django_admin_log", "django_site",
                   "auth_permission", "auth_group", "auth_group_permissions", "auth_user", "auth_user_groups",
                   "auth_user_user_permissions"}),
        {
            "SD014": ("Django's auto_now/auto_now_add set these columns on save(); a trigger would change QuerySet.update() semantics", _is_maintained_timestamp),
            "SD008": ("Django before 4.1 " + _SERIAL, None),
            "SD005": ("Django's CharField requires max_length and maps it to varchar(n): the limit is the model's validation", None),
        },
    ),
    "laravel": Profile(
        "laravel", "Laravel (Eloquent)", ("migrations",),
        frozenset({"migrations", "password_resets", "password_reset_tokens", "failed_jobs", "jobs", "job_batches",
                   "cache", "cache_locks", "sessions", "personal_access_tokens"}),
        {
            "SD003": ("Laravel's timestamps() are `timestamp(0) without time zone` written in the app timezone (UTC by default)", None),
            "SD014": ("Eloquent sets updated_at on every save; a trigger would change `touch`/query-builder update semantics", None),
            "SD011": ("polymorphic `*_type` columns (morphs()) hold model class names Eloquent writes", _is_class_name_column),
            "SD008": ("Laravel " + _SERIAL, None),
            "SD005": ("Laravel `string()` columns are `varchar(255)` by default; the limit comes from the framework", None),
        },
    ),
    "prisma": Profile(
        "prisma", "Prisma", ("_prisma_migrations",), frozenset({"_prisma_migrations"}),
        {
            "SD003": ("Prisma maps DateTime to `timestamp(3) without time zone` and always writes UTC", None),
            "SD014": ("Prisma Client sets @updatedAt fields on every update; a trigger would duplicate it", None),
            "SD008": ("Prisma " + _SERIAL.replace("bigserial", "serial"), None),
        },
    ),
}


def _marker_present(profile: Profile, tables: dict[str, Table]) -> bool:
    if profile.name == "rails":
        t = tables.get("schema_migrations")
        return t is not None and ("ar_internal_metadata" in tables or [c.name for c in t.columns] == ["version"])
    if profile.name == "laravel":
        t = tables.get("migrations")
        return t is not None and {"migration", "batch"} <= {c.name for c in t.columns}
    return any(m in tables for m in profile.marker_tables)


def detect(snapshot: SchemaSnapshot, schema: str | None = None) -> list[str]:
    """The frameworks whose bookkeeping tables are in the (reviewed schema of the) snapshot."""
    tables = {t.name: t for t in snapshot.tables if schema is None or t.schema_name == schema}
    return [name for name, p in PROFILES.items() if _marker_present(p, tables)]


def choose(snapshot: SchemaSnapshot, framework: str | None, schema: str | None = None) -> tuple[list[str], str]:
    """The profiles to apply and one line saying why: detected ("auto"/None), forced, or "none"."""
    if framework == "none":
        return [], "framework profiles off (framework='none')"
    if framework and framework != "auto":
        return [framework], f"framework profile {framework} applied as asked"
    found = detect(snapshot, schema)
    if not found:
        return [], ""
    marks = "; ".join(f"{PROFILES[n].label} from {', '.join(m for m in PROFILES[n].marker_tables)}" for n in found)
    return found, f"framework detected: {marks} (framework='none' reviews its conventions column by column)"


def _table_of(obj: str | None, tables: set[str]) -> str | None:
    """The bare table name an object (schema.table, schema.table.column, schema.index) belongs to."""
    parts = (obj or "").split(".")
    if len(parts) >= 2 and parts[1].lower() in tables:
        return parts[1].lower()
    return None


def apply_profile(findings: list[Finding], frameworks: list[str]) -> list[Finding]:
    """Fold the findings that are the frameworks' conventions into one info finding per framework."""
    out = list(findings)
    for name in frameworks:
        p = PROFILES[name]
        kept: list[Finding] = []
        folded: dict[str, list[str]] = {}
        own: list[str] = []
        for f in out:
            if _table_of(f.object, set(p.own_tables)) and f.severity != Severity.error:
                own.append(f"{f.code} {f.object}")
                continue
            conv = p.conventions.get(f.code)
            if conv and (conv[1] is None or conv[1](f.object)):
                folded.setdefault(f.code, []).append(f.object or "")
                continue
            kept.append(f)
        if not folded and not own:
            out = kept
            continue
        lines = [f"{code} ×{len(objs)}: {p.conventions[code][0]}" for code, objs in sorted(folded.items())]
        if own:
            lines.append(f"{len(own)} finding(s) on {p.label}'s own tables ({', '.join(sorted(p.own_tables & {(_table_of(o.split(' ', 1)[1], set(p.own_tables)) or '') for o in own}))}): the framework owns their shape")
        total = sum(map(len, folded.values())) + len(own)
        kept.append(
            Finding(
                rule=CONVENTION_RULE,
                code=CONVENTION_CODE,
                severity=Severity.info,
                object=None,
                message=(
                    f"{total} finding(s) are {p.label} conventions, not design decisions of this schema, and are "
                    "stated here once: " + "; ".join(lines) + ". Review them only if the application bypasses "
                    "the framework (raw SQL writers, other services)."
                ),
                evidence=[
                    Evidence(
                        kind="catalog",
                        detail=f"{p.label} bookkeeping tables present: {', '.join(p.marker_tables)}",
                        data={"framework": name, "folded": {c: o for c, o in sorted(folded.items())}, "own_tables": own},
                    )
                ],
            )
        )
        out = kept
    return out
