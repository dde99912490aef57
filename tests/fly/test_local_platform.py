"""The local Fly platform: stand-in workers as machines, releases in a state file, deploys by strategy;
and the post_deploy gates and the smoke run against it for real."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from fly.apps import LOCAL_APPS
from fly.health import wait_until_healthy
from fly.local_platform import LocalFlyPlatform
from fly.platform import PlatformError, Strategy
from gates.connect import ConnectBudget
from gates.dsn import Dsn
from gates.secret import Secret
from smoke.auth import StaticToken
from smoke.flow import SmokeFailure, run_smoke
from smoke.settings import SmokeSettings
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack
from tests.helpers.gate_run import run_gates
from tests.helpers.standin import STANDIN_API_KEY

WORKER, REGENERATOR = LOCAL_APPS["worker"], LOCAL_APPS["regenerator"]
BUDGET = {"GATES_FLY_HEALTH_BUDGET_S": "5"}


def deploy_both(platform: LocalFlyPlatform, image: str) -> None:
    for app in (WORKER, REGENERATOR):
        platform.deploy(app, image, strategy="rolling", wait_timeout_s=20)


def test_a_healthy_deploy_passes_post_deploy(
    local_fly: Callable[..., LocalFlyPlatform],
    tmp_path: Path,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    worker_db: str,
) -> None:
    platform = local_fly()
    deploy_both(platform, platform.build(7))
    releases = platform.releases(REGENERATOR)
    assert [(r.version, r.status, r.image) for r in releases] == [(1, "complete", "local/atlaris-worker:v7")]
    environ = {**BUDGET, "DATABASE_URL": worker_db}
    run_gates(pytester, monkeypatch, tmp_path, "post_deploy", "local", environ).assert_outcomes(
        passed=5  # fly_health, queue_health and host_checks
    )


def test_a_secret_in_the_local_workers_files_fails_host_checks(
    local_fly: Callable[..., LocalFlyPlatform],
    tmp_path: Path,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    worker_db: str,
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "app.env").write_text(f"DATABASE_URL={worker_db}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the local workers' working directory is where they were deployed from
    platform = local_fly()
    deploy_both(platform, platform.build(7))
    environ = {**BUDGET, "DATABASE_URL": worker_db}
    ran = run_gates(pytester, monkeypatch, tmp_path, "post_deploy and host_checks", "local", environ)
    code, output = ran
    assert code == 1, output
    assert "config/app.env line 1 assigns DATABASE_URL: a secret is baked into the image" in output
    assert worker_db not in output
    ran.assert_outcomes(failed=2)


def test_worker_no_start_on_the_regenerator_fails_its_deploy_fly_health_and_the_smokes_regeneration_leg(
    local_fly: Callable[..., LocalFlyPlatform],
    tmp_path: Path,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    standin: Callable[..., AbstractContextManager[Stack]],
    worker_db: str,
) -> None:
    platform = local_fly()
    deploy_both(platform, platform.build(7))
    broken = platform.build(8, ["worker_no_start@regenerator"])
    platform.deploy(WORKER, broken, strategy="rolling", wait_timeout_s=20)  # the fault targets the regenerator only
    with pytest.raises(PlatformError, match=r"machine \w+ exited 3 times \(last code 1"):
        platform.deploy(REGENERATOR, broken, strategy="rolling", wait_timeout_s=20)
    ran = run_gates(pytester, monkeypatch, tmp_path, "post_deploy and fly_health", "local", BUDGET)
    code, output = ran
    assert code == 1, output
    assert f"{REGENERATOR} is not healthy: {REGENERATOR} machine" in output
    assert "is crash-looping: it exited 3 times (codes 1, 1, 1)" in output
    ran.assert_outcomes(failed=1, passed=1)
    assert platform.releases(REGENERATOR)[0].status == "failed"
    with standin(("api",)) as stack:  # the API alone: the platform's machines are the only workers
        settings = SmokeSettings(
            api_url=stack.api_url,
            database_url=Dsn(worker_db),
            test_user=DEFAULT_TEST_USER,
            auth=StaticToken(Secret(STANDIN_API_KEY)),
            poll_budget_s=3.0,
            total_budget_s=15.0,
        )
        with pytest.raises(SmokeFailure) as caught:
            run_smoke(settings, connect_budget=ConnectBudget(5), report=lambda _line: None)
    assert caught.value.stage == "regeneration", caught.value.message  # the generator, on the same image, works
    assert "never claimed" in caught.value.detail and "no regenerator is taking jobs" in caught.value.detail


def test_worker_no_start_scoped_to_the_regenerator_leaves_the_generator_running(
    local_fly: Callable[..., LocalFlyPlatform], monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = local_fly()
    image = platform.build(7)
    monkeypatch.setenv("STANDIN_FAULTS", "worker_no_start@regenerator")
    platform.deploy(WORKER, image, strategy="rolling", wait_timeout_s=20)
    with pytest.raises(PlatformError, match="exited 3 times"):
        platform.deploy(REGENERATOR, image, strategy="rolling", wait_timeout_s=20)
    assert wait_until_healthy(platform, WORKER, 2).healthy


def test_bluegreen_keeps_the_old_machines_when_the_new_ones_fail(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly(machines=2)
    good = platform.build(7)
    platform.deploy(REGENERATOR, good, strategy="bluegreen", wait_timeout_s=20)
    before = {m.id for m in platform.machines(REGENERATOR)}
    with pytest.raises(PlatformError, match="failed \\(bluegreen\\)"):
        platform.deploy(REGENERATOR, platform.build(8, ["worker_no_start"]), strategy="bluegreen", wait_timeout_s=20)
    machines = platform.machines(REGENERATOR)
    assert {m.id for m in machines} == before
    assert all(m.state == "started" and m.image == good for m in machines)


def test_a_stop_waits_for_the_graceful_shutdown_then_kills(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly(kill_timeout_s=0.5)
    platform.deploy(WORKER, platform.build(7), strategy="immediate", wait_timeout_s=20)
    assert wait_until_healthy(platform, WORKER, 10).healthy
    platform.deploy(WORKER, platform.build(8), strategy="rolling", wait_timeout_s=20)
    machines = platform.machines(WORKER)
    assert [m.image for m in machines] == ["local/atlaris-worker:v8"]
    assert [r.version for r in platform.releases(WORKER)] == [2, 1]


def test_an_image_cannot_be_rebuilt_with_other_faults(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly()
    platform.build(7)
    with pytest.raises(PlatformError, match="already built with faults none"):
        platform.build(7, ["worker_no_start"])


@pytest.mark.parametrize(
    ("strategy", "old_runs_beside_new"),
    [("immediate", False), ("rolling", False), ("bluegreen", True), ("canary", True)],
)
def test_the_strategy_decides_whether_the_old_machine_stops_before_the_new_starts(
    local_fly: Callable[..., LocalFlyPlatform],
    monkeypatch: pytest.MonkeyPatch,
    strategy: Strategy,
    old_runs_beside_new: bool,
) -> None:
    platform = local_fly()
    platform.deploy(WORKER, platform.build(7), strategy="immediate", wait_timeout_s=20)
    assert wait_until_healthy(platform, WORKER, 10).healthy
    old_states: list[list[str]] = []
    start = platform._start

    def recording_start(*args: Any, **kwargs: Any) -> Any:
        old_states.append([machine.state for machine in platform.machines(WORKER)])
        return start(*args, **kwargs)

    monkeypatch.setattr(platform, "_start", recording_start)
    platform.deploy(WORKER, platform.build(8), strategy=strategy, wait_timeout_s=20)
    assert len(old_states) == 1, old_states
    assert ("started" in old_states[0]) is old_runs_beside_new, old_states
    assert [m.image for m in platform.machines(WORKER)] == ["local/atlaris-worker:v8"]
