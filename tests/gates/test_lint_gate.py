"""`pytest -m "pre_deploy and migration_lint"` run for real, in a subprocess, on small histories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint_helpers import write_drizzle

ROOT = Path(__file__).parents[2]


def run_gate(tmp_path: Path, migrations: dict[str, str], extra_config: str = "",
             env_name: str = "local", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    write_drizzle(tmp_path / "migrations", migrations)
    config = tmp_path / "gates.toml"
    config.write_text(f'[migrations]\npath = "migrations"\n{extra_config}')
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "GATES_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "pre_deploy and migration_lint", f"--gates-config={config}",
         "--gates-env", env_name, "-p", "no:cacheprovider", "-q", "-p", "no:xdist"],
        cwd=ROOT, capture_output=True, text=True, env=environment, timeout=120, check=False,
    )


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
    config = tmp_path / "gates.toml"
    config.write_text('[migrations]\npath = "other"\n')
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "pre_deploy and migration_lint", f"--gates-config={config}",
         "-p", "no:cacheprovider", "-q", "-p", "no:xdist"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1
    assert "[journal-out-of-order]" in result.stdout


@pytest.mark.parametrize(("extra", "expected"), [
    ("colour = 1\n", "migrations.colour in"),
    ('[migrations.severity]\n"drop-colum" = "info"\n', "migrations.severity.drop-colum"),
])
def test_fails_with_one_sentence_on_a_bad_config(tmp_path: Path, extra: str, expected: str) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT}, extra_config=extra)
    assert result.returncode == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stdout


def test_staging_without_its_database_url_fails_naming_the_variable(tmp_path: Path) -> None:
    result = run_gate(tmp_path, {"0000_init": INIT}, env_name="staging")
    assert result.returncode == 1
    assert "DATABASE_URL_STAGING is not set" in result.stdout
