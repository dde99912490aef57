"""End to end: the built wheel, installed into a fresh virtual environment, gates an app repository
that holds only a gates.toml and a Drizzle folder (pip's cache is reused; no network beyond the
package index)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers.app_repo import CLEAN_HISTORY, DROP_COLUMN, write_app_repo

REPO = Path(__file__).parents[2]
GATE_COMMAND = ("-m", "pytest", "-m", "pre_deploy", "--gates-env", "local", "-p", "no:cacheprovider")

# As a developer runs it on their machine: outside CI a gate whose platform is absent may skip.
LOCAL_DEVELOPER = {name: value for name, value in os.environ.items() if name != "CI"}


@pytest.fixture(scope="module")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(REPO)], check=True)
    venv.create(work / "venv", with_pip=True)
    python = work / "venv" / "bin" / "python"
    wheel = next((work / "dist").glob("deploy_gates-*.whl"))
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", "install", wheel], check=True)
    return python


@pytest.mark.wheel_install
def test_installed_gates_pass_a_clean_history_and_fail_a_drop_column(installed_python: Path, tmp_path: Path) -> None:
    app = write_app_repo(tmp_path / "app")
    clean = subprocess.run(
        [installed_python, *GATE_COMMAND], cwd=app, capture_output=True, text=True, env=LOCAL_DEVELOPER
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr

    write_app_repo(app, {**CLEAN_HISTORY, **DROP_COLUMN})
    dropped = subprocess.run(
        [installed_python, *GATE_COMMAND], cwd=app, capture_output=True, text=True, env=LOCAL_DEVELOPER
    )
    assert dropped.returncode == 1, dropped.stdout + dropped.stderr
    assert "drop-column" in dropped.stdout and "0002_drop_bio.sql" in dropped.stdout
