"""Transaction rules: statements that fail inside the one transaction Drizzle's migrator opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths, lint_text
from tests.helpers import fired, in_do_block, in_function, write_drizzle

CONCURRENTLY = "concurrently-in-transaction"
NON_TRANSACTIONAL = "non-transactional-statement"
CONTROL = "transaction-control"
ENUM_VALUE = "enum-value-used-in-same-transaction"

ADD_VALUE = 'ALTER TYPE "public"."plan_status" ADD VALUE \'archived\';--> statement-breakpoint\n'
USE_VALUE = 'UPDATE "plans" SET "status" = \'archived\' WHERE "deleted_at" IS NOT NULL;'
CREATE_INDEX = 'CREATE INDEX CONCURRENTLY "plans_topic_idx" ON "plans" ("topic");'


def added_if_missing(labels: str) -> str:
    """The enum created with `labels`, then 'archived' added to it IF NOT EXISTS, then used."""
    return (
        f"CREATE TYPE plan_status AS ENUM ({labels});\n"
        "ALTER TYPE plan_status ADD VALUE IF NOT EXISTS 'archived';--> statement-breakpoint\n" + USE_VALUE
    )


BAD = [
    (CONCURRENTLY, CREATE_INDEX),
    (CONCURRENTLY, "create unique index concurrently if not exists plans_topic_idx on public.plans (topic);"),
    (CONCURRENTLY, 'CREATE TABLE "notes" ("id" uuid);\nCREATE INDEX CONCURRENTLY "n_idx" ON "notes" ("id");'),
    (CONCURRENTLY, 'DROP INDEX CONCURRENTLY IF EXISTS "public"."plans_topic_idx";'),
    (CONCURRENTLY, 'REINDEX INDEX CONCURRENTLY "plans_topic_idx";'),
    (CONCURRENTLY, "reindex (verbose) table concurrently plans;"),
    (CONCURRENTLY, 'ALTER TABLE "public"."events" DETACH PARTITION "events_2023" CONCURRENTLY;'),
    (CONCURRENTLY, in_do_block(CREATE_INDEX)),
    (NON_TRANSACTIONAL, "VACUUM;"),
    (NON_TRANSACTIONAL, 'vacuum analyze "public"."plans";'),
    (NON_TRANSACTIONAL, 'VACUUM (FULL, VERBOSE) "Plans";'),
    (NON_TRANSACTIONAL, 'CREATE DATABASE "scratch";'),
    (NON_TRANSACTIONAL, "drop database if exists scratch;"),
    (NON_TRANSACTIONAL, "ALTER SYSTEM SET work_mem = '64MB';"),
    (NON_TRANSACTIONAL, "CREATE TABLESPACE fast_disk LOCATION '/mnt/fast';"),
    (ENUM_VALUE, ADD_VALUE + USE_VALUE),
    (ENUM_VALUE, "alter type plan_status add value if not exists 'archived';\n" + USE_VALUE.lower()),
    (ENUM_VALUE, ADD_VALUE + 'ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT \'archived\';'),
    (ENUM_VALUE, ADD_VALUE + in_do_block(USE_VALUE)),
    (ENUM_VALUE, in_do_block("ALTER TYPE plan_status ADD VALUE 'archived';") + "\n" + USE_VALUE),
    (ENUM_VALUE, ADD_VALUE + 'CREATE POLICY "p" ON "plans" FOR SELECT USING ("status" <> \'archived\');'),
    (ENUM_VALUE, ADD_VALUE + USE_VALUE + "\n" + USE_VALUE),  # one finding, however many uses
    (ENUM_VALUE, "ALTER TYPE plan_status ADD VALUE 'arch'\n  'ived';\n" + USE_VALUE),  # one string to Postgres
    (CONTROL, 'ALTER TABLE "users" ADD COLUMN "bio" text;\nCOMMIT;'),
    (CONTROL, "end;"),
    (CONTROL, "ROLLBACK;"),
    (CONTROL, "start transaction isolation level serializable;"),
    # uses outside the statements of a DO block: a condition, a declaration, an assignment
    (
        ENUM_VALUE,
        ADD_VALUE + "DO $$ BEGIN IF EXISTS (SELECT 1 FROM plans WHERE status = 'archived') THEN "
        "RAISE NOTICE 'found'; END IF; END $$;",
    ),
    (ENUM_VALUE, ADD_VALUE + "DO $$ DECLARE s plan_status := 'archived'; BEGIN NULL; END $$;"),
    (ENUM_VALUE, ADD_VALUE + "DO $$ DECLARE s plan_status; BEGIN s := 'archived'; END $$;"),
    # Postgres checks a body in SQL when it creates the routine (each checked on Postgres 16.2).
    (
        ENUM_VALUE,
        ADD_VALUE + "CREATE FUNCTION f() RETURNS plan_status LANGUAGE sql AS $$ SELECT 'archived'::plan_status $$;",
    ),
    (ENUM_VALUE, ADD_VALUE + "CREATE PROCEDURE p() AS 'SELECT ''archived''::plan_status' LANGUAGE SQL;"),
    (ENUM_VALUE, ADD_VALUE + "CREATE FUNCTION f() RETURNS plan_status LANGUAGE sql RETURN 'archived'::plan_status;"),
    (
        ENUM_VALUE,
        ADD_VALUE + "CREATE FUNCTION f() RETURNS plan_status BEGIN ATOMIC SELECT 'archived'::plan_status; END;",
    ),
    # The label RENAME VALUE gives the uncommitted value is just as new.
    (
        ENUM_VALUE,
        ADD_VALUE + "ALTER TYPE plan_status RENAME VALUE 'archived' TO 'closed';\n"
        "UPDATE plans SET status = 'closed' WHERE id = 1;",
    ),
    (NON_TRANSACTIONAL, "CLUSTER;"),
    (NON_TRANSACTIONAL, "cluster verbose;"),
    # Cast to the enum, or on through another type to it: a value of it all the same.
    (ENUM_VALUE, ADD_VALUE + "SELECT CAST('archived' AS public.plan_status);"),
    (ENUM_VALUE, ADD_VALUE + "SELECT 'archived'::text::plan_status;"),
    # IF NOT EXISTS of a label the history does not show: it is added.
    (ENUM_VALUE, added_if_missing("'draft'")),
]

GOOD = [
    (CONCURRENTLY, 'CREATE INDEX "plans_topic_idx" ON "plans" ("topic");'),
    (CONCURRENTLY, 'DROP INDEX "plans_topic_idx";'),
    (CONCURRENTLY, 'ALTER TABLE "events" DETACH PARTITION "events_2023";'),
    (CONCURRENTLY, f"-- {CREATE_INDEX}\nSELECT 'CREATE INDEX CONCURRENTLY x ON y (z)';"),
    (CONCURRENTLY, in_function('DROP INDEX CONCURRENTLY "plans_topic_idx";')),
    (NON_TRANSACTIONAL, 'ANALYZE "plans";'),
    (NON_TRANSACTIONAL, "-- VACUUM;\nSELECT 'VACUUM FULL plans';"),
    (NON_TRANSACTIONAL, in_function("VACUUM plans;")),
    (NON_TRANSACTIONAL, "CREATE SCHEMA scratch;"),
    (ENUM_VALUE, ADD_VALUE + USE_VALUE.replace("archived", "deleted")),
    (ENUM_VALUE, ADD_VALUE + "-- SET status = 'archived' next release\nSELECT 1;"),
    (ENUM_VALUE, ADD_VALUE + in_function(USE_VALUE)),
    (ENUM_VALUE, ADD_VALUE + "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'kept' $$;"),
    (ENUM_VALUE, ADD_VALUE + "ALTER TYPE plan_status RENAME VALUE 'archived' TO 'closed';\nSELECT 'other';"),
    (ENUM_VALUE, ADD_VALUE + "ALTER TYPE other_status RENAME VALUE 'archived' TO 'closed';\nSELECT 'closed';"),
    (NON_TRANSACTIONAL, 'CLUSTER "plans" USING "plans_pkey";'),
    # Cast to another type, the literal is no value of this enum (each checked on Postgres 16.2).
    (ENUM_VALUE, ADD_VALUE + "INSERT INTO notes (body) VALUES ('archived'::text);"),
    (ENUM_VALUE, ADD_VALUE + "SELECT CAST('archived' AS other_status), 'archived'::varchar(20);"),
    # IF NOT EXISTS of a label the history already shows adds nothing.
    (ENUM_VALUE, added_if_missing("'draft', 'archived'")),
    # A guard that reads pg_enum compares the label as a name (as a real history does; Postgres 16.2
    # runs it in the transaction that added the value).
    (
        ENUM_VALUE,
        ADD_VALUE + "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_enum e JOIN pg_type t ON e.enumtypid = t.oid "
        "WHERE t.typname = 'plan_status' AND e.enumlabel = 'archived') THEN "
        "ALTER TYPE plan_status ADD VALUE 'archived'; END IF; END $$;",
    ),
    (ENUM_VALUE, ADD_VALUE + "SELECT 1 FROM pg_enum WHERE 'archived' = enumlabel;"),
    # An identifier is not a literal.
    (ENUM_VALUE, ADD_VALUE + 'ALTER TABLE "plans" ADD COLUMN "archived" boolean;'),
    (ENUM_VALUE, USE_VALUE + "\n" + ADD_VALUE),  # only statements after the ADD VALUE count
    # Naming the new label in ALTER TYPE or COMMENT is not a use (checked against Postgres 16).
    (ENUM_VALUE, ADD_VALUE + "ALTER TYPE \"plan_status\" ADD VALUE 'paused' BEFORE 'archived';"),
    (ENUM_VALUE, ADD_VALUE + "COMMENT ON TYPE \"plan_status\" IS 'archived';"),
    (ENUM_VALUE, ADD_VALUE + "DO $$ BEGIN RAISE NOTICE 'archived'; END $$;"),  # a message
    (CONTROL, 'SAVEPOINT "s";\nROLLBACK TO SAVEPOINT "s";\nRELEASE SAVEPOINT "s";'),
    (CONTROL, 'SAVEPOINT "s";\nROLLBACK WORK TO SAVEPOINT "s";\nROLLBACK TRANSACTION TO "s";'),
    (CONTROL, "DO $$ BEGIN IF true THEN NULL; END IF; END $$;"),  # a PL/pgSQL block, not a transaction
    # Drizzle's enum block for another enum that shares the label
    (ENUM_VALUE, ADD_VALUE + in_do_block("CREATE TYPE \"other\" AS ENUM('archived', 'live');")),
]


@pytest.mark.parametrize(("rule_id", "sql"), BAD)
def test_fires_once_under_a_transactional_runner(rule_id: str, sql: str) -> None:
    findings = fired(sql, rule_id)
    assert len(findings) == 1, lint_text(sql).findings
    assert findings[0].severity == "error"


@pytest.mark.parametrize(("rule_id", "sql"), GOOD)
def test_silent_on_statements_that_run_in_a_transaction(rule_id: str, sql: str) -> None:
    assert fired(sql, rule_id) == []


def _alone_in_its_piece(sql: str) -> bool:
    return all(piece.count(";") <= 1 for piece in sql.split("--> statement-breakpoint"))


@pytest.mark.parametrize(
    ("rule_id", "sql"),
    [
        case
        for case in BAD
        if case[0] != ENUM_VALUE
        and "DO $$" not in case[1]
        and _alone_in_its_piece(case[1])
        and not case[1].startswith("start transaction")  # never committed: see below
    ],
)
def test_silent_with_a_non_transactional_runner(rule_id: str, sql: str) -> None:
    assert fired(sql, rule_id, transactional=False) == []


@pytest.mark.parametrize(("rule_id", "sql"), [case for case in BAD if case[0] != ENUM_VALUE and "DO $$" in case[1]])
def test_fires_inside_a_do_block_even_with_a_non_transactional_runner(rule_id: str, sql: str) -> None:
    [finding] = fired(sql, rule_id, transactional=False)
    assert "inside a DO block" in finding.message


def test_enum_value_used_in_the_same_do_block_with_a_non_transactional_runner() -> None:
    # A DO block is one transaction of its own, whatever the runner does.
    add_value = ADD_VALUE.removesuffix("--> statement-breakpoint\n")
    same_block = f"DO $$ BEGIN\n{add_value}\n{USE_VALUE}\nEND $$;"
    assert len(fired(same_block, ENUM_VALUE, transactional=False)) == 1
    assert fired(ADD_VALUE + USE_VALUE, ENUM_VALUE, transactional=False) == []
    assert fired(in_do_block(ADD_VALUE) + "\n" + USE_VALUE, ENUM_VALUE, transactional=False) == []


@pytest.mark.parametrize("opening", ["BEGIN;", "START TRANSACTION;", "begin transaction;"])
def test_a_transaction_block_written_in_the_file_counts_with_a_non_transactional_runner(opening: str) -> None:
    index = 'CREATE INDEX CONCURRENTLY "i" ON "plans" ("topic");'
    [finding] = fired(f"{opening}\n{index}\nCOMMIT;", "concurrently-in-transaction", transactional=False)
    assert "the transaction block the file opens with BEGIN" in finding.message
    after_commit = f"{opening}\nCOMMIT;--> statement-breakpoint\n{index}"
    assert fired(after_commit, "concurrently-in-transaction", transactional=False) == []
    add_value = ADD_VALUE.removesuffix("--> statement-breakpoint\n")
    assert len(fired(f"{opening}\n{add_value}\n{USE_VALUE}\nCOMMIT;", ENUM_VALUE, transactional=False)) == 1
    assert fired(f"{opening}\n{add_value}\nCOMMIT;\n{USE_VALUE}", ENUM_VALUE, transactional=False) == []


@pytest.mark.parametrize("opening", ["BEGIN;", "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;", "begin work;"])
def test_a_transaction_the_file_never_commits_is_lost_with_a_non_transactional_runner(
    opening: str, tmp_path: Path
) -> None:
    # Postgres 16.2 leaves the session in the transaction after the file; the runner's disconnect
    # then rolls back the table, and no error is raised.
    table = 'CREATE TABLE "notes" ("id" int);'
    [finding] = fired(f"{opening}\n{table}", CONTROL, transactional=False)
    assert finding.message.startswith(opening.split()[0].rstrip(";").upper())
    assert "opens a transaction this file never commits" in finding.message
    assert finding.hint == "end the file's transaction with COMMIT"
    for closing in ("COMMIT;", "END;", "ROLLBACK;", "COMMIT AND CHAIN;\nCOMMIT;"):
        assert fired(f"{opening}\n{table}\n{closing}", CONTROL, transactional=False) == [], closing
    # AND CHAIN commits and opens the next transaction at once: the statements after it are lost.
    assert len(fired(f"{opening}\n{table}\nCOMMIT AND CHAIN;\n{table}", CONTROL, transactional=False)) == 1
    # Deployed on its own, the first file leaves its transaction open: the second's COMMIT is no help.
    folder = write_drizzle(tmp_path / "m", {"0000_open": f"{opening}\n{table}", "0001_close": "COMMIT;"})
    findings = lint_paths([folder], LintOptions(transactional=False)).findings
    assert [(f.rule, f.file.rsplit("/", 1)[-1]) for f in findings] == [(CONTROL, "0000_open.sql")]


def test_a_commit_inside_a_do_block_breaks_the_migrators_transaction_too() -> None:
    assert len(fired("DO $$ BEGIN COMMIT; END $$;", CONTROL)) == 1
    assert fired("DO $$ BEGIN COMMIT; END $$;", CONTROL, transactional=False) == []


def test_a_savepoint_rollback_or_a_chained_commit_keeps_the_files_transaction_open() -> None:
    index = 'CREATE INDEX CONCURRENTLY "i" ON "plans" ("topic");'
    for middle in ("SAVEPOINT a;\nROLLBACK TO SAVEPOINT a;", "COMMIT AND CHAIN;"):
        sql = f"BEGIN;\n{middle}\n{index}\nCOMMIT;"
        assert len(fired(sql, "concurrently-in-transaction", transactional=False)) == 1, middle


@pytest.mark.parametrize("finish", ["COMMIT PREPARED 'tx1';", "rollback prepared 'tx1';"])
def test_finishing_a_prepared_transaction_cannot_run_in_one_and_ends_none(finish: str) -> None:
    [finding] = fired(finish, NON_TRANSACTIONAL)
    assert "cannot run inside the migration transaction" in finding.message
    assert fired(finish, CONTROL) == []
    assert fired(finish, NON_TRANSACTIONAL, transactional=False) == []
    # The runner's transaction goes on after it.
    assert len(fired(f"{finish}{BREAK}{CREATE_INDEX}", CONCURRENTLY)) == 1


@pytest.mark.parametrize("chain", ["COMMIT AND CHAIN;", "rollback and chain;"])
def test_a_chained_commit_starts_a_new_transaction(chain: str) -> None:
    # The value and the NOT VALID constraint are committed before the next transaction uses them.
    assert fired(f"{ADD_VALUE}{chain}{BREAK}{USE_VALUE}", ENUM_VALUE) == []
    add_check = 'ALTER TABLE "plans" ADD CONSTRAINT "c" CHECK ("n" > 0) NOT VALID;'
    validate = 'ALTER TABLE "plans" VALIDATE CONSTRAINT "c";'
    assert fired(f"{add_check}{BREAK}{chain}{BREAK}{validate}", "validate-in-same-transaction") == []
    assert len(fired(f"{add_check}{BREAK}{validate}", "validate-in-same-transaction")) == 1


def test_enum_finding_is_on_the_add_value_and_names_the_use() -> None:
    sql = ADD_VALUE + 'ALTER TABLE "plans" ADD COLUMN "note" text;\n' + USE_VALUE
    [finding] = fired(sql, ENUM_VALUE)
    assert finding.line == 1
    assert "line 3" in finding.message and "'archived'" in finding.message


def test_enum_value_used_by_a_later_file_of_the_same_batch(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "drizzle", {"0000_add_status": ADD_VALUE, "0001_archive": USE_VALUE})
    # drizzle-orm applies every pending file of a journal in one transaction (all of them on a new database).
    batched = lint_paths([folder], LintOptions()).findings
    [finding] = [f for f in batched if f.rule == ENUM_VALUE]
    assert "0001_archive" in finding.message
    # Loose files are applied one by one: each commits before the next one uses the value.
    loose = [folder / "0000_add_status.sql", folder / "0001_archive.sql"]
    assert [f for f in lint_paths(loose, LintOptions()).findings if f.rule == ENUM_VALUE] == []


BREAK = "--> statement-breakpoint\n"


def test_a_commit_alone_in_its_piece_ends_the_migrators_transaction() -> None:
    # Verified on Postgres 15 through drizzle-orm: the index build after such a COMMIT succeeds.
    sql = f"COMMIT;{BREAK}{CREATE_INDEX}"
    assert fired(sql, CONCURRENTLY) == []
    [control] = fired(sql, CONTROL)
    assert control.line == 1
    # Until a BEGIN opens a block again.
    assert len(fired(f"COMMIT;{BREAK}BEGIN;{BREAK}{CREATE_INDEX}", CONCURRENTLY)) == 1


def test_a_commit_sharing_its_piece_leaves_the_rest_of_the_piece_in_a_transaction_block() -> None:
    [finding] = fired(f"COMMIT; {CREATE_INDEX}", CONCURRENTLY)
    assert "query shared with other statements" in finding.message


@pytest.mark.parametrize("transactional", [True, False])
def test_a_piece_holding_several_statements_is_a_transaction_block(transactional: bool) -> None:
    [finding] = fired(f"{CREATE_INDEX} SELECT 1;", CONCURRENTLY, transactional=transactional)
    assert len(fired("VACUUM; SELECT 1;", NON_TRANSACTIONAL, transactional=False)) == 1
    assert fired(f"{CREATE_INDEX}{BREAK}SELECT 1;", CONCURRENTLY, transactional=False) == []
    if not transactional:
        assert "query shared with other statements" in finding.message


def test_a_later_file_runs_in_a_runners_transaction_of_its_own_after_an_earlier_commit(tmp_path: Path) -> None:
    # Deployed after 0000 was applied, 0001 is the first file of the runner's transaction.
    add_check = 'ALTER TABLE "plans" ADD CONSTRAINT "c" CHECK ("n" > 0) NOT VALID;'
    validate = 'ALTER TABLE "plans" VALIDATE CONSTRAINT "c";'
    set_default = 'ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT \'archived\';'
    later = f"{CREATE_INDEX}{BREAK}{ADD_VALUE}{set_default}{BREAK}{add_check}{BREAK}{validate}"
    folder = write_drizzle(tmp_path / "drizzle", {"0000_leave": "COMMIT;", "0001_index": later})
    findings = lint_paths([folder], LintOptions()).findings
    assert [(Path(f.file).stem, f.rule) for f in findings] == [
        ("0000_leave", CONTROL),
        ("0001_index", CONCURRENTLY),
        ("0001_index", ENUM_VALUE),
        ("0001_index", "validate-in-same-transaction"),
    ]
    assert "inside the migration transaction" in findings[1].message
    # A COMMIT of its own lets the file leave the transaction.
    escaped = write_drizzle(
        tmp_path / "escaped", {"0000_leave": "COMMIT;", "0001_index": f"COMMIT;{BREAK}{CREATE_INDEX}"}
    )
    assert [f.rule for f in lint_paths([escaped], LintOptions()).findings] == [CONTROL, CONTROL]


# Each refused, and each accepted, on Postgres 16.2 as drizzle-orm sends it (a query per piece).
@pytest.mark.parametrize(
    ("sql", "transactional", "start"),
    [
        ("SAVEPOINT a;", False, "SAVEPOINT runs in autocommit"),
        ("release savepoint a;", False, "RELEASE SAVEPOINT runs in autocommit"),
        ("ROLLBACK TO SAVEPOINT a;", False, "ROLLBACK TO SAVEPOINT runs in autocommit"),
        ("rollback work to a;", False, "ROLLBACK TO SAVEPOINT runs in autocommit"),
        (f"COMMIT;{BREAK}SAVEPOINT a;", True, "SAVEPOINT runs in autocommit"),  # the COMMIT piece ended the runner's
        (
            "SAVEPOINT a; SELECT 1;",
            False,
            "SAVEPOINT runs in the implicit transaction of a query shared with other statements",
        ),
        ("DO $$ BEGIN SAVEPOINT a; END $$;", True, "SAVEPOINT runs in a DO block"),
    ],
)
def test_a_savepoint_outside_a_transaction_block_fails_the_deploy(sql: str, transactional: bool, start: str) -> None:
    [finding] = [f for f in fired(sql, CONTROL, transactional=transactional) if "COMMIT" not in f.message]
    assert finding.message.startswith(start)
    assert finding.message.endswith("where Postgres refuses it: the deploy fails on this line")
    assert finding.severity == "error"


@pytest.mark.parametrize(
    ("sql", "transactional"),
    [
        (f"SAVEPOINT a;{BREAK}SELECT 1;{BREAK}RELEASE SAVEPOINT a;", True),
        ("SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a;", True),
        (f"BEGIN;{BREAK}SAVEPOINT a;{BREAK}ROLLBACK TO a;{BREAK}RELEASE a;{BREAK}COMMIT;", False),
    ],
)
def test_a_savepoint_inside_a_transaction_block_is_fine(sql: str, transactional: bool) -> None:
    assert fired(sql, CONTROL, transactional=transactional) == []


# Each as Postgres 16.2 runs it in one transaction: "savepoint ... does not exist", or accepted.
@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("RELEASE nosuch;", "RELEASE SAVEPOINT nosuch"),
        ("ROLLBACK TO nosuch;", "ROLLBACK TO SAVEPOINT nosuch"),
        (f"SAVEPOINT a;{BREAK}RELEASE a;{BREAK}RELEASE a;", "RELEASE SAVEPOINT a"),  # released already
        (f"SAVEPOINT a;{BREAK}SAVEPOINT b;{BREAK}RELEASE a;{BREAK}ROLLBACK TO b;", "ROLLBACK TO SAVEPOINT b"),
        (f'SAVEPOINT "A";{BREAK}RELEASE a;', "RELEASE SAVEPOINT a"),
        (f"SAVEPOINT a;{BREAK}ROLLBACK TO a;{BREAK}ROLLBACK TO SAVEPOINT a;{BREAK}RELEASE a;", None),
        (f"SAVEPOINT a;{BREAK}SAVEPOINT a;{BREAK}RELEASE a;{BREAK}RELEASE a;", None),  # each its own
        (f"SAVEPOINT A;{BREAK}RELEASE a;", None),
    ],
)
def test_a_savepoint_released_or_rolled_back_to_must_be_open(sql: str, refused: str | None) -> None:
    found = [f.message for f in fired(sql, CONTROL)]
    assert found == (
        []
        if refused is None
        else [
            f"{refused} names no savepoint open at this point of the "
            "file's transaction, and Postgres refuses it: the deploy fails on this line"
        ]
    )


def test_a_savepoint_of_an_earlier_file_is_not_there_when_the_file_is_deployed_alone(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "drizzle", {"0000_set": "SAVEPOINT a;", "0001_release": "RELEASE a;"})
    [finding] = [f for f in lint_paths([folder], LintOptions()).findings if f.rule == CONTROL]
    assert finding.file.endswith("0001_release.sql")


def test_a_release_naming_no_savepoint_is_no_savepoint_named_none() -> None:
    assert fired(f"SAVEPOINT a;{BREAK}RELEASE;", CONTROL) == []  # a syntax error, not a missing savepoint
