"""Edge cases found in review: each once passed silently or fired wrongly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gates.config import MigrationSettings, load_config
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths, lint_text
from migrations_checks.lint.extract.checks import constraint_name
from migrations_checks.lint.reader import InputError, read_configured, read_migrations
from tests.helpers import fired, write_drizzle


def rules(sql: str, options: LintOptions | None = None) -> list[tuple[str, str]]:
    return [(f.rule, f.severity) for f in lint_text(sql, options).findings]


def test_create_table_if_not_exists_of_an_existing_table_does_not_make_it_new(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "users" ("id" int, "name" varchar(20));',
            "0001_again": 'CREATE TABLE IF NOT EXISTS "users" ("id" int);\nCREATE INDEX ON "users" ("id");\n'
            'ALTER TABLE "users" ADD COLUMN "x" int NOT NULL;\n'
            'ALTER TABLE "users" ALTER COLUMN "name" TYPE varchar(40);',
        },
    )
    found = {f.rule for f in lint_paths([folder], LintOptions()).findings}
    assert found == {"create-index-non-concurrently", "add-not-null-column-without-default"}


@pytest.mark.parametrize(
    "sql",
    [
        "WITH moved AS (DELETE FROM old_jobs RETURNING *) INSERT INTO jobs_archive SELECT * FROM moved;",
        "WITH d AS (UPDATE users SET a = 1 RETURNING id) SELECT * FROM d;",
    ],
)
def test_data_changes_inside_a_with_clause_are_examined(sql: str) -> None:
    assert rules(sql)[0][1] == "error"


def test_select_for_update_is_not_an_update() -> None:
    assert rules("SELECT * FROM t FOR UPDATE;") == []


def test_type_change_with_a_computing_using_is_a_rewrite_but_a_plain_cast_is_not() -> None:
    table = 'CREATE TABLE "t" ("a" varchar(20));\n'
    assert rules(table + 'ALTER TABLE "t" ALTER COLUMN "a" TYPE varchar(40) USING lpad("a", 40);') == [
        ("change-column-type", "error")
    ]
    assert rules(table + 'ALTER TABLE "t" ALTER COLUMN "a" TYPE text USING "a"::text;') == []


def test_an_enum_label_shared_by_another_enum_is_not_a_use() -> None:
    assert (
        rules("ALTER TYPE plan_status ADD VALUE 'archived';\nCREATE TYPE module_status AS ENUM ('active', 'archived');")
        == []
    )


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("-- gates: alow drop-column -- typo in the verb", "not a gates directive"),
        ("-- gates: allow drop-column \u2014 an em dash is not the separator", "not a gates directive"),
        ("-- gates: deprecate column users", "needs <table>.<column>"),
    ],
)
def test_malformed_directives_are_reported(comment: str, expected: str) -> None:
    result = lint_text(f'{comment}\nALTER TABLE "users" ADD COLUMN "x" text;')
    [finding] = result.findings
    assert finding.rule == "invalid-suppression" and expected in finding.message


def test_upper_case_rule_ids_are_understood() -> None:
    assert rules('-- gates: allow Drop-Column -- unused since 41\nALTER TABLE "u" DROP COLUMN "x";') == []


@pytest.mark.parametrize(
    "sql",
    [
        '-- gates: allow drop-column -- too far away\n\nALTER TABLE "u" DROP COLUMN "x";',
        'ALTER TABLE "u" DROP COLUMN "x";\n-- gates: allow drop-column -- below the statement',
    ],
)
def test_a_suppression_above_no_statement_is_reported(sql: str) -> None:
    found = rules(sql)
    assert ("invalid-suppression", "error") in found and ("drop-column", "error") in found


def test_a_reasonless_suppression_is_invalid_but_not_also_unused() -> None:
    assert sorted(rules('-- gates: allow drop-column\nALTER TABLE "u" DROP COLUMN "x";')) == [
        ("drop-column", "error"),
        ("invalid-suppression", "error"),
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'unterminated; DROP TABLE a;",
        "CREATE INDEX i ON t (a) /* unterminated ; DROP TABLE a;",
        'ALTER TABLE "unterminated DROP COLUMN x;',
    ],
)
def test_unterminated_quotes_and_comments_are_unparseable(sql: str) -> None:
    result = lint_text(sql)
    assert ("unparseable-statement", "error") in [(f.rule, f.severity) for f in result.findings]
    assert result.coverage.opaque >= 1


def test_an_empty_folder_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"holds no \.sql migrations"):
        read_migrations([tmp_path / "empty"])


def test_a_journal_listing_nothing_is_an_input_error_even_beside_sql_files(tmp_path: Path) -> None:
    # drizzle-orm would apply nothing: a replay gate would pass having replayed nothing.
    folder = write_drizzle(tmp_path / "drizzle", {})
    (folder / "0000_orphan.sql").write_text("CREATE TABLE a (id int);", encoding="utf-8")
    with pytest.raises(InputError, match=r"its journal lists none; 0000_orphan\.sql would never be applied"):
        read_migrations([folder])


def test_a_drizzle_1x_layout_is_named(tmp_path: Path) -> None:
    (tmp_path / "m" / "20260101000000_init").mkdir(parents=True)
    (tmp_path / "m" / "20260101000000_init" / "migration.sql").write_text("SELECT 1;")
    with pytest.raises(InputError, match=r"drizzle-kit 1\.x"):
        read_migrations([tmp_path / "m"])


def test_hot_tables_are_read_like_sql_names(tmp_path: Path) -> None:
    config = tmp_path / "gates.toml"
    config.write_text('[migrations]\nhot_tables = ["public.orders", "\\"Users\\""]\n')
    options = LintOptions.from_config(load_config(config))
    assert rules('CREATE INDEX ON public.orders (a);\nCREATE INDEX ON "Users" (a);', options) == [
        ("create-index-non-concurrently", "error"),
        ("create-index-non-concurrently", "error"),
    ]


def test_the_source_line_shown_is_the_reported_line() -> None:
    [finding] = lint_text('-- a \u2028 b\nSELECT 1;\nDROP TABLE "x";').findings
    assert finding.line == 3 and finding.source_line == 'DROP TABLE "x";'


def test_grant_to_a_role_named_public_in_capitals_is_not_public() -> None:
    assert rules('GRANT SELECT ON "t" TO "PUBLIC";') == []
    assert rules('GRANT SELECT ON "t" TO "public";') == [("grant-to-public", "warning")]


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "t" ADD COLUMN "email" text UNIQUE;',
        'ALTER TABLE "t" ADD COLUMN "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;',
    ],
)
def test_inline_unique_and_primary_keys_build_an_index(sql: str) -> None:
    assert ("add-unique-constraint", "warning") in rules(sql)


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "t" SET UNLOGGED;',
        'ALTER TABLE "t" SET LOGGED;',
        'ALTER TABLE "t" SET ACCESS METHOD heap2;',
        'ALTER TABLE "t" ALTER COLUMN "g" SET EXPRESSION AS ("a" * 2);',
    ],
)
def test_other_rewrites_are_table_rewrites(sql: str) -> None:
    # PostgreSQL 17 is the first to have SET EXPRESSION.
    assert rules(sql, LintOptions(postgres_version=17)) == [("table-rewrite", "warning")]


def test_default_null_is_no_default() -> None:
    assert rules('ALTER TABLE "t" ADD COLUMN "x" int NOT NULL DEFAULT NULL;') == [
        ("add-not-null-column-without-default", "error")
    ]


def rules_of(tmp_path: Path, files: dict[str, str]) -> list[str]:
    """The rules a Drizzle folder of these files fires, linted whole."""
    return [f.rule for f in lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions()).findings]


def test_set_not_null_after_the_catalogue_recipe_is_silent(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "m",
        {
            "0000_init": 'CREATE TABLE "users" ("id" int, "email" text);',
            "0001_check": 'ALTER TABLE "users" ADD CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL) NOT VALID;',
            "0002_validate": 'ALTER TABLE "users" VALIDATE CONSTRAINT "email_nn";',
            "0003_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
        },
    )
    # Validated in a later deploy than the NOT VALID check: in the same transaction it gains nothing.
    later_deploy = LintOptions(only=frozenset({"0002_validate", "0003_set"}))
    assert [f.rule for f in lint_paths([folder], later_deploy).findings] == []
    assert [f.rule for f in lint_paths([folder], LintOptions()).findings] == ["validate-in-same-transaction"]


@pytest.mark.parametrize(
    "steps",
    [
        # never validated
        {"0001_check": 'ALTER TABLE "users" ADD CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL) NOT VALID;'},
        # validated in the same migration as the SET NOT NULL: the running release meets the CHECK now
        {
            "0001_all": 'ALTER TABLE "users" ADD CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL) NOT VALID;\n'
            'ALTER TABLE "users" VALIDATE CONSTRAINT "email_nn";'
        },
        # a check on another column
        {"0001_check": 'ALTER TABLE "users" ADD CONSTRAINT "id_nn" CHECK ("id" IS NOT NULL);'},
    ],
)
def test_set_not_null_without_the_full_recipe_still_warns(tmp_path: Path, steps: dict[str, str]) -> None:
    last = next(reversed(steps))
    files = {"0000_init": 'CREATE TABLE "users" ("id" int, "email" text);', **steps}
    files[last] = files[last] + '\nALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;'
    assert "set-not-null" in rules_of(tmp_path, files)


# Each a CHECK written in CREATE TABLE, valid from the start: Postgres 16.2 says "existing constraints
# on column "users.email" are sufficient to prove that it does not contain nulls" and scans nothing.
@pytest.mark.parametrize(
    "create",
    [
        'CREATE TABLE "users" ("id" int, "email" text, CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, "email" text CHECK ("email" IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, "email" text CONSTRAINT "email_nn" CHECK (email IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, CHECK ("email" IS NOT NULL), "email" text);',
        # drizzle-kit's own style, a condition ANDed, parentheses, a column's check naming another
        'CREATE TABLE "users" ("id" int, "email" text, CONSTRAINT "c" CHECK ("users"."email" IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, "email" text, CHECK ("id" > 0 AND ("email") IS NOT NULL));',
        'CREATE TABLE "users" ("id" int CHECK ((("email" IS NOT NULL))), "email" text);',
    ],
)
def test_set_not_null_proven_by_a_check_of_create_table_is_silent(tmp_path: Path, create: str) -> None:
    assert (
        rules_of(tmp_path, {"0000_init": create, "0001_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;'})
        == []
    )


@pytest.mark.parametrize(
    "between",
    [
        # the table dropped and created again without the check
        'DROP TABLE "users";\nCREATE TABLE "users" ("id" int, "email" text);',
        # the column dropped (its constraint goes with it) and added again
        'ALTER TABLE "users" DROP COLUMN "email";\nALTER TABLE "users" ADD COLUMN "email" text;',
        # the unnamed check dropped by the name Postgres gave it
        'ALTER TABLE "users" DROP CONSTRAINT "users_email_check";',
        # a check of another column's nulls
        'ALTER TABLE "users" RENAME COLUMN "email" TO "old_email";\nALTER TABLE "users" ADD COLUMN "email" text;',
    ],
)
@pytest.mark.parametrize(
    "init",
    [
        'CREATE TABLE "users" ("id" int, "email" text CHECK ("email" IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, "email" text);\nALTER TABLE "users" ADD CHECK ("email" IS NOT NULL);',
    ],
)
def test_a_not_null_check_that_no_longer_holds_proves_nothing(tmp_path: Path, init: str, between: str) -> None:
    files = {
        "0000_init": init,
        "0001_between": between,
        "0002_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    }
    assert "set-not-null" in rules_of(tmp_path, files)


@pytest.mark.parametrize(
    ("init", "reported"),
    [
        ('CREATE TABLE "users" ("id" int, "email" text NOT NULL);', False),
        ('CREATE TABLE "users" ("id" int, "email" text PRIMARY KEY);', False),
        (
            'CREATE TABLE "users" ("id" int, "email" text);\nALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
            False,
        ),
        (
            'CREATE TABLE "users" ("id" int, "email" text NOT NULL);\nALTER TABLE "users" ALTER "email" DROP NOT NULL;',
            True,
        ),
    ],
)
def test_set_not_null_on_a_column_already_not_null_changes_nothing(tmp_path: Path, init: str, reported: bool) -> None:
    # Postgres 16.2 neither scans the table nor refuses anything new there.
    files = {"0000_init": init, "0001_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;'}
    assert ("set-not-null" in rules_of(tmp_path, files)) is reported


def test_set_not_null_proven_in_the_same_migration_says_no_scan() -> None:
    # Postgres 16.2: "existing constraints on column "t.name" are sufficient to prove that it does not
    # contain nulls"; only the running release's NULL writes are at stake.
    sql = (
        'ALTER TABLE "t" ADD CONSTRAINT "nn" CHECK ("name" IS NOT NULL) NOT VALID;\n'
        'ALTER TABLE "t" VALIDATE CONSTRAINT "nn";\n'
        'ALTER TABLE "t" ALTER COLUMN "name" SET NOT NULL;\n'
        'ALTER TABLE "t" ALTER COLUMN "name" SET NOT NULL, ALTER COLUMN "x" SET NOT NULL;'
    )
    assert [f.message for f in fired(sql, "set-not-null")] == [
        "sets NOT NULL on t.name: a CHECK validated in this migration spares the scan, but the running release "
        "may still write NULL",
        "sets NOT NULL on t.name, t.x: scans the table under an exclusive lock for t.x, and the running release "
        "may still write NULL",
    ]


def test_a_named_check_goes_with_its_dropped_table(tmp_path: Path) -> None:
    files = {
        "0000_init": 'CREATE TABLE "users" ("id" int, "email" text);\n'
        'ALTER TABLE "users" ADD CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL);',
        "0001_again": 'DROP TABLE "users";\nCREATE TABLE "users" ("id" int, "email" text);',
        "0002_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    }
    assert "set-not-null" in rules_of(tmp_path, files)


@pytest.mark.parametrize(
    "check",
    [
        'CHECK ("email" IS NOT NULL OR "id" > 0)',
        'CHECK (("email" IS NOT NULL) OR ("id" > 0))',
        'CHECK (lower("email") IS NOT NULL)',
        'CHECK (NOT "email" IS NOT NULL)',
    ],
)
def test_a_check_that_does_not_prove_the_column_not_null_proves_nothing(tmp_path: Path, check: str) -> None:
    files = {
        "0000_init": f'CREATE TABLE "users" ("id" int, "email" text, CONSTRAINT "c" {check});',
        "0001_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    }
    assert "set-not-null" in rules_of(tmp_path, files)


# Postgres 16.2 proves nothing by a CHECK (c IS NOT NULL) of a column of a row type, and scans: for a
# row, IS NOT NULL means every field is non-null. It does by one of an enum, of a domain over int,
# or of an array of rows, and scans nothing.
@pytest.mark.parametrize(
    ("types", "proves"),
    [
        ('CREATE TYPE "public"."addr" AS ("a" int, "b" text);', False),
        ("CREATE TYPE old_addr AS (a int);\nALTER TYPE old_addr RENAME TO addr;", False),
        ("CREATE TYPE row_addr AS (a int);\nCREATE DOMAIN addr AS row_addr;", False),
        ('CREATE TABLE "addr" ("a" int, "b" text);', False),  # a table's row type
        ("CREATE VIEW addr AS SELECT 1 AS a, 'x' AS b;", False),  # a view's
        ("CREATE OR REPLACE VIEW v AS SELECT 1 AS a;\nALTER VIEW v RENAME TO addr;", False),
        ("CREATE VIEW addr AS SELECT 1 AS a;\nDROP VIEW addr;\nCREATE DOMAIN addr AS int;", True),
        ("CREATE TYPE addr AS ENUM ('home', 'work');", True),
        ("CREATE DOMAIN addr AS int;", True),
        ("CREATE TYPE row_addr AS (a int);\nCREATE DOMAIN addr AS row_addr[];", True),
    ],
)
@pytest.mark.parametrize(
    "check",
    [
        'CREATE TABLE "users" ("id" int, "home" addr CHECK ("home" IS NOT NULL));',
        'CREATE TABLE "users" ("id" int, "home" addr);\nALTER TABLE "users" ADD CHECK ("home" IS NOT NULL);',
    ],
)
def test_a_not_null_check_of_a_composite_column_proves_nothing(
    tmp_path: Path, types: str, proves: bool, check: str
) -> None:
    files = {"0000_init": f"{types}\n{check}", "0001_set": 'ALTER TABLE "users" ALTER COLUMN "home" SET NOT NULL;'}
    assert ("set-not-null" in rules_of(tmp_path, files)) != proves


@pytest.mark.parametrize(
    ("init", "proves"),
    [
        # `point` is pg_catalog's, found first whatever table a migration named so (Postgres 16.2 proves it)
        ('CREATE TABLE "point" ("x" int);\nCREATE TABLE "users" ("home" point CHECK ("home" IS NOT NULL));', True),
        # a table's row type named with its schema is the same row type (Postgres 16.2 scans)
        (
            'CREATE TABLE "addr" ("x" int);\nCREATE TABLE "users" ("home" public.addr CHECK ("home" IS NOT NULL));',
            False,
        ),
    ],
)
def test_a_row_type_is_known_by_the_name_postgres_finds(tmp_path: Path, init: str, proves: bool) -> None:
    files = {"0000_init": init, "0001_set": 'ALTER TABLE "users" ALTER COLUMN "home" SET NOT NULL;'}
    assert ("set-not-null" in rules_of(tmp_path, files)) != proves


@pytest.mark.parametrize(
    ("init", "name"),
    [
        ('CREATE TABLE "users" ("id" int, "email" text);', "users_email_check"),
        ('CREATE TABLE "users" ("id" int, "email" text CHECK (length("email") > 0));', "users_email_check1"),
    ],
)
def test_an_unnamed_not_null_check_is_validated_by_the_name_postgres_gives_it(
    tmp_path: Path, init: str, name: str
) -> None:
    files = {
        "0000_init": init,
        "0001_check": 'ALTER TABLE "users" ADD CHECK ("email" IS NOT NULL) NOT VALID;',
        "0002_validate": f'ALTER TABLE "users" VALIDATE CONSTRAINT "{name}";',
        "0003_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    }
    folder = write_drizzle(tmp_path / "m", files)
    later_deploy = LintOptions(only=frozenset({"0002_validate", "0003_set"}))
    assert [f.rule for f in lint_paths([folder], later_deploy).findings] == []


def test_an_unnamed_not_null_check_validated_in_its_transaction_gains_nothing(tmp_path: Path) -> None:
    files = {
        "0000_init": 'CREATE TABLE "users" ("id" int, "email" text);',
        "0001_both": 'ALTER TABLE "users" ADD CHECK ("email" IS NOT NULL) NOT VALID;\n'
        'ALTER TABLE "users" VALIDATE CONSTRAINT "users_email_check";',
    }
    assert "validate-in-same-transaction" in rules_of(tmp_path, files)


LONG_TABLE, LONG_COLUMN = "a" * 40, "b" * 40


@pytest.mark.parametrize(
    ("relation", "column", "taken", "name"),
    [
        ("users", "email", (), "users_email_check"),
        ("public.users", None, (), "users_check"),
        ("users", "email", ("users_email_check", "users_email_check1"), "users_email_check2"),
        # Each as Postgres 16.2 names it: cut to 63 bytes, the longer name first, between characters.
        (LONG_TABLE, LONG_COLUMN, (), f"{'a' * 28}_{'b' * 28}_check"),
        (LONG_TABLE, LONG_COLUMN, (f"{'a' * 28}_{'b' * 28}_check",), f"{'a' * 28}_{'b' * 27}_check1"),
        ("t" * 70, None, (), f"{'t' * 57}_check"),
        ("é" * 40, None, (), f"{'é' * 28}_check"),
    ],
)
def test_an_unnamed_constraint_is_named_as_postgres_names_it(
    relation: str, column: str | None, taken: tuple[str, ...], name: str
) -> None:
    assert constraint_name(relation, column, "check", taken) == name


# After each, the proof that the column is NOT NULL is gone or kept, as on Postgres 16.2 (a scan, or
# "existing constraints ... are sufficient to prove" it).
@pytest.mark.parametrize(
    ("init", "between", "proven"),
    [
        # Two unnamed checks of the same column are users_email_check and users_email_check1.
        (
            'CREATE TABLE "users" ("id" int, "email" text CHECK ("email" IS NOT NULL), CHECK ("email" IS NOT NULL));',
            'ALTER TABLE "users" DROP CONSTRAINT "users_email_check1";',
            True,
        ),
        # A check that reads two columns is users_check.
        (
            'CREATE TABLE "users" ("id" int, "email" text, CHECK ("id" > 0 AND "email" IS NOT NULL));',
            'ALTER TABLE "users" DROP CONSTRAINT "users_check";',
            False,
        ),
        # Numbered past the names other checks took: on the table, and elsewhere in its schema.
        (
            'CREATE TABLE "users" ("id" int, "email" text CHECK (length("email") > 0));\n'
            'ALTER TABLE "users" ADD CHECK ("email" IS NOT NULL);',
            'ALTER TABLE "users" DROP CONSTRAINT "users_email_check1";',
            False,
        ),
        (
            'CREATE TABLE "users" ("id" int, "email" text, CHECK ("email" IS NOT NULL));\n'
            'ALTER TABLE "users" RENAME TO "old_users";\n'
            'CREATE TABLE "users" ("id" int, "email" text, CHECK ("email" IS NOT NULL));',
            'ALTER TABLE "users" DROP CONSTRAINT "users_email_check1";',
            False,
        ),
        # A partition's check named by the column it has from its parent.
        (
            'CREATE TABLE "all_users" ("id" int NOT NULL, "email" text) PARTITION BY RANGE ("id");\n'
            'CREATE TABLE "users" PARTITION OF "all_users" (CHECK ("email" IS NOT NULL)) FOR VALUES FROM (0) TO (9);',
            'ALTER TABLE "users" DROP CONSTRAINT "users_email_check";',
            False,
        ),
        # A name longer than 63 bytes is cut.
        (
            f'CREATE TABLE "{"t" * 60}" ("id" int, "email" text, CHECK ("email" IS NOT NULL));\n'
            f'ALTER TABLE "{"t" * 60}" RENAME TO "users";',
            f'ALTER TABLE "users" DROP CONSTRAINT "{"t" * 51}_email_check";',
            False,
        ),
    ],
)
def test_an_unnamed_check_is_dropped_by_the_name_postgres_gave_it(
    tmp_path: Path, init: str, between: str, proven: bool
) -> None:
    files = {
        "0000_init": init,
        "0001_drop": between,
        "0002_set": 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;',
    }
    assert ("set-not-null" in rules_of(tmp_path, files)) is not proven


def test_a_table_renamed_stays_in_its_schema(tmp_path: Path) -> None:
    files = {
        "0000_init": 'CREATE TABLE "auth"."users" ("id" int, "email" text NOT NULL);',
        "0001_rename": 'ALTER TABLE "auth"."users" RENAME TO "accounts";',
        "0002_set": 'ALTER TABLE "auth"."accounts" ALTER COLUMN "email" SET NOT NULL;',  # NOT NULL already
    }
    assert "set-not-null" not in rules_of(tmp_path / "a", files)
    files["0002_set"] = 'ALTER TABLE "accounts" ALTER COLUMN "email" SET NOT NULL;'  # public.accounts, unknown
    assert "set-not-null" in rules_of(tmp_path / "b", files)


def test_a_column_of_a_tables_row_type_follows_the_renamed_table(tmp_path: Path) -> None:
    # Postgres 16.2 proves nothing by CHECK (c IS NOT NULL) on a row: it scans.
    files = {
        "0000_init": 'CREATE TABLE "point2" ("x" int, "y" int);\n'
        'CREATE TABLE "shapes" ("id" int, "corner" "point2", CHECK ("corner" IS NOT NULL));\n'
        'ALTER TABLE "point2" RENAME TO "vertex";',
        "0001_set": 'ALTER TABLE "shapes" ALTER COLUMN "corner" SET NOT NULL;',
    }
    assert "set-not-null" in rules_of(tmp_path, files)


def test_the_configured_format_is_never_guessed(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "0000_init.sql").write_text("SELECT 1;")
    drizzle = MigrationSettings(path=tmp_path / "m", format="drizzle")
    with pytest.raises(InputError, match=r"no meta/_journal\.json, but \[migrations\] format is drizzle"):
        read_configured(drizzle)
    assert [f.tag for f in read_configured(MigrationSettings(path=tmp_path / "m", format="plain")).files] == [
        "0000_init"
    ]
    with pytest.raises(InputError, match=r"does not exist"):
        read_configured(MigrationSettings(path=tmp_path / "missing"))


# Each a statement Postgres 16 parses and sqlglot does not; its changes are read from its words.
@pytest.mark.parametrize(
    ("sql", "rules"),
    [
        ("WITH d AS (DELETE FROM users RETURNING id) SELECT * FROM d ORDER BY id USING <;", ["delete-without-where"]),
        ("WITH d AS (DELETE FROM users WHERE id < 0 RETURNING id) SELECT * FROM d ORDER BY id USING <;", []),
        ("WITH d AS (DELETE FROM users RETURNING id) VALUES (1);", ["delete-without-where"]),
        ("WITH d AS (UPDATE users SET n = (SELECT 1 WHERE true) RETURNING id) VALUES (1);", ["update-without-where"]),
        ("WITH d AS (UPDATE ONLY users u SET n = 1 WHERE u.id = 2 RETURNING id) VALUES (1);", ["data-backfill"]),
        ("PREPARE p AS WITH d AS (DELETE FROM users RETURNING id) SELECT * FROM d;", ["delete-without-where"]),
        ("EXPLAIN ANALYZE WITH x AS (SELECT 1) UPDATE users SET n = 1;", ["update-without-where"]),
        # COPY runs the query it copies out.
        ("COPY (DELETE FROM users RETURNING id) TO STDOUT;", ["delete-without-where"]),
        ("COPY (UPDATE users SET n = 1 WHERE id = 2 RETURNING id) TO STDOUT;", ["data-backfill"]),
        ("COPY users (update, delete) TO STDOUT;", []),
        # A column or alias named `update`, a row lock and an upsert change no table.
        ("PREPARE p AS SELECT update, delete FROM t;", []),
        ("PREPARE p AS SELECT 1 AS update;", []),
        ("PREPARE p AS INSERT INTO t (update, delete) VALUES ($1, $2);", []),
        ("EXPLAIN ANALYZE SELECT update FROM t;", []),
        ("EXPLAIN ANALYZE SELECT * FROM users FOR NO KEY UPDATE;", []),
        ("PREPARE p AS INSERT INTO c (k, n) VALUES ($1, 1) ON CONFLICT (k) DO UPDATE SET n = c.n + 1;", []),
    ],
)
def test_changes_sqlglot_cannot_parse_are_read_from_words(sql: str, rules: list[str]) -> None:
    assert [f.rule for f in lint_text(sql).findings] == rules


def test_a_data_change_that_cannot_be_read_is_not_guessed_at() -> None:
    assert [f.rule for f in lint_text("PREPARE p AS DELETE users;").findings] == ["unparseable-statement"]


@pytest.mark.parametrize("where", ["between statements", "in a comment"])
def test_a_nul_character_is_an_input_error_naming_its_line(tmp_path: Path, where: str) -> None:
    # libpq would send the query only up to it: the rest of the file would silently never run.
    text = (
        "CREATE TABLE a (id int);\n" + ("\x00" if where == "between statements" else "-- note \x00") + "\nDROP TABLE b;"
    )
    folder = write_drizzle(tmp_path / "m", {"0000_a": text})
    with pytest.raises(InputError, match=r"0000_a\.sql holds a NUL character on line 2"):
        read_migrations([folder])


def test_a_byte_order_mark_is_an_input_error(tmp_path: Path) -> None:
    # drizzle-orm and psql send it to the server as the first character of the first statement.
    folder = write_drizzle(tmp_path / "m", {"0000_a": "\ufeffCREATE TABLE a (id int);"})
    with pytest.raises(InputError, match=r"0000_a\.sql starts with a byte-order mark"):
        read_migrations([folder])
    loose = tmp_path / "loose.sql"
    loose.write_text("\ufeff-- gates: allow drop-table -- reviewed\nDROP TABLE b;", encoding="utf-8")
    with pytest.raises(InputError, match=r"loose\.sql starts with a byte-order mark"):
        read_migrations([loose])


def test_a_migration_named_twice_is_read_once(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_a": "CREATE TABLE a (id int);", "0001_b": "DROP TABLE a;"})
    drop = folder / "0001_b.sql"
    loose = tmp_path / "loose.sql"
    loose.write_text("DROP TABLE b;", encoding="utf-8")
    sets = read_migrations([drop, folder, tmp_path / "m" / ".." / "m", loose, loose])
    assert [[file.path.name for file in migration_set.files] for migration_set in sets] == [
        ["0000_a.sql", "0001_b.sql"],
        ["loose.sql"],
    ]
    result = lint_paths([folder, drop], LintOptions())
    assert [(f.rule, f.file.rsplit("/", 1)[-1]) for f in result.findings] == [("drop-table", "0001_b.sql")]


@pytest.mark.parametrize(
    "dialect, tags, message",
    [
        ("mysql", ["0000_a", "0001_b"], r"is a journal of dialect 'mysql'; deploy-gates reads Postgres migrations"),
        ("pg", ["0000_a", "0001_b", "./0000_a"], r"lists ./0000_a twice \(entries 0 and 2\): drizzle-orm would"),
    ],
)
def test_a_journal_drizzle_orm_would_misapply_is_an_input_error(
    tmp_path: Path, dialect: str, tags: list[str], message: str
) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_a": "SELECT 1;", "0001_b": "SELECT 2;"})
    entries = [{"idx": i, "when": 1000 + i, "tag": tag, "breakpoints": True} for i, tag in enumerate(tags)]
    (folder / "meta" / "_journal.json").write_text(json.dumps({"dialect": dialect, "entries": entries}))
    with pytest.raises(InputError, match=message):
        read_migrations([folder])
    # Older drizzle-kit journals (version "5") say `pg`.
    (folder / "meta" / "_journal.json").write_text(json.dumps({"dialect": "pg", "entries": entries[:2]}))
    assert [file.tag for file in read_migrations([folder])[0].files] == ["0000_a", "0001_b"]


def test_a_link_to_nothing_in_a_plain_folder_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "0000_a.sql").write_text("SELECT 1;", encoding="utf-8")
    (folder / "0001_b.sql").symlink_to(tmp_path / "moved.sql")
    with pytest.raises(InputError, match=r"0001_b\.sql cannot be read: No such file or directory"):
        read_migrations([folder])


def test_a_file_named_on_the_command_line_must_be_sql(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"README\.md is not a \.sql file"):
        read_migrations([readme])


def test_a_journal_tag_is_joined_to_the_folder_as_drizzle_orm_joins_it(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "m", {"0000_a": "SELECT 1;"})
    outside = tmp_path / "outside.sql"
    outside.write_text("DROP TABLE users;", encoding="utf-8")
    journal = folder / "meta" / "_journal.json"
    # An absolute tag stays inside the folder (drizzle-orm reads `folder//abs.sql`): no such file.
    journal.write_text(journal.read_text().replace('"0000_a"', json.dumps(str(outside.with_suffix("")))))
    [migration_set] = read_migrations([folder])
    assert migration_set.files == ()
    assert sorted(f.rule for f in lint_paths([folder], LintOptions()).findings) == [
        "journal-missing-entry",
        "journal-missing-file",
    ]
    # `./0000_a` names the file 0000_a.sql, which is then no orphan.
    journal.write_text(journal.read_text().replace(json.dumps(str(outside.with_suffix(""))), '"./0000_a"'))
    [migration_set] = read_migrations([folder])
    assert ([f.tag for f in migration_set.files], migration_set.orphan_files) == (["./0000_a"], ())


def test_a_renamed_not_null_check_dropped_by_its_new_name_proves_nothing(tmp_path: Path) -> None:
    files = {
        "0000_init": 'CREATE TABLE "t" ("a" int CHECK ("a" IS NOT NULL));',
        "0001_rename": 'ALTER TABLE "t" RENAME CONSTRAINT "t_a_check" TO "x";\nALTER TABLE "t" DROP CONSTRAINT "x";',
        "0002_set": 'ALTER TABLE "t" ALTER COLUMN "a" SET NOT NULL;',
    }
    assert "set-not-null" in rules_of(tmp_path, files)
