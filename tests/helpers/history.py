"""Small Drizzle histories written on the fly, and a history as an older checkout had it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

from msgspec.structs import replace

from gates.connect import ConnectBudget
from migrations_checks.db.migrator import journal_migrations
from migrations_checks.lint.reader import MigrationSet
from tests.helpers import write_drizzle

# (tag, up SQL, down SQL or None); `when` defaults to one minute apart in list order.
Migration = tuple[str, str, str | None]
HistoryFactory = Callable[..., MigrationSet]


class ApplyTimeouts(TypedDict):
    """apply_pending's keyword settings, for the tests that apply a history without testing them."""

    lock_timeout: str
    statement_timeout: str
    connect_budget: ConnectBudget


TIMEOUTS = ApplyTimeouts(lock_timeout="2s", statement_timeout="20s", connect_budget=ConnectBudget(5.0))


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
    journal = replace(migrations.journal, entries=migrations.journal.entries[:count])
    return replace(migrations, files=files, journal=journal)
