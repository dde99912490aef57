"""requires-newer-postgres: syntax is judged against the configured target major version."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths, lint_text
from tests.helpers import write_drizzle


def _plpgsql(statements: str) -> str:
    """A PL/pgSQL function whose body runs `statements`."""
    return (
        "CREATE FUNCTION f(j jsonb) RETURNS int LANGUAGE plpgsql "
        f"AS $$ DECLARE x int; r record; BEGIN {statements} RETURN 1; END $$;"
    )


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
    # Found by an audit of 174 features; each checked on Postgres 16.2 as above.
    ('CREATE VIEW "v2" WITH (security_invoker = true) AS SELECT 1 AS "x";', 15),
    ('ALTER VIEW "v" SET (security_invoker = on);', 15),
    ('CREATE TABLE "doc" ("body" text COMPRESSION pglz);', 14),
    ('ALTER TABLE "t" ADD COLUMN "c" text COMPRESSION pglz;', 14),
    ('CREATE UNIQUE INDEX "u" ON "t" ("n") NULLS DISTINCT;', 15),
    ('ALTER MATERIALIZED VIEW "mv" SET ACCESS METHOD heap;', 15),
    ('INSERT INTO "s" SELECT "id", "n" FROM (SELECT "id", "n" FROM "t");', 16),
    ("SELECT * FROM (VALUES (1));", 16),
    ('SELECT 1 FROM "t" JOIN (SELECT 1 AS "id") ON true;', 16),
    ("SET transaction_timeout = '5min';", 17),
    ('GRANT MAINTAIN ON TABLE "t" TO "app";', 17),
    ('GRANT pg_maintain TO "app";', 17),
    ('GRANT pg_read_all_data TO "app";', 14),
    ('COPY "t" FROM STDIN (FORMAT csv, ON_ERROR ignore);', 17),
    (
        'WITH "m" AS (MERGE INTO "t" USING "s" ON "t"."id" = "s"."id" WHEN MATCHED THEN DELETE RETURNING "t"."id") '
        'SELECT * FROM "m";',
        17,
    ),
    ('ALTER TABLE "t" ADD COLUMN "r" int DEFAULT random(1000, 9999);', 17),
    ('ALTER TABLE "t" ADD CONSTRAINT "v7" CHECK (uuid_extract_version("u") = 7);', 17),
    ('CREATE UNIQUE INDEX "e" ON "t" (casefold("body"));', 18),
    # Verified on Postgres 16.2: a syntax error at NOT; 16 has only ALTER DOMAIN ... SET NOT NULL.
    ('ALTER DOMAIN "d" ADD CONSTRAINT "d_not_null" NOT NULL;', 17),
    ("alter domain public.d add not null;", 17),
    ('CREATE TABLE "u" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL);', 13),
    ("SELECT date_bin('15 minutes', now(), '2000-01-01');", 14),
    ('ALTER TABLE "t" ADD CONSTRAINT "re" CHECK (regexp_like("body", \'^a\'));', 15),
    ('SELECT any_value("n") FROM "t";', 16),
    ('CREATE TABLE "nn" ("n" int, CONSTRAINT "c" NOT NULL "n");', 18),
    ('CREATE TABLE "nn2" ("n" int NOT NULL NO INHERIT);', 18),
    ('ALTER TABLE "t" ADD CONSTRAINT "c2" CHECK ("n" > 0) ENFORCED;', 18),
    (
        'CREATE TABLE "tf" ("id" int, "valid" tsrange, '
        'FOREIGN KEY ("id", PERIOD "valid") REFERENCES "tk" ("id", PERIOD "valid"));',
        18,
    ),
    ("SELECT * FROM JSON_TABLE('[]'::jsonb, '$[*]' COLUMNS (\"a\" int PATH '$.a')) AS \"t\";", 17),
    # Each below checked on Postgres 16.2 (refused), 17.5 and 18.6 (PGlite): the lowest that runs it.
    ('COPY "c" FROM STDIN (FORMAT csv, ON_ERROR ignore, REJECT_LIMIT 10);', 18),
    ('COPY "c" FROM STDIN (FORMAT csv, ON_ERROR ignore, LOG_VERBOSITY silent);', 18),
    ('COPY "c" FROM STDIN (FORMAT csv, FORCE_NULL *);', 17),
    ('ALTER TABLE "t" ADD CONSTRAINT "t_a_fk" FOREIGN KEY ("a") REFERENCES "s" ENFORCED;', 18),
    ('ALTER TABLE "t" ALTER CONSTRAINT "t_n_fk" ENFORCED;', 18),
    ('CREATE TABLE "x" ("id" int, "sid" int REFERENCES "s" ON DELETE CASCADE ENFORCED);', 18),
    ("SET \"transaction_timeout\" = '5min';", 17),
    ("SELECT set_config('transaction_timeout', '5min', true);", 17),
    ("ALTER ROLE \"app\" SET transaction_timeout = '5min';", 17),
    ('SET "enable_self_join_elimination" = on;', 18),
    ("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT MAINTAIN ON TABLES TO app;", 17),
    ('GRANT "pg_maintain" TO "app";', 17),
    ('GRANT "pg_signal_autovacuum_worker" TO "app";', 18),
    ("CREATE FUNCTION new_id() RETURNS uuid LANGUAGE sql AS $$ SELECT uuidv7() $$;", 18),
    ("CREATE FUNCTION new_id() RETURNS uuid LANGUAGE 'sql' AS 'SELECT uuid_extract_timestamp(gen_random_uuid())';", 17),
    (
        "CREATE PROCEDURE sync_t() LANGUAGE sql BEGIN ATOMIC "
        "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE; END;",
        17,
    ),
    ("CREATE VIEW dup AS SELECT t.id FROM t JOIN s ON crc32(convert_to(t.body, 'UTF8')) = s.n;", 18),
    ('ALTER TABLE "t" ALTER COLUMN "c" SET STATISTICS DEFAULT;', 17),
    ('VACUUM ONLY "p";', 18),
    ('ANALYZE ONLY "p";', 18),
    ("SELECT now() AT LOCAL;", 17),
    ('UPDATE "t" SET "a" = 1 RETURNING old."a", new."a";', 18),
    ('DELETE FROM "t" RETURNING WITH (OLD AS "o") "o"."a";', 18),
    ('CREATE TABLE "t" ("name" text COLLATE "pg_c_utf8");', 17),
    ('CREATE TABLE "t" ("name" text COLLATE pg_unicode_fast);', 18),
    ("SELECT pg_basetype('int4'::regtype), unicode_assigned('a');", 17),
    ("SELECT gamma(1.0);", 18),
    ('CREATE TABLE "t" ("id" int) WITH (autovacuum_vacuum_max_threshold = 100);', 18),
    ("SET vacuum_truncate = false;", 18),
    ('CREATE SCHEMA "s" CREATE TABLE "t" ("a" int CHECK ("a" > 0) NOT ENFORCED);', 18),
    # Checked on Postgres 16.2, 17.5 and 18.6 as above (login triggers from 17's release notes: PGlite
    # 17.5 cannot run one).
    ('CREATE TABLE "pa" ("a" int) PARTITION BY RANGE ("a") USING heap;', 17),
    ("create table pa2 partition of p for values from (0) to (10) partition by range (a) using heap;", 17),
    ('CREATE TABLE "px" ("r" int4range, EXCLUDE USING gist ("r" WITH =)) PARTITION BY RANGE ("r");', 17),
    ('CREATE EVENT TRIGGER "on_login" ON login EXECUTE FUNCTION "on_login"();', 17),
    ("CREATE COLLATION c_utf8 (provider = builtin, locale = 'C.UTF-8');", 17),
    ("CREATE COLLATION c_utf8 (locale = 'C.UTF-8', PROVIDER = 'BUILTIN');", 17),
    ("ALTER TABLE t ADD CONSTRAINT t_age CHECK (jsonb_path_exists(data, '$.age.integer()'));", 17),
    ("CREATE VIEW jv AS SELECT data @? '$.tags[*] ? (@.string() == \"x\")' AS x FROM t;", 17),
    ("SELECT '$.n . BIGINT ( )'::jsonpath;", 17),
    ("ALTER TABLE t ADD COLUMN ttl interval NOT NULL DEFAULT 'infinity';", 17),
    ("CREATE TABLE t3 (id int, ttl INTERVAL DAY TO SECOND DEFAULT ' -Infinity ');", 17),
    ("SELECT 'infinity'::interval, interval '+infinity', CAST('-infinity' AS interval);", 17),
    ("CREATE DOMAIN forever AS interval DEFAULT 'infinity';", 17),
    ("CREATE VIEW rv AS SELECT 1 AS x FROM t JOIN s ON random(1, 2) = 1;", 17),
    (
        "CREATE FUNCTION jf(j jsonb) RETURNS jsonb LANGUAGE sql "
        "AS $$ SELECT jsonb_path_query_first(j, '$.a.date()') $$;",
        17,
    ),
    ('ALTER TABLE "nni" ALTER CONSTRAINT "nni_n_not_null" NO INHERIT;', 18),
    ("alter table nni alter constraint nni_n_not_null inherit;", 18),
    ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON LARGE OBJECTS TO app;", 18),
    ("alter default privileges for role app revoke update on large objects from reader;", 18),
    ('UPDATE "t" SET "data" = jsonb_strip_nulls("data", true);', 18),
    ("SELECT json_strip_nulls(data::json, strip_in_arrays => true) FROM t;", 18),
    (
        "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON LARGE OBJECTS TO app; END $$;",
        18,
    ),
    (
        "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        "ALTER TABLE nni ALTER CONSTRAINT nni_n_not_null NO INHERIT; END $$;",
        18,
    ),
    # A DO block runs its own PL/pgSQL's expressions too: declarations, conditions, assignments
    ("DO $$ DECLARE x uuid := uuidv7(); BEGIN END $$;", 18),
    ("DO $$ BEGIN IF now() AT LOCAL > now() THEN RAISE NOTICE 'x'; END IF; END $$;", 17),
    ("DO $$ DECLARE x uuid; BEGIN x := uuidv7(); END $$;", 18),
    ('DO $$ DECLARE x uuid := "uuidv7"(); BEGIN END $$;', 18),
    ("DO $$ DECLARE y bool; BEGIN y := '{}'::jsonb @? '$.a.integer()'; END $$;", 17),
    # PL/pgSQL parses its body's expressions at CREATE, and their new syntax fails there; a call of a new
    # function, without SQL/JSON's clauses, parses, and fails only when it runs
    ("CREATE FUNCTION f() RETURNS timestamp LANGUAGE plpgsql AS $$ BEGIN RETURN now() AT LOCAL; END $$;", 17),
    (_plpgsql("x := JSON_VALUE(j, '$.a' RETURNING int);"), 17),
    (_plpgsql("FOR r IN SELECT * FROM JSON_TABLE(j, '$[*]' COLUMNS (a int PATH '$.a')) LOOP END LOOP;"), 17),
    (_plpgsql("DELETE FROM t RETURNING WITH (OLD AS o) o.id INTO x;"), 18),
    (_plpgsql("LOOP EXIT WHEN JSON_EXISTS(j, '$.a' ERROR ON ERROR); END LOOP;"), 17),
    (_plpgsql("CASE WHEN now() AT LOCAL IS NULL THEN RETURN 0; ELSE NULL; END CASE;"), 17),
    ("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ DECLARE t timestamp := now() AT LOCAL; BEGIN END $$;", 17),
    ("CREATE FUNCTION f(x anyelement) RETURNS timestamp LANGUAGE sql AS $$ SELECT now() AT LOCAL $$;", 17),
    ("CREATE FUNCTION f(x anyelement, OUT y int) LANGUAGE sql AS $$ SELECT 1 FROM (SELECT 1) $$;", 16),
    # RAISE's values and EXECUTE's expressions too, and a body's table statements' new clauses
    ("DO $$ BEGIN RAISE NOTICE 'new id %', uuidv7(); END $$;", 18),
    ("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE '%', now() AT LOCAL; END $$;", 17),
    ("DO $$ BEGIN EXECUTE 'SELECT $1' USING uuidv7(); END $$;", 18),
    (_plpgsql("EXECUTE 'SELECT $1' USING now() AT LOCAL;"), 17),
    (_plpgsql("ALTER TABLE t ALTER COLUMN n SET EXPRESSION AS (id * 2);"), 17),
    ("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ ALTER TABLE t ADD CONSTRAINT t_n_nn NOT NULL n $$;", 18),
    # a new setting read strictly, and a CALL, which a SQL body analyses at CREATE
    ("SELECT current_setting('transaction_timeout');", 17),
    ("DO $$ BEGIN RAISE NOTICE '%', current_setting('transaction_timeout', false); END $$;", 17),
    ("CREATE PROCEDURE p() LANGUAGE sql AS $$ CALL q(pg_basetype(1::regtype)) $$;", 17),
    # an interval's other spellings, a variable's, and quoted names
    ("DO $$ DECLARE d interval := 'infinity'; BEGIN END $$;", 17),
    ('CREATE TABLE "g" ("grace" pg_catalog.interval DEFAULT \'infinity\');', 17),
    ("SELECT 'infinity'::\"interval\", CAST('infinity' AS pg_catalog.interval);", 17),
    ('UPDATE "t" SET "data" = "jsonb_strip_nulls"("data", true);', 18),
    ("CREATE COLLATION c_utf8 (\"provider\" = builtin, locale = 'C.UTF-8');", 17),
    # PL/pgSQL parses its body's statements at CREATE: new syntax fails there
    (
        "CREATE FUNCTION sync_t() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE; END $$;",
        17,
    ),
    (
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        'ALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("id" > 0) NOT ENFORCED; END $$;',
        18,
    ),
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
        "DROP DATABASE IF EXISTS force;",  # a database of that name
        "SELECT json_object(keys, value) FROM kvx;",  # a column named value
        'SELECT random() FROM "t";',
        'CREATE TABLE "w" ("a" int CONSTRAINT "nn" NOT NULL, "period" tsrange, "enforced" boolean);',
        'SELECT 1 FROM (SELECT 1) AS "x" JOIN (SELECT 2) "y" ON true;',
        'CREATE TABLE "f" ("id" int, "period" int, FOREIGN KEY ("id", "period") REFERENCES "g" ("id", "period"));',
        'ALTER DOMAIN "d" SET NOT NULL;',
        'ALTER DOMAIN "d" ADD CONSTRAINT "nn" CHECK (VALUE IS NOT NULL);',
        'ALTER DOMAIN "d" ADD CHECK (VALUE IS NOT NULL) NOT VALID;',
        # tables named like new functions, their columns listed after the name, as drizzle-kit writes them
        'CREATE TABLE IF NOT EXISTS "crc32" ("id" int PRIMARY KEY);',
        'ALTER TABLE "t" ADD CONSTRAINT "f" FOREIGN KEY ("a") REFERENCES "public"."crc32"("id");',
        'INSERT INTO "to_bin" ("a") VALUES (1);',
        'CREATE VIEW "date_add" ("x") AS SELECT 1;',
        "CREATE TABLE to_bin (a int);",
        'CREATE UNIQUE INDEX "u" ON "crc32" ("id");',
        'CREATE INDEX "u" ON ONLY public.crc32 ("id");',
        'COPY "to_bin" ("a") FROM STDIN;',
        # columns, tables and roles named like new keywords, settings and privileges
        'UPDATE "policies" SET "active" = NOT enforced;',
        'CREATE UNIQUE INDEX "p_u" ON "policies" ("id") WHERE NOT enforced;',
        'ALTER TABLE "policies" ADD CONSTRAINT "p_chk" CHECK ("active" OR NOT enforced);',
        'CREATE VIEW "counts" AS SELECT count(*) enforced FROM "policies" WHERE enforced;',
        'CREATE TABLE "job_settings" ("id" int, transaction_timeout interval);',
        "UPDATE \"job_settings\" SET transaction_timeout = '1s';",
        'GRANT SELECT ON maintain TO "app";',
        'GRANT maintain TO "app";',
        'ALTER TABLE "t" SET (vacuum_truncate = false);',  # a storage parameter since 12
        'CREATE INDEX "i" ON crc32 ("id");',
        # what a PL/pgSQL body calls, sets or names, and what it EXECUTEs, are looked up when it runs
        "CREATE FUNCTION new_id() RETURNS uuid LANGUAGE plpgsql AS $$ BEGIN RETURN uuidv7(); END $$;",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN SET transaction_timeout = '1s'; END $$;",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'VACUUM ONLY p'; END $$;",
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE t SET id = 1 WHERE id = 2 RETURNING old.id INTO n; RETURN NEW; END $$;",  # the trigger's OLD
        'UPDATE "t" SET "a" = 1 RETURNING "a";',
        "SELECT current_setting('transaction_timeout', true);",  # missing_ok: NULL on 16
        # what a SQL body's utility statement names is looked up when it runs
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SET transaction_timeout = '1s' $$;",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN GRANT MAINTAIN ON t TO app; END $$;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE maintain;",  # incomplete, and no privilege
        # plain tables' access methods and exclusion constraints, and tables' parents changed
        'CREATE TABLE "pa" ("a" int) USING heap;',
        'CREATE TABLE "pa" ("a" int, "r" int4range, EXCLUDE USING gist ("r" WITH &&));',
        "CREATE TABLE p1 PARTITION OF p (EXCLUDE USING gist (r WITH &&)) FOR VALUES FROM (0) TO (10);",
        'ALTER TABLE "v" INHERIT "u2";',
        'ALTER TABLE "v" NO INHERIT "u2";',
        'ALTER TABLE "v" ALTER CONSTRAINT "v_u_fkey" DEFERRABLE INITIALLY DEFERRED;',
        "CREATE EVENT TRIGGER on_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();",
        "CREATE COLLATION c_plain (provider = libc, locale = 'C');",
        'UPDATE "t" SET "data" = jsonb_strip_nulls("data");',
        # jsonpath's older methods, and a string that is no jsonpath
        "SELECT jsonb_path_query(data, '$.n.double().floor()'), jsonb_path_query(data, '$.d.datetime()') FROM t;",
        "INSERT INTO t (id, body) VALUES (1, 'call x.date() later');",
        # infinity as a timestamp or a float, and a column named interval
        "CREATE TABLE t3 (id int, at timestamptz DEFAULT 'infinity', ttl interval DEFAULT '1 day');",
        "SELECT 'infinity'::timestamptz, 'infinity'::float8, 'infinity' AS interval;",
        "CREATE TABLE t4 (id int, interval timestamptz DEFAULT 'infinity');",
        "ALTER TABLE t4 ALTER COLUMN interval SET DEFAULT 'infinity';",
        # what a routine's body does to tables, or reads as a value, is checked when it runs
        "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        "CREATE EVENT TRIGGER on_login ON login EXECUTE FUNCTION on_login(); END $$;",
        "CREATE FUNCTION mk() RETURNS void LANGUAGE sql "
        "AS $$ CREATE TABLE pa (a int) PARTITION BY RANGE (a) USING heap $$;",
        "CREATE FUNCTION jf(j jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN "
        "RETURN jsonb_strip_nulls(jsonb_path_query_first(j, '$.a.integer()'), true); END $$;",
        "CREATE FUNCTION jf() RETURNS interval LANGUAGE plpgsql AS $$ BEGIN RETURN 'infinity'::interval; END $$;",
        _plpgsql("x := json_value(j, '$.a');"),
        # a routine's body is read apart from its signature; a nested DO's body is a string
        "CREATE FUNCTION jf(j jsonb, p jsonpath) RETURNS jsonb LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN jsonb_path_query_first(j, '$.a.integer()'); END $$;",
        _plpgsql("DO $d$ BEGIN PERFORM now() AT LOCAL; END $d$;"),
        # a SQL body's utility statements are only parsed; a quoted polymorphic type is one
        "CREATE FUNCTION fi() RETURNS void LANGUAGE sql AS $$ CREATE TABLE z (ttl interval DEFAULT 'infinity') $$;",
        'CREATE FUNCTION sf("x" "anyelement", j jsonb) RETURNS jsonb LANGUAGE sql '
        "AS $$ SELECT jsonb_strip_nulls(j, true) $$;",
        # text search's @@, and infinity as a timestamp variable
        "CREATE VIEW jv AS SELECT id FROM t WHERE to_tsvector(body) @@ plainto_tsquery('order.date() due');",
        "DO $$ DECLARE d timestamptz := 'infinity'; BEGIN END $$;",
        # a SQL body with a polymorphic argument is only parsed at CREATE (checked on 16.2)
        "CREATE FUNCTION f(x anyelement) RETURNS bool LANGUAGE sql AS $$ SELECT uuidv7() IS NULL $$;",
        "CREATE FUNCTION f(INOUT x anyelement) LANGUAGE sql AS $$ SELECT uuidv7() $$;",
        "CREATE FUNCTION f(VARIADIC x anycompatiblearray) RETURNS bool LANGUAGE sql "
        "AS $$ SELECT jsonb_strip_nulls('{}', true) IS NULL $$;",
        _plpgsql("IF uuidv7() IS NULL THEN RETURN 0; END IF;"),
    ],
)
def test_older_forms_of_the_same_statements_run_on_every_supported_version(sql: str) -> None:
    assert version_findings(sql, 12) == []


def test_names_only_in_comments_and_strings_do_not_count() -> None:
    sql = "-- MERGE uses uuidv7()\nCOMMENT ON TABLE \"t\" IS 'NULLS NOT DISTINCT, uuidv7()';"
    assert version_findings(sql, 12) == []


def test_a_function_the_history_creates_is_no_new_built_in() -> None:
    # Projects on older versions define the function themselves (any_value before 16, say).
    polyfill = "CREATE FUNCTION any_value(anyelement) RETURNS anyelement LANGUAGE sql AS 'SELECT $1';\n"
    assert version_findings(polyfill + 'SELECT any_value("n") FROM "t";', 15) == []
    assert len(version_findings('SELECT any_value("n") FROM "t";', 15)) == 1


def test_the_extension_that_provides_a_function_on_an_older_version_makes_it_no_new_built_in() -> None:
    table = 'CREATE TABLE "u" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL);'
    assert version_findings('CREATE EXTENSION IF NOT EXISTS "pgcrypto";\n' + table, 12) == []
    assert version_findings('CREATE EXTENSION "uuid-ossp";\n' + table, 12) != []
    [finding] = lint_text(table, LintOptions(postgres_version=12)).findings
    assert finding.hint == "CREATE EXTENSION IF NOT EXISTS in an earlier migration: pgcrypto provides gen_random_uuid()"


@pytest.mark.parametrize(
    "dropped", ['DROP EXTENSION "pgcrypto";', "DROP EXTENSION IF EXISTS pgcrypto, citext CASCADE;"]
)
def test_an_extension_dropped_since_provides_nothing(dropped: str) -> None:
    table = 'CREATE TABLE "u" ("id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL);'
    result = lint_text(
        f'CREATE EXTENSION IF NOT EXISTS "pgcrypto";\n{dropped}\n{table}', LintOptions(postgres_version=12)
    )
    # Dropping an extension is no drop-object finding: only the call the drop leaves unprovided is reported.
    assert [f.rule for f in result.findings] == ["requires-newer-postgres"]
    assert version_findings(f'{dropped}\nCREATE EXTENSION "pgcrypto";\n{table}', 12) == []


def test_a_quoted_call_is_the_function_if_its_name_is_lower_case() -> None:
    # Postgres 16.2 runs `SELECT "gen_random_uuid"()`, and finds no function `"GEN_RANDOM_UUID"()`, nor
    # `"json_array"(1, 2)`: SQL/JSON's constructors are syntax, not functions.
    assert version_findings('SELECT "json_array"(1, 2);', 15) == []
    table = 'CREATE TABLE "u" ("id" uuid DEFAULT "gen_random_uuid"(), "n" int DEFAULT "BIT_COUNT"(1));'
    [message] = version_findings(table, 12)
    assert "gen_random_uuid() (PostgreSQL 13+)" in message and "bit_count" not in message
    assert version_findings('CREATE EXTENSION "pgcrypto";\n' + table, 12) == []


def test_a_random_function_the_history_creates_is_no_new_form_of_random() -> None:
    # Postgres 16.2 creates it and calls it: random(min, max) is the project's own.
    polyfill = (
        "CREATE FUNCTION random(lo int, hi int) RETURNS int LANGUAGE sql VOLATILE "
        "AS $$ SELECT floor(random() * (hi - lo + 1) + lo)::int $$;\n"
    )
    assert version_findings(polyfill + 'UPDATE "t" SET "n" = random(1, 6);', 16) == []
    assert len(version_findings('UPDATE "t" SET "n" = random(1, 6);', 16)) == 1


@pytest.mark.parametrize(
    "change",
    ['ALTER TABLE "p" SET ACCESS METHOD heap;', 'ALTER TABLE ONLY "p" ADD EXCLUDE USING gist ("r" WITH =);'],
)
def test_what_a_partitioned_table_could_not_have_before_17_is_known_from_the_history(change: str) -> None:
    # Postgres 16.2 refuses each on a partitioned table; 17.5 runs it; a plain table has long allowed both.
    partitioned = 'CREATE TABLE "p" ("r" int4range, "a" int) PARTITION BY RANGE ("r");\n'
    [message] = version_findings(partitioned + change, 16)
    assert "PostgreSQL 17+" in message and "partitioned table" in message
    assert version_findings(partitioned + change, 17) == []
    assert version_findings('CREATE TABLE "p" ("r" int4range, "a" int);\n' + change, 16) == []


@pytest.mark.parametrize(
    "body",
    [
        "CREATE FUNCTION f() RETURNS uuid LANGUAGE sql AS $$ SELECT uuidv7() $$;",
        "CREATE FUNCTION g() RETURNS timestamp LANGUAGE plpgsql AS $$ BEGIN RETURN now() AT LOCAL; END $$;",
    ],
)
def test_a_body_postgres_does_not_check_uses_nothing_at_create(body: str, tmp_path: Path) -> None:
    # Postgres 16.2 creates both after pg_dump's `SET check_function_bodies = false;`, and refuses
    # the first again after RESET.
    for off in ("SET check_function_bodies = false;", "SET SESSION \"check_function_bodies\" TO 'of';"):
        assert version_findings(f"{off}\n{body}", 16) == []
    for on_again in (
        "RESET check_function_bodies;",
        "SET check_function_bodies TO DEFAULT;",
        "SET check_function_bodies = 1;",
        "RESET ALL;",
        "SET LOCAL check_function_bodies = on;",  # taken to hold to the end: the body counts
    ):
        assert len(version_findings(f"SET check_function_bodies = false;\n{on_again}\n{body}", 16)) == 1
    # SET LOCAL lasts until its transaction ends, which is not followed: the body counts as checked.
    assert len(version_findings(f"SET LOCAL check_function_bodies = false;\n{body}", 16)) == 1
    # An earlier file may have run in an earlier deploy's session.
    folder = write_drizzle(tmp_path / "m", {"0000_dump": "SET check_function_bodies = false;", "0001_f": body})
    findings = lint_paths([folder], LintOptions(postgres_version=16)).findings
    assert [Path(f.file).stem for f in findings if f.rule == "requires-newer-postgres"] == ["0001_f"]


def test_a_literal_stored_in_a_column_the_history_shows_is_read_as_the_columns_type() -> None:
    # Postgres 16.2 refuses each, and 17.5 runs them; a timestamp has long taken infinity.
    table = (
        'CREATE DOMAIN "dur" AS interval;\n'
        'CREATE TABLE "t" ("id" int, "ttl" interval, "at" timestamptz, "d" dur, "i" interval(3), "p" jsonpath);\n'
    )
    for stored in (
        "INSERT INTO t (id, ttl) VALUES (1, 'infinity');",
        'UPDATE "t" SET "ttl" = \' -Infinity\';',
        "ALTER TABLE t ALTER COLUMN ttl SET DEFAULT 'infinity';",
        "ALTER TABLE t ALTER COLUMN at SET DEFAULT 'infinity', ALTER COLUMN i SET DEFAULT 'infinity';",
        "INSERT INTO t (id, d) VALUES (1, 'infinity');",  # a domain over interval
        "INSERT INTO t (id, p) VALUES (1, '$.a.integer()');",  # a jsonpath's conversion method
    ):
        [message] = version_findings(table + stored, 16)
        assert "PostgreSQL 17+" in message and ("infinite interval" in message or "jsonpath" in message)
        assert version_findings(table + stored, 17) == []
    for older in ("INSERT INTO t (id, at) VALUES (1, 'infinity');", "UPDATE t SET at = '-infinity';"):
        assert version_findings(table + older, 16) == []


def _guarded(branch: str) -> str:
    return (
        "DO $$ DECLARE v jsonpath; BEGIN IF current_setting('server_version_num')::int >= 170000 THEN "
        f"{branch} END IF; END $$;"
    )


@pytest.mark.parametrize(
    "branch",
    [
        "PERFORM pg_basetype(1::regtype);",  # a function called
        "RAISE NOTICE '%', pg_basetype(1::regtype);",
        "v := '$.a.integer()'::jsonpath;",  # a value read
        "CREATE TABLE pa (a int) PARTITION BY RANGE (a) USING heap;",  # what a utility statement checks
        "CREATE FUNCTION f() RETURNS timestamp LANGUAGE sql AS $x$ SELECT now() AT LOCAL $x$;",  # a body
        "EXECUTE 'ALTER TABLE t ALTER COLUMN n SET EXPRESSION AS (1)';",  # SQL parsed when run
        "DO $x$ BEGIN PERFORM now() AT LOCAL; END $x$;",
    ],
)
def test_a_version_guard_excuses_what_only_a_newer_server_runs(branch: str) -> None:
    # Postgres 16.2 runs each: the branch never runs there.
    assert version_findings(_guarded(branch), 16) == []
    unguarded = _guarded(branch).replace(">= 170000", ">= 160000")
    assert len(version_findings(unguarded, 16)) == 1


@pytest.mark.parametrize(
    ("branch", "first"),
    [
        ("PERFORM now() AT LOCAL;", 17),  # PL/pgSQL parses the whole block first, every branch
        ("ALTER TABLE t ALTER COLUMN n SET EXPRESSION AS (1);", 17),
        ("PERFORM uuidv7();", 18),  # newer than the guard
    ],
)
def test_a_version_guard_excuses_no_syntax_of_the_block_and_nothing_newer(branch: str, first: int) -> None:
    [message] = version_findings(_guarded(branch), 16)
    assert f"PostgreSQL {first}+" in message


def test_the_else_branch_of_a_guard_against_older_versions_is_guarded() -> None:
    guard = "DO $$ BEGIN IF current_setting('server_version_num')::int < 170000 THEN %s ELSE %s END IF; END $$;"
    assert version_findings(guard % ("NULL;", "PERFORM pg_basetype(1::regtype);"), 16) == []
    assert len(version_findings(guard % ("PERFORM pg_basetype(1::regtype);", "NULL;"), 16)) == 1
