"""Which drops rely on a deprecation marker: the link the staged rule and the review both check."""

from __future__ import annotations

from pathlib import Path

from migrations_checks.lint.deprecations import ReliedDeprecation, relied_deprecations
from migrations_checks.lint.reader import read_folder
from tests.helpers import write_drizzle

EXAMPLE = Path(__file__).parents[2] / "examples" / "atlaris" / "migrations"
DROPS = "0005_validate_cap_drop_lock_columns"


def test_drops_rely_only_on_earlier_deprecations() -> None:
    relied = relied_deprecations(read_folder(EXAMPLE).files, {DROPS})

    assert relied == [
        ReliedDeprecation(DROPS, "0001_plan_archived_at", "job_queue.locked_at", 11),
        ReliedDeprecation(DROPS, "0001_plan_archived_at", "job_queue.locked_by", 12),
    ]


def test_a_marker_in_the_dropping_migration_itself_is_not_relied_on(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path,
        {
            "0000_users": 'CREATE TABLE "users" ("id" int, "bio" text);\n',
            "0001_drop": '-- gates: deprecate column users.bio\nALTER TABLE "users" DROP COLUMN "bio";\n',
        },
    )

    assert relied_deprecations(read_folder(folder).files, {"0001_drop"}) == []


def test_the_first_marker_of_an_object_is_the_one_relied_on(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path,
        {
            "0000_users": 'CREATE TABLE "users" ("id" int);\n-- gates: deprecate table users\n',
            "0001_again": "-- gates: deprecate table users\nSELECT 1;\n",
            "0002_drop": 'DROP TABLE "users";\n',
        },
    )

    assert relied_deprecations(read_folder(folder).files, {"0002_drop"}) == [
        ReliedDeprecation("0002_drop", "0000_users", "users", 1)
    ]


def test_a_column_drop_relies_on_its_table_s_deprecation(tmp_path: Path) -> None:
    folder = write_drizzle(
        tmp_path,
        {
            "0000_users": 'CREATE TABLE "users" ("id" int, "bio" text);\n-- gates: deprecate table users\n',
            "0001_drop": 'ALTER TABLE "users" DROP COLUMN "bio";\n',
        },
    )

    assert relied_deprecations(read_folder(folder).files, {"0001_drop"}) == [
        ReliedDeprecation("0001_drop", "0000_users", "users.bio", 1)
    ]
