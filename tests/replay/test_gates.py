"""The replay and staged gates run as workflows run them: a child pytest at the root of an app folder
that holds only its gates.toml.

The child reuses this session's scratch server through GATES_SCRATCH_DATABASE_URL, so it starts no
Postgres of its own; databases standing in for staging and production are prepared here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from gates.config import MigrationSettings
from gates.connect import ConnectBudget
from gates.scratch_db import SCRATCH_URL_ENV, ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.replay import replay_database
from migrations_checks.lint.reader import MigrationSet
from standin.stack import free_port
from tests.helpers.config import EXAMPLE_MIGRATIONS, NEON_PRELUDE
from tests.helpers.gate_run import run_in_child
from tests.helpers.history import journal_prefix, write_history

PASSWORD = "scratch-pw-never-shown"
CLEARED = ("DATABASE_URL", "DATABASE_URL_STAGING", "DATABASE_URL_PROD", "GATES_ENV", "CI")


RERUN_AS_ERROR = '[migrations.severity]\n"rerun-failure" = "error"\n'


RunGate = Callable[..., pytest.RunResult]
# libpq reads host X, port S3cret@db.example.com and no password: refused before any connection
SLASHED = "postgresql://app:X/S3cret@db.example.com/prod"


@pytest.fixture
def run_gate(scratch_server: ScratchServer, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> RunGate:
    """One gate (`migration_replay` or `migration_staged`) as a workflow runs it, at the root of an
    app folder holding only its gates.toml, on this session's scratch server."""

    def run(
        marker: str,
        migrations: Path,
        environment: str = "local",
        extra_config: str = "",
        connect_budget_s: float = 5,
        **variables: str,
    ) -> pytest.RunResult:
        (pytester.path / "gates.toml").write_text(
            f'[migrations]\npath = "{migrations}"\nprelude = "{NEON_PRELUDE}"\n'
            f"connect_budget_s = {connect_budget_s}\n{extra_config}"
        )
        environ = {key: value for key, value in os.environ.items() if key not in CLEARED}
        return run_in_child(
            pytester,
            monkeypatch,
            "-q",
            "-m",
            f"pre_deploy and {marker}",
            "--gates-env",
            environment,
            environ={**environ, SCRATCH_URL_ENV: scratch_server.admin_url, **variables},
            timeout=240,
        )

    return run


def output_of(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


def test_replay_gate_passes_on_the_example_history(run_gate: RunGate) -> None:
    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS)

    assert result.ret == 0, output_of(result)
    result.assert_outcomes(passed=4)


def test_replay_gate_names_the_file_line_and_sqlstate_of_a_broken_migration(run_gate: RunGate, tmp_path: Path) -> None:
    history = write_history(
        tmp_path / "migrations",
        [
            ("0000_ok", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            (
                "0001_typo",
                "ALTER TABLE a ADD COLUMN b int;\n--> statement-breakpoint\nALTER TABEL a ADD COLUMN c int;",
                "ALTER TABLE a DROP COLUMN b;",
            ),
        ],
    )

    result = run_gate("migration_replay", history)

    assert result.ret == 1
    assert "the history does not apply to an empty database: " in output_of(result)
    assert '0001_typo.sql line 3: [SQLSTATE 42601] syntax error at or near "TABEL"' in output_of(result)


def test_replay_gate_fails_on_rerun_failures_when_configured_as_errors(run_gate: RunGate, tmp_path: Path) -> None:
    history = write_history(tmp_path / "migrations", [("0000_a", "CREATE TABLE a (id int);", "DROP TABLE a;")])

    warned = run_gate("migration_replay", history)
    failed = run_gate("migration_replay", history, extra_config=RERUN_AS_ERROR)

    assert warned.ret == 0, output_of(warned)
    assert "RerunWarning" in output_of(warned)
    assert failed.ret == 1
    assert "1 statement(s) fail when their migration runs a second time" in output_of(failed)
    assert "error rerun-failure:" in output_of(failed)


def test_replay_gate_refuses_a_misspelt_rule_id_in_severity(run_gate: RunGate, pytester: pytest.Pytester) -> None:
    typo = '[migrations.severity]\n"rerun-failur" = "error"\n'
    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS, extra_config=typo)
    assert result.ret != 0, output_of(result)
    config = pytester.path / "gates.toml"
    sentence = f"migrations.severity.rerun-failur in {config} is not a known rule id; check its spelling"
    assert sentence in output_of(result)


def test_replay_gate_fails_on_a_missing_rollback(run_gate: RunGate, tmp_path: Path) -> None:
    history = write_history(tmp_path / "migrations", [("0000_a", "CREATE TABLE IF NOT EXISTS a (id int);", None)])

    result = run_gate("migration_replay", history)

    assert result.ret == 1
    assert "0000_a: has no rollback file 0000_a.down.sql" in output_of(result)


def test_replay_gate_refuses_a_scratch_server_that_is_production(
    run_gate: RunGate, scratch_server: ScratchServer
) -> None:
    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS, DATABASE_URL_PROD=scratch_server.admin_url)

    assert result.ret == 1
    assert "as the scratch server: it is on the server of the database in DATABASE_URL_PROD" in output_of(result)


