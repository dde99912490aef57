"""The drills read every input before raising: one sentence names them all, wrong ones first, and a
wrong one fails the drill even in a local run where a missing one alone would skip it."""

from __future__ import annotations

from pathlib import Path

import pytest

from drills.targets import neon_target, vercel_target
from gates.config import load_config
from gates.connect import ConnectBudget
from gates.inputs import InputError, MissingInput
from tests.helpers.gate_run import run_gates

STAGING = "[environments.staging]\n"
REFUSED = "drill_vercel moves the production alias and refuses to run without"
VERCEL_VARIABLES = "VERCEL_TOKEN, VERCEL_ORG_ID, VERCEL_PROJECT_ID must be set for the vercel CLI"


def test_neon_drill_names_a_wrong_api_url_first_and_everything_missing(tmp_path: Path) -> None:
    (tmp_path / "gates.toml").write_text(STAGING, encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    staging = config.environment("staging")
    with (
        pytest.raises(InputError) as caught,
        neon_target(config, staging, {"NEON_API_URL": "neon.tech"}, ConnectBudget(5)),
    ):
        pass
    assert not isinstance(caught.value, MissingInput)
    message = str(caught.value)
    assert message.startswith("drill_neon cannot run: NEON_API_URL is not an http(s) URL")
    for missing in (
        f"{staging.database_url_env} is not set",
        "NEON_API_KEY is not set",
        "NEON_PROJECT_ID is not set",
        "the Neon branch of staging is not set",
    ):
        assert missing in message, message


def test_neon_drill_with_only_missing_inputs_is_a_missing_input(tmp_path: Path) -> None:
    (tmp_path / "gates.toml").write_text(STAGING, encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    missing = r"DATABASE_URL_STAGING is not set: .*; NEON_API_KEY is not set"
    with (
        pytest.raises(MissingInput, match=missing),
        neon_target(config, config.environment("staging"), {}, ConnectBudget(5)),
    ):
        pass


def test_vercel_drill_names_the_refusal_first_with_everything_missing(tmp_path: Path) -> None:
    (tmp_path / "gates.toml").write_text(STAGING, encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    with pytest.raises(InputError) as caught:
        vercel_target(config, config.environment("staging"), {"PATH": str(tmp_path)}, False)
    assert not isinstance(caught.value, MissingInput)
    message = str(caught.value)
    assert message.startswith(f"drill_vercel cannot run: {REFUSED}")
    assert VERCEL_VARIABLES in message and "the vercel CLI is not on PATH" in message
    assert "set api_url of staging" in message


def test_a_wrong_vercel_api_url_is_wrong_not_missing(tmp_path: Path) -> None:
    (tmp_path / "gates.toml").write_text(STAGING + "[drills]\nallow_production_drill = true\n", encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    with pytest.raises(InputError) as caught:
        vercel_target(config, config.environment("staging"), {"GATES_VERCEL_API": "localhost:3000"}, True)
    assert not isinstance(caught.value, MissingInput)
    assert str(caught.value).startswith("drill_vercel cannot run: GATES_VERCEL_API is not an http(s) URL")


def test_the_vercel_drill_gate_fails_locally_with_the_whole_sentence(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "gates.toml").write_text("[environments.local]\n", encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    for name in ("VERCEL_TOKEN", "VERCEL_ORG_ID", "VERCEL_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    code, output = run_gates(pytester, monkeypatch, tmp_path, "rollback_drill and drill_vercel", "local", {}, "drills")
    assert code == 1, output
    assert f"drill_vercel cannot run: {REFUSED}" in output and VERCEL_VARIABLES in output
    assert "During handling" not in output
