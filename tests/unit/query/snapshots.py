"""Hand-built catalog snapshots for pure query tests (the live tests read the real catalog).

`blog()` mirrors tests/fixtures/rewrites/_schema.sql: users/posts/tags/post_tags as in the seed,
plus `events` (nullable columns, no key) and `bans` (nullable user_id).
"""

from __future__ import annotations

from dbarchitect.core.models import Column, Constraint, ForeignKeyRef, Index, SchemaSnapshot, Table


def _table(name, cols, pk=None, uniques=(), fks=(), indexes=(), rows=100_000):
    columns = [Column(name=n, position=i + 1, type=t, not_null=nn) for i, (n, t, nn) in enumerate(cols)]
    constraints, idx = [], []
    if pk:
        constraints.append(Constraint(name=f"{name}_pkey", kind="primary_key", columns=pk,
                                      definition=f"PRIMARY KEY ({', '.join(pk)})", index=f"{name}_pkey"))
        idx.append(Index(name=f"{name}_pkey", columns=pk, expressions=pk, unique=True, primary=True,
                         definition=f"CREATE UNIQUE INDEX {name}_pkey ON public.{name} USING btree ({', '.join(pk)})"))
    for cols_ in uniques:
        cname = f"{name}_{'_'.join(cols_)}_key"
        constraints.append(Constraint(name=cname, kind="unique", columns=list(cols_),
                                      definition=f"UNIQUE ({', '.join(cols_)})", index=cname))
        idx.append(Index(name=cname, columns=list(cols_), expressions=list(cols_), unique=True,
                         definition=f"CREATE UNIQUE INDEX {cname} ON public.{name} USING btree ({', '.join(cols_)})"))
    for col, ref in fks:
        rtable, rcol = ref.split(".")
        constraints.append(Constraint(name=f"{name}_{col}_fkey", kind="foreign_key", columns=[col],
                                      definition=f"FOREIGN KEY ({col}) REFERENCES {rtable}({rcol})",
                                      references=ForeignKeyRef(table=f"public.{rtable}", columns=[rcol])))
    for iname, icols, extra in indexes:
        idx.append(Index(name=iname, columns=icols, expressions=[c or "?" for c in icols], **extra))
    return Table(schema="public", name=name, columns=columns, constraints=constraints, indexes=idx, reltuples=rows)


def blog(rows: int = 100_000) -> SchemaSnapshot:
    users = _table("users", [("id", "bigint", True), ("email", "character varying(255)", True),
                             ("username", "character varying(50)", True), ("phone", "character varying(20)", False),
                             ("created_at", "timestamp with time zone", False),
                             ("deleted_at", "timestamp with time zone", False), ("score", "integer", False)],
                   pk=["id"], uniques=[["email"], ["username"]], rows=rows,
                   indexes=[("users_created_at_idx", ["created_at"], {"definition": "CREATE INDEX users_created_at_idx ON public.users USING btree (created_at)"})])
    posts = _table("posts", [("id", "bigint", True), ("user_id", "bigint", True), ("title", "character varying(200)", True),
                             ("status", "character varying(20)", False), ("views", "integer", True),
                             ("rating", "double precision", False), ("published_at", "timestamp with time zone", False),
                             ("created_at", "timestamp without time zone", True), ("day", "date", False)],
                   pk=["id"], fks=[("user_id", "users.id")], rows=rows * 10,
                   indexes=[("posts_user_id_idx", ["user_id"], {"definition": "CREATE INDEX posts_user_id_idx ON public.posts USING btree (user_id)"}),
                            ("posts_created_at_idx", ["created_at"], {"definition": "CREATE INDEX posts_created_at_idx ON public.posts USING btree (created_at)"}),
                            ("posts_title_idx", ["title"], {"definition": "CREATE INDEX posts_title_idx ON public.posts USING btree (title)"})])
    tags = _table("tags", [("id", "bigint", True), ("name", "character varying(50)", True), ("slug", "character varying(50)", False)],
                  pk=["id"], uniques=[["name"], ["slug"]], rows=200)
    post_tags = _table("post_tags", [("post_id", "bigint", True), ("tag_id", "bigint", True)], pk=["post_id", "tag_id"],
                       fks=[("post_id", "posts.id"), ("tag_id", "tags.id")], rows=rows * 20)
    bans = _table("bans", [("user_id", "bigint", False), ("reason", "text", False)], rows=rows // 10)
    events = _table("events", [("id", "bigint", False), ("user_id", "bigint", False), ("kind", "text", False),
                               ("at", "timestamp without time zone", False)], rows=rows)
    return SchemaSnapshot(database="blog", server_version_num=150000,
                          tables=[users, posts, tags, post_tags, bans, events])
