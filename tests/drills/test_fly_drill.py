"""drill_fly: on the local Fly platform (real worker processes) it rolls back, smokes, restores and
smokes again; with a fake flyctl, a failed rollback deploy and a release that never gets healthy
both end with the original image deployed again, and the failure says so."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from drills.fly_drill import FlyDrillTarget, Smoke, run_fly_drill
from drills.framework import DrillFailure
from drills.targets import fly_smoke, fly_targets
from fly.apps import LOCAL_APPS
from fly.local_platform import LocalFlyPlatform
from fly.platform import newest_complete
from gates.config import GatesConfig, load_config
from gates.connect import ConnectBudget
from gates.inputs import InputError, MissingInput
from standin.settings import DEFAULT_TEST_USER
from standin.stack import Stack
from tests.helpers.fake_flyctl import FakeFlyctl, image, machine, release
from tests.helpers.gate_run import run_gates
from tests.helpers.standin import STANDIN_API_KEY

WORKER = "atlaris-worker-staging"
STAGING_TOML = f"""
[drills]
fly_smoke = false

[environments.staging]
fly_apps = {{ worker = "{WORKER}", regenerator = "atlaris-worker-regenerator-staging" }}
"""
RESTORED = "then restore the original image ran and succeeded"


def images_smoke(platform: LocalFlyPlatform, app: str, seen: list[str]) -> Callable[[], str]:
    """A smoke standing in for the real one: it records which image the machines run when it is called."""

    def smoke() -> str:
        images = ",".join(sorted({m.image for m in platform.machines(app)}))
        seen.append(images)
        return f"smoked on {images}"

    return smoke


def test_local_happy_path_rolls_back_smokes_and_restores(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly()
    app = LOCAL_APPS["worker"]
    old, new = platform.build(7), platform.build(8)
    for ref in (old, new):
        platform.deploy(app, ref, strategy="immediate", wait_timeout_s=20)
    seen: list[str] = []
    target = FlyDrillTarget(platform, app, 20.0, images_smoke(platform, app, seen), "immediate")

    report = run_fly_drill(target)

    assert report.passed, report.message
    assert seen == [old, new]  # the first smoke ran on the rolled-back release, the second on the original
    timings = report.timings
    assert 0 < timings["time_to_rolled_back_s"] <= timings["time_to_healthy_s"] <= timings["time_to_restored_s"]
    newest = newest_complete(platform.releases(app))
    assert newest is not None and newest.image == new
    assert [r.image for r in platform.releases(app)[:2]] == [new, old]
    assert all(m.image == new and m.state == "started" for m in platform.machines(app))


def test_smoke_failing_on_the_old_release_restores(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly()
    app = LOCAL_APPS["worker"]
    for ref in (platform.build(7), platform.build(8)):
        platform.deploy(app, ref, strategy="immediate", wait_timeout_s=20)

    def failing_smoke() -> str:
        raise DrillFailure("smoke failed at stage verify after 1.0 s: no modules")

    report = run_fly_drill(FlyDrillTarget(platform, app, 20.0, failing_smoke, "immediate"))

    assert report.outcome == "failed"
    assert "failed: smoke failed at stage verify" in report.message and RESTORED in report.message
    assert all(m.image == platform.build(8) for m in platform.machines(app))


def test_a_release_with_a_single_image_cannot_be_drilled(local_fly: Callable[..., LocalFlyPlatform]) -> None:
    platform = local_fly()
    app = LOCAL_APPS["worker"]
    platform.deploy(app, platform.build(7), strategy="immediate", wait_timeout_s=20)
    report = run_fly_drill(FlyDrillTarget(platform, app, 5.0, None, "immediate"))
    assert report.outcome == "failed"
    assert f"{app} has no earlier complete release with another image than {platform.build(7)}" in report.message
    assert len(platform.releases(app)) == 1  # nothing was deployed


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeFlyctl:
    """staging's worker on v8 (a secrets release v9 repeats it), v7 before: the drill's previous image is v7."""
    fake = FakeFlyctl.install(tmp_path)
    for name, value in fake.environ().items():
        monkeypatch.setenv(name, value)
    fake.app(
        WORKER,
        [release(WORKER, 9, "v8"), release(WORKER, 8, "v8"), release(WORKER, 7, "v7")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v8")],
    )
    return fake


def staging_target(tmp_path: Path, fake: FakeFlyctl, budget_s: str = "1") -> FlyDrillTarget:
    (tmp_path / "gates.toml").write_text(STAGING_TOML, encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    environ = {**fake.environ(), "GATES_FLY_HEALTH_BUDGET_S": budget_s}
    return fly_targets(config, config.environment("staging"), environ, lambda _line: None, ConnectBudget(5))["worker"]


def restoring_deploy_of_v8(fake: FakeFlyctl) -> None:
    """`fly deploy --image v8` brings a complete v11 on v8 with healthy machines."""
    restored = fake.staged("restored")
    restored.app(
        WORKER,
        [release(WORKER, 11, "v8"), release(WORKER, 10, "v7", "failed"), release(WORKER, 9, "v8")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v8", version=11)],
    )
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v8')}", stdout="deployed\n", then=restored)


def deploys(fake: FakeFlyctl) -> list[list[str]]:
    return [call for call in fake.calls() if call[0] == "deploy"]


def test_failed_rollback_deploy_restores_the_original(tmp_path: Path, fake: FakeFlyctl) -> None:
    fake.answer(
        f"deploy --app {WORKER} --image {image(WORKER, 'v7')}",
        stderr="Error: timeout reached waiting for health checks to pass for machine 3d8d1a2b3c4d5e\n",
        exit=1,
    )
    restoring_deploy_of_v8(fake)

    report = run_fly_drill(staging_target(tmp_path, fake))

    assert report.outcome == "failed"
    assert "timeout reached waiting for health checks" in report.message and RESTORED in report.message
    images = [call[call.index("--image") + 1] for call in deploys(fake)]
    assert images == [image(WORKER, "v7"), image(WORKER, "v8")]
    assert not any("--detach" in call for call in fake.calls())
    assert "time_to_rolled_back_s" not in report.timings
    assert [step.phase for step in report.steps][-1] == "restore"


def test_health_that_never_passes_restores_the_original(tmp_path: Path, fake: FakeFlyctl) -> None:
    unhealthy = fake.staged("rolled-back")
    unhealthy.app(
        WORKER,
        [release(WORKER, 10, "v7"), release(WORKER, 9, "v8"), release(WORKER, 7, "v7")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v7", checks=[("worker-health", "critical", "HTTP 503")], version=10)],
    )
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v7')}", stdout="deployed\n", then=unhealthy)
    restoring_deploy_of_v8(fake)

    report = run_fly_drill(staging_target(tmp_path, fake))

    assert report.outcome == "failed"
    assert f"{WORKER} is not healthy after" in report.message and "HTTP 503" in report.message
    assert RESTORED in report.message
    assert "time_to_rolled_back_s" in report.timings and "time_to_healthy_s" not in report.timings
    assert [call[call.index("--image") + 1] for call in deploys(fake)] == [image(WORKER, "v7"), image(WORKER, "v8")]


def test_missing_smoke_inputs_fail_closed_before_any_deploy(tmp_path: Path, fake: FakeFlyctl) -> None:
    (tmp_path / "gates.toml").write_text(STAGING_TOML.replace("fly_smoke = false", ""), encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    environ = {name: value for name, value in fake.environ().items() if not name.startswith("SMOKE_TEST_")}
    with pytest.raises(MissingInput, match=r"drill_fly smokes each release it deploys and cannot: .*fly_smoke = false"):
        fly_targets(config, config.environment("staging"), environ, lambda _line: None, ConnectBudget(5))
    assert deploys(fake) == []


def test_wrong_inputs_are_failures_not_skips_and_all_named_at_once(tmp_path: Path, fake: FakeFlyctl) -> None:
    (tmp_path / "gates.toml").write_text(STAGING_TOML.replace("fly_smoke = false", ""), encoding="utf-8")
    config = load_config(tmp_path / "gates.toml")
    environ = {**fake.environ(), "GATES_FLY_HEALTH_BUDGET_S": "abc", "SMOKE_TOTAL_BUDGET_S": "abc"}
    with pytest.raises(InputError) as caught:
        fly_targets(config, config.environment("staging"), environ, lambda _line: None, ConnectBudget(5))
    assert "GATES_FLY_HEALTH_BUDGET_S='abc'" in str(caught.value) and "SMOKE_TOTAL_BUDGET_S='abc'" in str(caught.value)
    assert deploys(fake) == []


def test_smoke_turned_off_passes_and_says_it_skipped(tmp_path: Path, fake: FakeFlyctl) -> None:
    rolled_back = fake.staged("rolled-back")
    rolled_back.app(
        WORKER,
        [release(WORKER, 10, "v7"), release(WORKER, 9, "v8"), release(WORKER, 7, "v7")],
        [machine("3d8d1a2b3c4d5e", WORKER, "v7", version=10)],
    )
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v7')}", stdout="deployed\n", then=rolled_back)
    restoring_deploy_of_v8(fake)

    report = run_fly_drill(staging_target(tmp_path, fake))

    assert report.passed, report.message
    skipped = [step.name for step in report.steps if step.detail == "skipped: [drills] fly_smoke = false"]
    assert skipped == ["smoke on the rolled-back release", "smoke on the restored release"]
    assert set(report.timings) == {"time_to_rolled_back_s", "time_to_healthy_s", "time_to_restored_s"}


def fleet(tag: str, standby_tag: str, version: int) -> list[dict[str, object]]:
    """The worker's machine and the stopped standby Fly keeps for it (a process group without services)."""
    primary = machine("3d8d1a2b3c4d5e", WORKER, tag, version=version)
    standby = machine(
        "7b6a5f4e3d2c1b",
        WORKER,
        standby_tag,
        state="stopped",
        checks=[],
        version=version,
        standby_for=("3d8d1a2b3c4d5e",),
    )
    return [primary, standby]


