"""Locking rules: they fire on existing tables in every spelling, never on new tables, comments,
strings or function bodies, and a hot table raises them to error."""

from __future__ import annotations

import pytest

from migrations_checks.engine import lint_text
from tests.helpers import fired, in_do_block, in_function


def new_table(name: str) -> str:
    return f'CREATE TABLE "{name}" ("id" uuid PRIMARY KEY, "email" text, "module_id" uuid, "hours" int);\n'


DROP_INDEX = "drop-index-non-concurrently"
FOREIGN_KEY = "add-foreign-key-without-not-valid"
CHECK_RULE = "add-check-without-not-valid"
UNIQUE_RULE = "add-unique-constraint"
VOLATILE_RULE = "volatile-default"
REWRITE = "table-rewrite"
BACKFILL_RULE = "data-backfill"

FK = 'ALTER TABLE "tasks" ADD CONSTRAINT "tasks_fk" FOREIGN KEY ("module_id") REFERENCES "modules"("id");'
CHECK = 'ALTER TABLE "plans" ADD CONSTRAINT "hours_positive" CHECK ("hours" > 0);'
UNIQUE = 'ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE("email");'
VOLATILE = 'ALTER TABLE "users" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid();'
CLUSTER = 'CLUSTER "plans" USING "plans_pkey";'
BACKFILL = 'UPDATE "users" SET "plan" = \'free\' WHERE "plan" IS NULL;'

# Statements that lock or rewrite an existing table: each fires its rule exactly once.
BAD = [
    (DROP_INDEX, 'DROP INDEX "plans_topic_idx";'),
    (DROP_INDEX, "drop index if exists plans_topic_idx cascade;"),
    (DROP_INDEX, 'DROP INDEX "public"."plans_topic_idx";'),
    (DROP_INDEX, in_do_block('DROP INDEX "plans_topic_idx";')),
    (DROP_INDEX, 'DROP INDEX "a_idx", "b_idx";'),
    (DROP_INDEX, 'CREATE INDEX "u_idx" ON "users" ("email");\nDROP INDEX "u_idx";'),
    (FOREIGN_KEY, FK),
    (FOREIGN_KEY, in_do_block(FK)),
    (FOREIGN_KEY,
     "alter table tasks add constraint tasks_module_fk foreign key (module_id) references modules(id);"),
    (FOREIGN_KEY,
     'ALTER TABLE "public"."tasks" ADD CONSTRAINT "fk" FOREIGN KEY ("m") REFERENCES "public"."modules"("id") '
     "ON DELETE cascade ON UPDATE no action;"),
    (FOREIGN_KEY, 'ALTER TABLE "tasks" ADD COLUMN "owner_id" uuid REFERENCES "users"("id");'),
    (FOREIGN_KEY,
     'ALTER TABLE "tasks" ADD CONSTRAINT "a_fk" FOREIGN KEY ("a") REFERENCES "x"("id"), '
     'ADD CONSTRAINT "b_fk" FOREIGN KEY ("b") REFERENCES "y"("id");'),
    (FOREIGN_KEY, new_table("modules") + FK),  # the altered table is the old one
    (CHECK_RULE, CHECK),
    (CHECK_RULE, in_do_block(CHECK)),
    (CHECK_RULE, "alter table public.plans add check (hours > 0);"),
    (CHECK_RULE, 'ALTER TABLE "public"."Plans" ADD CONSTRAINT "c" CHECK ("hours" > 0);'),
    (UNIQUE_RULE, UNIQUE),
    (UNIQUE_RULE, in_do_block(UNIQUE)),
    (UNIQUE_RULE, 'ALTER TABLE "public"."users" ADD CONSTRAINT "users_pkey" PRIMARY KEY ("id");'),
    (UNIQUE_RULE, "alter table users add unique (email);"),
    (UNIQUE_RULE, "ALTER TABLE users ADD PRIMARY KEY (id);"),
    (VOLATILE_RULE, VOLATILE),
    (VOLATILE_RULE, in_do_block(VOLATILE)),
    (VOLATILE_RULE, 'ALTER TABLE "public"."users" ADD COLUMN "score" double precision DEFAULT random();'),
    (VOLATILE_RULE, "alter table users add column seen_at timestamptz default clock_timestamp() not null;"),
    (VOLATILE_RULE, 'ALTER TABLE "users" ADD COLUMN IF NOT EXISTS "k" uuid DEFAULT uuid_generate_v4();'),
    (VOLATILE_RULE, 'ALTER TABLE "users" ADD COLUMN "seq" serial;'),
    (REWRITE, CLUSTER),
    (REWRITE, "cluster verbose public.plans;"),
    (REWRITE, "CLUSTER;"),
    (REWRITE, 'VACUUM FULL "plans";'),
    (REWRITE, 'vacuum (full, analyze) "public"."plans", "users";'),
    (REWRITE, 'ALTER TABLE "public"."plans" SET TABLESPACE "fast_disk";'),
    (REWRITE, in_do_block('ALTER TABLE "plans" SET TABLESPACE "fast_disk";')),
    (BACKFILL_RULE, BACKFILL),
    (BACKFILL_RULE, in_do_block(BACKFILL)),
    (BACKFILL_RULE, "update public.users set plan = 'free' where plan is null;"),
    (BACKFILL_RULE, 'UPDATE "public"."Users" SET "plan" = \'free\' WHERE "id" IN (SELECT "id" FROM "old");'),
    (BACKFILL_RULE, "WITH stale AS (SELECT id FROM users) UPDATE users SET plan = 'free' WHERE id IN "
                      "(SELECT id FROM stale);"),
]

