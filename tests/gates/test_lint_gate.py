"""`pytest -m "pre_deploy and migration_lint"` run for real, in a subprocess, on small histories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrations_checks.db.migrator import apply_pending
from migrations_checks.lint.reader import read_folder
from tests.helpers import write_drizzle

ROOT = Path(__file__).parents[2]


def run_lint_gate(
    folder: str, tmp_path: Path, extra_config: str = "", env_name: str = "local", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The gate as a workflow runs it, on `tmp_path/folder`, with none of the caller's gate variables."""
    config = tmp_path / "gates.toml"
    config.write_text(f'[migrations]\npath = "{folder}"\n{extra_config}')
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "GATES_", "CI"))}
    environment.update(env or {})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "pre_deploy and migration_lint",
            f"--gates-config={config}",
            "--gates-env",
            env_name,
            "-p",
            "no:cacheprovider",
            "-q",
            "-p",
            "no:xdist",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def run_gate(
    tmp_path: Path, migrations: dict[str, str], extra_config: str = "", env_name: str = "local"
) -> subprocess.CompletedProcess[str]:
    write_drizzle(tmp_path / "migrations", migrations)
    return run_lint_gate("migrations", tmp_path, extra_config, env_name)


INIT = 'CREATE TABLE "users" ("id" uuid PRIMARY KEY, "email" text NOT NULL);'


def test_passes_on_a_safe_history(tmp_path: Path) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT, "0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'})
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


def test_fails_on_an_error_finding_and_shows_it(tmp_path: Path) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT, "0001_drop": 'ALTER TABLE "users" DROP COLUMN "email";'})
    assert result.returncode == 1
    assert "0001_drop.sql:1:1: error [drop-column]" in result.stdout
    assert "block the deploy to local" in result.stdout


def test_fails_on_an_unsuppressed_warning(tmp_path: Path) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT, "0001_index": 'CREATE INDEX "e" ON "users" ("email");'})
    assert result.returncode == 1
    assert "warning [create-index-non-concurrently]" in result.stdout


def test_passes_when_the_warning_is_acknowledged(tmp_path: Path) -> None:
    sql = '-- gates: allow create-index-non-concurrently -- users has 40 rows\nCREATE INDEX "e" ON "users" ("email");'
    assert run_gate(tmp_path, {"0000_init": INIT, "0001_index": sql}).returncode == 0


def test_fails_on_an_out_of_order_journal(tmp_path: Path) -> None:
    folder = write_drizzle(tmp_path / "other", {"0000_a": INIT, "0001_b": "SELECT 1;"})
    journal = json.loads((folder / "meta" / "_journal.json").read_text())
    journal["entries"][1]["when"] = 1
    (folder / "meta" / "_journal.json").write_text(json.dumps(journal))
    result = run_lint_gate("other", tmp_path)
    assert result.returncode == 1
    assert "[journal-out-of-order]" in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("colour = 1\n", "migrations.colour in"),
        ('[migrations.severity]\n"drop-colum" = "info"\n', "migrations.severity.drop-colum"),
    ],
)
def test_fails_with_one_sentence_on_a_bad_config(tmp_path: Path, extra: str, expected: str) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT}, extra_config=extra)
    assert result.returncode == 4  # pytest's usage error: the run stops before any gate, printed once
    assert (result.stdout + result.stderr).count(expected) == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_staging_without_its_database_url_fails_naming_the_variable(tmp_path: Path) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT}, env_name="staging")
    assert result.returncode == 1
    assert "DATABASE_URL_STAGING is not set" in result.stdout


def staged_history(tmp_path: Path, scratch_database: str, applied: dict[str, str], pending: dict[str, str]) -> None:
    """A history of which `applied` is already on the database (with drizzle's bookkeeping)."""
    write_drizzle(tmp_path / "applied", applied)
    apply_pending(
        scratch_database,
        read_folder(tmp_path / "applied"),
        lock_timeout="5s",
        statement_timeout="60s",
        connect_budget_s=5,
    )
    write_drizzle(tmp_path / "full", {**applied, **pending})


def run_staging_gate(tmp_path: Path, scratch_database: str) -> subprocess.CompletedProcess[str]:
    return run_lint_gate("full", tmp_path, env_name="staging", env={"DATABASE_URL_STAGING": str(scratch_database)})


def test_staging_reports_only_what_is_pending_there(tmp_path: Path, scratch_database: str) -> None:
    # 0000 holds an error but is already applied on staging: only the pending 0001 is judged.
    staged_history(
        tmp_path,
        scratch_database,
        applied={"0000_init": INIT + '\nCREATE TABLE "old" ("id" int);\nDROP TABLE "old";'},
        pending={"0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'},
    )
    result = run_staging_gate(tmp_path, scratch_database)
    assert result.returncode == 0, result.stdout


def test_staging_fails_on_a_pending_error(tmp_path: Path, scratch_database: str) -> None:
    staged_history(
        tmp_path,
        scratch_database,
        applied={"0000_init": INIT},
        pending={"0001_drop": 'ALTER TABLE "users" DROP COLUMN "email";'},
    )
    result = run_staging_gate(tmp_path, scratch_database)
    assert result.returncode == 1
    assert "0001_drop.sql:1:1: error [drop-column]" in result.stdout
    assert "0000_init" not in result.stdout


def test_staging_fails_when_an_applied_migration_was_edited(tmp_path: Path, scratch_database: str) -> None:
    staged_history(
        tmp_path,
        scratch_database,
        applied={"0000_init": INIT},
        pending={"0001_add": 'ALTER TABLE "users" ADD COLUMN "name" text;'},
    )
    (tmp_path / "full" / "0000_init.sql").write_text(INIT + "\n-- edited after it was applied")
    result = run_staging_gate(tmp_path, scratch_database)
    assert result.returncode == 1
    assert "the staging database has drifted" in result.stdout
    assert "applied-migration-edited: 0000_init.sql changed after it was applied" in result.stdout
