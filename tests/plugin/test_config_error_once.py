"""A bad gates.toml is one sentence printed once for the whole run, not once per gate."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

GATES = """
import pytest

@pytest.mark.parametrize("gate", range(4))
def test_gate(gates_config, gate):
    pass

def test_without_config():
    pass
"""


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ("[migrations]\nhot_table = ['users']\n", "is not a known setting"),
        # judged by the migration gates' plugin, through the hook the plugin calls
        ("[migrations.severity]\ndrop-colum = 'info'\n", "drop-colum in"),
    ],
    ids=["key", "rule-id"],
)
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["alone", "xdist"])
def test_a_bad_gates_toml_is_reported_once_and_fails_the_run(
    pytester: pytest.Pytester, workers: list[str], body: str, sentence: str
) -> None:
    (pytester.path / "gates.toml").write_text(body)
    pytester.makepyfile(test_gates=GATES)
    result = pytester.runpytest_subprocess("test_gates.py", "-p", "no:cacheprovider", "--tb=long", *workers)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert output.count(sentence) == 1, output
    assert "During handling" not in output


def test_a_good_gates_toml_runs_the_gates(pytester: pytest.Pytester) -> None:
    (pytester.path / "gates.toml").write_text("[migrations]\nhot_tables = ['users']\n")
    pytester.makepyfile(test_gates=GATES)
    pytester.runpytest_subprocess("test_gates.py", "-p", "no:cacheprovider").assert_outcomes(passed=5)


def test_an_unknown_environment_is_reported_once(pytester: pytest.Pytester) -> None:
    (pytester.path / "gates.toml").write_text("")
    pytester.makepyfile(test_gates=GATES)
    result = pytester.runpytest_subprocess("test_gates.py", "-p", "no:cacheprovider", "--gates-env", "prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (result.stdout.str() + result.stderr.str()).count("environment 'prod' is not defined") == 1