# The safe paths, the traps the catalogue lists, and new tables: none of these fires the rule.
GOOD = [
    (DROP_INDEX, 'DROP INDEX CONCURRENTLY "plans_topic_idx";'),
    (DROP_INDEX, '-- DROP INDEX "plans_topic_idx";\nSELECT 1;'),
    (DROP_INDEX, "SELECT 'DROP INDEX plans_topic_idx';"),
    (DROP_INDEX, in_function('DROP INDEX "plans_topic_idx";')),
    (DROP_INDEX,
     new_table("notes") + 'CREATE INDEX "notes_idx" ON "notes" ("email");\nDROP INDEX "notes_idx";'),
    (FOREIGN_KEY, FK.replace(";", " NOT VALID;")),
    (FOREIGN_KEY, in_do_block(FK.replace(";", " not valid;"))),
    (FOREIGN_KEY, 'ALTER TABLE "tasks" VALIDATE CONSTRAINT "tasks_fk";'),
    (FOREIGN_KEY, new_table("tasks") + FK),
    (FOREIGN_KEY, new_table("tasks") + in_do_block(FK)),
    (FOREIGN_KEY, f"-- {FK}\nSELECT 1;"),
    (FOREIGN_KEY, f"SELECT '{FK.replace(chr(39), chr(39) * 2)}';"),
    (FOREIGN_KEY, in_function(FK)),
    (FOREIGN_KEY, 'ALTER TABLE "tasks" ADD COLUMN "owner_id" uuid;'),
    (CHECK_RULE, CHECK.replace(";", " NOT VALID;")),
    (CHECK_RULE, 'ALTER TABLE "plans" VALIDATE CONSTRAINT "hours_positive";'),
    (CHECK_RULE, new_table("plans") + CHECK),
    (CHECK_RULE, f"/* {CHECK} */ SELECT 1;"),
    (CHECK_RULE, in_function(CHECK)),
    (UNIQUE_RULE,
     'ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE USING INDEX "users_email_idx";'),
    (UNIQUE_RULE, 'ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY USING INDEX "u_idx";'),
    (UNIQUE_RULE, 'CREATE UNIQUE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");'),
    (UNIQUE_RULE, new_table("users") + UNIQUE),
    (UNIQUE_RULE, f"-- {UNIQUE}\nSELECT 1;"),
    (UNIQUE_RULE, in_function(UNIQUE)),
    (VOLATILE_RULE, 'ALTER TABLE "users" ADD COLUMN "public_id" uuid;\n'
                         'ALTER TABLE "users" ALTER COLUMN "public_id" SET DEFAULT gen_random_uuid();'),
    (VOLATILE_RULE, 'ALTER TABLE "users" ADD COLUMN "created_at" timestamp DEFAULT now() NOT NULL;'),
    (VOLATILE_RULE, "ALTER TABLE \"users\" ADD COLUMN \"plan\" text DEFAULT 'random()';"),
    (VOLATILE_RULE, new_table("users") + VOLATILE),
    (VOLATILE_RULE, f"-- {VOLATILE}\nSELECT 1;"),
    (VOLATILE_RULE, in_function(VOLATILE)),
    (VOLATILE_RULE, new_table("users").replace('"email" text', '"k" uuid DEFAULT gen_random_uuid()')),
    (REWRITE, 'VACUUM "plans";'),
    (REWRITE, 'ANALYZE "plans";'),
    (REWRITE, new_table("plans") + CLUSTER),
    (REWRITE, new_table("plans") + 'ALTER TABLE "plans" SET TABLESPACE "fast_disk";'),
    (REWRITE, f"-- {CLUSTER}\nSELECT 'VACUUM FULL plans';"),
    (REWRITE, in_function('ALTER TABLE "plans" SET TABLESPACE "fast_disk";')),
    (BACKFILL_RULE, new_table("users").replace('"email" text', '"plan" text') + BACKFILL),
    (BACKFILL_RULE, f"-- {BACKFILL}\nSELECT 1;"),
    (BACKFILL_RULE, "SELECT 'UPDATE users SET plan = 1 WHERE true';"),
    (BACKFILL_RULE, in_function(BACKFILL)),
    (BACKFILL_RULE, "INSERT INTO \"users\" (\"plan\") VALUES ('free');"),
]


