"""The replay and staged gates run as workflows run them: pytest in a subprocess, on a tmp gates.toml.

The subprocess reuses this session's scratch server through GATES_SCRATCH_DATABASE_URL, so it
starts no Postgres of its own; databases standing in for staging and production are prepared here.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from gates.config import MigrationSettings
from gates.scratch_db import SCRATCH_URL_ENV, ScratchServer
from migrations_checks.db.migrator import apply_pending
from migrations_checks.db.replay import replay_database
from migrations_checks.lint.reader import MigrationSet
from standin.stack import free_port
from tests.replay.conftest import EXAMPLE, PRELUDE, REPO, journal_prefix, write_history

REPLAY_GATE = REPO / "migrations_checks" / "gate_migration_replay.py"
STAGED_GATE = REPO / "migrations_checks" / "gate_migration_staged.py"
PASSWORD = "scratch-pw-never-shown"
CLEARED = ("DATABASE_URL", "DATABASE_URL_STAGING", "DATABASE_URL_PROD", "GATES_ENV", "CI")


RERUN_AS_ERROR = '[migrations.severity]\n"rerun-failure" = "error"\n'


def run_gate(
    gate: Path,
    scratch: ScratchServer,
    tmp_path: Path,
    migrations: Path,
    environment: str = "local",
    extra_config: str = "",
    connect_budget_s: float = 5,
    **variables: str,
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "gates.toml"
    config.write_text(
        f'[migrations]\npath = "{migrations}"\nprelude = "{PRELUDE}"\n'
        f"connect_budget_s = {connect_budget_s}\n{extra_config}"
    )
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update({SCRATCH_URL_ENV: scratch.admin_url, **variables})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            str(gate),
            "--gates-config",
            str(config),
            "--gates-env",
            environment,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_replay_gate_passes_on_the_example_history(scratch_server: ScratchServer, tmp_path: Path) -> None:
    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, EXAMPLE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_replay_gate_names_the_file_line_and_sqlstate_of_a_broken_migration(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
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

    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, history)

    assert result.returncode == 1
    assert "the history does not apply to an empty database: " in result.stdout
    assert '0001_typo.sql line 3: [SQLSTATE 42601] syntax error at or near "TABEL"' in result.stdout


def test_replay_gate_fails_on_rerun_failures_when_configured_as_errors(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    history = write_history(tmp_path / "migrations", [("0000_a", "CREATE TABLE a (id int);", "DROP TABLE a;")])

    warned = run_gate(REPLAY_GATE, scratch_server, tmp_path, history)
    failed = run_gate(REPLAY_GATE, scratch_server, tmp_path, history, extra_config=RERUN_AS_ERROR)

    assert warned.returncode == 0, warned.stdout
    assert "RerunWarning" in warned.stdout
    assert failed.returncode == 1
    assert "1 statement(s) fail when their migration runs a second time" in failed.stdout
    assert "error rerun-failure:" in failed.stdout


def test_replay_gate_refuses_a_misspelt_rule_id_in_severity(scratch_server: ScratchServer, tmp_path: Path) -> None:
    typo = '[migrations.severity]\n"rerun-failur" = "error"\n'
    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, EXAMPLE, extra_config=typo)
    assert result.returncode != 0, result.stdout
    config = tmp_path / "gates.toml"
    sentence = f"migrations.severity.rerun-failur in {config} is not a known rule id; check its spelling"
    assert sentence in result.stdout + result.stderr


def test_replay_gate_fails_on_a_missing_rollback(scratch_server: ScratchServer, tmp_path: Path) -> None:
    history = write_history(tmp_path / "migrations", [("0000_a", "CREATE TABLE IF NOT EXISTS a (id int);", None)])

    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, history)

    assert result.returncode == 1
    assert "0000_a: has no rollback file 0000_a.down.sql" in result.stdout


def test_replay_gate_refuses_a_scratch_server_that_is_production(scratch_server: ScratchServer, tmp_path: Path) -> None:
    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, EXAMPLE, DATABASE_URL_PROD=scratch_server.admin_url)

    assert result.returncode == 1
    assert "as the scratch server: it is on the server of the database in DATABASE_URL_PROD" in result.stdout


def test_an_unreachable_scratch_server_fails_in_one_sentence_without_its_password(
    scratch_server: ScratchServer, tmp_path: Path
) -> None:
    port = free_port()
    url = f"postgresql://gate:{PASSWORD}@127.0.0.1:{port}/postgres"

    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, EXAMPLE, connect_budget_s=0.5, **{SCRATCH_URL_ENV: url})

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
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
    scratch_server: ScratchServer, tmp_path: Path, role_without_createdb: str
) -> None:
    url = make_conninfo(scratch_server.admin_url, user=role_without_createdb, password=PASSWORD)

    result = run_gate(
        REPLAY_GATE,
        scratch_server,
        tmp_path,
        EXAMPLE,
        **{SCRATCH_URL_ENV: url},
        DATABASE_URL_PROD=f"postgresql://prod:{PASSWORD}-prod@127.0.0.1:9/prod",
    )

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert PASSWORD not in output and "Traceback" not in output and "During handling" not in output
    failures = [line for line in output.splitlines() if "cannot create a scratch database on " in line]
    assert len(failures) == 4 and all(line.endswith(": permission denied to create database") for line in failures)
    assert "password=***" in failures[0], output


def test_replay_gate_in_staging_needs_the_staging_database(scratch_server: ScratchServer, tmp_path: Path) -> None:
    result = run_gate(REPLAY_GATE, scratch_server, tmp_path, EXAMPLE, environment="staging")

    assert result.returncode == 1
    assert "DATABASE_URL_STAGING is not set" in result.stdout


@pytest.fixture
def production_and_staging(scratch_server: ScratchServer, tmp_path: Path) -> Iterator[tuple[str, str]]:
    settings = MigrationSettings(path=EXAMPLE, prelude=PRELUDE, connect_budget_s=5)
    with ExitStack() as stack:
        yield (
            stack.enter_context(replay_database(scratch_server, settings, {})),
            stack.enter_context(replay_database(scratch_server, settings, {})),
        )


def migrate(url: str, history: MigrationSet, count: int) -> None:
    apply_pending(url, journal_prefix(history, count), lock_timeout="2s", statement_timeout="20s", connect_budget_s=5)


def test_staged_gate_passes_when_staging_ran_the_release(
    scratch_server: ScratchServer, tmp_path: Path, production_and_staging: tuple[str, str], example: MigrationSet
) -> None:
    production, staging = production_and_staging
    migrate(production, example, 5)
    migrate(staging, example, 6)

    result = run_gate(
        STAGED_GATE,
        scratch_server,
        tmp_path,
        EXAMPLE,
        environment="production",
        DATABASE_URL_PROD=production,
        DATABASE_URL_STAGING=staging,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_staged_gate_fails_when_staging_lacks_a_migration(
    scratch_server: ScratchServer, tmp_path: Path, production_and_staging: tuple[str, str], example: MigrationSet
) -> None:
    production, staging = production_and_staging
    migrate(production, example, 4)
    migrate(staging, example, 5)

    result = run_gate(
        STAGED_GATE,
        scratch_server,
        tmp_path,
        EXAMPLE,
        environment="production",
        DATABASE_URL_PROD=production,
        DATABASE_URL_STAGING=staging,
    )

    assert result.returncode == 1
    assert "1 migration(s) would reach production before staging" in result.stdout
    assert "0005_validate_cap_drop_lock_columns is pending on production but pending on staging" in result.stdout


def test_staged_gate_fails_naming_a_missing_database_variable(scratch_server: ScratchServer, tmp_path: Path) -> None:
    result = run_gate(
        STAGED_GATE,
        scratch_server,
        tmp_path,
        EXAMPLE,
        environment="production",
        DATABASE_URL_PROD="postgresql://localhost/prod",
    )

    assert result.returncode == 1
    assert "DATABASE_URL_STAGING is not set" in result.stdout
