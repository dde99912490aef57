"""Every command that reads gates.toml refuses a `[migrations.severity]` key the lint gate would
refuse, with the same sentence and the config-error exit code (the gates: tests/plugin/
test_config_error_once.py), before it reads anything else or touches a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates import cli
from gates.usage import EXIT_USAGE

# A database nothing listens on: the command must stop at the config before it would connect.
NOWHERE = "postgresql://gates@127.0.0.1:9/none"
# The commands that read gates.toml, with what each needs besides `--config`. `rehearse` writes
# its own gates.toml for each release; `init` writes one; `rules` reads none.
READERS: dict[str, list[str]] = {
    "lint": [],
    "review": [],
    "migrate": ["--database-url", NOWHERE],
    "status": ["--database-url", NOWHERE],
    "drill": ["neon"],
}
BAD = {
    "misspelt": ('"rerun-failur" = "error"', "migrations.severity.rerun-failur in {path} is not a known rule id"),
    "lowered": (
        '"unparseable-statement" = "warning"',
        "migrations.severity.unparseable-statement in {path} cannot be lowered from error",
    ),
}


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("command", READERS)
def test_every_command_that_reads_gates_toml_refuses_a_bad_severity_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, bad: str
) -> None:
    line, sentence = BAD[bad]
    path = tmp_path / "gates.toml"
    path.write_text(f"[migrations.severity]\n{line}\n", encoding="utf-8")
    assert cli.main([command, "--config", str(path), *READERS[command]]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err.startswith(f"gates: {sentence.format(path=path)}")
    assert captured.err.count("\n") == 1 and captured.out == ""


def test_the_table_names_every_command_with_a_config_option(capsys: pytest.CaptureFixture[str]) -> None:
    with_config = set()
    for name in cli.COMMANDS:
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        if "--config" in capsys.readouterr().out:
            with_config.add(name)
    assert with_config == set(READERS)
