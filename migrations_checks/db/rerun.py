"""The re-run check: every statement of every migration runs again on the fully migrated schema.

A migration that cannot run twice breaks the day a database was built some other way (`db:push`,
a squashed journal re-applied over existing objects, a half-applied manual fix). Each statement is
tried on its own, so a file whose first statement fails still has every other one checked: the
report lists every statement to fix, not just the first of each drizzle chunk.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from gates.config import MigrationSettings
from gates.connect import ConnectBudget, connect
from migrations_checks.db.migrator import set_timeouts
from migrations_checks.db.run_sql import Chunk, StatementError, execute_chunk
from migrations_checks.lint.reader import MigrationFile
from migrations_checks.lint.records.findings import Finding
from migrations_checks.lint.records.paths import display_path
from migrations_checks.lint.rules.rerun_failure import RULE
from migrations_checks.lint.severity import severity_of
from migrations_checks.lint.sql.splitter import split_sql


def rerun_findings(
    url: str, migrations: Sequence[MigrationFile], settings: MigrationSettings, *, connect_budget: ConnectBudget
) -> list[Finding]:
    """Run every statement again on the migrated schema at `url` and report each one that fails.

    Each file is re-run on its own in a transaction that is rolled back, so every file meets the
    fully migrated schema; within a file, statements see the effects of those before them (a
    `DROP POLICY IF EXISTS` lets the next `CREATE POLICY` succeed), and a failing statement is
    undone through a savepoint so the rest of the file still runs.
    """
    findings = []
    with connect(url, budget=connect_budget) as connection:
        set_timeouts(connection, lock_timeout=settings.lock_timeout, statement_timeout=settings.statement_timeout)
        for migration in migrations:
            with connection.transaction(force_rollback=True):
                findings += _rerun_file(connection, migration, settings)
    return findings


def _rerun_file(connection: psycopg.Connection, migration: MigrationFile, settings: MigrationSettings) -> list[Finding]:
    findings = []
    for statement in split_sql(migration.text):
        try:
            with connection.transaction():
                execute_chunk(
                    connection, migration.path, migration.text, Chunk(text=statement.text, offset=statement.start)
                )
        except StatementError as error:
            findings.append(_rerun_finding(error, settings))
    return findings


def _rerun_finding(error: StatementError, settings: MigrationSettings) -> Finding:
    return Finding(
        rule=RULE.id,
        severity=severity_of(RULE, settings.severity),
        file=display_path(error.path),
        line=error.line,
        column=1,
        message=f"fails when run a second time: [SQLSTATE {error.sqlstate or 'unknown'}] {error.message}",
        hint=RULE.hint,
        source_line=error.statement,
    )
