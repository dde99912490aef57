"""The plugin in an application's repository: it collects the installed gates, and only then."""

from __future__ import annotations

import importlib

import pytest

from gates import plugin
from gates.plugin import OPTION_GROUP, installed_gate_modules
from tests.helpers.app_repo import CLEAN_HISTORY, DROP_COLUMN, write_app_repo

pytest_plugins = ["pytester"]
LINT_ONLY = ("-m", "pre_deploy and migration_lint", "--gates-env", "local", "-p", "no:cacheprovider")


def test_an_app_repository_runs_the_installed_lint_gate(pytester: pytest.Pytester) -> None:
    write_app_repo(pytester.path)
    pytester.runpytest_subprocess(*LINT_ONLY).assert_outcomes(passed=1)


def test_a_drop_column_fails_the_lint_gate_naming_rule_and_file(pytester: pytest.Pytester) -> None:
    write_app_repo(pytester.path, {**CLEAN_HISTORY, **DROP_COLUMN})
    result = pytester.runpytest_subprocess(*LINT_ONLY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*0002_drop_bio.sql*drop-column*"])


def test_each_gate_is_collected_once() -> None:
    modules = installed_gate_modules()
    assert len(modules) == len(set(modules))
    assert {module.name for module in modules} >= {"gate_migration_lint.py", "gate_smoke.py"}


def test_named_paths_run_without_the_gates(pytester: pytest.Pytester) -> None:
    write_app_repo(pytester.path)
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    pytester.runpytest_subprocess("test_own.py", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_ini_keys_choose_the_environment_and_the_config(pytester: pytest.Pytester) -> None:
    (pytester.path / "settings").mkdir()
    (pytester.path / "settings" / "gates.toml").write_text("[environments.staging]\nneon_branch = 'x'\n")
    pytester.makeini("[pytest]\ngates_env = staging\ngates_config = settings/gates.toml\n")
    pytester.makepyfile(
        test_env="def test_env(gates_env):\n    assert (gates_env.name, gates_env.neon_branch) == ('staging', 'x')\n"
    )
    pytester.runpytest_subprocess("test_env.py", "-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_option_is_in_the_deploy_gates_help_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    text = result.stdout.str()
    group = text[text.index(f"{OPTION_GROUP}:") :].split("\n\n", 1)[0]
    options = _plugin_options()
    assert {"--gates-env", "--gates-config", "--gates-scratch-database-url"} <= set(options)
    for option in options:
        assert f"\n  {option}" in group and text.count(f"\n  {option}") == 1, option
    assert "GATES_SCRATCH_DATABASE_URL" in group


def _plugin_options() -> list[str]:
    """Every option the plugin and the modules it loads add, whatever group they name."""
    added: list[str] = []

    class Recorder:
        def getgroup(self, *args: object, **kwargs: object) -> Recorder:
            return self

        def addoption(self, *names: str, **kwargs: object) -> None:
            added.extend(names)

        def addini(self, *args: object, **kwargs: object) -> None:
            pass

    for name in ("gates.plugin", *plugin.pytest_plugins):
        module = importlib.import_module(name)
        if hasattr(module, "pytest_addoption"):
            module.pytest_addoption(Recorder())
    return added
