"""`migrations-checks lint`: exit codes, errors on stderr, options and config.

Exit codes are checked through real subprocesses (`python -m migrations_checks lint`), the way CI
and the pre-commit hook run it; option plumbing is checked in-process, which is much faster.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrations_checks import cli
from migrations_checks.commands import lint
from migrations_checks.lint.context import LintOptions
from migrations_checks.lint.reader import MigrationSet
from migrations_checks.lint.records.findings import LintResult

CLEAN = 'ALTER TABLE "users" ADD COLUMN "bio" text;\n'
DROP = 'ALTER TABLE "users" DROP COLUMN "age";\n'
INDEX = 'CREATE INDEX "users_email_idx" ON "users" ("email");\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with its own gates.toml, so no configuration above it leaks into the tests."""
    (tmp_path / "gates.toml").write_text('[migrations]\npath = "db"\nformat = "plain"\n', encoding="utf-8")
    (tmp_path / "db").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migrations_checks", "lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_clean_file_exits_0(project: Path) -> None:
    write(project / "db" / "0001_bio.sql", CLEAN)
    done = run_cli(project, "db/0001_bio.sql")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1].startswith("0 errors, 0 warnings, 0 info, 0 suppressed in 1 file")


def test_error_finding_exits_1(project: Path) -> None:
    write(project / "db" / "0001_drop.sql", DROP)
    done = run_cli(project, "--format", "github", "db/0001_drop.sql")
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("::error file=db/0001_drop.sql,line=1,col=1,title=drop-column::")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-path", "db/nowhere.sql does not exist"),
        ("not-utf8", "db/0001_latin1.sql is not UTF-8 text"),
        ("unknown-config-key", "migrations.hot_table in {config} is not a known setting"),
        ("unknown-severity-rule", "migrations.severity.drop-colum in {config} is not a known rule id"),
        ("bad-postgres-version", "--postgres-version: 11 is not a supported Postgres major version"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(project: Path, case: str, expected: str) -> None:
    args = ["db/0001.sql"]
    write(project / "db" / "0001.sql", CLEAN)
    if case == "missing-path":
        args = ["db/0001.sql", "db/nowhere.sql"]
    elif case == "not-utf8":
        (project / "db" / "0001_latin1.sql").write_bytes(b"-- caf\xe9\nSELECT 1;\n")
        args = ["db/0001_latin1.sql"]
    elif case == "unknown-config-key":
        write(project / "gates.toml", "[migrations]\nhot_table = ['users']\n")
    elif case == "unknown-severity-rule":
        write(project / "gates.toml", "[migrations.severity]\ndrop-colum = 'warning'\n")
    else:
        args = ["--postgres-version", "11", "db/0001.sql"]
    done = run_cli(project, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert expected.format(config=project / "gates.toml") in done.stderr
    assert "Traceback" not in done.stderr


def test_fail_on_warning_makes_warnings_block(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "db" / "0001_index.sql", INDEX)
    assert cli.main(["lint", "db/0001_index.sql"]) == 0
    assert cli.main(["lint", "--fail-on", "warning", "db/0001_index.sql"]) == 1
    assert "warning [create-index-non-concurrently]" in capsys.readouterr().out


def test_without_paths_lints_the_configured_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "db" / "0001_bio.sql", CLEAN)
    write(project / "db" / "0002_drop.sql", DROP)
    write(project / "db" / "0002_drop.down.sql", 'ALTER TABLE "users" ADD COLUMN "age" integer;\n')
    write(project / "db" / ".sql", DROP)  # a hidden file, not a migration with an empty name
    assert cli.main(["lint", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"file": "db/0002_drop.sql"' in out
    assert '"files": 2' in out


def test_config_severity_override_applies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "gates.toml", '[migrations.severity]\ndrop-column = "warning"\n')
    write(project / "db" / "0001_drop.sql", DROP)
    assert cli.main(["lint", "db/0001_drop.sql"]) == 0
    assert "warning [drop-column]" in capsys.readouterr().out


def test_explicit_config_file_is_used(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / "db" / "0001_drop.sql", DROP)
    other = project / "other"
    other.mkdir()
    write(other / "strict.toml", "[migrations.severity]\ndrop-column = 'info'\n")
    assert cli.main(["lint", "--config", "other/strict.toml", "db/0001_drop.sql"]) == 0
    assert "info [drop-column]" in capsys.readouterr().out


def test_missing_config_file_is_a_config_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["lint", "--config", "nowhere.toml", "db"]) == 2
    assert capsys.readouterr().err == "migrations-checks: config file nowhere.toml does not exist\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"transactional": True, "postgres_version": 15, "hot_tables": frozenset({"users"})}),
        (["--no-transaction"], {"transactional": False}),
        (["--postgres-version", "17"], {"postgres_version": 17}),
    ],
)
def test_options_reach_the_engine(
    project: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: dict[str, object]
) -> None:
    write(project / "gates.toml", '[migrations]\npostgres_version = 15\nhot_tables = ["Users"]\n')
    write(project / "db" / "0000_init.sql", CLEAN)
    seen: list[LintOptions] = []

    def fake_lint_sets(sets: list[MigrationSet], options: LintOptions) -> LintResult:
        seen.append(options)
        return LintResult()

    monkeypatch.setattr(lint, "lint_sets", fake_lint_sets)
    assert cli.main(["lint", *argv, "db"]) == 0
    [options] = seen
    assert {key: getattr(options, key) for key in expected} == expected


def test_unknown_format_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["lint", "--format", "xml", "db"])
    assert stopped.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_a_folder_that_cannot_be_listed_is_an_input_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tests may run as root, whom permissions do not stop: the refusal is simulated.
    write(project / "db" / "0001_bio.sql", CLEAN)

    def refuse(self: Path) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert cli.main(["lint", "db"]) == 2
    assert capsys.readouterr().err == "migrations-checks: db cannot be read: Permission denied\n"


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
# `lint` ends the quick way (see gates.cli.run_and_exit), `init` (its one line: gates.toml exists) the usual way.
@pytest.mark.parametrize("command", [("lint", "db/0001_bio.sql"), ("init",)], ids=["lint", "init"])
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(
    project: Path, command: tuple[str, ...], unbuffered: bool
) -> None:
    write(project / "db" / "0001_bio.sql", CLEAN)
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    if unbuffered:
        environment["PYTHONUNBUFFERED"] = "1"  # then the write itself fails, not the flush after it
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "migrations_checks", *command],
            cwd=project,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            env=environment,
        )
    assert done.returncode == 2
    assert done.stderr == "migrations-checks: cannot write the output: No space left on device\n"


def test_a_path_that_is_neither_file_nor_folder_is_named_as_such(project: Path) -> None:
    done = run_cli(project, "/dev/null")
    assert (done.returncode, done.stderr) == (2, "migrations-checks: /dev/null is neither a file nor a folder\n")


def test_the_configured_folder_is_read_in_its_format_when_named_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Named on the command line, the folder gates.toml names is still read as [migrations] format says.
    write(project / "db" / "0001_drop.sql", DROP)
    write(project / "gates.toml", '[migrations]\npath = "db"\nformat = "drizzle"\n')
    assert cli.main(["lint", "--no-cache", "db"]) == 2
    assert "has no meta/_journal.json, but [migrations] format is drizzle" in capsys.readouterr().err
    # Another folder without a journal is still plain.
    (project / "other").mkdir()
    write(project / "other" / "0001_drop.sql", DROP)
    assert cli.main(["lint", "--no-cache", "other"]) == 1
