"""Domains: a column of a constrained domain rewrites its table when added, and a constraint added to
a domain checks every table using it. Each case is held to what Postgres does: the table's file
changes on a rewrite, and a scan holds a lock on the table."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from gates.scratch_db import ScratchServer
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers import write_drizzle

TABLE = 'CREATE TABLE "users" ("id" int, "email" text);\nINSERT INTO "users" VALUES (1, \'a\');\n'

# (domains and their history, the statement, the rule it must fire or None)
ADDED_COLUMNS = [
    ("CREATE DOMAIN positive AS int CHECK (VALUE > 0);", 'ALTER TABLE "users" ADD COLUMN "n" positive;', True),
    ('CREATE DOMAIN "Positive" AS int NOT NULL DEFAULT 1;', 'ALTER TABLE users ADD "n" "Positive";', True),
    (
        "CREATE DOMAIN public.positive AS int CONSTRAINT p CHECK (VALUE > 0);",
        'ALTER TABLE "users" ADD COLUMN "n" public.positive DEFAULT 5;',
        True,
    ),
    (
        "CREATE DOMAIN plain AS int;\nALTER DOMAIN plain ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID;",
        'ALTER TABLE "users" ADD COLUMN "n" plain;',
        True,
    ),
    ("CREATE DOMAIN plain AS int;", 'ALTER TABLE "users" ADD COLUMN "n" plain;', False),
    ("CREATE DOMAIN positive AS int CHECK (VALUE > 0);", 'ALTER TABLE "users" ADD COLUMN "n" positive[];', False),
    (
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0);\nALTER DOMAIN positive DROP CONSTRAINT positive_check;",
        'ALTER TABLE "users" ADD COLUMN "n" positive;',
        False,
    ),
    (
        "CREATE DOMAIN small AS int CHECK (VALUE > 0) CHECK (VALUE < 10);\n"
        "ALTER DOMAIN small DROP CONSTRAINT small_check;",
        'ALTER TABLE "users" ADD COLUMN "n" small;',
        True,
    ),
    (
        "CREATE DOMAIN small AS int CHECK (VALUE > 0);\nALTER DOMAIN small ADD CHECK (VALUE < 10);\n"
        "ALTER DOMAIN small DROP CONSTRAINT small_check;\nALTER DOMAIN small DROP CONSTRAINT small_check1;",
        'ALTER TABLE "users" ADD COLUMN "n" small;',
        False,
    ),
    (
        "CREATE DOMAIN d AS int NOT NULL DEFAULT 0;\nALTER DOMAIN d DROP NOT NULL;",
        'ALTER TABLE "users" ADD COLUMN "n" d;',
        False,
    ),
    (
        "CREATE DOMAIN d AS int CONSTRAINT p CHECK (VALUE > 0);\nALTER DOMAIN d RENAME CONSTRAINT p TO q;\n"
        "ALTER DOMAIN d RENAME TO e;\nALTER DOMAIN e DROP CONSTRAINT IF EXISTS p;",
        'ALTER TABLE "users" ADD COLUMN "n" e;',
        True,
    ),
    (
        "CREATE DOMAIN d AS int CHECK (VALUE > 0);\nDROP DOMAIN d;\nCREATE DOMAIN d AS int;",
        'ALTER TABLE "users" ADD COLUMN "n" d;',
        False,
    ),
    # an unnamed check's name cut to 63 bytes, as Postgres cuts it
    (
        f"CREATE DOMAIN {'d' * 60} AS int CHECK (VALUE > 0);\n"
        f"ALTER DOMAIN {'d' * 60} DROP CONSTRAINT {'d' * 57}_check;",
        f'ALTER TABLE "users" ADD COLUMN "n" {"d" * 60};',
        False,
    ),
    # a domain over another inherits its constraints
    (
        "CREATE DOMAIN d AS int CHECK (VALUE > 0);\nCREATE DOMAIN d2 AS d;",
        'ALTER TABLE "users" ADD COLUMN "n" d2;',
        True,
    ),
    ("CREATE DOMAIN d AS int;\nCREATE DOMAIN d2 AS d DEFAULT 1;", 'ALTER TABLE "users" ADD COLUMN "n" d2;', False),
]

# Domains used by users.score; each statement scans it, or not.
SCORED = TABLE + 'ALTER TABLE "users" ADD COLUMN "score" score;\nUPDATE "users" SET "score" = 1;\n'
DOMAIN_CHANGES = [
    ("ALTER DOMAIN score ADD CONSTRAINT positive CHECK (VALUE > 0);", "add-check-without-not-valid"),
    ("ALTER DOMAIN public.score ADD CHECK (VALUE > 0);", "add-check-without-not-valid"),
    ("ALTER DOMAIN score ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;", None),
    ("ALTER DOMAIN score VALIDATE CONSTRAINT score_small;", "add-check-without-not-valid"),
    ("ALTER DOMAIN score SET NOT NULL;", "set-not-null"),
    ("ALTER DOMAIN score DROP CONSTRAINT score_small;", None),
    ("ALTER DOMAIN score SET DEFAULT 1;", None),
]


def lint(files: dict[str, str], tmp_path: Path) -> list[str]:
    return [f.rule for f in lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions()).findings]


@pytest.mark.parametrize(("domains", "statement", "rewrites"), ADDED_COLUMNS)
def test_adding_a_column_of_a_constrained_domain_is_a_table_rewrite(
    tmp_path: Path, domains: str, statement: str, rewrites: bool
) -> None:
    rules = lint({"0000_init": TABLE + domains, "0001_add": statement}, tmp_path)
    assert [rule for rule in rules if rule != "drop-type"] == (["table-rewrite"] if rewrites else [])


@pytest.mark.parametrize(("domains", "statement", "rewrites"), ADDED_COLUMNS)
def test_the_rewrite_cases_are_what_postgres_does(
    scratch_server: ScratchServer, domains: str, statement: str, rewrites: bool
) -> None:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(TABLE + domains)
            before = connection.execute("SELECT pg_relation_filenode('users')").fetchone()
            connection.execute(statement)
            assert (connection.execute("SELECT pg_relation_filenode('users')").fetchone() != before) == rewrites
    finally:
        scratch_server.drop_database(url)


@pytest.mark.parametrize(("statement", "rule"), DOMAIN_CHANGES)
def test_a_constraint_added_to_a_domain_in_use_scans_its_tables(
    tmp_path: Path, statement: str, rule: str | None
) -> None:
    history = "CREATE DOMAIN score AS int CONSTRAINT score_small CHECK (VALUE < 100) NOT VALID;\n" + SCORED
    assert lint({"0000_init": history, "0001_change": statement}, tmp_path) == ([rule] if rule else [])


@pytest.mark.parametrize(("statement", "rule"), DOMAIN_CHANGES)
def test_the_scan_cases_are_what_postgres_does(scratch_server: ScratchServer, statement: str, rule: str | None) -> None:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE DOMAIN score AS int;\n" + SCORED)
            connection.execute("ALTER DOMAIN score ADD CONSTRAINT score_small CHECK (VALUE < 100) NOT VALID")
            connection.execute("BEGIN")
            connection.execute(statement)
            with psycopg.connect(url) as other:
                held = other.execute(
                    "SELECT mode FROM pg_locks WHERE relation = 'users'::regclass AND pid = %s",
                    (connection.info.backend_pid,),
                ).fetchall()
            connection.execute("ROLLBACK")
    finally:
        scratch_server.drop_database(url)
    assert (("ShareLock",) in held) == (rule is not None)


def test_a_domain_the_history_does_not_show_may_be_used_by_any_table(tmp_path: Path) -> None:
    findings = lint_paths(
        [write_drizzle(tmp_path / "m", {"0000_check": "ALTER DOMAIN elsewhere ADD CHECK (VALUE > 0);"})],
        LintOptions(),
    ).findings
    assert [(f.rule, f.message) for f in findings] == [
        (
            "add-check-without-not-valid",
            "adds a check to domain elsewhere, scanning every row of each table using it under a SHARE lock "
            "that blocks their writes",
        )
    ]


def test_a_domain_used_by_no_existing_table_scans_nothing(tmp_path: Path) -> None:
    files = {
        "0000_init": "CREATE DOMAIN score AS int;",
        "0001_new": 'CREATE TABLE "games" ("id" int, "score" score);\nALTER DOMAIN score ADD CHECK (VALUE > 0);',
    }
    assert lint(files, tmp_path) == []
    files["0001_new"] = "ALTER DOMAIN score SET NOT NULL;"
    assert lint(files, tmp_path) == []


def test_the_message_names_the_tables_and_the_hint_a_path_that_lets_writes_go_on(tmp_path: Path) -> None:
    history = "CREATE DOMAIN score AS int;\n" + SCORED + 'CREATE TABLE "games" ("best" score);'
    folder = write_drizzle(tmp_path / "m", {"0000_init": history, "0001": "ALTER DOMAIN score ADD CHECK (VALUE > 0);"})
    [finding] = lint_paths([folder], LintOptions()).findings
    assert "every row of users, games under a SHARE lock" in finding.message
    assert finding.hint.startswith("check the tables instead: ADD CONSTRAINT ... CHECK (...) NOT VALID on each")


# (the domain, the column added: whether Postgres 16.2 refuses it on a table with rows)
NOT_NULL_COLUMNS = [
    ("CREATE DOMAIN d AS int NOT NULL;", 'ALTER TABLE "users" ADD COLUMN "n" d;', True),
    ("CREATE DOMAIN d AS int NOT NULL;", 'ALTER TABLE "users" ADD COLUMN "n" d DEFAULT 0;', False),
    ("CREATE DOMAIN d AS int NOT NULL DEFAULT 0;", 'ALTER TABLE "users" ADD COLUMN "n" d;', False),
    ("CREATE DOMAIN d AS int NOT NULL DEFAULT 0;\nALTER DOMAIN d DROP DEFAULT;", "ALTER TABLE users ADD n d;", True),
    ("CREATE DOMAIN d AS int DEFAULT NULL;\nALTER DOMAIN d SET NOT NULL;", 'ALTER TABLE "users" ADD "n" d;', True),
    ("CREATE DOMAIN d AS int NOT NULL;\nCREATE DOMAIN d2 AS d;", 'ALTER TABLE "users" ADD COLUMN "n" d2;', True),
    ("CREATE DOMAIN d AS int NOT NULL;\nCREATE DOMAIN d2 AS d DEFAULT 3;", "ALTER TABLE users ADD n d2;", False),
    ("CREATE DOMAIN d AS int;", 'ALTER TABLE "users" ADD COLUMN "n" d;', False),
    # a domain over another copies its default when it is created, and only then
    ("CREATE DOMAIN d AS int NOT NULL DEFAULT 1;\nCREATE DOMAIN d2 AS d;", "ALTER TABLE users ADD n d2;", False),
    (
        "CREATE DOMAIN d AS int NOT NULL DEFAULT 1;\nCREATE DOMAIN d2 AS d;\nALTER DOMAIN d DROP DEFAULT;",
        "ALTER TABLE users ADD n d2;",
        False,
    ),
    (
        "CREATE DOMAIN d AS int NOT NULL DEFAULT 1;\nCREATE DOMAIN d2 AS d;\nALTER DOMAIN d2 DROP DEFAULT;",
        "ALTER TABLE users ADD n d2;",
        True,
    ),
    (
        "CREATE DOMAIN d AS int NOT NULL;\nCREATE DOMAIN d2 AS d;\nALTER DOMAIN d SET DEFAULT 1;",
        "ALTER TABLE users ADD n d2;",
        True,
    ),
]


@pytest.mark.parametrize(("domains", "statement", "refused"), NOT_NULL_COLUMNS)
def test_a_column_of_a_not_null_domain_without_a_default_is_a_not_null_column_without_default(
    tmp_path: Path, domains: str, statement: str, refused: bool
) -> None:
    rules = lint({"0000_init": TABLE + domains, "0001_add": statement}, tmp_path)
    assert ("add-not-null-column-without-default" in rules) == refused


@pytest.mark.parametrize(("domains", "statement", "refused"), NOT_NULL_COLUMNS)
def test_the_not_null_cases_are_what_postgres_does(
    scratch_server: ScratchServer, domains: str, statement: str, refused: bool
) -> None:
    url = scratch_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(TABLE + domains)
            try:
                connection.execute(statement)
                failed = False
            except psycopg.errors.NotNullViolation:
                failed = True
    finally:
        scratch_server.drop_database(url)
    assert failed == refused


@pytest.mark.parametrize("added", ["ADD NOT NULL", "ADD CONSTRAINT score_nn NOT NULL"])
def test_postgres_17s_add_not_null_is_set_not_null(tmp_path: Path, added: str) -> None:
    # PostgreSQL 17's spelling of SET NOT NULL (a syntax error on 16.2): the domain in use is scanned,
    # and a column of it added later is NOT NULL without a default.
    files = {
        "0000_init": "CREATE DOMAIN score AS int;\n" + SCORED,
        "0001_change": f"ALTER DOMAIN score {added};",
        "0002_add": 'ALTER TABLE "users" ADD COLUMN "best" score;',
    }
    findings = lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions(postgres_version=17)).findings
    assert [(f.rule, Path(f.file).stem) for f in findings] == [
        ("set-not-null", "0001_change"),
        ("add-not-null-column-without-default", "0002_add"),
        ("table-rewrite", "0002_add"),  # its constraint is checked by rewriting the table
    ]


def test_a_check_added_to_a_domain_scans_the_tables_of_the_domains_over_it(tmp_path: Path) -> None:
    history = "CREATE DOMAIN score AS int;\nCREATE DOMAIN small_score AS score;\n" + TABLE
    history += 'ALTER TABLE "users" ADD COLUMN "best" small_score;'
    [finding] = lint_paths(
        [write_drizzle(tmp_path / "m", {"0000": history, "0001": "ALTER DOMAIN score ADD CHECK (VALUE > 0);"})],
        LintOptions(),
    ).findings
    assert "every row of users under a SHARE lock" in finding.message


def test_a_rewrite_by_a_domain_column_and_another_in_one_statement_are_one_finding(tmp_path: Path) -> None:
    files = {
        "0000_init": TABLE + "CREATE DOMAIN positive AS int CHECK (VALUE > 0);",
        "0001_add": 'ALTER TABLE "users" ADD COLUMN "n" positive, SET TABLESPACE "fast";',
    }
    [finding] = [f for f in lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions()).findings]
    assert finding.rule == "table-rewrite"
    assert finding.message.startswith("adds users.n of domain positive, whose constraints are checked by rewriting")
    assert finding.message.endswith("; ALTER TABLE rewrites users under an ACCESS EXCLUSIVE lock")


# Postgres 17 keeps a domain's NOT NULL as a constraint with a name, `domain_not_null` unless one is
# written, which DROP CONSTRAINT drops (each case checked on Postgres 18.6, in PGlite; 16.2 has no
# such constraint and refuses the DROP).
@pytest.mark.parametrize(
    ("domains", "refused"),
    [
        ("CREATE DOMAIN d AS int CONSTRAINT dnn NOT NULL;", True),
        ("CREATE DOMAIN d AS int CONSTRAINT dnn NOT NULL;\nALTER DOMAIN d DROP CONSTRAINT dnn;", False),
        ("CREATE DOMAIN d AS int NOT NULL;\nALTER DOMAIN d DROP CONSTRAINT d_not_null;", False),
        ("CREATE DOMAIN d AS int NOT NULL;\nALTER DOMAIN d DROP CONSTRAINT other;", True),
        (
            "CREATE DOMAIN d AS int;\nALTER DOMAIN d ADD CONSTRAINT a NOT NULL;\n"
            "ALTER DOMAIN d RENAME CONSTRAINT a TO b;\nALTER DOMAIN d DROP CONSTRAINT b;",
            False,
        ),
        # SET NOT NULL on a domain NOT NULL already changes nothing: the name stays.
        (
            "CREATE DOMAIN d AS int CONSTRAINT dnn NOT NULL;\nALTER DOMAIN d SET NOT NULL;\n"
            "ALTER DOMAIN d DROP CONSTRAINT dnn;",
            False,
        ),
    ],
)
def test_postgres_17s_domain_not_null_is_dropped_by_its_name(tmp_path: Path, domains: str, refused: bool) -> None:
    files = {"0000_init": TABLE + domains, "0001_add": 'ALTER TABLE "users" ADD COLUMN "n" d;'}
    findings = lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions(postgres_version=17)).findings
    assert ("add-not-null-column-without-default" in [f.rule for f in findings]) == refused


def test_before_postgres_17_a_domains_not_null_has_no_name_to_drop_it_by(tmp_path: Path) -> None:
    # Postgres 16.2: the DROP ... IF EXISTS finds no such constraint, and the domain stays NOT NULL.
    domains = "CREATE DOMAIN d AS int NOT NULL;\nALTER DOMAIN d DROP CONSTRAINT IF EXISTS d_not_null;"
    files = {"0000_init": TABLE + domains, "0001_add": 'ALTER TABLE "users" ADD COLUMN "n" d;'}
    for version, refused in ((16, True), (17, False)):
        found = lint_paths([write_drizzle(tmp_path / str(version), files)], LintOptions(postgres_version=version))
        assert ("add-not-null-column-without-default" in [f.rule for f in found.findings]) == refused
