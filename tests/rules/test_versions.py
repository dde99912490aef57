"""requires-newer-postgres: syntax is judged against the configured target major version."""

from __future__ import annotations

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_text

CASES = [
    ('ALTER TABLE "p" DETACH PARTITION "p_2024" CONCURRENTLY;', 14),
    ('MERGE INTO "t" USING "s" ON "t"."id" = "s"."id" WHEN MATCHED THEN UPDATE SET "n" = "s"."n";', 15),
    ('WITH "n" AS (SELECT 1 AS "id") MERGE INTO "t" USING "n" ON "t"."id" = "n"."id" WHEN MATCHED THEN DELETE;', 15),
    # Verified on Postgres 16.2: a syntax error at BY, and at RETURNING.
    ('MERGE INTO "t" USING "s" ON "t"."id" = "s"."id" WHEN NOT MATCHED BY SOURCE THEN DELETE;', 17),
    ('MERGE INTO "t" USING "s" ON "t"."id" = "s"."id" WHEN NOT MATCHED BY TARGET THEN INSERT DEFAULT VALUES;', 17),
    ('MERGE INTO "t" USING "s" ON "t"."id" = "s"."id" WHEN MATCHED THEN DELETE RETURNING "t"."id";', 17),
    ('CREATE UNIQUE INDEX "u" ON "t" ("email") NULLS NOT DISTINCT;', 15),
    ('CREATE TABLE "t" ("id" uuid PRIMARY KEY DEFAULT uuidv7());', 18),
    ('ALTER TABLE "t" ADD CONSTRAINT "t_n_not_null" NOT NULL "n" NOT VALID;', 18),
    ('ALTER TABLE "t" ADD NOT NULL "n";', 18),
    ('CREATE TABLE "t" ("a" int, "b" int GENERATED ALWAYS AS ("a" * 2) VIRTUAL);', 18),
    ('CREATE TABLE "t" ("a" int, "b" int GENERATED ALWAYS AS ("a" * 2));', 18),  # virtual by default in 18
    ('ALTER TABLE "t" ALTER COLUMN "b" SET EXPRESSION AS ("a" * 3);', 17),
    # Postgres 16.2 parses each whose version is at most 16, and rejects the others as a syntax error.
    ('ALTER TABLE "t" ALTER COLUMN "g" DROP EXPRESSION;', 13),
    ("alter table t alter g drop expression if exists;", 13),
    ('DROP DATABASE "old" WITH (FORCE);', 13),
    ('SELECT "id" FROM "t" ORDER BY "n" FETCH FIRST 1 ROWS WITH TIES;', 13),
    ('ALTER TABLE "p" DETACH PARTITION "p_2024" FINALIZE;', 14),
    ('CREATE OR REPLACE TRIGGER "tr" AFTER INSERT ON "t" FOR EACH ROW EXECUTE FUNCTION "f"();', 14),
    ('CREATE FUNCTION "one"() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;', 14),
    ('CREATE FUNCTION "inc"("a" int) RETURNS int LANGUAGE sql IMMUTABLE RETURN "a" + 1;', 14),
    ('ALTER TABLE "t" ALTER COLUMN "body" SET COMPRESSION lz4;', 14),
    ('ALTER TABLE "t" SET ACCESS METHOD heap;', 15),
    (
        'CREATE TABLE "f" ("tenant" int, "uid" int, FOREIGN KEY ("tenant", "uid") REFERENCES "t" '
        'ON DELETE SET NULL ("uid"));',
        15,
    ),
    ('ALTER TABLE "f" ADD FOREIGN KEY ("uid") REFERENCES "t" ON DELETE SET DEFAULT ("uid");', 15),
    ('GRANT "reader" TO "app" WITH INHERIT TRUE;', 16),
    ('GRANT "reader" TO "app" WITH ADMIN FALSE;', 16),
    ("REINDEX DATABASE;", 16),
    ("REINDEX SYSTEM;", 16),
    ('ALTER TABLE "t" SET ACCESS METHOD DEFAULT;', 17),
    ('CREATE TABLE "b" ("id" int, "valid" tsrange, PRIMARY KEY ("id", "valid" WITHOUT OVERLAPS));', 18),
    ('ALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("n" > 0) NOT ENFORCED;', 18),
    # SQL/JSON: Postgres 16.2 runs each of version 16; it has none of the functions of version 17.
    ("SELECT JSON_OBJECT('plan': 1);", 16),
    ("SELECT json_object('plan' VALUE 1, 'weeks' VALUE 2);", 16),
    ("SELECT JSON_OBJECT();", 16),
    ("SELECT JSON_ARRAY(1, 2);", 16),
    ('SELECT JSON_ARRAYAGG("id") FROM "t";', 16),
    ('CREATE TABLE "j" ("body" text CHECK ("body" IS JSON OBJECT));', 16),
    ('ALTER TABLE "j" ADD CONSTRAINT "c" CHECK ("body" IS NOT JSON);', 16),
    ("SELECT JSON_VALUE('{}'::jsonb, '$.a');", 17),
    ("SELECT * FROM JSON_TABLE('[]'::jsonb, '$[*]' COLUMNS (\"a\" int PATH '$.a')) AS \"t\";", 17),
]


def version_findings(sql: str, target: int) -> list[str]:
    result = lint_text(sql, LintOptions(postgres_version=target))
    return [f.message for f in result.findings if f.rule == "requires-newer-postgres"]


@pytest.mark.parametrize(("sql", "first"), CASES)
def test_fires_below_the_first_version(sql: str, first: int) -> None:
    [message] = version_findings(sql, first - 1)
    assert f"PostgreSQL {first}+" in message and f"target is PostgreSQL {first - 1}" in message


@pytest.mark.parametrize(("sql", "first"), CASES)
def test_silent_from_the_first_version(sql: str, first: int) -> None:
    assert version_findings(sql, first) == []


def test_a_stored_generated_column_runs_on_every_supported_version() -> None:
    assert version_findings('CREATE TABLE "t" ("a" int, "b" int GENERATED ALWAYS AS ("a" * 2) STORED);', 12) == []


@pytest.mark.parametrize(
    "sql",
    [
        'GRANT "reader" TO "app" WITH ADMIN OPTION;',
        'GRANT SELECT ON "t" TO "app" WITH GRANT OPTION;',
        'ALTER TABLE "t" DROP "expression";',  # a column of that name
        'REINDEX DATABASE "app";',
        'CREATE TABLE "f" ("uid" int REFERENCES "t" ON DELETE SET NULL);',
        'CREATE FUNCTION "f"() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;',
        "SELECT json_object('{plan,1}'::text[]), json_build_array(1), json_array_length('[1]');",
    ],
)
def test_older_forms_of_the_same_statements_run_on_every_supported_version(sql: str) -> None:
    assert version_findings(sql, 12) == []


def test_names_only_in_comments_and_strings_do_not_count() -> None:
    sql = "-- MERGE uses uuidv7()\nCOMMENT ON TABLE \"t\" IS 'NULLS NOT DISTINCT, uuidv7()';"
    assert version_findings(sql, 12) == []
