"""A Drizzle-compatible migrator: apply pending migrations exactly as drizzle-orm's migrator does.

A database migrated here and one migrated by `pnpm db:migrate` (drizzle-kit / drizzle-orm 0.x) are
indistinguishable, and either tool continues after the other, because this module copies
drizzle-orm's rules to the letter:

* bookkeeping lives in `"drizzle"."__drizzle_migrations" (id serial, hash text, created_at bigint)`
  (or where `[migrations] migrations_schema` and `migrations_table` say, as drizzle.config's
  `migrations.schema` and `.table` do), created with its schema outside the migration transaction;
* `hash` is the SHA-256 hex of the whole file as read, `created_at` the journal entry's `when`;
* pending means: `when` newer than the `created_at` of the row drizzle-orm reads with
  `ORDER BY created_at DESC LIMIT 1` (a NULL sorts first there and counts as 0); hashes are never
  compared and older entries are skipped forever (`status` reports both);
* every pending file runs, in journal order, inside ONE transaction, each followed by its row.

On top, and invisible in the database, the session gets `lock_timeout` and `statement_timeout`, so
a migration stuck behind a lock fails fast instead of stalling the application.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg import sql

from gates.connect import ConnectBudget, connect
from migrations_checks.db.run_sql import Chunk, execute_chunk, split_chunks
from migrations_checks.lint.reader import InputError, MigrationFile, MigrationSet, TrackingTable


@dataclass(frozen=True)
class AppliedRow:
    """One row of drizzle's tracking table."""

    id: int
    hash: str
    created_at: int | None


@dataclass(frozen=True)
class ApplyResult:
    """What one run did: the files it applied (in order) and the newest `created_at` it found."""

    applied: tuple[MigrationFile, ...]
    newest_before: int | None


class ApplyObserver(Protocol):
    """Told about each step of the migration transaction, for a caller that times it (the branch replay)."""

    def batch_started(self, backend_pid: int) -> None: ...

    def chunk_started(self, migration: MigrationFile, chunk: Chunk) -> None: ...

    def chunk_finished(self, cursor: psycopg.Cursor[Any] | None) -> None:
        """After each chunk; `cursor` is None when the chunk failed."""

    def batch_ended(self) -> None:
        """After the transaction committed or rolled back, so every lock it held is released."""


def file_hash(migration: MigrationFile) -> str:
    """drizzle-orm's `hash`: SHA-256 of the file's text (CRLFs included), as hex."""
    return hashlib.sha256(migration.text.encode("utf-8")).hexdigest()


def journal_migrations(migrations: MigrationSet) -> tuple[MigrationFile, ...]:
    """The journal's migrations in order; refuses, as drizzle-orm does, a folder it cannot migrate."""
    if migrations.journal is None:
        where = migrations.root or "the given files"
        raise InputError(
            f"{where} has no meta/_journal.json; applying and tracking migrations follows drizzle-orm's "
            "journal, so only Drizzle folders are supported (plain folders can be linted)"
        )
    present = {migration.tag for migration in migrations.files}
    for position, entry in enumerate(migrations.journal.entries):
        if entry.tag not in present:
            raise InputError(
                f"{migrations.journal.path} line {migrations.journal.line_of(position)} lists {entry.tag!r} but "
                f"{entry.tag}.sql is missing; drizzle-orm refuses to migrate this folder"
            )
    return migrations.files


def newest_created_at(rows: Iterable[AppliedRow]) -> int | None:
    """The value drizzle-orm compares against: None with no rows, 0 when a row has NULL created_at."""
    values = [row.created_at for row in rows]
    if not values:
        return None
    return 0 if None in values else max(value for value in values if value is not None)


def is_pending(migration: MigrationFile, newest: int | None) -> bool:
    """drizzle-orm's test: no row yet, or the entry's `when` is strictly newer than the newest row."""
    return newest is None or (migration.when is not None and newest < migration.when)


def _qualified(tracking: TrackingTable) -> sql.Identifier:
    return sql.Identifier(tracking.schema, tracking.table)


def read_applied(connection: psycopg.Connection, tracking: TrackingTable) -> list[AppliedRow]:
    """Every tracking row, oldest id first; none when the table does not exist (never creates it)."""
    table = _qualified(tracking)
    exists = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (table.as_string(connection),)).fetchone()
    if not exists or not exists[0]:
        return []
    rows = connection.execute(sql.SQL("SELECT id, hash, created_at FROM {} ORDER BY id").format(table)).fetchall()
    return [AppliedRow(id=row[0], hash=row[1], created_at=row[2]) for row in rows]


def set_timeouts(
    connection: psycopg.Connection, *, lock_timeout: str, statement_timeout: str, local: bool = False
) -> None:
    """Timeouts for the session, or with `local` for the current transaction only: through a
    transaction-mode pooler (Neon's `-pooler` hosts) a session setting could land on another
    client's server connection and miss ours. A value Postgres rejects is a configuration mistake,
    named as such."""
    for name, value in (("lock_timeout", lock_timeout), ("statement_timeout", statement_timeout)):
        try:
            connection.execute("SELECT set_config(%s, %s, %s)", (name, value, local))
        except psycopg.Error as error:
            raise InputError(
                f"{name} {value!r} is not a duration Postgres accepts: {error.diag.message_primary}"
            ) from None


def apply_pending(
    conninfo: str,
    migrations: MigrationSet,
    *,
    lock_timeout: str,
    statement_timeout: str,
    connect_budget: ConnectBudget,
    observer: ApplyObserver | None = None,
) -> ApplyResult:
    """Apply every pending migration of a Drizzle folder to `conninfo`, all in one transaction.

    Raises InputError for a folder drizzle-orm would refuse, ConnectError when the database cannot
    be reached within the budget, and run_sql.StatementError (after rolling everything back) when
    a statement fails.
    """
    files = journal_migrations(migrations)
    with connect(conninfo, budget=connect_budget) as connection:
        with connection.transaction():
            set_timeouts(connection, lock_timeout=lock_timeout, statement_timeout=statement_timeout, local=True)
            tracking = migrations.tracking
            connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(tracking.schema)))
            connection.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)"
                ).format(_qualified(tracking))
            )
            newest = newest_created_at(read_applied(connection, tracking))
        pending = [migration for migration in files if is_pending(migration, newest)]
        try:
            with connection.transaction():
                set_timeouts(connection, lock_timeout=lock_timeout, statement_timeout=statement_timeout, local=True)
                if observer is not None:
                    observer.batch_started(connection.info.backend_pid)
                _apply_files(connection, pending, migrations.tracking, observer)
        finally:
            if observer is not None:
                observer.batch_ended()
    return ApplyResult(applied=tuple(pending), newest_before=newest)


def _apply_files(
    connection: psycopg.Connection,
    files: Sequence[MigrationFile],
    tracking: TrackingTable,
    observer: ApplyObserver | None,
) -> None:
    """Run each file and record it, in the caller's transaction (drizzle-orm's loop body)."""
    for migration in files:
        for chunk in split_chunks(migration.text):
            if observer is None:
                execute_chunk(connection, migration.path, migration.text, chunk)
                continue
            observer.chunk_started(migration, chunk)
            cursor = None
            try:
                cursor = execute_chunk(connection, migration.path, migration.text, chunk)
            finally:
                observer.chunk_finished(cursor)
        connection.execute(
            sql.SQL('INSERT INTO {} ("hash", "created_at") VALUES (%s, %s)').format(_qualified(tracking)),
            (file_hash(migration), migration.when),
        )
