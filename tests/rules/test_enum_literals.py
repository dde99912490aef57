"""enum-value-used-in-same-transaction reads a literal as the type of the column it is written for:
the same word stored in a text column, or in a column of another enum, is no use of the new value.
Each case is held to the server: the batch runs in one transaction, as drizzle-orm runs it, and
fails ("unsafe use of new value") exactly when the rule fires."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from gates.scratch_db import ScratchServer
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers import write_drizzle

RULE = "enum-value-used-in-same-transaction"
SCHEMA = (
    "CREATE TYPE \"status\" AS ENUM ('pending');\n"
    "CREATE TYPE \"role\" AS ENUM ('user', 'active');\n"
    'CREATE TABLE "users" ("id" text PRIMARY KEY, "role" "role", "note" text, "status" "status");\n'
)
ADD = "ALTER TYPE \"status\" ADD VALUE 'active';"

# (statements after the ADD VALUE in the same transaction, whether they use the new value)
CASES = [
    # a cast says what the literal is, whatever its column
    ('ALTER TABLE "users" ALTER COLUMN "note" SET DEFAULT \'active\'::status;', True),
    ('ALTER TABLE "users" ADD COLUMN "x" text DEFAULT \'active\'::"public"."status";', True),
    # the column's type changes in the same statement
    (
        'ALTER TABLE "users" ALTER COLUMN "note" TYPE status USING NULL, ALTER COLUMN "note" SET DEFAULT \'active\';',
        True,
    ),
    # the enum renamed in between is the same enum, its value still uncommitted
    ('ALTER TYPE "status" RENAME TO "state";\nUPDATE "users" SET "status" = \'active\';', True),
    # a routine's parameter defaults are checked as it is created, whatever its language
    (
        "CREATE FUNCTION f(x status DEFAULT 'active') RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;",
        True,
    ),
    ('CREATE TABLE "forms" ("id" text, "status" text DEFAULT \'active\' NOT NULL);', False),
    ('CREATE TABLE "forms" ("id" text, "status" varchar(20) DEFAULT \'active\');', False),
    ('CREATE TABLE "forms" ("id" text, "status" "status" DEFAULT \'active\');', True),
    ('CREATE TABLE "forms" ("id" text, "role" "role" DEFAULT \'active\');', False),
    ('CREATE TABLE "forms" ("id" text, "states" status[] DEFAULT \'{pending,"active"}\');', True),
    ('CREATE TABLE "forms" ("id" text, "tags" text[] DEFAULT \'{"active"}\');', False),
    ('CREATE TABLE "forms" ("id" text, "roles" "role"[] DEFAULT \'{active}\');', False),
    ('ALTER TABLE "users" ADD COLUMN "state" text DEFAULT \'active\';', False),
    ('ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "state" "status" DEFAULT \'active\';', True),
    ('ALTER TABLE "users" ALTER COLUMN "note" SET DEFAULT \'active\';', False),
    ('ALTER TABLE "users" ALTER COLUMN "status" SET DEFAULT \'active\';', True),
    ('INSERT INTO "users" ("id", "role") VALUES (\'a\', \'active\') ON CONFLICT ("id") DO NOTHING;', False),
    ("INSERT INTO \"users\" (\"id\", \"note\") VALUES ('a', 'x'), ('b', 'active');", False),
    ('INSERT INTO "users" ("id", "status") VALUES (\'a\', \'active\');', True),
    ("INSERT INTO \"users\" VALUES ('a', NULL, NULL, 'active');", True),
    # without a column list, the table's columns in order, when the row fills every one (Postgres puts
    # an inherited column first, say)
    # a LIKE puts the columns of the table it copies where it stands
    (
        'CREATE TABLE "one" ("status" "status");\nCREATE TABLE "copy" (LIKE "one", "extra" text);\n'
        "INSERT INTO \"copy\" VALUES ('active');",
        True,
    ),
    (
        'CREATE TABLE "one" ("status" "status");\nCREATE TABLE "copy" (LIKE "one", "extra" text);\n'
        "INSERT INTO \"copy\" VALUES (NULL, 'active');",
        False,
    ),
    (
        'CREATE TABLE "kids" ("a" text, "b" text, "c" text, "d" text, "e" text) INHERITS ("users");\n'
        "INSERT INTO \"kids\" VALUES ('a', NULL, NULL, 'active');",
        True,
    ),
    ("INSERT INTO \"users\" VALUES ('a', NULL, 'active', NULL);", False),
    ("INSERT INTO \"users\" VALUES ('a', 'active', NULL, NULL);", False),
    (
        'ALTER TABLE "users" RENAME COLUMN "role" TO "kind";\n'
        "INSERT INTO public.users VALUES ('a', 'active', NULL, NULL), ('b', NULL, 'active', NULL);",
        False,
    ),
    (
        'ALTER TABLE "users" ADD COLUMN "next" status;\n'
        "INSERT INTO users VALUES ('a', NULL, NULL, NULL, 'active');",
        True,
    ),
    ('UPDATE "users" SET "note" = \'active\' WHERE "users"."role" = \'active\';', False),
    ('UPDATE "users" SET "status" = \'active\' WHERE "note" = \'active\';', True),
    ('UPDATE "users" SET "note" = \'x\' WHERE "status" = \'active\';', True),
    # escapes, and arrays of any shape, hold the same value
    ('UPDATE "users" SET "status" = E\'\\x61ctive\' WHERE "id" = \'a\';', True),
    ('UPDATE "users" SET "note" = E\'\\x61ctive\' WHERE "id" = \'a\';', False),
    ('CREATE TABLE "forms" ("id" text, "states" status[] DEFAULT \'{{active}}\');', True),
    ('CREATE TABLE "forms" ("id" text, "states" status[] DEFAULT \'[1:2]={pending, active }\');', True),
    (
        'CREATE TABLE "forms" ("id" text, "state" text DEFAULT \'active\');\n'
        'INSERT INTO "forms" ("id", "state") VALUES (\'a\', \'active\');',
        False,
    ),
    (
        'CREATE TYPE "kind" AS ENUM (\'active\');\nCREATE TABLE "forms" ("id" text, "kind" "kind" DEFAULT \'active\');',
        False,
    ),
]


@pytest.mark.parametrize(("later", "uses"), CASES)
def test_a_literal_is_read_as_the_type_of_its_column(tmp_path: Path, later: str, uses: bool) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_schema": SCHEMA, "0001_add": ADD, "0002_later": later})
    rules = [f.rule for f in lint_paths([folder], LintOptions()).findings]
    assert (RULE in rules) == uses


@pytest.mark.parametrize(("later", "uses"), CASES)
def test_the_cases_are_what_postgres_does(scratch_server: ScratchServer, later: str, uses: bool) -> None:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(SCHEMA)
            connection.execute("BEGIN")
            connection.execute(ADD)
            try:
                connection.execute(later)
                failed = False
            except psycopg.errors.UnsafeNewEnumValueUsage:
                failed = True
            connection.execute("ROLLBACK")
    finally:
        scratch_server.drop_database(url)
    assert failed == uses


def test_a_like_of_a_table_the_history_does_not_show_places_no_literal(tmp_path: Path) -> None:
    # Its columns, and so the place of each value, are unknown: the literal may be a status.
    later = 'CREATE TABLE "copy" (LIKE "elsewhere", "extra" text);\nINSERT INTO "copy" VALUES (NULL, \'active\');'
    folder = write_drizzle(tmp_path / "drizzle", {"0000_schema": SCHEMA, "0001_later": f"{ADD}\n{later}"})
    assert RULE in [f.rule for f in lint_paths([folder], LintOptions()).findings]


@pytest.mark.parametrize("table", ["kid", "copy"])
def test_a_child_of_a_table_the_history_does_not_show_places_no_literal(tmp_path: Path, table: str) -> None:
    # Its parent's columns come first, and the history cannot name them: 'active' may be a status
    # (a parent `elsewhere ("s" status)` makes Postgres 16.2 fail), though the row fills every column
    # the history shows.
    later = (
        'CREATE TABLE "kid" ("n" text) INHERITS ("elsewhere");\nCREATE TABLE "copy" (LIKE "kid");\n'
        f"INSERT INTO \"{table}\" VALUES ('active');"
    )
    folder = write_drizzle(tmp_path / "drizzle", {"0000_schema": SCHEMA, "0001_later": f"{ADD}\n{later}"})
    assert RULE in [f.rule for f in lint_paths([folder], LintOptions()).findings]
