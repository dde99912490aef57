"""Rules added by the catalogue revision: each fires on the statements it names, in every form
Postgres accepts, and stays silent where the catalogue exempts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.config import ConfigError, load_config
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers import fired, write_drizzle

BREAK = "--> statement-breakpoint\n"
NEW_TABLE = 'CREATE TABLE "notes" ("id" uuid PRIMARY KEY, "body" text);\n'
ADD_NOT_VALID = (
    'ALTER TABLE "tasks" ADD CONSTRAINT "tasks_fk" FOREIGN KEY ("module_id") REFERENCES "modules"("id") NOT VALID;'
)
VALIDATE = 'ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_fk";'


@pytest.mark.parametrize(
    "sql",
    [
        "REINDEX (CONCURRENTLY) INDEX plans_topic_idx;",
        "reindex (verbose, concurrently true) table plans;",
        "REINDEX (CONCURRENTLY on) SCHEMA public;",
    ],
)
def test_the_reindex_concurrently_option_form_counts_as_concurrently(sql: str) -> None:
    assert len(fired(sql, "concurrently-in-transaction")) == 1
    assert fired(sql, "reindex-non-concurrently") == []


@pytest.mark.parametrize(
    "sql",
    ["REINDEX SCHEMA public;", "reindex database atlaris;", "REINDEX SYSTEM;", 'DROP TABLESPACE IF EXISTS "fast";'],
)
def test_non_transactional_reindex_and_drop_tablespace(sql: str) -> None:
    assert len(fired(sql, "non-transactional-statement")) == 1
    assert fired(sql, "non-transactional-statement", transactional=False) == []


@pytest.mark.parametrize(
    "sql",
    [
        'REINDEX INDEX "plans_topic_idx";',
        "reindex table public.plans;",
        "REINDEX (VERBOSE) TABLE plans;",
        'CREATE INDEX "p_idx" ON "plans" ("topic");\nREINDEX INDEX "p_idx";',
    ],
)
def test_reindex_non_concurrently_fires_on_existing_tables(sql: str) -> None:
    [finding] = fired(sql, "reindex-non-concurrently")
    assert finding.severity == "warning"
    assert len(fired(sql, "reindex-non-concurrently", hot_tables=frozenset({"plans"}))) == 1


@pytest.mark.parametrize(
    "sql",
    [
        'REINDEX INDEX CONCURRENTLY "plans_topic_idx";',
        NEW_TABLE + 'REINDEX TABLE "notes";',
        NEW_TABLE + 'CREATE INDEX "n_idx" ON "notes" ("body");\nREINDEX INDEX "n_idx";',
        "-- REINDEX TABLE plans;\nSELECT 'REINDEX TABLE plans';",
        "REINDEX SCHEMA public;",  # non-transactional-statement's
    ],
)
def test_reindex_non_concurrently_is_silent(sql: str) -> None:
    assert fired(sql, "reindex-non-concurrently") == []


def test_hot_table_raises_reindex_to_error() -> None:
    [finding] = fired("REINDEX TABLE plans;", "reindex-non-concurrently", hot_tables=frozenset({"plans"}))
    assert finding.severity == "error"


def test_detach_partition_non_concurrently() -> None:
    detach = 'ALTER TABLE "public"."events" DETACH PARTITION "events_2023";'
    [finding] = fired(detach, "detach-partition-non-concurrently")
    assert "events_2023" in finding.message
    assert fired(detach.replace(";", " CONCURRENTLY;"), "detach-partition-non-concurrently") == []
    # No CONCURRENTLY form before Postgres 14: nothing safer to suggest.
    assert fired(detach, "detach-partition-non-concurrently", postgres_version=13) == []
    new_parent = 'CREATE TABLE "events" ("at" date) PARTITION BY RANGE ("at");\n'
    assert fired(new_parent + detach, "detach-partition-non-concurrently") == []


def test_finalizing_a_detach_takes_the_concurrent_forms_lock_inside_a_transaction() -> None:
    # Checked on Postgres 16: FINALIZE may run in a transaction block (only the pending detach is
    # missing there), and takes SHARE UPDATE EXCLUSIVE, as CONCURRENTLY does.
    finalize = 'ALTER TABLE "events" DETACH PARTITION "events_2023" FINALIZE;'
    assert fired(finalize, "detach-partition-non-concurrently") == []
    assert fired(finalize, "concurrently-in-transaction") == []


@pytest.mark.parametrize("transactional", [True, False])
def test_drop_database_under_any_runner(transactional: bool) -> None:
    [finding] = fired('DROP DATABASE IF EXISTS "atlaris_old";', "drop-database", transactional=transactional)
    assert finding.severity == "error"
    assert fired("-- DROP DATABASE x;\nSELECT 1;", "drop-database") == []


@pytest.mark.parametrize(
    "sql",
    [
        ADD_NOT_VALID + BREAK + VALIDATE,
        ADD_NOT_VALID + " " + VALIDATE,
        'alter table tasks add constraint "hours_positive" check (hours > 0) not valid;\n'
        "ALTER TABLE public.tasks VALIDATE CONSTRAINT hours_positive;",
        # Postgres 18 names an unnamed NOT NULL constraint `table_column_not_null` (18.6, in PGlite).
        'ALTER TABLE "tasks" ADD NOT NULL "hours" NOT VALID;'
        + BREAK
        + 'ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_hours_not_null";',
        # One statement: Postgres 16.2 accepts it and validates under the ADD's lock.
        'ALTER TABLE "tasks" ADD CONSTRAINT "hours_positive" CHECK ("hours" > 0) NOT VALID, '
        'VALIDATE CONSTRAINT "hours_positive";',
    ],
)
def test_validate_in_the_transaction_that_added_it_not_valid(sql: str) -> None:
    [finding] = fired(sql, "validate-in-same-transaction")
    assert "VALIDATE" in finding.source_line
    assert fired(sql, "validate-in-same-transaction", transactional=False) == ([] if BREAK in sql else [finding])


@pytest.mark.parametrize(
    "sql",
    [
        VALIDATE,
        ADD_NOT_VALID.replace(" NOT VALID", "") + BREAK + VALIDATE,
        ADD_NOT_VALID + BREAK + VALIDATE.replace("tasks_fk", "other_fk"),
        ADD_NOT_VALID + BREAK + "COMMIT;" + BREAK + VALIDATE,  # a COMMIT piece ends the ADD's transaction
        # A table created earlier in the file: a locking rule does not apply.
        'CREATE TABLE "tasks" ("module_id" uuid);' + BREAK + ADD_NOT_VALID + BREAK + VALIDATE,
    ],
)
def test_validate_outside_the_adds_transaction_is_silent(sql: str) -> None:
    assert fired(sql, "validate-in-same-transaction") == []


TASKS_WITH_A_CHECK = 'CREATE TABLE "tasks" ("id" int PRIMARY KEY, "hours" int CHECK ("hours" > 0), "module_id" int);'


@pytest.mark.parametrize(
    ("later", "validated"),
    [
        # Postgres 16.2 names an unnamed check past the names its schema holds: `tasks_hours_check` is
        # the table's own check, valid since the first deploy.
        ('ALTER TABLE "tasks" ADD CHECK ("hours" < 100) NOT VALID;', "tasks_hours_check1"),
        ('ALTER TABLE "tasks" ADD CHECK ("module_id" > 0) NOT VALID;', "tasks_module_id_check"),
        (
            'ALTER TABLE "tasks" ADD FOREIGN KEY ("module_id") REFERENCES "modules" ("id") NOT VALID;',
            "tasks_module_id_fkey",
        ),
    ],
)
def test_validating_an_unnamed_constraint_by_the_name_postgres_gave_it(
    tmp_path: Path, later: str, validated: str
) -> None:
    validate = f'ALTER TABLE "tasks" VALIDATE CONSTRAINT "{validated}";'
    folder = write_drizzle(
        tmp_path / "drizzle", {"0000_tasks": TASKS_WITH_A_CHECK, "0001_later": later + BREAK + validate}
    )
    options = LintOptions(only=frozenset({"0001_later"}))
    [finding] = [f for f in lint_paths([folder], options).findings if f.rule == "validate-in-same-transaction"]
    assert finding.message.startswith(
        f"validates {validated} on tasks in the transaction that added it NOT VALID (line 1)"
    )
    # The table's own check was valid before this transaction: validating it scans nothing new.
    other = write_drizzle(
        tmp_path / "other",
        {
            "0000_tasks": TASKS_WITH_A_CHECK,
            "0001_later": later + BREAK + validate.replace(validated, "tasks_hours_check"),
        },
    )
    assert [f for f in lint_paths([other], options).findings if f.rule == "validate-in-same-transaction"] == []


# The name Postgres 16.2 gave each unnamed check (read from pg_constraint), which the VALIDATE names.
@pytest.mark.parametrize(
    ("first", "later", "validated"),
    [
        # a table the migrations never created: the one name the check reads is its column's
        ("", 'ALTER TABLE "ext" ADD CHECK ("x" > 0) NOT VALID;', "ext_x_check"),
        # ... and keywords that may name a column elsewhere, a type's literal, a collation, and keywords
        # reserved but for functions' and types' names are no names the check reads
        (
            "",
            "ALTER TABLE \"ext\" ADD CHECK (created AT TIME ZONE 'UTC' > '2020-01-01') NOT VALID;",
            "ext_created_check",
        ),
        ("", 'ALTER TABLE "ext" ADD CHECK (created AT LOCAL IS NOT NULL) NOT VALID;', "ext_created_check"),
        ("", "ALTER TABLE \"ext\" ADD CHECK (d > date '2020-01-01') NOT VALID;", "ext_d_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (name COLLATE "C" > \'a\') NOT VALID;', "ext_name_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (n IS DISTINCT FROM 3) NOT VALID;', "ext_n_check"),
        ("", "ALTER TABLE \"ext\" ADD CHECK (name SIMILAR TO 'a%') NOT VALID;", "ext_name_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (at > 0 AND zone > 1) NOT VALID;', "ext_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (a IS NOT NULL AND b > 0) NOT VALID;', "ext_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (a NOT BETWEEN SYMMETRIC 10 AND 1) NOT VALID;', "ext_a_check"),
        ("", "ALTER TABLE \"ext\" ADD CHECK (CAST(status AS character varying) <> '') NOT VALID;", "ext_status_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (a::double precision > 0) NOT VALID;', "ext_a_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (public.ext.a > 0) NOT VALID;', "ext_a_check"),
        ("", 'ALTER TABLE "ext" ADD CHECK (extract(year from born) > 2000) NOT VALID;', "ext_born_check"),
        ("", "ALTER TABLE \"ext\" ADD CHECK (ttl > interval '1' day) NOT VALID;", "ext_ttl_check"),
        (
            "",
            "ALTER TABLE \"ext\" ADD CHECK (born > timestamp with time zone '2020-01-01') NOT VALID;",
            "ext_born_check",
        ),
        ("", 'ALTER TABLE "ext" ADD CHECK (name IS JSON OBJECT) NOT VALID;', "ext_name_check"),
        # a domain's constraint holds the name first, in the same schema
        (
            'CREATE DOMAIN "t_c" AS int CHECK (VALUE > 0);\nCREATE TABLE "t" ("c" int);',
            'ALTER TABLE "t" ADD CHECK ("c" > 1) NOT VALID;',
            "t_c_check1",
        ),
        # a function called, a type cast to and a keyword are no columns, whatever the table's are named
        (
            'CREATE TABLE "t" ("title" text, "length" int, "text" int);',
            'ALTER TABLE "t" ADD CHECK (length("title"::text) > 0) NOT VALID;',
            "t_title_check",
        ),
        (
            'CREATE TABLE "t" ("ts" timestamp);',
            "ALTER TABLE \"t\" ADD CHECK (\"ts\" AT TIME ZONE 'UTC' > '2020-01-01') NOT VALID;",
            "t_ts_check",
        ),
        # two in one statement: the second is numbered past the first
        (
            'CREATE TABLE "t" ("c" int);',
            'ALTER TABLE "t" ADD CHECK ("c" > 0) NOT VALID, ADD CHECK ("c" < 9) NOT VALID;',
            "t_c_check1",
        ),
        # a column named like a keyword that is not reserved
        (
            'CREATE TABLE "t" ("position" int);',
            'ALTER TABLE "t" ADD CHECK (position > 0) NOT VALID;',
            "t_position_check",
        ),
        # its column renamed in between: the check keeps its name
        (
            'CREATE TABLE "t" ("c" int);',
            'ALTER TABLE "t" ADD CHECK ("c" > 0) NOT VALID;\nALTER TABLE "t" RENAME COLUMN "c" TO "d";',
            "t_c_check",
        ),
    ],
)
def test_an_unnamed_check_is_validated_by_the_name_postgres_gave_it(
    tmp_path: Path, first: str, later: str, validated: str
) -> None:
    table = later.split('"')[1]
    files = {
        "0000_first": first or "SELECT 1;",
        "0001_later": f'{later}\nALTER TABLE "{table}" VALIDATE CONSTRAINT "{validated}";',
    }
    options = LintOptions(only=frozenset({"0001_later"}))
    found = lint_paths([write_drizzle(tmp_path / "drizzle", files)], options).findings
    [finding] = [f for f in found if f.rule == "validate-in-same-transaction"]
    assert finding.message.startswith(f"validates {validated} on {table} in the transaction that added it NOT VALID")


@pytest.mark.parametrize(
    ("later", "validated"),
    [
        # a partition has its parent's constraint under the parent's name (Postgres 16.2 scans p1)
        (
            'ALTER TABLE "p" ADD CONSTRAINT "pc" CHECK ("b" > 0) NOT VALID;',
            'ALTER TABLE "p1" VALIDATE CONSTRAINT "pc";',
        ),
        ('ALTER TABLE "p" ADD CHECK ("b" > 0) NOT VALID;', 'ALTER TABLE "p1" VALIDATE CONSTRAINT "p_b_check";'),
        # Postgres cuts a name to 63 bytes, so both spellings name one table
        (
            f'ALTER TABLE "{"q" * 70}" ADD CONSTRAINT "x" CHECK ("c" > 0) NOT VALID;',
            f'ALTER TABLE {"q" * 63} VALIDATE CONSTRAINT "x";',
        ),
    ],
)
def test_validate_finds_the_constraint_on_a_partition_and_by_a_cut_name(
    tmp_path: Path, later: str, validated: str
) -> None:
    first = (
        'CREATE TABLE "p" ("a" int, "b" int) PARTITION BY RANGE ("a");\n'
        'CREATE TABLE "p1" PARTITION OF "p" FOR VALUES FROM (0) TO (10);\n'
        f'CREATE TABLE "{"q" * 70}" ("c" int);'
    )
    files = {"0000_first": first, "0001_later": f"{later}\n{validated}"}
    found = lint_paths(
        [write_drizzle(tmp_path / "drizzle", files)], LintOptions(only=frozenset({"0001_later"}))
    ).findings
    assert [f.rule for f in found if f.rule == "validate-in-same-transaction"] == ["validate-in-same-transaction"]


def test_the_finding_names_the_line_of_the_check_it_validates(tmp_path: Path) -> None:
    later = (
        'ALTER TABLE "t" ADD CHECK ("c" > 0) NOT VALID;\nSELECT 1;\nALTER TABLE "t" ADD CHECK ("c" < 9) NOT VALID;\n'
        'ALTER TABLE "t" VALIDATE CONSTRAINT "t_c_check1";'
    )
    files = {"0000_first": 'CREATE TABLE "t" ("c" int);', "0001_later": later}
    found = lint_paths(
        [write_drizzle(tmp_path / "drizzle", files)], LintOptions(only=frozenset({"0001_later"}))
    ).findings
    [finding] = [f for f in found if f.rule == "validate-in-same-transaction"]
    assert "(line 3)" in finding.message


def test_validate_in_a_later_file_of_the_same_batch(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "drizzle", {"0000_add": ADD_NOT_VALID, "0001_validate": VALIDATE})
    [finding] = [f for f in lint_paths([folder], LintOptions()).findings if f.rule == "validate-in-same-transaction"]
    assert "0000_add" in finding.message and finding.file.endswith("0001_validate.sql")
    # Applied one deploy apart: the ADD committed long before.
    later = lint_paths([folder], LintOptions(only=frozenset({"0001_validate"}))).findings
    assert [f for f in later if f.rule == "validate-in-same-transaction"] == []


@pytest.mark.parametrize(
    "sql",
    [
        "DROP OPERATOR IF EXISTS === (integer, integer);",
        "drop operator ~~~ (text, NONE), public.### (int, int) cascade;",
        "DROP CAST IF EXISTS (text AS int4);",
        'DROP CAST ("varchar" AS mytype) CASCADE;',
        "DROP AGGREGATE IF EXISTS my_sum(int);",
    ],
)
def test_drop_operator_cast_and_aggregate_are_read_and_reported_as_drop_object(sql: str) -> None:
    assert fired(sql, "unparseable-statement") == []
    assert len(fired(sql, "drop-object")) == 1


def test_a_dropped_operator_or_cast_is_named_as_written() -> None:
    [finding] = fired("DROP OPERATOR IF EXISTS === (int, int), myschema.!== (NONE, bit);", "drop-object")
    assert "operator === (int, int), operator myschema.!== (NONE, bit)" in finding.message
    [finding] = fired("DROP CAST IF EXISTS (text AS int4);", "drop-object")
    assert "cast (text AS int4)" in finding.message


MERGE = "MERGE INTO plans p USING staged s ON p.id = s.id "


@pytest.mark.parametrize(
    ("clauses", "rule_id"),
    [
        ("WHEN MATCHED THEN UPDATE SET topic = s.topic", "data-backfill"),
        ("WHEN MATCHED AND s.gone THEN DELETE WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)", "data-backfill"),
        ("WHEN NOT MATCHED BY SOURCE THEN DELETE", "delete-without-where"),
        ("WHEN NOT MATCHED BY SOURCE THEN UPDATE SET topic = NULL", "update-without-where"),
    ],
)
def test_merge_is_judged_as_the_dml_it_runs(clauses: str, rule_id: str) -> None:
    sql = MERGE + clauses + ";"
    assert fired(sql, "unparseable-statement") == []
    assert len(fired(sql, rule_id)) == 1
    assert fired('CREATE TABLE "plans" ("id" int, "topic" text);\n' + sql, rule_id) == []


@pytest.mark.parametrize("clauses", ["WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)", "WHEN MATCHED THEN DO NOTHING"])
def test_merge_that_changes_no_existing_row_is_silent(clauses: str) -> None:
    findings = [f.rule for f in fired(MERGE + clauses + ";", "data-backfill")]
    assert findings == []
    assert fired(MERGE + clauses + ";", "unparseable-statement") == []


@pytest.mark.parametrize(
    ("sql", "rule_id"),
    [
        (
            "WITH src AS (SELECT 1 AS id) MERGE INTO plans USING src ON plans.id = src.id "
            "WHEN MATCHED THEN UPDATE SET topic = 'x';",
            "data-backfill",
        ),
        (
            "WITH RECURSIVE a(n) AS (SELECT 1), b AS MATERIALIZED (SELECT 2) MERGE INTO ONLY plans p "
            "USING b ON p.id = b.n WHEN MATCHED THEN DELETE;",
            "data-backfill",
        ),
        # The WITH query's own DELETE runs too, whatever the MERGE does.
        (
            "WITH d AS (DELETE FROM staged RETURNING id) MERGE INTO plans p USING d ON p.id = d.id "
            "WHEN NOT MATCHED THEN DO NOTHING;",
            "delete-without-where",
        ),
    ],
)
def test_a_merge_after_a_with_clause_is_a_merge(sql: str, rule_id: str) -> None:
    assert fired(sql, "unparseable-statement") == []
    [finding] = fired(sql, rule_id)
    assert ("staged" if rule_id == "delete-without-where" else "plans") in finding.message
    [version] = fired(sql, "requires-newer-postgres", postgres_version=14)
    assert "MERGE (PostgreSQL 15+)" in version.message


def test_a_collation_change_is_a_type_change() -> None:
    widen = 'CREATE TABLE "plans" ("topic" varchar(20));\n--> statement-breakpoint\n'
    assert fired(widen + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text;', "change-column-type") == []
    [finding] = fired(widen + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text COLLATE "C";', "change-column-type")
    assert "collation of plans.topic from the default collation to C" in finding.message


COLLATED = 'CREATE TABLE "plans" ("topic" varchar(20) COLLATE "C");\n--> statement-breakpoint\n'


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        # Without COLLATE, the new type takes its default collation: the column's changes.
        (COLLATED + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text;', "from C to the default collation"),
        (COLLATED + 'ALTER TABLE plans ALTER topic TYPE varchar(40) COLLATE "default";', "from C to the default"),
        (COLLATED + 'ALTER TABLE plans ALTER topic TYPE text COLLATE "POSIX";', "from C to POSIX"),
        (
            'ALTER TABLE "plans" ADD COLUMN "title" varchar(20) COLLATE "C";\n--> statement-breakpoint\n'
            'ALTER TABLE "plans" ALTER COLUMN "title" TYPE text;',
            "from C to the default",
        ),
    ],
)
def test_a_new_type_without_the_columns_collation_changes_it(sql: str, message: str) -> None:
    [finding] = fired(sql, "change-column-type")
    assert message in finding.message


@pytest.mark.parametrize(
    "sql",
    [
        COLLATED + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE varchar(40) COLLATE "C";',
        COLLATED + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text COLLATE pg_catalog."C";',
        'CREATE TABLE "plans" ("topic" varchar(20) COLLATE "default");\n'
        'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE text;',
        'CREATE TABLE "plans" ("topic" varchar(20));\nALTER TABLE plans ALTER topic TYPE text COLLATE "default";',
    ],
)
def test_a_widening_that_keeps_the_collation_is_silent(sql: str) -> None:
    assert fired(sql, "change-column-type") == []


@pytest.mark.parametrize(
    ("created", "altered"),
    [
        ('"status" "mood"', '"public"."mood"'),
        ('"status" public.mood', "mood"),
        ('"status" timestamp', "timestamp without time zone"),
        ('"status" timestamp with time zone', "timestamptz"),
        ('"status" numeric(10, 2)', "numeric(10,2)"),
        ('"status" int[]', "int[]"),
    ],
)
def test_the_type_a_column_already_has_is_no_change(created: str, altered: str) -> None:
    sql = (
        f'CREATE TABLE "plans" ({created});\n--> statement-breakpoint\n'
        f'ALTER TABLE "plans" ALTER COLUMN "status" SET DATA TYPE {altered};'
    )
    assert fired(sql, "change-column-type") == []
    assert len(fired("text".join(sql.rsplit(altered, 1)), "change-column-type")) == 1


def test_a_quoted_type_name_is_exact() -> None:
    widen = 'CREATE TABLE "plans" ("topic" varchar(20));\n--> statement-breakpoint\n'
    assert fired(widen + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE "text";', "change-column-type") == []
    assert fired(widen + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE TEXT;', "change-column-type") == []
    [finding] = fired(widen + 'ALTER TABLE "plans" ALTER COLUMN "topic" TYPE "TEXT";', "change-column-type")
    assert "to TEXT" in finding.message


@pytest.mark.parametrize("rule_id", ["unparseable-statement", "invalid-suppression"])
@pytest.mark.parametrize("lowered", ["warning", "info"])
def test_severity_config_cannot_lower_the_rules_that_keep_the_gate_closed(
    tmp_path: Path, rule_id: str, lowered: str
) -> None:
    config = tmp_path / "gates.toml"
    config.write_text(f'[migrations.severity]\n"{rule_id}" = "{lowered}"\n')
    with pytest.raises(ConfigError, match=rf"migrations\.severity\.{rule_id} in .*gates\.toml cannot be lowered"):
        load_config(config)
    config.write_text(f'[migrations.severity]\n"{rule_id}" = "error"\n"drop-default" = "info"\n')
    assert LintOptions.from_config(load_config(config)).severity["drop-default"] == "info"
