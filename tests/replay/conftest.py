"""Fixtures for the replay tests: small Drizzle histories written on the fly, and prepared databases."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg
import pytest

from gates.config import MigrationSettings
from migrations_checks.db.migrator import journal_migrations
from migrations_checks.db.run_sql import execute_file
from migrations_checks.lint.reader import MigrationSet, read_folder
from tests.helpers import write_drizzle

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "atlaris" / "migrations"
PRELUDE = REPO / "migrations_checks" / "db" / "preludes" / "neon_rls.sql"

# (tag, up SQL, down SQL or None); `when` defaults to one minute apart in list order.
Migration = tuple[str, str, str | None]
HistoryFactory = Callable[..., MigrationSet]


def write_history(folder: Path, migrations: Sequence[Migration], whens: Sequence[int] | None = None) -> Path:
    """A Drizzle folder (files, rollback files and meta/_journal.json) as drizzle-kit lays it out."""
    return write_drizzle(
        folder,
        {tag: up for tag, up, _ in migrations},
        whens,
        {tag: down for tag, _, down in migrations if down is not None},
    )


def journal_prefix(migrations: MigrationSet, count: int) -> MigrationSet:
    """The history as an older checkout had it, when the journal held only its first `count` entries.

    Puts a database in the state a past release left (drizzle-orm itself never cuts a journal).
    """
    files = journal_migrations(migrations)[:count]
    assert migrations.journal is not None  # journal_migrations refuses a set without one
    journal = dataclasses.replace(migrations.journal, entries=migrations.journal.entries[:count])
    return dataclasses.replace(migrations, files=files, journal=journal)


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
        path=tmp_path / "migrations", prelude=PRELUDE, connect_budget_s=5.0, lock_timeout="2s", statement_timeout="20s"
    )


@pytest.fixture
def prepared_database(scratch_database: str) -> str:
    """A fresh scratch database on which the platform prelude has run (roles the example grants to)."""
    with psycopg.connect(scratch_database, autocommit=True) as connection:
        execute_file(connection, PRELUDE, PRELUDE.read_text(encoding="utf-8"))
    return scratch_database


@pytest.fixture
def example() -> MigrationSet:
    return read_folder(EXAMPLE)