def test_an_unreachable_scratch_server_fails_in_one_sentence_without_its_password(run_gate: RunGate) -> None:
    port = free_port()
    url = f"postgresql://gate:{PASSWORD}@127.0.0.1:{port}/postgres"

    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS, connect_budget_s=0.5, **{SCRATCH_URL_ENV: url})

    output = output_of(result)
    assert result.ret == 1, output
    assert PASSWORD not in output
    assert "Traceback" not in output and "During handling" not in output
    masked = f"cannot connect to postgresql://gate:***@127.0.0.1:{port}/postgres ("
    failures = [line for line in output.splitlines() if "cannot connect to" in line]
    assert len(failures) == 4 and all(masked in line for line in failures), output
    # Each failure is the gate's one sentence: what it was doing, then the connection error, on one line.
    assert {line.split(": ", 1)[0] for line in failures} == {
        "cannot prepare a scratch database",
        "cannot check rollbacks",
    }


@pytest.fixture
def role_without_createdb(scratch_server: ScratchServer) -> Iterator[str]:
    """A login role on the scratch server that may not create databases."""
    role = f"gates_no_createdb_{secrets.token_hex(4)}"
    with psycopg.connect(scratch_server.admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    yield role
    with psycopg.connect(scratch_server.admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_scratch_server_that_refuses_databases_fails_in_one_sentence(
    run_gate: RunGate, scratch_server: ScratchServer, role_without_createdb: str
) -> None:
    url = make_conninfo(scratch_server.admin_url, user=role_without_createdb, password=PASSWORD)

    result = run_gate(
        "migration_replay",
        EXAMPLE_MIGRATIONS,
        **{SCRATCH_URL_ENV: url},
        DATABASE_URL_PROD=f"postgresql://prod:{PASSWORD}-prod@127.0.0.1:9/prod",
    )

    output = output_of(result)
    assert result.ret == 1, output
    assert PASSWORD not in output and "Traceback" not in output and "During handling" not in output
    failures = [line for line in output.splitlines() if "cannot create a scratch database on " in line]
    assert len(failures) == 4 and all(line.endswith(": permission denied to create database") for line in failures)
    assert "password=***" in failures[0], output


def test_replay_gate_in_staging_needs_the_staging_database(run_gate: RunGate) -> None:
    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS, environment="staging")

    assert result.ret == 1
    assert "DATABASE_URL_STAGING is not set" in output_of(result)


@pytest.fixture
def production_and_staging(scratch_server: ScratchServer, tmp_path: Path) -> Iterator[tuple[str, str]]:
    settings = MigrationSettings(path=EXAMPLE_MIGRATIONS, prelude=NEON_PRELUDE, connect_budget_s=5)
    with ExitStack() as stack:
        yield (
            stack.enter_context(replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5))),
            stack.enter_context(replay_database(scratch_server, settings, {}, connect_budget=ConnectBudget(5))),
        )


def migrate(url: str, history: MigrationSet, count: int) -> None:
    apply_pending(
        url, journal_prefix(history, count), lock_timeout="2s", statement_timeout="20s", connect_budget=ConnectBudget(5)
    )


def test_staged_gate_passes_when_staging_ran_the_release(
    run_gate: RunGate, production_and_staging: tuple[str, str], example: MigrationSet
) -> None:
    production, staging = production_and_staging
    migrate(production, example, 5)
    migrate(staging, example, 6)

    result = run_gate(
        "migration_staged",
        EXAMPLE_MIGRATIONS,
        environment="production",
        DATABASE_URL_PROD=production,
        DATABASE_URL_STAGING=staging,
    )

    assert result.ret == 0, output_of(result)
    result.assert_outcomes(passed=3)


def test_staged_gate_fails_when_staging_lacks_a_migration(
    run_gate: RunGate, production_and_staging: tuple[str, str], example: MigrationSet
) -> None:
    production, staging = production_and_staging
    migrate(production, example, 4)
    migrate(staging, example, 5)

    result = run_gate(
        "migration_staged",
        EXAMPLE_MIGRATIONS,
        environment="production",
        DATABASE_URL_PROD=production,
        DATABASE_URL_STAGING=staging,
    )

    assert result.ret == 1
    assert "1 migration(s) would reach production before staging" in output_of(result)
    assert "0005_validate_cap_drop_lock_columns is pending on production but pending on staging" in output_of(result)


def test_staged_gate_fails_naming_a_missing_database_variable(run_gate: RunGate) -> None:
    result = run_gate(
        "migration_staged",
        EXAMPLE_MIGRATIONS,
        environment="production",
        DATABASE_URL_PROD="postgresql://localhost/prod",
    )

    assert result.ret == 1
    assert "DATABASE_URL_STAGING is not set" in output_of(result)


def test_staged_gate_names_every_unusable_database_variable_at_once_wrong_first(run_gate: RunGate) -> None:
    result = run_gate("migration_staged", EXAMPLE_MIGRATIONS, environment="production", DATABASE_URL_PROD=SLASHED)

    output = output_of(result)
    assert result.ret == 1
    assert "DATABASE_URL_PROD is unusable: postgresql://***@db.example.com/prod is read by libpq" in output
    assert "percent-encode them (%2F, %40); DATABASE_URL_STAGING is not set" in output
    assert "S3cret" not in output


def test_replay_gate_in_staging_names_a_staging_url_libpq_would_misread(run_gate: RunGate) -> None:
    result = run_gate("migration_replay", EXAMPLE_MIGRATIONS, environment="staging", DATABASE_URL_STAGING=SLASHED)

    output = output_of(result)
    assert result.ret == 1
    assert "DATABASE_URL_STAGING is unusable: postgresql://***@db.example.com/prod" in output
    assert "S3cret" not in output
