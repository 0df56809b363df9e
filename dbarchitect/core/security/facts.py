"""What review_security reads from the server, as plain data (live/postgres/security.py fills it);
the security rules (core/rules/security) judge it. No I/O here."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from dbarchitect.core.health.facts import Unchecked

TENANT_COLUMNS = ("tenant_id", "org_id", "organization_id", "account_id", "company_id", "workspace_id", "customer_id")


class Policy(BaseModel):
    name: str
    command: str = "ALL"
    roles: list[str] = Field(default_factory=list)
    using: str | None = None
    check: str | None = None


class Grant(BaseModel):
    grantee: str = Field(description="Role name, or PUBLIC.")
    privileges: list[str]


class SecColumn(BaseModel):
    name: str
    type: str
    sampled: int | None = Field(default=None, description="Non-null values sampled (sensitive-looking columns only).")
    hashed: int | None = Field(default=None, description="How many of them look like hashes or ciphertext.")


class SecTable(BaseModel):
    schema_name: str
    name: str
    owner: str
    rls: bool = False
    force_rls: bool = False
    policies: list[Policy] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    columns: list[SecColumn] = Field(default_factory=list)
    rows: float = 0

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"

    def tenant_column(self) -> SecColumn | None:
        return next((c for c in self.columns if c.name in TENANT_COLUMNS), None)


class SecView(BaseModel):
    schema_name: str
    name: str
    owner: str
    security_invoker: bool = False
    tables: list[str] = Field(default_factory=list, description="Qualified tables the view reads.")

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.name}"


class SecFunction(BaseModel):
    schema_name: str
    signature: str = Field(description="regprocedure text, e.g. public.f(integer).")
    owner: str
    owner_superuser: bool = False
    security_definer: bool = False
    config: list[str] = Field(default_factory=list, description="proconfig, e.g. search_path=pg_catalog.")
    public_execute: bool = True


class DefaultAcl(BaseModel):
    role: str
    schema_name: str | None = None
    object_type: str
    grants: list[Grant] = Field(default_factory=list)


class SecRole(BaseModel):
    name: str
    superuser: bool = False
    bypassrls: bool = False
    createrole: bool = False
    login: bool = False
    bootstrap: bool = False
    password: str | None = Field(default=None, description="md5, scram-sha-256, none; None when pg_authid is unreadable.")


class SecurityFacts(BaseModel):
    database: str
    version_num: int = 150000
    current_user: str = ""
    tables: list[SecTable] = Field(default_factory=list)
    views: list[SecView] = Field(default_factory=list)
    functions: list[SecFunction] = Field(default_factory=list)
    public_schema_create: bool | None = Field(default=None, description="PUBLIC holds CREATE on schema public.")
    default_acls: list[DefaultAcl] = Field(default_factory=list)
    roles: list[SecRole] = Field(default_factory=list)
    password_encryption: str | None = None
    authid_readable: bool = True
    unchecked: list[Unchecked] = Field(default_factory=list)

    def table(self, qualified: str) -> SecTable | None:
        return next((t for t in self.tables if t.qualified == qualified), None)


SENSITIVE_NAME = re.compile(
    r"(^|_)(pass(word)?|passwd|pwd|secret|token|api_?key|access_?key|private_?key|card_?(number|no|num)|"
    r"credit_?card|cc_?num(ber)?|cvv|ssn|social_security(_number)?|national_?id|tax_?id|passport(_number)?|iban)($|_)",
    re.IGNORECASE,
)
HASHED_NAME = re.compile(r"(hash|hashed|digest|encrypted|enc|cipher|salt|bcrypt|argon|_last4|last_?four|expires?_at|_at$|(?<!national)(?<!tax)_id$|type$|_count$)", re.IGNORECASE)
_HASH_VALUE = re.compile(
    r"^(\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}|\$argon2(id|i|d)\$.+|\$(1|5|6|7|s0|scrypt|pbkdf2[-a-z0-9]*)\$.+|"
    r"pbkdf2_sha\d+\$.+|sha\d+\$.+|md5[0-9a-f]{32}|SCRAM-SHA-256\$.+|[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|"
    r"[0-9a-fA-F]{128}|\\x[0-9a-fA-F]{16,})$"
)


def is_sensitive_name(column: str) -> bool:
    return bool(SENSITIVE_NAME.search(column)) and not HASHED_NAME.search(column)


def looks_hashed(value: str) -> bool:
    """A bcrypt/argon2/crypt()/scram/pbkdf2 string, a hex digest, or ciphertext-like base64 (no spaces, ≥ 40 chars)."""
    v = value.strip()
    if _HASH_VALUE.match(v):
        return True
    return len(v) >= 40 and re.fullmatch(r"[A-Za-z0-9+/=_-]+", v) is not None and re.search(r"[0-9]", v) is not None