def test_a_standby_rolled_back_and_restored_with_its_machine_passes(tmp_path: Path, fake: FakeFlyctl) -> None:
    fake.app(WORKER, [release(WORKER, 9, "v8"), release(WORKER, 7, "v7")], fleet("v8", "v8", 9))
    rolled_back, restored = fake.staged("rolled-back"), fake.staged("restored")
    rolled_back.app(WORKER, [release(WORKER, 10, "v7"), release(WORKER, 9, "v8")], fleet("v7", "v7", 10))
    restored.app(WORKER, [release(WORKER, 11, "v8"), release(WORKER, 10, "v7")], fleet("v8", "v8", 11))
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v7')}", stdout="deployed\n", then=rolled_back)
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v8')}", stdout="deployed\n", then=restored)

    report = run_fly_drill(staging_target(tmp_path, fake))

    assert report.passed, report.message
    healthy = next(step for step in report.steps if step.name == "every machine healthy on the previous image")
    assert healthy.detail.startswith(
        f"1 machine(s) on {image(WORKER, 'v7')} with checks passing, 1 standby machine(s) on it after "
    )


def test_a_standby_left_on_the_current_image_fails_the_rollback(tmp_path: Path, fake: FakeFlyctl) -> None:
    fake.app(WORKER, [release(WORKER, 9, "v8"), release(WORKER, 7, "v7")], fleet("v8", "v8", 9))
    rolled_back = fake.staged("rolled-back")
    rolled_back.app(WORKER, [release(WORKER, 10, "v7"), release(WORKER, 9, "v8")], fleet("v7", "v8", 10))
    fake.answer(f"deploy --app {WORKER} --image {image(WORKER, 'v7')}", stdout="deployed\n", then=rolled_back)
    restoring_deploy_of_v8(fake)

    report = run_fly_drill(staging_target(tmp_path, fake))

    assert report.outcome == "failed"
    assert (
        f"{WORKER} standby machine 7b6a5f4e3d2c1b (stopped, image {image(WORKER, 'v8')}, standby for 3d8d1a2b3c4d5e) "
        f"is not on the image of release v10, {image(WORKER, 'v7')}: a failover would start that image's code"
    ) in report.message
    assert RESTORED in report.message


