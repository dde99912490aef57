"""The staged rule's checks on real databases standing in for production and staging."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.replay import replay_database
from migrations_checks.db.staged import deprecation_problems, drift_problems, unstaged_problems
from migrations_checks.db.status import DatabaseStatus, read_status
from migrations_checks.lint.reader import MigrationSet, read_folder
from tests.helpers.history import HistoryFactory, journal_prefix


@pytest.fixture
def databases(scratch_server: ScratchServer, settings: MigrationSettings) -> Iterator[tuple[str, str]]:
    """(production, staging): two prepared scratch databases."""
    with ExitStack() as stack:
        yield (
            stack.enter_context(replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5))),
            stack.enter_context(replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5))),
        )


def migrated(url: str, history: MigrationSet, count: int, settings: MigrationSettings) -> DatabaseStatus:
    apply_pending(
        url, journal_prefix(history, count), lock_timeout="2s", statement_timeout="20s", connect_budget=ConnectBudget(5)
    )
    return read_status(url, history, connect_budget=ConnectBudget(5))


def test_a_release_that_ran_on_staging_passes(
    databases: tuple[str, str], example: MigrationSet, settings: MigrationSettings
) -> None:
    production = migrated(databases[0], example, 5, settings)
    staging = migrated(databases[1], example, 6, settings)

    assert drift_problems("production", production) + drift_problems("staging", staging) == []
    assert unstaged_problems(production, staging) == []
    assert deprecation_problems(example.files, production) == []


def test_a_migration_staging_has_not_run_is_reported(
    databases: tuple[str, str], example: MigrationSet, settings: MigrationSettings
) -> None:
    production = migrated(databases[0], example, 4, settings)
    staging = migrated(databases[1], example, 5, settings)

    assert unstaged_problems(production, staging) == [
        "0005_validate_cap_drop_lock_columns is pending on production but pending on staging: "
        "deploy it to staging (and let it run there) before production"
    ]


def test_a_drop_before_its_deprecation_is_live_is_reported(
    databases: tuple[str, str], example: MigrationSet, settings: MigrationSettings
) -> None:
    production = migrated(databases[0], example, 1, settings)

    problems = deprecation_problems(example.files, production)

    assert problems == [
        f"0005_validate_cap_drop_lock_columns drops job_queue.{column}, deprecated in 0001_plan_archived_at, "
        "which is pending on production: release the deprecation to production first"
        for column in ("locked_at", "locked_by")
    ]


def test_an_edited_migration_on_staging_is_drift(
    databases: tuple[str, str], make_history: HistoryFactory, settings: MigrationSettings
) -> None:
    history = make_history([("0000_a", "CREATE TABLE a (id int);", None)])
    migrated(databases[1], history, 1, settings)
    history.files[0].path.write_text("CREATE TABLE a (id bigint);")
    assert history.root is not None

    staging = read_status(databases[1], read_folder(history.root), connect_budget=ConnectBudget(5))

    (problem,) = drift_problems("staging", staging)
    assert problem.startswith("staging: applied-migration-edited: 0000_a.sql changed after it was applied")
