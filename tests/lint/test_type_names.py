"""Type names as the linter compares them, against the server: two spellings are one type to the
linter exactly when Postgres's `format_type` names them alike."""

from __future__ import annotations

import itertools

import psycopg
import pytest

from gates.scratch_db import ScratchServer
from migrations_checks.lint.extract.columns import parse_column
from migrations_checks.lint.sql.lexer import tokenize
from tests.helpers import fired, in_do_block

SPELLINGS = [
    "int",
    "integer",
    "int4",
    "INT4",
    "serial",
    "int[]",
    "integer[]",
    "int4 []",
    "bigint",
    "int8",
    "bigserial",
    "smallint",
    "int2",
    "smallserial",
    "real",
    "float4",
    "float(1)",
    "float(24)",
    "double precision",
    "float8",
    "float",
    "float(25)",
    "float(53)",
    "boolean",
    "bool",
    "numeric",
    "decimal",
    "numeric(10, 2)",
    "decimal(10,2)",
    "dec(10, 2)",
    "numeric(12, 2)",
    "varchar(20)",
    "character varying(20)",
    "char varying (20)",
    "varchar",
    "character varying",
    "char",
    "character",
    "char(1)",
    "character(1)",
    "char(5)",
    "character (5)",
    "bpchar",
    '"char"',
    "text",
    '"text"',
    "timestamp",
    "timestamp without time zone",
    "timestamp(3)",
    "timestamp (3) without time zone",
    "timestamptz",
    "timestamp with time zone",
    "timestamptz(3)",
    "timestamp(3) with time zone",
    "time",
    "time without time zone",
    "timetz",
    "time with time zone",
    "time(2) with time zone",
    "timetz(2)",
    "bit varying(8)",
    "varbit(8)",
    "bit(8)",
    "interval",
    "interval(3)",
]


def linter_name(spelling: str) -> str:
    column = parse_column(tokenize(f"c {spelling}")[0])
    assert column is not None
    return column.type


@pytest.fixture(scope="module")
def server_names(scratch_server: ScratchServer) -> dict[str, str]:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            columns = ", ".join(f"c{index} {spelling}" for index, spelling in enumerate(SPELLINGS))
            connection.execute(f"CREATE TABLE spellings ({columns})")
            rows = connection.execute(
                "SELECT attnum, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'spellings'::regclass AND attnum > 0"
            ).fetchall()
    finally:
        scratch_server.drop_database(url)
    return {SPELLINGS[attnum - 1]: name for attnum, name in rows}


def test_spellings_are_one_type_exactly_when_the_server_says_so(server_names: dict[str, str]) -> None:
    for first, second in itertools.combinations(SPELLINGS, 2):
        same_to_server = server_names[first] == server_names[second]
        assert (linter_name(first) == linter_name(second)) == same_to_server, (first, second)


def test_a_type_restated_in_another_spelling_is_no_change() -> None:
    history = 'CREATE TABLE "t" ("n" serial, "at" timestamp(3) with time zone, "ok" bool);\n'
    for change in ('"n" TYPE int4', '"at" TYPE timestamptz(3)', '"ok" SET DATA TYPE boolean'):
        assert fired(f'{history}ALTER TABLE "t" ALTER COLUMN {change};', "change-column-type") == []
    assert fired(f'{history}ALTER TABLE "t" ALTER COLUMN "n" TYPE int8;', "change-column-type")


@pytest.mark.parametrize(
    "rename",
    [
        "ALTER TYPE mood RENAME TO feeling;",
        in_do_block('ALTER TYPE "public"."mood" RENAME TO "feeling";'),
    ],
)
def test_a_renamed_type_restated_is_no_change(rename: str) -> None:
    # Postgres 16.2 names the columns' type by the new name at once: restating it rewrites nothing.
    history = 'CREATE TYPE mood AS ENUM (\'a\');\nCREATE TABLE "t" ("m" mood, "ms" mood[]);\n' + rename + "\n"
    restated = 'ALTER TABLE "t" ALTER COLUMN "m" SET DATA TYPE "feeling", ALTER COLUMN "ms" TYPE feeling[];'
    assert fired(history + restated, "change-column-type") == []
    assert fired(history + 'ALTER TABLE "t" ALTER COLUMN "m" TYPE text;', "change-column-type")


def test_a_renamed_domain_keeps_its_columns() -> None:
    history = 'CREATE DOMAIN pos AS int;\nCREATE TABLE "t" ("n" pos);\nALTER DOMAIN pos RENAME TO positive;\n'
    assert fired(history + 'ALTER TABLE "t" ALTER COLUMN "n" TYPE positive;', "change-column-type") == []


@pytest.mark.parametrize(
    ("move", "restated"),
    [
        ("ALTER TYPE mood SET SCHEMA app;", "app.mood"),
        ('ALTER TYPE "public"."mood" SET SCHEMA "app";', '"app"."mood"'),
        ("ALTER DOMAIN pos SET SCHEMA app;", "app.pos"),
    ],
)
def test_a_type_moved_to_another_schema_restated_is_no_change(move: str, restated: str) -> None:
    history = (
        "CREATE SCHEMA app;\nCREATE TYPE mood AS ENUM ('a');\nCREATE DOMAIN pos AS int;\n"
        'CREATE TABLE "t" ("m" mood, "n" pos);\n' + move + "\n"
    )
    column = "m" if "mood" in restated else "n"
    assert fired(f'{history}ALTER TABLE "t" ALTER COLUMN "{column}" TYPE {restated};', "change-column-type") == []