@pytest.mark.parametrize(("rule_id", "sql"), BAD)
def test_fires_once_on_an_existing_table(rule_id: str, sql: str) -> None:
    findings = fired(sql, rule_id)
    assert len(findings) == 1, lint_text(sql).findings
    assert findings[0].severity == "warning"


@pytest.mark.parametrize(("rule_id", "sql"), GOOD)
def test_silent_on_safe_paths_and_traps(rule_id: str, sql: str) -> None:
    assert fired(sql, rule_id) == []


@pytest.mark.parametrize(
    ("rule_id", "sql", "hot"),
    [
        (FOREIGN_KEY, FK, "tasks"),
        (FOREIGN_KEY, FK, "modules"),  # the referenced table is locked too
        (FOREIGN_KEY, 'ALTER TABLE "tasks" ADD COLUMN "o" uuid REFERENCES "users"("id");',
         "users"),
        (CHECK_RULE, CHECK, "plans"),
        (UNIQUE_RULE, UNIQUE, "users"),
        (VOLATILE_RULE, VOLATILE, "users"),
        (REWRITE, CLUSTER, "plans"),
        (REWRITE, 'VACUUM FULL "users", "plans";', "plans"),
        (BACKFILL_RULE, BACKFILL, "users"),
        (DROP_INDEX, 'CREATE INDEX "u_idx" ON "users" ("email");\nDROP INDEX "u_idx";', "users"),
    ],
)
def test_a_hot_table_raises_it_to_error(rule_id: str, sql: str, hot: str) -> None:
    [finding] = fired(sql, rule_id, hot_tables=frozenset({hot}))
    assert finding.severity == "error"
    [finding] = fired(sql, rule_id, hot_tables=frozenset({"somewhere_else"}))
    assert finding.severity == "warning"


def test_drop_index_names_the_table_from_the_history() -> None:
    sql = 'CREATE INDEX "users_email_idx" ON public.users ("email");\nDROP INDEX "public"."users_email_idx";'
    [finding] = fired(sql, DROP_INDEX)
    assert "users_email_idx (on users)" in finding.message
    assert finding.line == 2
