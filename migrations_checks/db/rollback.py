"""Every migration can be undone, or says why not: the up, down, up check on a scratch database.

A release can be rolled back only if its migrations can. Each migration therefore has a rollback
file beside it (`NNNN_name.down.sql`) or a `-- gates: irreversible -- <reason>` line. For each
migration that is pending on the target, "up then down" must give back exactly the schema
fingerprint from before, and "up" again the fingerprint after: a rollback that forgets an index, a
grant or a policy, or that cannot be followed by the next deploy, shows up as a readable diff.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from gates.config import MigrationSettings
from gates.connect import ConnectBudget, connect
from migrations_checks.db.fingerprint import Fingerprint, diff, fingerprint
from migrations_checks.db.migrator import set_timeouts
from migrations_checks.db.run_sql import StatementError, execute_file
from migrations_checks.lint.reader import MigrationFile, read_text
from migrations_checks.lint.statements import read_statements
from migrations_checks.lint.suppressions import Irreversible, parse_directive


@dataclass(frozen=True)
class RollbackProblem:
    migration: MigrationFile
    message: str  # may span lines (a fingerprint diff)

    def __str__(self) -> str:
        return f"{self.migration.tag}: {self.message}"


def _irreversible_reason(migration: MigrationFile) -> str | None:
    """The reason given by an `-- gates: irreversible -- <reason>` line ("" when it gives none)."""
    for comment in read_statements(migration).comments:
        directive = parse_directive(comment)
        if isinstance(directive, Irreversible):
            return directive.reason
    return None


def _missing_rollbacks(migrations: Sequence[MigrationFile]) -> list[RollbackProblem]:
    """Migrations with neither a rollback file nor a reasoned irreversible marker."""
    problems = []
    for migration in migrations:
        if migration.down_path.is_file():
            continue
        reason = _irreversible_reason(migration)
        if reason is None:
            problems.append(
                RollbackProblem(
                    migration,
                    (
                        f"has no rollback file {migration.down_path.name} and no "
                        "`-- gates: irreversible -- <reason>` line"
                    ),
                )
            )
        elif not reason:
            problems.append(
                RollbackProblem(
                    migration,
                    ("is marked `-- gates: irreversible` without a reason; write `-- gates: irreversible -- <why>`"),
                )
            )
    return problems


def check_rollbacks(
    url: str,
    migrations: Sequence[MigrationFile],
    pending: Collection[str],
    settings: MigrationSettings,
    *,
    connect_budget: ConnectBudget,
) -> list[RollbackProblem]:
    """Every rollback problem of the migrations tagged `pending`, walking `migrations` on `url`.

    `url` holds the schema from before the first of `migrations`: an empty scratch database for a
    whole history.
    """
    problems = _missing_rollbacks([migration for migration in migrations if migration.tag in pending])
    with connect(url, budget=connect_budget) as connection:
        set_timeouts(connection, lock_timeout=settings.lock_timeout, statement_timeout=settings.statement_timeout)
        problems += _walk(connection, migrations, pending)
    return problems


def _walk(
    connection: psycopg.Connection, migrations: Sequence[MigrationFile], pending: Collection[str]
) -> list[RollbackProblem]:
    """Walk the history; check up/down/up for each migration tagged pending.

    Migrations not pending are only applied (one transaction, as drizzle-orm would have). Every
    step of a pending migration runs in its own transaction. The walk stops at the first step that
    leaves the schema in an unknown state, since everything after it would be checked on the wrong
    schema.
    """
    problems: list[RollbackProblem] = []
    applied_prefix: list[MigrationFile] = []
    for migration in migrations:
        if migration.tag not in pending:
            applied_prefix.append(migration)
            continue
        if applied_prefix:
            _run_all(connection, applied_prefix)
            applied_prefix = []
        problem, keep_going = _check_one(connection, migration)
        problems.extend(problem)
        if not keep_going:
            break
    return problems


def _check_one(connection: psycopg.Connection, migration: MigrationFile) -> tuple[list[RollbackProblem], bool]:
    """Problems found for one migration, and whether the schema is now "after up" (safe to go on)."""
    before = fingerprint(connection)
    try:
        after = _step(connection, migration.path, migration.text)
    except StatementError as error:
        return [RollbackProblem(migration, f"up failed: {error}")], False
    if not migration.down_path.is_file():
        return [], True  # irreversible, or reported by _missing_rollbacks
    try:
        restored = _step(connection, migration.down_path, read_text(migration.down_path))
    except StatementError as error:  # its transaction rolled back: the schema is still "after up"
        return [RollbackProblem(migration, f"rollback failed: {error}")], True
    problems = _compare(migration, "up then down does not give back the schema from before", before, restored)
    try:
        again = _step(connection, migration.path, migration.text)
    except StatementError as error:
        return [*problems, RollbackProblem(migration, f"up after rollback failed: {error}")], False
    problems += _compare(migration, "up after rollback differs from the first up", after, again)
    return problems, after == again


def _step(connection: psycopg.Connection, path: Path, text: str) -> Fingerprint:
    """Run one file in its own transaction and return the fingerprint it leaves."""
    with connection.transaction():
        execute_file(connection, path, text)
    return fingerprint(connection)


def _run_all(connection: psycopg.Connection, migrations: Sequence[MigrationFile]) -> None:
    with connection.transaction():
        for migration in migrations:
            execute_file(connection, migration.path, migration.text)


def _compare(migration: MigrationFile, what: str, expected: Fingerprint, actual: Fingerprint) -> list[RollbackProblem]:
    if expected == actual:
        return []
    lines = "\n".join("      " + line for line in diff(expected, actual))
    return [RollbackProblem(migration, f"{what} (- expected, + found):\n{lines}")]
