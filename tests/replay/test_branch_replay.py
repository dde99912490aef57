"""The branch replay gate on a real Postgres: a target with data, a template copy, real slow statements.

Each test makes a target database on the session's scratch server, applies a baseline migration
and inserts rows, then runs the gate (pytest in a subprocess, as a workflow runs it) with one more
migration pending. A unique `GITHUB_RUN_ID` per test names its copy, so the test can prove that copy
is gone afterwards while other tests run theirs on the same server.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gates.connect import ConnectBudget
from gates.dsn import with_database
from gates.scratch_db import ScratchServer
from migrations_checks.db.branch_copy import COPY_PREFIX, copy_name
from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import read_folder
from tests.helpers.config import REPO
from tests.helpers.gate_run import run_in_child
from tests.helpers.history import write_history

GATE = REPO / "migrations_checks" / "gate_migration_replay_branch.py"
CLEARED = ("DATABASE_URL", "DATABASE_URL_STAGING", "DATABASE_URL_PROD", "GATES_ENV", "CI", "GITHUB_STEP_SUMMARY")
BASELINE = "CREATE TABLE users (id serial PRIMARY KEY, email text, score int NOT NULL DEFAULT 0);"


@pytest.fixture
def target(scratch_server: ScratchServer) -> Iterator[str]:
    """The database the gate copies (standing in for the local staging database)."""
    url = scratch_server.create_database()
    try:
        yield url
    finally:
        scratch_server.drop_database(url)


class Gate:
    def __init__(self, tmp_path: Path, target: str) -> None:
        self.tmp_path, self.target = tmp_path, target
        self.run_id = secrets.token_hex(4)
        self.reports = tmp_path / "reports"

    def prepare(self, pending_sql: str, *, rows: str = "") -> Path:
        """Baseline applied to the target (with `rows` inserted), `pending_sql` written as the next migration."""
        folder = write_history(self.tmp_path / "migrations", [("0000_base", BASELINE, None)])
        apply_pending(
            self.target,
            read_folder(folder),
            lock_timeout="5s",
            statement_timeout="30s",
            connect_budget=ConnectBudget(5),
        )
        if rows:
            with psycopg.connect(self.target, autocommit=True) as connection:
                connection.execute(rows.encode())
        return write_history(
            self.tmp_path / "migrations", [("0000_base", BASELINE, None), ("0001_next", pending_sql, None)]
        )

    def command(self, extra_config: str = "") -> tuple[list[str], dict[str, str]]:
        config = self.tmp_path / "gates.toml"
        config.write_text(
            f'[migrations]\npath = "migrations"\nhot_tables = ["users"]\nconnect_budget_s = 5\n'
            f'[branch_replay]\nreport_dir = "reports"\n{extra_config}'
        )
        env = {key: value for key, value in os.environ.items() if key not in CLEARED}
        env.update(DATABASE_URL=self.target, GITHUB_RUN_ID=self.run_id)
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-s", str(GATE)]
        return [*argv, "--gates-config", str(config), "--gates-env", "local"], env

    def run(self, extra_config: str = "") -> subprocess.CompletedProcess[str]:
        argv, env = self.command(extra_config)
        return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)

    def report(self) -> dict:
        return json.loads((self.reports / "migration-replay-branch.json").read_text())

    def copies_left(self) -> list[str]:
        return [name for name in databases(self.target) if name.endswith(f"_{self.run_id}a1")]


def databases(url: str) -> list[str]:
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", (COPY_PREFIX,))
        return [row[0] for row in rows]


def pending_on(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute('SELECT count(*) FROM "drizzle"."__drizzle_migrations"').fetchone()
        return int(row[0]) if row else 0


@pytest.fixture
def gate(tmp_path: Path, target: str) -> Gate:
    return Gate(tmp_path, target)


def test_a_clean_migration_passes_and_reports_its_statement_and_locks(gate: Gate) -> None:
    gate.prepare("ALTER TABLE users ADD COLUMN nickname text;", rows="INSERT INTO users (email) VALUES ('a'), ('b')")

    result = gate.run()

    assert result.returncode == 0, result.stdout + result.stderr
    report = gate.report()
    assert report["pending"] == ["0001_next"]
    (statement,) = report["statements"]
    assert statement["command"] == "ALTER TABLE"
    modes = {(lock["relation"], lock["mode"]) for lock in statement["locks"]}
    assert ("users", "ACCESS EXCLUSIVE") in modes
    assert report["copy"]["name"].endswith(f"_{gate.run_id}a1")
    assert report["copy"]["lifetime_s"] > 0
    assert "| migrations/0001_next.sql:1" in result.stdout or "0001_next.sql:1" in result.stdout
    assert gate.copies_left() == []
    assert pending_on(gate.target) == 1  # the target was not migrated


def test_set_not_null_over_nulls_fails_naming_the_statement_and_sqlstate(gate: Gate) -> None:
    gate.prepare("ALTER TABLE users ALTER COLUMN email SET NOT NULL;", rows="INSERT INTO users (email) VALUES (NULL)")

    result = gate.run()

    assert result.returncode == 1, result.stdout
    assert "the migration fails on the copy: " in result.stdout
    assert "0001_next.sql line 1 [SQLSTATE 23502]" in result.stdout
    assert gate.copies_left() == []
    assert pending_on(gate.target) == 1


def test_a_unique_index_over_duplicates_fails(gate: Gate) -> None:
    gate.prepare(
        "CREATE UNIQUE INDEX users_email ON users (email);", rows="INSERT INTO users (email) VALUES ('x'), ('x')"
    )

    result = gate.run()

    assert result.returncode == 1, result.stdout
    assert "0001_next.sql line 1 [SQLSTATE 23505]" in result.stdout
    assert gate.copies_left() == []


def test_a_rewrite_of_a_seeded_hot_table_over_the_lock_budget_fails(gate: Gate) -> None:
    gate.prepare("ALTER TABLE users ALTER COLUMN score TYPE bigint;")

    result = gate.run("rows_per_table = 300000\nhot_table_lock_budget_s = 0.05\n")

    assert result.returncode == 1, result.stdout
    assert "held ACCESS EXCLUSIVE on hot table users for " in result.stdout
    assert "over the hot table lock budget of 0.05 s" in result.stdout
    report = gate.report()
    assert report["seeded"] == [{"table": "users", "rows": 300000, "skipped": None}]
    assert len(report["problems"]) == 1  # one sentence per table, though it held SHARE there too
    (lock,) = [
        lock
        for lock in report["statements"][0]["locks"]
        if lock["relation"] == "users" and lock["mode"] == "ACCESS EXCLUSIVE"
    ]
    assert lock["held_s"] > 0.05
    assert gate.copies_left() == []


def test_the_same_rewrite_within_a_larger_budget_passes(gate: Gate) -> None:
    gate.prepare("ALTER TABLE users ALTER COLUMN score TYPE bigint;")

    result = gate.run("rows_per_table = 1000\n")

    assert result.returncode == 0, result.stdout


def test_a_batch_over_its_budget_is_cancelled_and_fails(gate: Gate) -> None:
    gate.prepare("SELECT pg_sleep(20);")

    result = gate.run("batch_budget_s = 0.5\n")

    assert result.returncode == 1, result.stdout
    (problem,) = gate.report()["problems"]
    assert problem.startswith("the batch reached its budget of 0.5 s while ")
    assert problem.endswith("0001_next.sql line 1 (SELECT pg_sleep(20);) was running, so the gate cancelled it")
    assert gate.report()["statements"][0]["duration_s"] < 5  # cancelled, not slept for 20 s
    assert gate.copies_left() == []


def test_a_stale_copy_of_a_killed_run_is_swept_and_a_fresh_one_is_kept(gate: Gate) -> None:
    gate.prepare("ALTER TABLE users ADD COLUMN nickname text;")
    stale = copy_name(secrets.token_hex(4), time.time() - 7200)
    fresh = copy_name(secrets.token_hex(4), time.time() - 600)
    admin = with_database(gate.target, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in (stale, fresh):
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        result = gate.run()

        assert result.returncode == 0, result.stdout
        assert stale not in databases(gate.target)
        assert fresh in databases(gate.target)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in (stale, fresh):
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_ctrl_c_during_the_migration_still_deletes_the_copy(gate: Gate) -> None:
    gate.prepare("SELECT pg_sleep(30);")
    argv, env = gate.command()
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not gate.copies_left():
            assert time.monotonic() < deadline and process.poll() is None, "the gate never created its copy"
            time.sleep(0.05)
        time.sleep(0.5)  # into the migration
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert "KeyboardInterrupt" in output
    assert gate.copies_left() == []


def test_without_the_target_url_the_gate_skips_locally_and_fails_in_ci(
    gate: Gate, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate.prepare("SELECT 1;")
    argv, env = gate.command()
    del env["DATABASE_URL"]
    gate_args = argv[argv.index("-q") :]

    run_in_child(pytester, monkeypatch, *gate_args, environ=env, timeout=60).assert_outcomes(skipped=1)
    ci = run_in_child(pytester, monkeypatch, *gate_args, environ={**env, "CI": "true"}, timeout=60)

    ci.assert_outcomes(failed=1)
    assert "cannot replay on a copy: DATABASE_URL is not set: the gate copies the local database" in ci.stdout.str()
