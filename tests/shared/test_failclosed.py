"""Where an undecidable gate fails rather than skips: outside `local`, and in CI."""

from __future__ import annotations

import pytest

from gates.config import Environment
from gates.failclosed import must_fail

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
