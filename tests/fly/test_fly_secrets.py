"""fly_secrets against a fake flyctl: every JSON shape flyctl has printed for `fly secrets list`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.fake_flyctl import FakeFlyctl
from tests.helpers.gate_run import GateRun, run_gates

WORKER, REGENERATOR = "atlaris-worker-staging", "atlaris-worker-regenerator-staging"
GATES_TOML = f"""
[fly]
required_secrets = ["DATABASE_URL", "AI_API_KEY"]
[environments.staging]
fly_apps = {{ worker = "{WORKER}", regenerator = "{REGENERATOR}" }}
"""
DIGEST = "a1b2c3d4e5f60718"


def before_2025_09(names: list[str]) -> list[dict[str, Any]]:
    return [{"Name": name, "Digest": DIGEST, "CreatedAt": "2025-06-01T10:00:00Z"} for name in names]


def from_2025_09(names: list[str]) -> list[dict[str, Any]]:
    stamp = "2025-10-01T10:00:00Z"
    return [{"name": name, "digest": DIGEST, "updated_at": stamp, "created_at": stamp} for name in names]


def current(names: list[str]) -> list[dict[str, Any]]:
    return [{"name": name, "digest": DIGEST, "status": "Deployed"} for name in names]


def current_without_status(names: list[str]) -> list[dict[str, Any]]:
    return [{"name": name, "digest": DIGEST} for name in names]


SHAPES = [before_2025_09, from_2025_09, current, current_without_status]


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., GateRun]:
    (tmp_path / "gates.toml").write_text(GATES_TOML, encoding="utf-8")
    fake = FakeFlyctl.install(tmp_path)

    def gate(
        shape: Callable[[list[str]], list[dict[str, Any]]], regenerator_names: list[str], **regenerator: Any
    ) -> GateRun:
        """`regenerator` replaces the regenerator app's answer (stdout, stderr, exit) with a broken one."""
        fake.answer(f"secrets list --app {WORKER}", data=shape(["DATABASE_URL", "AI_API_KEY"]))
        if regenerator:
            fake.answer(f"secrets list --app {REGENERATOR}", **regenerator)
        else:
            fake.answer(f"secrets list --app {REGENERATOR}", data=shape(regenerator_names))
        if regenerator.get("exit") == "missing":
            (fake.bin_dir / "flyctl").unlink()
        return run_gates(pytester, monkeypatch, tmp_path, "pre_deploy and fly_secrets", "staging", fake.environ())

    return gate


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_all_secrets_set_passes_in_every_shape(run: Callable[..., GateRun], shape: Any) -> None:
    run(shape, ["AI_API_KEY", "DATABASE_URL", "SENTRY_DSN"]).assert_outcomes(passed=2)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_a_missing_secret_fails_naming_it_in_every_shape(run: Callable[..., GateRun], shape: Any) -> None:
    code, output = run(shape, ["DATABASE_URL"])
    assert code == 1
    assert f"{REGENERATOR} lacks the secret(s) AI_API_KEY" in output
    assert DIGEST not in output


FAILURES: dict[str, tuple[dict[str, str | int], str]] = {
    "auth error": (
        {"stderr": "Error: You must be authenticated to view this.\n", "exit": 1},
        "flyctl could not authenticate (You must be authenticated to view this.): check FLY_API_TOKEN",
    ),
    "unreadable JSON": (
        {"stdout": '[{"name": "DATABASE_URL", \n'},
        "flyctl secrets list printed JSON that cannot be read",
    ),
    "flyctl missing": ({"exit": "missing"}, "flyctl is not installed: neither `flyctl` nor `fly` is on PATH"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_flyctl_failures_fail_in_one_sentence(run: Callable[..., GateRun], case: str) -> None:
    answer, sentence = FAILURES[case]
    code, output = run(current, [], **answer)
    assert code == 1, output
    assert sentence in output
    assert "fly-test-token" not in output