def test_gate_passes_for_every_app_and_fails_closed_without_smoke_inputs(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeFlyctl
) -> None:
    regenerator = "atlaris-worker-regenerator-staging"
    fake.app(
        regenerator,
        [release(regenerator, 3, "v3"), release(regenerator, 2, "v2")],
        [machine("5e4f3a2b1c0d9e", regenerator, "v3")],
    )
    for app, old, new in ((WORKER, "v7", "v8"), (regenerator, "v2", "v3")):
        rolled_back, restored = fake.staged(f"{app}-back"), fake.staged(f"{app}-restored")
        rolled_back.app(app, [release(app, 20, old), release(app, 19, new)], [machine("5e4f3a2b1c0d9e", app, old)])
        restored.app(app, [release(app, 21, new), release(app, 20, old)], [machine("5e4f3a2b1c0d9e", app, new)])
        fake.answer(f"deploy --app {app} --image {image(app, old)}", stdout="deployed\n", then=rolled_back)
        fake.answer(f"deploy --app {app} --image {image(app, new)}", stdout="deployed\n", then=restored)
    (tmp_path / "gates.toml").write_text(STAGING_TOML, encoding="utf-8")
    environ = {"GATES_FLY_HEALTH_BUDGET_S": "2"}
    run_gates(
        pytester, monkeypatch, tmp_path, "rollback_drill and drill_fly", "staging", environ, "drills"
    ).assert_outcomes(passed=2)

    (tmp_path / "gates.toml").write_text(STAGING_TOML.replace("fly_smoke = false", ""), encoding="utf-8")
    for name in [name for name in os.environ if name.startswith("SMOKE_TEST_")]:
        monkeypatch.delenv(name)
    code, output = run_gates(
        pytester, monkeypatch, tmp_path, "rollback_drill and drill_fly", "staging", environ, "drills"
    )
    assert code == 1
    assert "drill_fly smokes each release it deploys and cannot: no API URL for staging" in output


