"""The destructive rules: what breaks the release still running, or loses data.

Each rule fires once per offending statement however it is spelled (letter case, quoting, schema
qualification, inside a Drizzle `DO` block), and stays silent on text that never runs at migration
time, on the catalogue's exemptions and on the safe path it suggests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_sets, lint_text
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from migrations_checks.lint.records.findings import Finding
from migrations_checks.lint.rules import all_rules
from tests.helpers import fired, in_do_block

DESTRUCTIVE = [
    "drop-table",
    "rename-table",
    "rename-column",
    "change-column-type",
    "add-not-null-column-without-default",
    "set-not-null",
    "drop-default",
    "rename-enum-value",
    "drop-type",
    "drop-schema",
    "drop-object",
    "truncate-table",
    "delete-without-where",
    "update-without-where",
]
# The longest rule ids, to keep the case tables readable.
CHANGE_TYPE = "change-column-type"
ADD_NOT_NULL = "add-not-null-column-without-default"
USERS = 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "email" text, "name" text);\n'


def lint_files(*texts: str) -> list[Finding]:
    """Several migrations applied in order, as a whole folder is linted."""
    files = tuple(
        MigrationFile(path=Path(f"{index:04d}_step.sql"), tag=f"{index:04d}_step", text=text)
        for index, text in enumerate(texts)
    )
    return lint_sets([MigrationSet(root=None, files=files)], LintOptions()).findings


BAD = [
    # a widening that also sets a collation rebuilds the column's indexes: a type change
    (
        CHANGE_TYPE,
        'CREATE TABLE "public"."plans" ("topic" character varying(20) NOT NULL);\n'
        'ALTER TABLE "plans" ALTER "topic" TYPE CHARACTER VARYING (21) COLLATE "C";',
    ),
    # drop-table
    ("drop-table", 'DROP TABLE "plan_drafts";'),
    ("drop-table", "drop table if exists plan_drafts cascade;"),
    ("drop-table", 'DROP TABLE "public"."Plan_Drafts";'),
    ("drop-table", 'DROP TABLE "plan_drafts", "plan_notes";'),
    ("drop-table", in_do_block('DROP TABLE "plan_drafts";')),
    # rename-table
    ("rename-table", 'ALTER TABLE "plans" RENAME TO "learning_plans";'),
    ("rename-table", "alter table if exists public.plans rename to learning_plans;"),
    ("rename-table", 'ALTER TABLE "public"."plans" SET SCHEMA "archive";'),
    ("rename-table", in_do_block('ALTER TABLE "plans" RENAME TO "learning_plans";')),
    # views and schemas: the running release's queries fail the same way
    ("rename-table", 'ALTER VIEW "active_plans" RENAME TO "current_plans";'),
    ("rename-table", 'ALTER MATERIALIZED VIEW IF EXISTS "public"."plan_stats" RENAME TO "stats";'),
    ("rename-table", 'ALTER VIEW "active_plans" SET SCHEMA "archive";'),
    ("rename-table", "alter schema app rename to app2;"),
    # rename-column
    ("rename-column", 'ALTER TABLE "users" RENAME COLUMN "name" TO "display_name";'),
    ("rename-column", "alter table users rename name to display_name;"),
    ("rename-column", 'ALTER VIEW "active_plans" RENAME COLUMN "topic" TO "subject";'),
    ("rename-column", 'ALTER MATERIALIZED VIEW "plan_stats" RENAME "n" TO "total";'),
    ("rename-column", 'ALTER TABLE ONLY "public"."users" RENAME COLUMN "name" TO "display_name";'),
    ("rename-column", in_do_block('ALTER TABLE "users" RENAME COLUMN "name" TO "display_name";')),
    # change-column-type: the catalogue exempts no new table here
    (CHANGE_TYPE, 'ALTER TABLE "plans" ALTER COLUMN "weeks" SET DATA TYPE integer;'),
    (CHANGE_TYPE, "alter table public.plans alter weeks type bigint using weeks::bigint;"),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(200));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(100);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" character varying(255));\n'
        'ALTER TABLE "public"."plans" ALTER COLUMN "topic" TYPE VARCHAR(99);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" text);\nALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(50);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar);\nALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(50);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(40)[];',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("weeks" integer);\nALTER TABLE "plans" ALTER COLUMN "weeks" SET DATA TYPE bigint;',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20), "weeks" integer);\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text, ALTER "weeks" TYPE text;',
    ),
    (CHANGE_TYPE, in_do_block('ALTER TABLE "plans" ALTER COLUMN "weeks" SET DATA TYPE integer;')),
    # a widening whose USING computes new values rewrites them all
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text USING "topic"::text || \'-x\';',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE varchar(30) USING "topic"::int::varchar(30);',
    ),
    # add-not-null-column-without-default
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "a" text REFERENCES "u" ON DELETE SET DEFAULT NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "a" int DEFAULT NULL::int NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "a" int DEFAULT (NULL) NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "timezone" text NOT NULL;'),
    (ADD_NOT_NULL, "alter table public.users add timezone text not null;"),
    (ADD_NOT_NULL, 'ALTER TABLE "public"."users" ADD COLUMN IF NOT EXISTS "timezone" varchar(64) NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "code" integer PRIMARY KEY;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "a" text NOT NULL, ADD COLUMN "b" text NOT NULL;'),
    (ADD_NOT_NULL, in_do_block('ALTER TABLE "users" ADD COLUMN "tz" text NOT NULL;')),
    # set-not-null
    ("set-not-null", 'ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;'),
    ("set-not-null", "alter table users alter email set not null;"),
    (
        "set-not-null",
        'ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL, ALTER COLUMN "name" SET NOT NULL;',
    ),
    ("set-not-null", in_do_block('ALTER TABLE "users" ALTER COLUMN "email" SET NOT NULL;')),
    # drop-default
    ("drop-default", 'ALTER TABLE "plans" ALTER COLUMN "status" DROP DEFAULT;'),
    ("drop-default", "alter table public.plans alter column status drop default;"),
    ("drop-default", in_do_block('ALTER TABLE "public"."plans" ALTER COLUMN "status" DROP DEFAULT;')),
    # rename-enum-value
    ("rename-enum-value", "ALTER TYPE \"plan_status\" RENAME VALUE 'done' TO 'completed';"),
    ("rename-enum-value", "alter type public.plan_status rename value 'done' to 'completed';"),
    ("rename-enum-value", in_do_block("ALTER TYPE public.\"plan_status\" RENAME VALUE 'done' TO 'ok';")),
    # drop-type
    ("drop-type", 'DROP TYPE "public"."plan_status";'),
    ("drop-type", "drop type if exists plan_status cascade;"),
    ("drop-type", 'DROP TYPE "plan_status", "plan_visibility";'),
    ("drop-type", 'DROP DOMAIN "email_address";'),
    ("drop-type", in_do_block('DROP TYPE "plan_status";')),
    # drop-schema
    ("drop-schema", 'DROP SCHEMA "reporting" CASCADE;'),
    ("drop-schema", "drop schema if exists reporting;"),
    ("drop-schema", in_do_block('DROP SCHEMA "reporting";')),
    # drop-object
    ("drop-object", 'DROP VIEW "active_plans";'),
    ("drop-object", "drop materialized view if exists public.plan_stats;"),
    ("drop-object", 'DROP FUNCTION "public"."touch_updated_at"(integer, text);'),
    ("drop-object", 'DROP TRIGGER "plans_touch" ON "plans";'),
    ("drop-object", 'DROP SEQUENCE "invoice_number_seq", "ticket_seq";'),
    ("drop-object", 'DROP PROCEDURE "archive_plans";'),
    ("drop-object", in_do_block('DROP VIEW "active_plans";')),
    # truncate-table: any existing table
    ("truncate-table", 'TRUNCATE TABLE "plan_generations";'),
    ("truncate-table", "truncate public.plan_generations, plan_drafts restart identity cascade;"),
    ("truncate-table", in_do_block('TRUNCATE ONLY "public"."plan_generations";')),
    # delete-without-where: any table
    ("delete-without-where", 'DELETE FROM "plan_generations";'),
    ("delete-without-where", "delete from public.plan_generations returning id;"),
    # statements that run a DELETE they carry
    ("delete-without-where", 'EXPLAIN ANALYZE DELETE FROM "plan_generations";'),
    ("delete-without-where", 'EXPLAIN (ANALYZE, BUFFERS) DELETE FROM "plan_generations";'),
    ("delete-without-where", 'PREPARE "purge" AS DELETE FROM "plan_generations";\nEXECUTE "purge";'),
    (
        "delete-without-where",
        'CREATE TABLE "kept" AS WITH d AS (DELETE FROM "plan_generations" RETURNING *) SELECT * FROM d;',
    ),
    ("delete-without-where", 'DELETE FROM ONLY "public"."Plan_Generations";'),
    ("delete-without-where", 'WITH "old" AS (SELECT 1) DELETE FROM "plan_generations";'),
    ("delete-without-where", in_do_block('DELETE FROM "plan_generations";')),
    # update-without-where
    ("update-without-where", 'UPDATE "users" SET "timezone" = \'UTC\';'),
    ("update-without-where", "update public.users set timezone = 'UTC';"),
    ("update-without-where", 'UPDATE "public"."users" SET "n" = (SELECT 1 FROM "plans" WHERE "id" = 1);'),
    ("update-without-where", in_do_block('UPDATE "users" SET "timezone" = \'UTC\';')),
]

GOOD = [
    ("delete-without-where", 'CREATE TABLE "scratch" ("id" int);\nDELETE FROM "scratch";'),
    # a table created in the same file holds no rows that outlive the migration
    ("truncate-table", 'CREATE TABLE "scratch" ("id" int);\nTRUNCATE "scratch";'),
    # the table is created earlier in the same file
    ("drop-table", 'CREATE TABLE "plan_drafts" ("id" uuid);\nDROP TABLE "public"."plan_drafts";'),
    ("drop-table", 'DROP INDEX "plans_topic_idx";'),
    ("rename-table", 'ALTER TABLE "plans" RENAME CONSTRAINT "a" TO "b";'),
    ("rename-column", 'ALTER TABLE "users" ADD COLUMN "display_name" text;'),
    # widening a varchar, lengths compared as numbers
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(200);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(9));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(10);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\nALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar;',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        "alter table public.plans alter topic type TEXT using topic::text;",
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("id" uuid);\n'
        'ALTER TABLE "plans" ADD COLUMN "topic" varchar(20);\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE varchar(20);',
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        + in_do_block('ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE text;'),
    ),
    (
        CHANGE_TYPE,
        'CREATE TABLE "plans" ("topic" varchar(20));\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE pg_catalog.varchar(40);',
    ),
    # a default, or a column that fills itself
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "tz" text DEFAULT \'UTC\' NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "seen" timestamptz NOT NULL DEFAULT now();'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "tz" text;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "n" serial NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "n" integer GENERATED BY DEFAULT AS IDENTITY NOT NULL;'),
    (
        ADD_NOT_NULL,
        'ALTER TABLE "users" ADD COLUMN "u" uuid REFERENCES "u" ON DELETE CASCADE DEFAULT gen_random_uuid() NOT NULL;',
    ),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "n" bigint GENERATED ALWAYS AS IDENTITY NOT NULL;'),
    (ADD_NOT_NULL, 'ALTER TABLE "users" ADD COLUMN "n" int GENERATED ALWAYS AS (1) STORED NOT NULL;'),
    (ADD_NOT_NULL, USERS + 'ALTER TABLE "users" ADD COLUMN "tz" text NOT NULL;'),
    # the safe path for NOT NULL, and a new table
    ("set-not-null", USERS + 'ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL;'),
    ("set-not-null", 'ALTER TABLE "users" ADD CONSTRAINT "email_nn" CHECK ("email" IS NOT NULL) NOT VALID;'),
    ("set-not-null", 'ALTER TABLE "users" VALIDATE CONSTRAINT "email_nn";'),
    ("set-not-null", 'ALTER TABLE "users" ALTER COLUMN "email" DROP NOT NULL;'),
    ("drop-default", 'ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT \'pending\';'),
    ("rename-enum-value", "ALTER TYPE \"plan_status\" ADD VALUE 'completed';"),
    ("drop-type", "CREATE TYPE \"plan_status\" AS ENUM('draft', 'done');"),
    ("drop-schema", 'CREATE SCHEMA IF NOT EXISTS "reporting";'),
    ("drop-object", 'CREATE OR REPLACE VIEW "active_plans" AS SELECT "id" FROM "plans";'),
    ("drop-object", 'DROP INDEX "plans_topic_idx";'),
    ("truncate-table", 'DELETE FROM "plan_generations" WHERE "created_at" < now() - interval \'90 days\';'),
    ("delete-without-where", 'DELETE FROM "plan_generations" WHERE "status" = \'failed\';'),
    ("delete-without-where", "delete from plans where id in (select plan_id from archived);"),
    ("delete-without-where", 'EXPLAIN DELETE FROM "plan_generations";'),  # planned, not run
    ("delete-without-where", 'EXPLAIN (ANALYZE false) DELETE FROM "plan_generations";'),
    ("update-without-where", 'UPDATE "users" SET "timezone" = \'UTC\' WHERE "timezone" IS NULL;'),
    (
        "update-without-where",
        'CREATE TABLE "settings" ("key" text, "value" text);\nUPDATE "public"."settings" SET "value" = \'\';',
    ),
]


def numbered(cases: list[tuple[str, str]]) -> list[str]:
    """Test ids like `drop-table-2`: readable where the SQL itself would not be."""
    seen: dict[str, int] = {}
    ids = []
    for rule_id, _ in cases:
        seen[rule_id] = seen.get(rule_id, 0) + 1
        ids.append(f"{rule_id}-{seen[rule_id]}")
    return ids


@pytest.mark.parametrize(("rule_id", "sql"), BAD, ids=numbered(BAD))
def test_fires_once_per_offending_statement(rule_id: str, sql: str) -> None:
    findings = fired(sql, rule_id)
    assert len(findings) == 1, lint_text(sql).findings
    assert findings[0].severity == all_rules()[rule_id].severity


@pytest.mark.parametrize(("rule_id", "sql"), GOOD, ids=numbered(GOOD))
def test_silent_on_the_safe_path_and_exemptions(rule_id: str, sql: str) -> None:
    assert fired(sql, rule_id) == []


# Text that never runs at migration time; `{}` is a rule's own bad example.
NEVER_RUN = {
    "line comment": "-- {}\nSELECT 1;",
    "block comment": "/* {} */\nSELECT 1;",
    "string literal": "SELECT '{quoted}';",
    "function body": 'CREATE OR REPLACE FUNCTION "cleanup"() RETURNS void AS $$\nBEGIN\n {}\nEND;\n'
    "$$ LANGUAGE plpgsql;",
    "procedure body": 'CREATE PROCEDURE "cleanup"() LANGUAGE sql AS $body$ {} $body$;',
}


@pytest.mark.parametrize("rule_id", DESTRUCTIVE)
@pytest.mark.parametrize("trap", NEVER_RUN)
def test_text_that_never_runs_never_fires(rule_id: str, trap: str) -> None:
    bad = all_rules()[rule_id].bad
    sql = NEVER_RUN[trap].format(bad, quoted=bad.replace("'", "''"))
    assert [f for f in lint_text(sql).findings if f.rule in DESTRUCTIVE] == []


@pytest.mark.parametrize(
    ("sql", "rule_id", "named"),
    [
        ('DROP TABLE "public"."Plan_Drafts", plan_notes;', "drop-table", "Plan_Drafts, plan_notes"),
        ('ALTER TABLE "public"."plans" SET SCHEMA "archive";', "rename-table", "plans to archive.plans"),
        ("ALTER TABLE Users RENAME COLUMN Name TO nick;", "rename-column", "users.name to nick"),
        (
            'ALTER TABLE "users" ADD COLUMN "a" text NOT NULL, ADD COLUMN "b" int NOT NULL;',
            "add-not-null-column-without-default",
            "users.a, users.b",
        ),
        ('ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL;', "set-not-null", "users.email"),
        ('ALTER TABLE "plans" ALTER COLUMN "status" DROP DEFAULT;', "drop-default", "plans.status"),
        (
            "ALTER TYPE plan_status RENAME VALUE 'done' TO 'completed';",
            "rename-enum-value",
            "'done' of enum plan_status to 'completed'",
        ),
        ('DROP TYPE "public"."plan_status";', "drop-type", "plan_status"),
        ('DROP SCHEMA "Reporting";', "drop-schema", "Reporting"),
        ('DROP TRIGGER "plans_touch" ON "public"."plans";', "drop-object", "trigger plans_touch on plans"),
        ('DROP MATERIALIZED VIEW "plan_stats";', "drop-object", "materialized view plan_stats"),
        ("TRUNCATE plans, public.tasks;", "truncate-table", "plans, tasks"),
        # ONLY and `*` stand before and after each name of the list (Postgres 16.2 empties each).
        (
            "TRUNCATE audit_log *, ONLY app.accounts, ONLY staging *;",
            "truncate-table",
            "audit_log, app.accounts, staging",
        ),
        ("TRUNCATE users CASCADE;", "truncate-table", "users and, by CASCADE, every table with a foreign key to them"),
        ('DELETE FROM "public"."Tasks";', "delete-without-where", "Tasks"),
        ("UPDATE users SET tz = 'UTC';", "update-without-where", "users"),
    ],
)
def test_message_names_the_objects(sql: str, rule_id: str, named: str) -> None:
    [finding] = fired(sql, rule_id)
    assert named in finding.message


def test_change_of_an_unknown_column_says_why_it_fires() -> None:
    [finding] = fired('ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE text;', "change-column-type")
    assert "plans.topic" in finding.message and "old type is unknown" in finding.message


def test_change_column_type_names_both_types() -> None:
    sql = 'CREATE TABLE "plans" ("topic" varchar(200));\nALTER TABLE "plans" ALTER "topic" TYPE varchar(50);'
    [finding] = fired(sql, CHANGE_TYPE)
    assert "from varchar(200) to varchar(50)" in finding.message


@pytest.mark.parametrize(
    ("altered_to", "fires"),
    [("varchar(100)", False), ("text", False), ("varchar", False), ("varchar(5)", True), ("integer", True)],
)
def test_change_column_type_knows_types_from_earlier_files(altered_to: str, fires: bool) -> None:
    findings = lint_files(
        'CREATE TABLE "plans" ("id" uuid PRIMARY KEY);',
        'ALTER TABLE "plans" ADD COLUMN "topic" varchar(10);',
        f'ALTER TABLE "plans" ALTER COLUMN "topic" SET DATA TYPE {altered_to};',
    )
    assert [f.rule for f in findings if f.rule == CHANGE_TYPE] == ([CHANGE_TYPE] if fires else [])


def test_tables_created_by_earlier_files_count_as_existing() -> None:
    findings = lint_files(USERS, 'DROP TABLE "users";')
    assert [(f.rule, f.severity) for f in findings] == [("drop-table", "error")]
    findings = lint_files(USERS, "UPDATE users SET name = 'x';\nALTER TABLE users ALTER email SET NOT NULL;")
    assert sorted(f.rule for f in findings) == ["set-not-null", "update-without-where"]


def test_drop_of_a_table_deprecated_earlier_is_info_naming_the_migration() -> None:
    findings = lint_files(USERS, '-- gates: deprecate table "public"."users"\nSELECT 1;', "DROP TABLE users;")
    [finding] = findings
    assert (finding.rule, finding.severity) == ("drop-table", "info")
    assert "0001_step" in finding.message


def test_drop_of_a_deprecated_and_a_live_table_is_one_error_for_the_live_one() -> None:
    findings = lint_files(
        USERS + 'CREATE TABLE "notes" ("id" uuid);',
        "-- gates: deprecate table users\nSELECT 1;",
        'DROP TABLE "users", "notes";',
    )
    [finding] = findings
    assert (finding.rule, finding.severity) == ("drop-table", "error")
    assert "notes" in finding.message and "users" not in finding.message


@pytest.mark.parametrize("condition", ["true", "TRUE", "1 = 1", "('x' = 'x')", "NOT false", "(true)"])
def test_a_where_that_lets_every_row_through_is_no_where(condition: str) -> None:
    # Measured on Postgres 16.2: each empties or rewrites the whole table, as no WHERE does.
    assert len(fired(f"DELETE FROM audit_log WHERE {condition};", "delete-without-where")) == 1
    assert len(fired(f"UPDATE users SET tz = 'UTC' WHERE {condition} RETURNING id;", "update-without-where")) == 1
    assert (
        len(fired(f"WITH d AS (DELETE FROM audit_log WHERE {condition} RETURNING *) SELECT 1;", "delete-without-where"))
        == 1
    )
    assert fired(f"DELETE FROM audit_log WHERE id = 1 AND {condition};", "delete-without-where") == []


def test_a_merge_on_true_matches_every_row_and_by_source_names_the_unmatched() -> None:
    [every] = fired("MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE;", "delete-without-where")
    assert every.message == "deletes every row of t, in production too"
    [unmatched] = fired(
        "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE;", "delete-without-where"
    )
    assert unmatched.message == "deletes every row of t that the MERGE's source does not match, in production too"
