"""Where an undecidable gate fails rather than skips: outside `local`, and in CI."""

from __future__ import annotations

import pytest

from gates.config import Environment
from gates.failclosed import must_fail

pytest_plugins = ["pytester"]

LOCAL = Environment(name="local", database_url_env="DATABASE_URL")


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", " yes ", "on", "y", "woodpecker"])
def test_ci_set_to_anything_but_an_explicit_no_is_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert must_fail(LOCAL)


@pytest.mark.parametrize("value", ["false", "False", "0", "no", ""])
def test_ci_explicitly_off_or_empty_is_not_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not must_fail(LOCAL)


def test_outside_local_a_gate_always_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert must_fail(Environment(name="staging", database_url_env="DATABASE_URL_STAGING"))
    assert not must_fail(LOCAL)


GATE_IN_AN_EXCEPT_BLOCK = """
import pytest
from gates.config import Environment
from gates.failclosed import cannot_decide, fail

def test_cannot_decide():
    try:
        raise LookupError("the first error")
    except LookupError:
        cannot_decide(Environment(name="staging", database_url_env="X"), "the gate cannot decide: set X")

def test_fail():
    try:
        raise LookupError("the first error")
    except LookupError:
        fail("the gate failed: the one sentence")
"""


def test_a_failure_raised_while_handling_an_error_prints_its_sentence_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE_IN_AN_EXCEPT_BLOCK)
    result = pytester.runpytest_subprocess("test_gate.py", "-p", "no:cacheprovider", "--tb=long", "-rA")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert "During handling" not in output and "the first error" not in output, output
    assert output.count("the gate cannot decide: set X") == 2  # the failure and its summary line
