"""Fixtures for the replay tests: small Drizzle histories written on the fly, and prepared databases."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

from gates.config import MigrationSettings
from migrations_checks.db.run_sql import execute_file
from migrations_checks.lint.reader import MigrationSet, read_folder
from tests.helpers.config import EXAMPLE_MIGRATIONS, NEON_PRELUDE
from tests.helpers.history import HistoryFactory, Migration, write_history


@pytest.fixture
def make_history(tmp_path: Path) -> HistoryFactory:
    """Write a history under tmp_path and read it back as the migrator will."""

    def make(
        migrations: Sequence[Migration], whens: Sequence[int] | None = None, name: str = "migrations"
    ) -> MigrationSet:
        return read_folder(write_history(tmp_path / name, migrations, whens))

    return make


@pytest.fixture
def settings(tmp_path: Path) -> MigrationSettings:
    """Replay settings with the shipped prelude and short timeouts, as a test run wants them."""
    return MigrationSettings(
        path=tmp_path / "migrations",
        prelude=NEON_PRELUDE,
        connect_budget_s=5.0,
        lock_timeout="2s",
        statement_timeout="20s",
    )


@pytest.fixture
def prepared_database(scratch_database: str) -> str:
    """A fresh scratch database on which the platform prelude has run (roles the example grants to)."""
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        execute_file(connection, NEON_PRELUDE, NEON_PRELUDE.read_text(encoding="utf-8"))
    return scratch_database


@pytest.fixture
def example() -> MigrationSet:
    return read_folder(EXAMPLE_MIGRATIONS)
