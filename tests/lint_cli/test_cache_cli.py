"""`lint` keeps its result cache beside the gates.toml in use, and `--no-cache` leaves it alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migrations_checks.lint.cache import CACHE_DIR

DROP = 'ALTER TABLE "users" DROP COLUMN "age";\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "gates.toml").write_text('[migrations]\npath = "db"\nformat = "plain"\n', encoding="utf-8")
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "0001_drop.sql").write_text(DROP, encoding="utf-8")
    return tmp_path


def lint(cwd: Path, *args: str, command: str = "migrations-checks") -> subprocess.CompletedProcess[str]:
    # The console scripts pip put beside this interpreter, as a user runs them.
    return subprocess.run(
        [str(Path(sys.executable).parent / command), "lint", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_cache_lives_beside_the_nearest_gates_toml(project: Path) -> None:
    (project / "db" / "deeper").mkdir()
    cold = lint(project / "db" / "deeper", "..")
    assert cold.returncode == 1, cold.stderr
    assert not (project / "db" / CACHE_DIR).exists()
    assert (project / CACHE_DIR / ".gitignore").is_file()
    assert len(list((project / CACHE_DIR).glob("*.json"))) == 1
    assert lint(project / "db" / "deeper", "..").stdout == cold.stdout


def test_no_cache_neither_reads_nor_writes_it(project: Path) -> None:
    for command in ("migrations-checks", "gates"):
        done = lint(project, "--no-cache", command=command)
        assert done.returncode == 1, done.stderr
        assert '"drop-column"' in done.stdout
    assert not (project / CACHE_DIR).exists()
