"""`[migrations.severity]` names lint rules: `load_config` runs the migration package's check
(named in gates.config's PACKAGE_CHECKS), so every gate and command that reads the file refuses a
misspelt id or a lowered fixed rule alike, while gates/ imports no other package of ours."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import gates
from gates.config import PACKAGE_CHECKS, ConfigError, load_config
from migrations_checks.lint.rules import all_rules

# The distribution's packages above gates/ (pyproject.toml's packages.find).
ABOVE_GATES = ("migrations_checks", "smoke", "standin", "fly", "drills", "rehearse")


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gates.toml"
    path.write_text("[migrations.severity]\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("rule_id", ["rerun-failur", "drop-colum", "Drop-Column"])
def test_an_unknown_rule_id_is_refused_when_the_config_is_loaded(tmp_path: Path, rule_id: str) -> None:
    path = _config(tmp_path, f'"{rule_id}" = "error"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"migrations.severity.{rule_id} in {path} is not a known rule id; check its spelling"


def test_every_registered_rule_id_is_accepted(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "".join(f'"{rule}" = "error"\n' for rule in all_rules())))
    assert set(config.migrations.severity) == set(all_rules())


@pytest.mark.parametrize("rule_id", ["unparseable-statement", "invalid-suppression"])
def test_lowering_a_rule_that_keeps_the_gate_closed_is_refused_when_the_config_is_loaded(
    tmp_path: Path, rule_id: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^migrations\.severity\.{rule_id} in .* cannot be lowered from error"):
        load_config(_config(tmp_path, f'"{rule_id}" = "warning"\n'))


def test_a_bad_severity_value_is_refused_by_the_loader_itself(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^migrations\.severity\.drop-column in .* must be one of error, warning"):
        load_config(_config(tmp_path, '"drop-column" = "fatal"\n'))


@pytest.mark.parametrize("name", PACKAGE_CHECKS)
def test_every_package_check_names_a_function(name: str) -> None:
    module, _, function = name.partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_gates_imports_no_other_package_of_ours() -> None:
    # What gates/ needs from above (the package checks) it names by dotted path: it is the ground floor.
    root = Path(gates.__file__).parent
    for module in root.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            above = [name for name in names if name.split(".")[0] in ABOVE_GATES]
            assert not above, f"{module.relative_to(root.parent)} imports {above}"
