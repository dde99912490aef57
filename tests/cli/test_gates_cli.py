"""The `gates` console script: its subcommands, and `gates init`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from msgspec.structs import replace

from gates import cli
from gates.config import load_config

GATES = Path(sys.executable).parent / "gates"


def test_help_lists_every_subcommand() -> None:
    done = subprocess.run([GATES, "--help"], capture_output=True, text=True, check=True)
    assert set(cli.COMMANDS) == {"init", "lint", "migrate", "status", "rules", "review", "drill", "rehearse"}
    for name, command in cli.COMMANDS.items():
        assert f"\n    {name} " in done.stdout and command.summary.split()[0] in done.stdout


def test_init_writes_a_starter_that_loads_as_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    done = subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    written = tmp_path / "gates.toml"
    assert done.stdout == f"wrote {written}: the default settings, commented; edit it to fit your app\n"
    assert replace(load_config(written), source=None) == load_config(None)


def test_every_setting_of_the_starter_uncommented_loads_as_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    written = tmp_path / "gates.toml"
    text = written.read_text(encoding="utf-8")
    for section in ("[migrations]", "[branch_replay]", "[fly]", "[drills]", "[github]", "[environments.staging.fly]"):
        assert section in text
    assert '# per_environment_secrets = ["DATABASE_URL"]' in text
    setting = re.compile(r"# ([a-z_]+ = .*?)\s+# ")  # a setting with a value; `(not set)` ones stay comments
    uncommented = [setting.sub(r"\1  # ", line) if "(not set)" not in line else line for line in text.splitlines()]
    assert uncommented != text.splitlines()
    written.write_text("\n".join(uncommented), encoding="utf-8")
    assert replace(load_config(written), source=None) == load_config(None)


@pytest.mark.parametrize("name", ["local", "staging", "production"])
def test_init_shows_each_environments_fly_settings_at_their_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    written = tmp_path / "gates.toml"
    text = written.read_text(encoding="utf-8")
    fly = text[text.index(f"[environments.{name}.fly]") :].split("\n\n")[0]
    assert "# zero_downtime = false" in fly
    written.write_text("\n".join(line.removeprefix("# ") for line in fly.splitlines()), encoding="utf-8")
    assert load_config(written).environment(name).fly == load_config(None).environment(name).fly


def test_init_a_second_time_changes_nothing_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    first = (tmp_path / "gates.toml").read_bytes()
    done = subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    assert done.stdout == f"{tmp_path / 'gates.toml'} already exists; nothing was changed\n"
    assert (tmp_path / "gates.toml").read_bytes() == first
    assert [path.name for path in tmp_path.iterdir()] == ["gates.toml"]


def test_init_never_overwrites_a_teams_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gates.toml").write_text("[migrations]\npath = 'db'\n", encoding="utf-8")
    done = subprocess.run([GATES, "init"], capture_output=True, text=True, check=True)
    assert done.stdout == f"{tmp_path / 'gates.toml'} already exists; nothing was changed\n"
    assert (tmp_path / "gates.toml").read_text(encoding="utf-8") == "[migrations]\npath = 'db'\n"


@pytest.mark.parametrize(
    "command", [(str(GATES.with_name("migrations-checks")),), (sys.executable, "-m", "migrations_checks")]
)
def test_migrations_checks_is_an_alias(tmp_path: Path, command: tuple[str, ...]) -> None:
    rules = subprocess.run([*command, "rules"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert rules.stdout == subprocess.run([GATES, "rules"], capture_output=True, text=True, check=True).stdout
    assert rules.stdout.startswith("# Migration rules")
    usage = subprocess.run([*command, "--help"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert usage.stdout.split()[:4] == ["usage:", "migrations-checks", "[-h]", "{" + ",".join(cli.COMMANDS) + "}"]


@pytest.mark.parametrize("files", [1, 300])  # a report smaller than the output's buffer, and one larger
@pytest.mark.parametrize("command", [(str(GATES),), (sys.executable, "-m", "migrations_checks")])
def test_lint_exits_quickly_with_its_whole_report(tmp_path: Path, command: tuple[str, ...], files: int) -> None:
    """`lint` ends without tearing the interpreter down (`Command.quick_exit`); its report must
    still reach a pipe whole, and its exit code must still be the gate's."""
    folder = tmp_path / "db"
    folder.mkdir()
    for number in range(files):
        (folder / f"{number:04}_drop.sql").write_text(f'ALTER TABLE "t{number}" DROP COLUMN "c";\n', encoding="utf-8")
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as in most shells
    done = subprocess.run(
        [*command, "lint", "--format", "json", "--no-cache", "db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=buffered,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert [finding["rule"] for finding in json.loads(done.stdout)["findings"]] == ["drop-column"] * files
