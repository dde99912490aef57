"""Production's host_checks compares each per-environment secret of its workers with staging's by the
hashes computed on their machines (fake flyctl, workers on this host; fixtures in conftest.py): a
secret shared between environments, or missing on either, fails naming the secret and both apps;
staging out of reach fails closed; staging's run never reaches production."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fly.host_probe import value_hash
from tests.helpers.fake_flyctl import FakeFlyctl, machine
from tests.helpers.fly_hosts import AI_API_KEYS, APPS, MACHINE, Entrypoints, both, host_gates_toml
from tests.helpers.gate_run import GateRun

STAGING, PROD = APPS["staging"], APPS["production"]
Run = Callable[..., GateRun]


def _where(env: str, role: str) -> str:
    return f"{APPS[env][role]} machine {MACHINE[env]}"


def _no_value_shown(output: str) -> None:
    for key in AI_API_KEYS.values():
        assert key not in output and value_hash(key) not in output


def test_production_probes_staging_and_distinct_secrets_pass(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, fake: FakeFlyctl
) -> None:
    both(start_worker, entrypoints)
    both(start_worker, entrypoints, "production")
    code, output = run("production")
    assert code == 0, output
    probed = {call[3] for call in fake.calls() if call[:2] == ["ssh", "console"]}
    assert probed == {*STAGING.values(), *PROD.values()}


def test_staging_never_reaches_production(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, fake: FakeFlyctl
) -> None:
    both(start_worker, entrypoints, AI_API_KEY=AI_API_KEYS["production"])  # caught by production's run
    code, output = run()
    assert code == 0, output
    assert not [call for call in fake.calls() if set(PROD.values()) & set(call)]


@pytest.mark.parametrize("padding", ["", "  "], ids=["same", "same once stripped"])
def test_a_secret_shared_with_staging_fails_naming_it_and_both_apps(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, padding: str
) -> None:
    both(start_worker, entrypoints)
    both(start_worker, entrypoints, "production", AI_API_KEY=f"{padding}{AI_API_KEYS['staging']}{padding}")
    ran = run("production")
    code, output = ran
    assert code == 1
    assert (
        f"secret AI_API_KEY is the same on {_where('production', 'worker')} (production) and "
        f"{_where('staging', 'worker')} (staging): a secret shared between environments breaks their isolation"
    ) in output
    ran.assert_outcomes(failed=1, passed=1)
    _no_value_shown(output)


@pytest.mark.parametrize(("value", "state"), [(None, "not set"), (" ", "empty")])
def test_a_secret_missing_in_staging_fails(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, value: str | None, state: str
) -> None:
    both(start_worker, entrypoints, AI_API_KEY=value)
    both(start_worker, entrypoints, "production")
    code, output = run("production")
    assert code == 1
    assert f"secret AI_API_KEY is {state} on staging's {_where('staging', 'worker')}" in output


def test_a_secret_missing_in_production_fails(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints
) -> None:
    both(start_worker, entrypoints)
    both(start_worker, entrypoints, "production", AI_API_KEY=None)
    code, output = run("production")
    assert code == 1
    assert f"{_where('production', 'worker')} pid" in output
    assert "secret AI_API_KEY is not set" in output


@pytest.mark.parametrize(
    ("stderr", "cause"),
    [
        (f'Error: Could not find App "{STAGING["worker"]}"\n', f"Fly app {STAGING['worker']} was not found"),
        ("Error: You must be authenticated to view this.\n", "flyctl could not authenticate"),
    ],
)
def test_staging_out_of_reach_fails_closed(
    run: Run,
    start_worker: Callable[..., None],
    entrypoints: Entrypoints,
    fake: FakeFlyctl,
    stderr: str,
    cause: str,
) -> None:
    both(start_worker, entrypoints, "production")
    fake.answer(f"machines list --app {STAGING['worker']}", stderr=stderr, exit=1)
    code, output = run("production")
    assert code == 1
    assert f"cannot compare per-environment secrets with staging's {STAGING['worker']}: {cause}" in output
    assert "the FLY_API_TOKEN of this run must reach the apps of both environments" in output


def test_staging_without_a_started_machine_or_worker_fails_closed(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, fake: FakeFlyctl
) -> None:
    both(start_worker, entrypoints, "production")
    stopped = machine(MACHINE["staging"], STAGING["worker"], "v8", state="stopped")
    fake.answer(f"machines list --app {STAGING['worker']}", data=[stopped])
    code, output = run("production")
    assert code == 1
    assert f"staging's {STAGING['worker']}: {STAGING['worker']} has no started machine to check;" in output
    regenerator = entrypoints["staging"]["regenerator"]
    assert (
        f"staging's {_where('staging', 'regenerator')}: no process runs the entry point {regenerator}, "
        "so per-environment secrets cannot be compared"
    ) in output


def test_an_environment_without_fly_apps_has_nothing_to_compare(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, fake: FakeFlyctl, tmp_path: Path
) -> None:
    host_gates_toml(tmp_path, entrypoints, ("production",))
    both(start_worker, entrypoints, "production")
    code, output = run("production")
    assert code == 0, output
    assert not [call for call in fake.calls() if set(STAGING.values()) & set(call)]


def test_an_unreadable_fly_toml_of_staging_fails_naming_it(
    run: Run, start_worker: Callable[..., None], entrypoints: Entrypoints, tmp_path: Path
) -> None:
    both(start_worker, entrypoints)
    both(start_worker, entrypoints, "production")
    (tmp_path / "fly.staging.regenerator.toml").unlink()
    ran = run("production")
    code, output = ran
    assert code == 1
    assert f"host_checks cannot read {tmp_path / 'fly.staging.regenerator.toml'} for the regenerator's" in output
    ran.assert_outcomes(failed=1, passed=1)
