"""PRIMARY KEY USING INDEX, the safe path for a new primary key, sets NOT NULL on the index's
columns: Postgres scans the table under ACCESS EXCLUSIVE unless each column is NOT NULL already or
proven so by a valid CHECK. Each case is held to the server's own word ("verifying table")."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from gates.scratch_db import ScratchServer
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers import write_drizzle

INDEX = 'CREATE UNIQUE INDEX "k" ON "t" ("a", "b");\n'
ADD = 'ALTER TABLE "t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "k";'

# (the table and what happened to it before the index was built, whether the ADD scans)
CASES = [
    ('CREATE TABLE "t" ("a" int, "b" int);', True),
    ('CREATE TABLE "t" ("a" int NOT NULL, "b" int);', True),
    ('CREATE TABLE "t" ("a" int NOT NULL, "b" int NOT NULL);', False),
    ('CREATE TABLE "t" ("a" int NOT NULL, "b" int);\nALTER TABLE "t" ALTER COLUMN "b" SET NOT NULL;', False),
    ('CREATE TABLE "t" ("a" int NOT NULL, "b" int NOT NULL);\nALTER TABLE "t" ALTER "b" DROP NOT NULL;', True),
    ('CREATE TABLE "t" ("a" int, "b" int, PRIMARY KEY ("a", "b"));\nALTER TABLE "t" DROP CONSTRAINT "t_pkey";', False),
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "c" int);\nALTER TABLE "t" ADD COLUMN "b" int NOT NULL DEFAULT 0;',
        False,
    ),
    ('CREATE TABLE "t" ("a" int NOT NULL, "c" int NOT NULL);\nALTER TABLE "t" RENAME "c" TO "b";', False),
    (
        'CREATE TABLE "s" ("a" int NOT NULL, "b" int NOT NULL);\nDROP TABLE IF EXISTS "t";\n'
        'ALTER TABLE "s" RENAME TO "t";',
        False,
    ),
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\nALTER TABLE "t" ADD CONSTRAINT "b_nn" CHECK ("b" IS NOT NULL);',
        False,
    ),
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "b" int NOT NULL);\nALTER TABLE "t" DROP COLUMN "b";\n'
        'ALTER TABLE "t" ADD COLUMN "b" int;',
        True,
    ),
]


# Histories that build the index their own way (drizzle-kit writes `USING btree ("a" asc nulls last)`).
CASES += [
    ('CREATE TABLE "t" ("a" text, "b" int NOT NULL);\n' + index, True)
    for index in (
        'CREATE UNIQUE INDEX "k" ON "t" USING btree ("a" asc nulls last, "b");',
        'CREATE UNIQUE INDEX "k" ON "t" ("a" text_ops ASC, "b");',
        'CREATE UNIQUE INDEX "k" ON "t" ("a" COLLATE "default", "b");',
    )
] + [
    ('CREATE TABLE "t" ("a" serial, "b" int NOT NULL);\nCREATE UNIQUE INDEX "k" ON "t" ("a", "b");', False),
    (
        'CREATE TABLE "t" ("a" int GENERATED ALWAYS AS IDENTITY, "b" int NOT NULL);\n'
        'CREATE UNIQUE INDEX "k" ON "t" ("a", "b");',
        False,
    ),
    (
        'CREATE TABLE "t" ("x" int NOT NULL, "b" int NOT NULL);\nCREATE UNIQUE INDEX "k" ON "t" ("x", "b");\n'
        'ALTER TABLE "t" RENAME COLUMN "x" TO "a";',
        False,
    ),
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\nCREATE UNIQUE INDEX "j" ON "t" ("a", "b");\n'
        'ALTER INDEX "j" RENAME TO "k";',
        True,
    ),
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "b" int NOT NULL);\nCREATE UNIQUE INDEX "j" ON "t" ("a", "b");\n'
        'ALTER INDEX "j" RENAME TO "k";',
        False,
    ),
    # ALTER TABLE renames an index too
    (
        'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\nCREATE UNIQUE INDEX "j" ON "t" ("a", "b");\n'
        'CREATE UNIQUE INDEX "x" ON "t" ("a");\nALTER TABLE "j" RENAME TO "k";',
        True,
    ),
]


def _indexed(history: str) -> str:
    """The history with the index the key uses, built the usual way unless it builds its own."""
    return history if '"k"' in history else history + "\n" + INDEX


@pytest.mark.parametrize(("history", "scans"), CASES)
def test_primary_key_using_index_on_a_column_that_may_be_null_is_a_set_not_null(
    tmp_path: Path, history: str, scans: bool
) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_init": _indexed(history), "0001_key": ADD})
    # The history's own renames and drops are reported too; only the key's finding matters here.
    rules = [f.rule for f in lint_paths([folder], LintOptions()).findings if f.rule == "set-not-null"]
    assert rules == (["set-not-null"] if scans else [])


@pytest.mark.parametrize(("history", "scans"), CASES)
def test_the_cases_are_what_postgres_does(scratch_server: ScratchServer, history: str, scans: bool) -> None:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(_indexed(history) + "\nINSERT INTO t (a, b) OVERRIDING SYSTEM VALUE VALUES (1, 1);")
            notices: list[str] = []
            connection.add_notice_handler(lambda notice: notices.append(notice.message_primary or ""))
            connection.execute("SET client_min_messages = debug1")
            connection.execute(ADD)
    finally:
        scratch_server.drop_database(url)
    assert ('verifying table "t"' in notices) == scans


def test_the_message_names_the_columns_and_the_hint_the_order_of_steps(tmp_path: Path) -> None:
    history = 'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\n' + INDEX
    folder = write_drizzle(tmp_path / "m", {"0000_init": history, "0001_key": ADD})
    [finding] = [f for f in lint_paths([folder], LintOptions()).findings if f.rule == "set-not-null"]
    assert finding.message.startswith("adds primary key t_pkey using index k, which sets NOT NULL on t.b: scans")
    assert finding.hint.startswith("make the columns NOT NULL first")


def test_an_index_the_history_does_not_show_may_cover_nullable_columns(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_key": ADD})
    [finding] = lint_paths([folder], LintOptions()).findings
    assert finding.rule == "set-not-null"
    assert "the columns of index k (not created in the migrations read)" in finding.message


def test_a_unique_constraint_using_an_index_sets_nothing(tmp_path: Path) -> None:
    unique = ADD.replace("PRIMARY KEY", "UNIQUE")
    folder = write_drizzle(tmp_path / "m", {"0000_init": 'CREATE TABLE "t" ("a" int, "b" int);\n' + INDEX, "1": unique})
    assert [f.rule for f in lint_paths([folder], LintOptions()).findings] == []


def test_set_not_null_and_a_primary_key_using_index_in_one_statement_are_one_finding(tmp_path: Path) -> None:
    # Postgres 16.2 verifies the table once; the key's column is the one SET NOT NULL already names.
    history = 'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\n' + INDEX
    both = 'ALTER TABLE "t" ALTER COLUMN "b" SET NOT NULL, ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "k";'
    folder = write_drizzle(tmp_path / "m", {"0000_init": history, "0001_key": both})
    [finding] = lint_paths([folder], LintOptions()).findings
    assert finding.message.startswith("sets NOT NULL on t.b: scans the table")


def test_an_unnamed_index_goes_by_the_name_postgres_gives_it(tmp_path: Path) -> None:
    history = 'CREATE TABLE "t" ("a" int NOT NULL, "b" int);\nCREATE UNIQUE INDEX ON "t" ("a", "b");'
    key = ADD.replace('"k"', '"t_a_b_idx"')
    folder = write_drizzle(tmp_path / "m", {"0000_init": history, "0001_key": key})
    [finding] = lint_paths([folder], LintOptions()).findings
    assert "using index t_a_b_idx, which sets NOT NULL on t.b" in finding.message