@pytest.fixture
def real_smoke(
    local_fly: Callable[..., LocalFlyPlatform],
    standin: Callable[..., AbstractContextManager[Stack]],
    worker_db: str,
    gates_config: GatesConfig,
) -> Iterator[Callable[[frozenset[str]], tuple[LocalFlyPlatform, Smoke]]]:
    """`real_smoke(old_faults)`: both apps deployed from an old build (carrying `old_faults`) then a new one,
    the stand-in's API on their database, and the drill's smoke as the gate builds it: the real smoke flow."""
    with standin(("api",)) as stack:

        def make(old_faults: frozenset[str]) -> tuple[LocalFlyPlatform, Smoke]:
            platform = local_fly()
            old, new = platform.build(7, old_faults), platform.build(8)
            for app in LOCAL_APPS.values():
                for ref in (old, new):
                    platform.deploy(app, ref, strategy="immediate", wait_timeout_s=20)
            environ = {
                "SMOKE_TEST_API_URL": stack.api_url,
                "SMOKE_TEST_API_KEY": STANDIN_API_KEY,
                "SMOKE_TEST_DATABASE_URL": worker_db,
                "SMOKE_TEST_CLERK_USER_ID": DEFAULT_TEST_USER,
                "SMOKE_POLL_BUDGET_S": "4",
                "SMOKE_TOTAL_BUDGET_S": "30",
            }
            smoke = fly_smoke(
                gates_config, gates_config.environment("local"), environ, lambda _line: None, ConnectBudget(5)
            )
            assert smoke is not None
            return platform, smoke

        yield make


def test_local_drill_runs_the_real_smoke_on_each_release(
    real_smoke: Callable[[frozenset[str]], tuple[LocalFlyPlatform, Smoke]],
) -> None:
    platform, smoke = real_smoke(frozenset())
    app = LOCAL_APPS["worker"]

    report = run_fly_drill(FlyDrillTarget(platform, app, 20.0, smoke, "immediate"))

    assert report.passed, report.message
    smoked = [step.detail for step in report.steps if step.name.startswith("smoke on")]
    assert len(smoked) == 2 and all("verified" in detail for detail in smoked), smoked
    assert {machine.image for machine in platform.machines(app)} == {"local/atlaris-worker:v8"}


def test_local_drill_fails_when_the_real_smoke_fails_on_the_old_release_and_restores(
    real_smoke: Callable[[frozenset[str]], tuple[LocalFlyPlatform, Smoke]],
) -> None:
    platform, smoke = real_smoke(frozenset({"worker_empty"}))  # the old build completes jobs writing nothing
    app = LOCAL_APPS["worker"]

    report = run_fly_drill(FlyDrillTarget(platform, app, 20.0, smoke, "immediate"))

    assert not report.passed
    assert "smoke failed at stage verify" in report.message and RESTORED in report.message
    assert {machine.image for machine in platform.machines(app)} == {"local/atlaris-worker:v8"}
