"""What a partial target stands on (core/diff/support.py): the target's own objects are read from its DDL,
and the current schema's statements about them are left out of the support it is loaded on."""

from __future__ import annotations

from dbarchitect.core.diff.support import support_statements, target_names
from dbarchitect.core.sql.statements import parse

CURRENT = """
SET check_function_bodies = false;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE TYPE public.mood AS ENUM ('ok', 'sad');
CREATE FUNCTION public.now_utc() RETURNS timestamp LANGUAGE sql AS $$ SELECT now() AT TIME ZONE 'utc' $$;
CREATE TABLE public.users (id bigint NOT NULL, email public.citext);
CREATE SEQUENCE public.users_id_seq START WITH 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE TABLE public.posts (id bigint NOT NULL, user_id bigint, mood public.mood, at timestamp DEFAULT public.now_utc());
CREATE INDEX index_posts_on_user_id ON public.posts USING btree (user_id);
COMMENT ON INDEX public.index_posts_on_user_id IS 'by author';
COMMENT ON COLUMN public.posts.mood IS 'how it felt';
ALTER TABLE ONLY public.posts ADD CONSTRAINT fk_posts_users FOREIGN KEY (user_id) REFERENCES public.users(id);
CREATE TABLE public.events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 (id bigint, at date);
ALTER TABLE ONLY public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
GRANT SELECT ON TABLE public.posts TO PUBLIC;
"""

# describe_schema's DDL of posts plus an edit: it names the enum, the function and users without defining them
POSTS = """
CREATE TABLE public.posts (id bigint NOT NULL, user_id bigint, mood public.mood, at timestamp DEFAULT public.now_utc());
CREATE INDEX index_posts_on_user_id ON public.posts USING btree (user_id);
ALTER TABLE ONLY public.posts ADD CONSTRAINT fk_posts_users FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE public.posts ADD COLUMN body text;
"""


def _support(target: str) -> tuple[list[str], list[str]]:
    return support_statements(parse(CURRENT), target_names(parse(target)))


def test_the_target_defines_only_what_it_creates():
    names = target_names(parse(POSTS))
    assert names.created == {("relation", "public.posts")}
    assert names.touched == set()  # ALTERs of a created table are part of it
    alter_only = target_names(parse("ALTER TABLE users ADD COLUMN bio text; CREATE INDEX ON posts (at);"))
    assert alter_only.created == set() and alter_only.touched == {("relation", "public.users"), ("relation", "public.posts")}


def test_support_leaves_out_the_targets_objects_and_keeps_what_it_references():
    before, late = _support(POSTS)
    text = "\n".join(before)
    assert "CREATE TABLE public.posts" not in text
    assert "index_posts_on_user_id" not in text  # its index and the index's comment go with it
    assert "COMMENT ON COLUMN public.posts" not in text and "GRANT SELECT ON TABLE public.posts" not in text
    assert "fk_posts_users" not in text
    for kept in ("CREATE EXTENSION", "CREATE TYPE public.mood", "CREATE FUNCTION public.now_utc",
                 "CREATE TABLE public.users", "users_pkey", "OWNED BY public.users.id", "SET check_function_bodies"):
        assert kept in text, kept
    assert late == []


def test_a_sequence_keeps_its_owner_unless_the_target_states_one():
    seq = "CREATE SEQUENCE public.users_id_seq START WITH 1;"
    before, _ = _support(seq)
    assert any("OWNED BY public.users.id" in s for s in before)  # no unrequested OWNED BY NONE
    before, _ = _support(seq + "\nALTER SEQUENCE public.users_id_seq OWNED BY NONE;")
    assert not any("OWNED BY" in s for s in before)


def test_partitions_attach_unless_the_target_places_them():
    before, late = _support("CREATE TABLE public.events (id bigint, at date) PARTITION BY RANGE (at);")
    assert any("ATTACH PARTITION public.events_2024" in s for s in before) and late == []
    # the target creates the partition as a table (describe_schema prints it so): attached after it
    before, late = _support("CREATE TABLE public.events_2024 (id bigint, at date);")
    assert not any("ATTACH" in s for s in before) and any("ATTACH PARTITION public.events_2024" in s for s in late)
    placed = "CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    before, late = _support(placed)
    assert not any("ATTACH" in s for s in before + late)
