"""Replay on a scratch database: a fresh guarded database with the platform prelude, and the re-run check.

Real histories assume what hosted Postgres provides (roles such as `authenticated`, extensions),
so the configured prelude runs first on every scratch database. The re-run check exists because
a migration that cannot run twice breaks the day a database was built some other way (`db:push`,
a squashed journal re-applied over existing objects, a half-applied manual fix): each file's SQL
runs again on the fully migrated schema, and every statement that fails is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from gates.config import MigrationSettings
from gates.scratch_db import ScratchServer
from migrations_checks.connect import connect
from migrations_checks.findings import Finding
from migrations_checks.guard import check_replay_target, check_scratch_server
from migrations_checks.migrator import set_timeouts
from migrations_checks.paths import display_path
from migrations_checks.reader import InputError, MigrationFile, read_text
from migrations_checks.run_sql import StatementError, execute_chunk, execute_file, split_chunks

RERUN_RULE = "rerun-failure"  # documented in rules/rerun_failure.py
RERUN_HINT = (
    "make the statement safe to run twice (IF NOT EXISTS / IF EXISTS, or a DO block that ignores "
    "duplicate_object), so a database built by db:push or a re-applied journal survives it"
)


@contextmanager
def replay_database(
    server: ScratchServer, settings: MigrationSettings, protected: Mapping[str, str]
) -> Iterator[str]:
    """A new scratch database, checked by the guard and prepared with the prelude; dropped afterwards."""
    check_scratch_server(server.admin_url, protected)
    url = server.create_database()
    try:
        check_replay_target(url, protected, connect_budget_s=settings.connect_budget_s)
        run_prelude(url, settings)
        yield url
    finally:
        server.drop_database(url)


def run_prelude(url: str, settings: MigrationSettings) -> None:
    """Run the configured `[migrations] prelude` file, if any, in one transaction."""
    if settings.prelude is None:
        return
    if not settings.prelude.is_file():
        raise InputError(
            f"the prelude {settings.prelude} named by [migrations] prelude in gates.toml does not exist"
        )
    text = read_text(settings.prelude)
    with connect(url, budget_s=settings.connect_budget_s) as connection, connection.transaction():
        execute_file(connection, settings.prelude, text)


def rerun_findings(
    url: str, migrations: Sequence[MigrationFile], settings: MigrationSettings
) -> list[Finding]:
    """Run every file's chunks again on the migrated schema at `url` and report each one that fails.

    Each file is re-run on its own in a transaction that is rolled back, so every file meets the
    fully migrated schema; within a file, chunks see the effects of the chunks before them (a
    `DROP POLICY IF EXISTS` lets the next `CREATE POLICY` succeed), and a failing chunk is undone
    through a savepoint so the rest of the file still runs.
    """
    findings = []
    with connect(url, budget_s=settings.connect_budget_s) as connection:
        set_timeouts(
            connection, lock_timeout=settings.lock_timeout, statement_timeout=settings.statement_timeout
        )
        for migration in migrations:
            with connection.transaction(force_rollback=True):
                for chunk in split_chunks(migration.text):
                    try:
                        with connection.transaction():
                            execute_chunk(connection, migration.path, migration.text, chunk)
                    except StatementError as error:
                        findings.append(_rerun_finding(error, settings))
    return findings


def _rerun_finding(error: StatementError, settings: MigrationSettings) -> Finding:
    return Finding(
        rule=RERUN_RULE,
        severity=settings.rerun_severity,
        file=display_path(error.path),
        line=error.line,
        column=1,
        message=f"fails when run a second time: [SQLSTATE {error.sqlstate or 'unknown'}] {error.message}",
        hint=RERUN_HINT,
        source_line=error.statement,
    )
