"""Where each migration of a Drizzle folder stands on a database, read without changing anything.

drizzle-orm never compares hashes and never looks back, so two kinds of drift stay silent there:
a file edited after it was applied (`edited`: its hash no longer matches the recorded one, rule
`applied-migration-edited`) and an entry whose `when` is not newer than the newest applied row
(`skipped`: drizzle-orm will never apply it). Recorded rows are matched to journal entries by
`created_at` = `when`, the only link drizzle-orm keeps; where several entries share a `when`, each
row goes to the entry whose hash it records, and the rest in turn, so an entry added with the `when`
of an applied one is skipped, not taken for that one edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gates.connect import ConnectBudget, connect
from migrations_checks.db.migrator import (
    AppliedRow,
    file_hash,
    is_pending,
    journal_migrations,
    newest_created_at,
    read_applied,
    set_timeouts,
)
from migrations_checks.lint.reader import MigrationFile, MigrationSet
from migrations_checks.lint.rules.applied_migration_edited import RULE as EDITED

State = Literal["applied", "pending", "edited", "skipped"]
STATES: tuple[State, ...] = ("applied", "pending", "edited", "skipped")
DRIFT_STATES: frozenset[State] = frozenset({"edited", "skipped"})
EDITED_RULE = EDITED.id


@dataclass(frozen=True)
class MigrationStatus:
    migration: MigrationFile
    state: State
    hash: str  # the file's hash now
    recorded_hash: str | None  # the hash recorded when it was applied, if a row records it

    @property
    def tag(self) -> str:
        return self.migration.tag


@dataclass(frozen=True)
class DatabaseStatus:
    migrations: tuple[MigrationStatus, ...]
    newest_applied: int | None  # the created_at drizzle-orm compares against

    def with_state(self, *states: State) -> list[MigrationStatus]:
        return [status for status in self.migrations if status.state in states]

    @property
    def has_drift(self) -> bool:
        return any(status.state in DRIFT_STATES for status in self.migrations)


def migration_states(files: Sequence[MigrationFile], rows: Sequence[AppliedRow]) -> DatabaseStatus:
    """The state of each journal migration, given the tracking rows of one database."""
    newest = newest_created_at(rows)
    hashes = [file_hash(migration) for migration in files]
    statuses = []
    for migration, current, recorded in zip(files, hashes, _recorded(files, hashes, rows), strict=True):
        state: State
        if is_pending(migration, newest):
            # drizzle-orm runs it, recorded or not: a row with NULL created_at makes every entry
            # pending again, and the deploy's migrate will re-run them.
            state = "pending"
        elif recorded == current:
            state = "applied"
        elif recorded is not None:
            state = "edited"
        else:
            state = "skipped"
        statuses.append(MigrationStatus(migration, state, current, recorded))
    return DatabaseStatus(migrations=tuple(statuses), newest_applied=newest)


def _recorded(files: Sequence[MigrationFile], hashes: Sequence[str], rows: Sequence[AppliedRow]) -> list[str | None]:
    """The hash a row records for each file: a row of its `when` with its own hash, else one of
    its `when` that no other file claims, oldest first; None when none is left."""
    unclaimed: dict[int | None, list[str]] = {}
    for row in rows:
        unclaimed.setdefault(row.created_at, []).append(row.hash)
    recorded: list[str | None] = [None] * len(files)
    for index, (migration, current) in enumerate(zip(files, hashes, strict=True)):
        same_when = unclaimed.get(migration.when, [])
        if current in same_when:
            same_when.remove(current)
            recorded[index] = current
    for index, migration in enumerate(files):
        same_when = unclaimed.get(migration.when, [])
        if recorded[index] is None and same_when:
            recorded[index] = same_when.pop(0)
    return recorded


# Reading the small tracking table takes milliseconds; waiting longer than this means a migration
# holds it locked, and a gate must fail rather than hang the deploy.
READ_LOCK_TIMEOUT = "5s"
READ_STATEMENT_TIMEOUT = "30s"


def read_status(conninfo: str, migrations: MigrationSet, *, connect_budget: ConnectBudget) -> DatabaseStatus:
    """The status of every migration on `conninfo`, over a read-only connection."""
    files = journal_migrations(migrations)
    with connect(conninfo, budget=connect_budget, read_only=True) as connection:
        set_timeouts(connection, lock_timeout=READ_LOCK_TIMEOUT, statement_timeout=READ_STATEMENT_TIMEOUT, local=True)
        rows = read_applied(connection, migrations.tracking)
    return migration_states(files, rows)


class DriftError(Exception):
    """A database's migrations drifted from the files; the message lists each drifted migration."""


def check_no_drift(database: DatabaseStatus, where: str) -> None:
    """Raise DriftError when a migration on `where` was edited after applying or is skipped forever."""
    drifted = database.with_state(*DRIFT_STATES)
    if drifted:
        problems = "; ".join(describe(status, database.newest_applied) for status in drifted)
        raise DriftError(f"{where} has drifted from the migration files: {problems}")


def describe(status: MigrationStatus, newest_applied: int | None) -> str:
    """Why a drifted migration is a problem, in one sentence."""
    if status.state == "edited":
        return (
            f"{EDITED_RULE}: {status.tag}.sql changed after it was applied (recorded hash "
            f"{status.recorded_hash}, file hash {status.hash}); drizzle-orm will not run it again"
        )
    if status.state == "skipped":
        return (
            f"{status.tag} (when {status.migration.when}) is not newer than the newest applied "
            f"migration (created_at {newest_applied}); drizzle-orm will never apply it"
        )
    return f"{status.tag} is {status.state}"
