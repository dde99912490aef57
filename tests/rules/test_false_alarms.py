"""False alarms the catalogue revision removed: each statement below used to be reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.engine import lint_paths
from tests.helpers import fired, write_drizzle

BREAK = "--> statement-breakpoint\n"
DROP_DEFAULT = 'ALTER TABLE "plans" ALTER COLUMN "status" DROP DEFAULT;'
SET_DEFAULT = 'ALTER TABLE "plans" ALTER COLUMN "status" SET DEFAULT \'draft\';'
DROP_POLICY = 'DROP POLICY "plans_owner_read" ON "plans";'


def test_a_default_dropped_then_set_again_is_replaced() -> None:
    assert fired(DROP_DEFAULT + BREAK + SET_DEFAULT, "drop-default") == []
    assert fired(SET_DEFAULT + BREAK + DROP_DEFAULT, "drop-default") != []  # set first: it ends up absent
    other_column = SET_DEFAULT.replace('"status"', '"kind"')
    assert fired(DROP_DEFAULT + BREAK + other_column, "drop-default") != []
    # In one statement, as a later subcommand; set first, it is dropped in the end.
    assert fired(DROP_DEFAULT.replace(";", ", ALTER COLUMN \"status\" SET DEFAULT 'x';"), "drop-default") == []
    assert fired(SET_DEFAULT.replace(";", ', ALTER COLUMN "status" DROP DEFAULT;'), "drop-default") != []
    # A COMMIT piece between them: the running release sees the column without a default meanwhile.
    assert fired(DROP_DEFAULT + BREAK + "COMMIT;" + BREAK + SET_DEFAULT, "drop-default") != []
    # A SET DEFAULT that may not run, may be undone, or is another column's excuses nothing.
    for between, after in (
        ("DO $$ BEGIN IF false THEN ", " END IF; END $$;"),
        ('SAVEPOINT "s";\n', '\nROLLBACK TO SAVEPOINT "s";'),
        ('ALTER TABLE "plans" RENAME COLUMN "status" TO "old";\nALTER TABLE "plans" RENAME "kind" TO "status";\n', ""),
    ):
        assert fired(DROP_DEFAULT + BREAK + between + SET_DEFAULT + after, "drop-default") != [], between


def test_a_default_set_again_in_a_later_file_does_not_excuse_the_drop(tmp_path: Path) -> None:
    # The later file may be a later release's: deployed on its own, this one leaves no default.
    files = {"0000_init": 'CREATE TABLE "plans" ("status" text DEFAULT \'draft\');', "0001_drop": DROP_DEFAULT}
    folder = write_drizzle(tmp_path / "m", {**files, "0002_set": SET_DEFAULT})
    findings = lint_paths([folder], LintOptions()).findings
    assert [(f.rule, Path(f.file).stem) for f in findings] == [("drop-default", "0001_drop")]


@pytest.mark.parametrize("null", ["NULL", "null::text", "(NULL)"])
def test_a_default_set_to_null_is_removed_not_replaced(null: str) -> None:
    # Postgres stores no NULL default: the column is left without one, as DROP DEFAULT leaves it.
    set_null = SET_DEFAULT.replace("'draft'", null)
    assert fired(DROP_DEFAULT + BREAK + set_null, "drop-default") != []
    [finding] = fired(set_null, "drop-default")
    assert "drops the default of plans.status" in finding.message


@pytest.mark.parametrize(
    "rule_id, statement",
    [("truncate-table", 'TRUNCATE "scratch";'), ("delete-without-where", 'DELETE FROM "scratch";')],
)
def test_emptying_a_temp_table_or_one_created_in_the_file(rule_id: str, statement: str) -> None:
    assert fired('CREATE TEMP TABLE "scratch" ("id" int);\n' + statement, rule_id) == []
    assert fired("create temporary table scratch as select 1 as id;\n" + statement, rule_id) == []
    assert fired('CREATE TABLE "scratch" ("id" int);\n' + statement, rule_id) == []
    # A table of pg_temp is the session's own, whoever created it, and its bare name finds it first.
    assert fired(statement.replace('"scratch"', 'pg_temp."scratch"'), rule_id) == []
    assert fired('CREATE TABLE pg_temp."scratch" ("id" int);\n' + statement, rule_id) == []
    assert len(fired(statement, rule_id)) == 1


@pytest.mark.parametrize(
    "rule_id, statement",
    [
        ("truncate-table", 'TRUNCATE "plans";'),
        ("set-not-null", 'ALTER TABLE "plans" ALTER COLUMN "c" SET NOT NULL;'),
        ("create-index-non-concurrently", 'CREATE INDEX "plans_c_idx" ON "plans" ("c");'),
    ],
)
def test_a_name_dropped_in_the_file_is_no_longer_new(rule_id: str, statement: str) -> None:
    # Postgres 16.2: once the TEMP table that hid it is dropped, `plans` is the live table again.
    temp = 'CREATE TEMP TABLE "plans" ("c" int);\n'
    assert fired(temp + statement, rule_id) == []
    assert len(fired(temp + 'DROP TABLE "plans";\n' + statement, rule_id)) == 1
    renamed = 'CREATE TABLE "draft" ("c" int);\nALTER TABLE "draft" RENAME TO "plans";\n'
    assert fired(renamed + statement, rule_id) == []  # new under its new name


@pytest.mark.parametrize(
    "created_by",
    [
        'SELECT * INTO "scratch" FROM "plans";',
        "select id into temporary table scratch from plans where false;",
        "WITH kept AS (SELECT id FROM plans) SELECT id INTO UNLOGGED scratch FROM kept;",
    ],
)
def test_a_table_created_by_select_into_holds_no_live_rows(created_by: str) -> None:
    # SELECT INTO creates the table, as CREATE TABLE AS does (checked on Postgres 16.2).
    assert fired(created_by + '\nTRUNCATE "scratch";', "truncate-table") == []


def test_select_into_in_a_plpgsql_body_assigns_a_variable() -> None:
    block = "DO $$ DECLARE scratch int; BEGIN SELECT count(*) INTO scratch FROM plans; END $$;\n"
    assert len(fired(block + 'TRUNCATE "scratch";', "truncate-table")) == 1
    assert len(fired('SELECT 1 FROM plans;\nTRUNCATE "scratch";', "truncate-table")) == 1


def test_a_table_created_by_an_earlier_file_still_counts_as_existing(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path / "d", {"0000": 'CREATE TABLE "scratch" ("id" int);', "0001": 'TRUNCATE "scratch";'}
    )
    assert [f.rule for f in lint_paths([folder], LintOptions()).findings] == ["truncate-table"]


def test_a_policy_dropped_with_its_table() -> None:
    assert fired(DROP_POLICY + BREAK + 'DROP TABLE "plans";', "drop-policy") == []
    assert len(fired(DROP_POLICY + BREAK + 'DROP TABLE "other";', "drop-policy")) == 1


def test_a_policy_dropped_with_its_table_under_a_new_name() -> None:
    """Policies follow their table through a rename, so the drop of the renamed table takes it."""
    renamed = 'ALTER TABLE "plans" RENAME TO "old_plans";'
    assert fired(DROP_POLICY + BREAK + renamed + BREAK + 'DROP TABLE "old_plans";', "drop-policy") == []
    assert len(fired(DROP_POLICY + BREAK + renamed + BREAK + 'DROP TABLE "plans";', "drop-policy")) == 1
    recreated = 'CREATE POLICY "plans_owner_read" ON "old_plans" USING (true);'
    assert fired(DROP_POLICY + BREAK + renamed + BREAK + recreated, "drop-policy") == []


def test_drop_policy_if_exists_of_a_policy_the_history_shows_absent(tmp_path: Path) -> None:
    create = 'CREATE TABLE "plans" ("id" uuid);'
    policy = 'CREATE POLICY "plans_owner_read" ON "plans" FOR SELECT USING (true);'
    drop_if_exists = 'DROP POLICY IF EXISTS "plans_owner_read" ON "plans";'
    never_created = write_drizzle(tmp_path / "a", {"0000": create, "0001": drop_if_exists})
    assert [f.rule for f in lint_paths([never_created], LintOptions()).findings] == []
    exists = write_drizzle(tmp_path / "b", {"0000": create + BREAK + policy, "0001": drop_if_exists})
    assert [f.rule for f in lint_paths([exists], LintOptions()).findings] == ["drop-policy"]
    # Without IF EXISTS, or on a table the history never created, the drop is reported.
    assert len(fired(create + BREAK + DROP_POLICY, "drop-policy")) == 1
    assert len(fired(drop_if_exists, "drop-policy")) == 1


def test_drop_policy_if_exists_of_a_policy_the_history_renamed(tmp_path: Path) -> None:
    create = 'CREATE TABLE "plans" ("id" uuid);' + BREAK
    create += 'CREATE POLICY "plans_owner_read" ON "plans" FOR SELECT USING (true);' + BREAK
    create += 'ALTER POLICY "plans_owner_read" ON "plans" RENAME TO "plans_read";'
    old_name = 'DROP POLICY IF EXISTS "plans_owner_read" ON "plans";'
    renamed = write_drizzle(tmp_path / "a", {"0000": create, "0001": old_name})
    assert [f.rule for f in lint_paths([renamed], LintOptions()).findings] == []
    new_name = write_drizzle(tmp_path / "b", {"0000": create, "0001": old_name.replace("owner_read", "read")})
    assert [f.rule for f in lint_paths([new_name], LintOptions()).findings] == ["drop-policy"]


def test_a_default_the_history_shows_the_column_never_had_is_no_change(tmp_path: Path) -> None:
    # Real histories drop defaults their columns never had (drizzle-kit's snapshots drift); Postgres
    # 16.2 then changes nothing, and no insert of the running release can notice.
    def drop_default_files(create: str, between: str = "SELECT 1;") -> list[str]:
        files = {"0000_init": create, "0001_between": between, "0002_drop": DROP_DEFAULT}
        folder = write_drizzle(tmp_path / f"m{len(list(tmp_path.iterdir()))}", files)
        return [Path(f.file).stem for f in lint_paths([folder], LintOptions()).findings if f.rule == "drop-default"]

    assert drop_default_files('CREATE TABLE "plans" ("status" text NOT NULL);') == []
    assert drop_default_files('CREATE TABLE "plans" ("status" text DEFAULT NULL);') == []
    assert drop_default_files('CREATE TABLE "plans" ("status" text DEFAULT \'draft\');') == ["0002_drop"]
    assert drop_default_files('CREATE TABLE "plans" ("status" serial);') == ["0002_drop"]
    assert drop_default_files('CREATE TABLE "plans" ("status" text);', SET_DEFAULT) == ["0002_drop"]
    assert drop_default_files(
        'CREATE TABLE "plans" ("id" int);', 'ALTER TABLE "plans" ADD "status" text DEFAULT \'x\';'
    ) == ["0002_drop"]
    renamed = 'ALTER TABLE "plans" RENAME COLUMN "status" TO "old";\nALTER TABLE "plans" RENAME "kind" TO "status";'
    assert drop_default_files('CREATE TABLE "plans" ("status" text DEFAULT \'x\', "kind" text);', renamed) == []
    assert drop_default_files('CREATE TABLE "plans" ("status" text, "kind" text DEFAULT \'x\');', renamed) == [
        "0002_drop"
    ]
    assert drop_default_files("SELECT 1;") == ["0002_drop"]  # a table the history does not show


def test_a_temp_table_dropped_by_its_schema_no_longer_hides_the_live_one() -> None:
    sql = 'CREATE TEMP TABLE "plans" ("c" int);\nDROP TABLE pg_temp."plans";\nTRUNCATE "plans";'
    assert len(fired(sql, "truncate-table")) == 1


def _findings(tmp_path: Path, migration: str) -> list[tuple[str, int]]:
    """What a migration after one that creates the live `plans` (its `topic` NOT NULL) is told."""
    live = 'CREATE TABLE "plans" ("id" int PRIMARY KEY, "topic" text NOT NULL, "note" text);'
    folder = write_drizzle(tmp_path / f"m{len(list(tmp_path.iterdir()))}", {"0000_init": live, "0001_temp": migration})
    return [(f.rule, f.line) for f in lint_paths([folder], LintOptions()).findings]


def test_a_temp_table_hides_the_live_one_only_until_it_is_dropped_or_renamed(tmp_path: Path) -> None:
    # Postgres 16.2: a TEMP table of a live table's name hides it, and once dropped or renamed, `plans`
    # is the live table again, its NOT NULL column as it was (setting it again is a no-op).
    temp = 'CREATE TEMP TABLE "plans" ("x" int);\n' + BREAK
    set_topic = 'ALTER TABLE "plans" ALTER COLUMN "topic" SET NOT NULL;'
    assert _findings(tmp_path, temp + 'DROP TABLE "plans";\n' + BREAK + set_topic) == []
    assert _findings(tmp_path, temp + 'ALTER TABLE "plans" RENAME TO "scratch";\n' + BREAK + set_topic) == []
    # ... and its nullable column is still one, and its rows still live ones
    set_note = 'ALTER TABLE "plans" ALTER COLUMN "note" SET NOT NULL;'
    assert _findings(tmp_path, temp + 'DROP TABLE "plans";\n' + BREAK + set_note) == [("set-not-null", 5)]
    renamed = temp + 'ALTER TABLE "plans" RENAME TO "scratch";\n' + BREAK
    assert _findings(tmp_path, renamed + 'DELETE FROM "scratch";\n' + BREAK + 'DELETE FROM "plans";') == [
        ("delete-without-where", 7)
    ]
    # IF NOT EXISTS looks in the session's own schema: the live table does not stop the TEMP one.
    temp_if_absent = 'CREATE TEMP TABLE IF NOT EXISTS "plans" ("x" int);\n' + BREAK
    assert _findings(tmp_path, temp_if_absent + 'TRUNCATE "plans";\n' + BREAK + 'DROP TABLE "plans";') == []


def test_a_temp_table_of_an_earlier_migration_is_gone_in_a_later_ones_session(tmp_path: Path) -> None:
    # A later deploy runs it in a session of its own: Postgres 16.2 then empties the live table.
    files = {
        "0000_init": 'CREATE TABLE "plans" ("id" int);',
        "0001_temp": 'CREATE TEMP TABLE "plans" ("x" int);',
        "0002_delete": 'DELETE FROM "plans";',
    }
    findings = lint_paths([write_drizzle(tmp_path / "m", files)], LintOptions()).findings
    assert [(f.rule, Path(f.file).stem) for f in findings] == [("delete-without-where", "0002_delete")]
