"""The schema fingerprint sees every kind of object the rollback check compares, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from gates.scratch_db import ScratchServer
from migrations_checks.db.fingerprint import diff, fingerprint

BASE = (
    "CREATE TABLE t (a int DEFAULT 1, b text); CREATE TYPE mood AS ENUM ('sad', 'ok'); "
    "CREATE DOMAIN positive AS int; CREATE SEQUENCE s;"
)

CHANGES = {
    "enum value order": ("DROP TYPE mood; CREATE TYPE mood AS ENUM ('ok', 'sad')", "+ enum public.mood ('ok', 'sad')"),
    "enum value added": ("ALTER TYPE mood ADD VALUE 'glad'", "+ enum public.mood ('sad', 'ok', 'glad')"),
    "column type": ("ALTER TABLE t ALTER a TYPE bigint", "+ column public.t.a bigint default 1"),
    "default": ("ALTER TABLE t ALTER a SET DEFAULT 2", "+ column public.t.a integer default 2"),
    "nullability": ("ALTER TABLE t ALTER b SET NOT NULL", "+ column public.t.b text not null"),
    "constraint": (
        "ALTER TABLE t ADD CONSTRAINT a_positive CHECK (a > 0) NOT VALID",
        "+ constraint a_positive on public.t CHECK ((a > 0)) NOT VALID",
    ),
    "domain check": (
        "ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0)",
        "+ constraint positive_check on domain public.positive CHECK ((VALUE > 0))",
    ),
    "column collation": ('ALTER TABLE t ALTER b TYPE text COLLATE "C"', '+ column public.t.b text collate "C"'),
    "sequence increment": (
        "ALTER SEQUENCE s INCREMENT BY 10",
        "+ sequence public.s as bigint start 1 increment 10 min 1 max 9223372036854775807 cache 1",
    ),
    "sequence cycle": ("ALTER SEQUENCE s CYCLE", "+ sequence public.s as bigint start 1 increment 1 min 1 max"),
    "index": ("CREATE INDEX t_b ON t (b)", "+ index CREATE INDEX t_b ON public.t USING btree (b)"),
    "row level security": (
        "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
        "+ table public.t owner postgres row level security enabled",
    ),
    "forced row level security": ("ALTER TABLE t FORCE ROW LEVEL SECURITY", "row level security forced"),
    "policy": (
        "CREATE POLICY own ON t FOR SELECT TO public USING (a > 0)",
        "+ policy own on public.t permissive for select to public using ((a > 0)) with check ()",
    ),
    "grant": ("GRANT SELECT ON t TO PUBLIC", "+ grant SELECT on table public.t to public"),
    "column grant": ("GRANT UPDATE (b) ON t TO PUBLIC", "+ grant UPDATE on column public.t.b to public"),
    "default privileges": (
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC",
        "+ default privileges of postgres in all schemas on r: grant SELECT to public",
    ),
    "function": ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "+ function public.f() definition"),
    "view": ("CREATE VIEW v AS SELECT a FROM t", "+ view public.v as SELECT a FROM t;"),
    "schema": ("CREATE SCHEMA audit", "+ schema audit owner postgres"),
    "table": ("CREATE TABLE u (id int)", "+ table public.u owner postgres"),
    "unlogged": ("ALTER TABLE t SET UNLOGGED", "+ table public.t owner postgres unlogged"),
    "replica identity": (
        "ALTER TABLE t REPLICA IDENTITY FULL",
        "+ table public.t owner postgres replica identity full",
    ),
    "disabled trigger": (
        "CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; "
        "CREATE TRIGGER tt BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tg(); "
        "ALTER TABLE t DISABLE TRIGGER tt",
        "(disabled)",
    ),
    "detached partition": (
        "CREATE TABLE p (k int) PARTITION BY RANGE (k); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10)",
        "+ table public.p1 owner postgres partition of p FOR VALUES FROM (0) TO (10)",
    ),
    "sequence owner": ("ALTER SEQUENCE s OWNED BY t.a", "+ sequence public.s owned by public.t.a"),
}


@pytest.fixture(scope="module")
def database(scratch_server: ScratchServer) -> Iterator[str]:
    url = scratch_server.create_database()
    yield url
    scratch_server.drop_database(url)


@pytest.fixture
def connection(database: str) -> Iterator[psycopg.Connection]:
    """A connection inside a transaction that is rolled back, so every test starts from BASE."""
    with psycopg.connect(database) as connection:
        connection.execute(BASE)
        yield connection
        connection.rollback()


@pytest.mark.parametrize(("change", "expected"), CHANGES.values(), ids=CHANGES.keys())
def test_each_kind_of_change_shows_in_the_diff(connection: psycopg.Connection, change: str, expected: str) -> None:
    before = fingerprint(connection)
    connection.execute(change.encode())

    changes = diff(before, fingerprint(connection))

    assert any(line.startswith(expected) or expected in line for line in changes), changes


def test_a_changed_object_reads_as_one_line_out_and_one_in(connection: psycopg.Connection) -> None:
    before = fingerprint(connection)
    connection.execute("ALTER TABLE t ALTER a SET DEFAULT 2")

    assert diff(before, fingerprint(connection)) == [
        "- column public.t.a integer default 1",
        "+ column public.t.a integer default 2",
    ]


def test_column_positions_do_not_matter(connection: psycopg.Connection) -> None:
    before = fingerprint(connection)
    connection.execute("ALTER TABLE t DROP COLUMN a; ALTER TABLE t ADD COLUMN a int DEFAULT 1")

    assert fingerprint(connection) == before


def test_default_and_explicit_identical_privileges_compare_equal(connection: psycopg.Connection) -> None:
    before = fingerprint(connection)
    connection.execute("REVOKE SELECT ON t FROM postgres; GRANT SELECT ON t TO postgres")

    assert fingerprint(connection) == before


def test_drizzle_bookkeeping_is_not_part_of_the_schema(connection: psycopg.Connection) -> None:
    before = fingerprint(connection)
    connection.execute('CREATE SCHEMA drizzle; CREATE TABLE drizzle."__drizzle_migrations" (id serial)')

    assert fingerprint(connection) == before
