"""`[migrations.severity]` names lint rules: the migration gates' plugin checks the ids against
the rule registry before any gate runs (gates.config, below the linter, only checks the values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.config import ConfigError, load_config
from migrations_checks.lint.rules import all_rules
from migrations_checks.plugin import pytest_gates_config_loaded


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gates.toml"
    path.write_text("[migrations.severity]\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("rule_id", ["rerun-failur", "drop-colum", "Drop-Column"])
def test_an_unknown_rule_id_is_refused(tmp_path: Path, rule_id: str) -> None:
    path = _config(tmp_path, f'"{rule_id}" = "error"\n')
    with pytest.raises(ConfigError) as raised:
        pytest_gates_config_loaded(load_config(path))
    assert str(raised.value) == f"migrations.severity.{rule_id} in {path} is not a known rule id; check its spelling"


def test_every_registered_rule_id_is_accepted(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "".join(f'"{rule}" = "error"\n' for rule in all_rules())))
    pytest_gates_config_loaded(config)
    assert set(config.migrations.severity) == set(all_rules())


@pytest.mark.parametrize("rule_id", ["unparseable-statement", "invalid-suppression"])
def test_lowering_a_rule_that_keeps_the_gate_closed_is_refused(tmp_path: Path, rule_id: str) -> None:
    config = load_config(_config(tmp_path, f'"{rule_id}" = "warning"\n'))
    with pytest.raises(ConfigError, match=rf"^migrations\.severity\.{rule_id} in .* cannot be lowered from error"):
        pytest_gates_config_loaded(config)


def test_a_bad_severity_value_is_refused_by_the_loader_itself(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^migrations\.severity\.drop-column in .* must be one of error, warning"):
        load_config(_config(tmp_path, '"drop-column" = "fatal"\n'))
