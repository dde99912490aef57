"""End to end: the built wheel, installed into a fresh virtual environment, gates an app repository
that holds only a gates.toml and a Drizzle folder (pip's cache is reused; no network beyond the
package index). The wheel is built from a copy of the repository's files, not from the work tree:
setuptools would leave build/ there, and a module deleted later would be packaged from its stale copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers.app_repo import CLEAN_HISTORY, DROP_COLUMN, write_app_repo

REPO = Path(__file__).parents[2]
PACKAGES = ("gates", "migrations_checks", "smoke", "standin", "fly", "drills", "rehearse")  # pyproject's
GATE_COMMAND = ("-m", "pytest", "-m", "pre_deploy", "--gates-env", "local", "-p", "no:cacheprovider")

# As a developer runs it on their machine: outside CI a gate whose platform is absent may skip.
LOCAL_DEVELOPER = {name: value for name, value in os.environ.items() if name != "CI"}


def repository_files() -> list[Path]:
    """The files a clone would hold, with the ones not yet committed: git's own list, so what
    .gitignore names (build/, *.egg-info, caches) never reaches the wheel."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"{REPO} is not a git checkout: its files cannot be told from build output")
    # --cached also lists a file deleted from the work tree but not yet from the index.
    return [Path(name) for name in listed.decode().split("\0") if name and (REPO / name).is_file()]


def clean_copy(destination: Path) -> Path:
    for relative in repository_files():
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, destination / relative)
    return destination


@pytest.fixture(scope="module")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = clean_copy(work / "source")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)], check=True)
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


@pytest.mark.wheel_install
def test_the_wheel_holds_the_repositorys_modules_and_no_others(installed_python: Path, tmp_path: Path) -> None:
    where = "import importlib.util, sys\nfor name in sys.argv[1:]: print(importlib.util.find_spec(name).origin)"
    done = subprocess.run(
        [installed_python, "-c", where, *PACKAGES], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    site = Path(done.stdout.splitlines()[0]).parents[1]
    installed = {path.relative_to(site) for package in PACKAGES for path in (site / package).rglob("*.py")}
    ours = {path for path in repository_files() if path.parts[0] in PACKAGES and path.suffix == ".py"}
    assert installed == ours
